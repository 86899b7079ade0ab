//! What `meta.json` records of a session: everything but its voxels.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use interseg_shared::api::volume::FileType;

use super::points::PointSet;
use super::prompts::PromptLog;

/// The volume a session holds, as recorded on disk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredVolume {
    /// The file's name inside the session folder.
    pub file: String,
    /// The name it was uploaded under.
    pub filename: String,
    pub file_type: FileType,
    pub shape: [usize; 3],
    /// Older versions could write `null` here (an infinite voxel); it reads back as 0.
    #[serde(deserialize_with = "finite_range")]
    pub data_range: [f64; 2],
}

fn finite_range<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[f64; 2], D::Error> {
    let [lo, hi] = <[Option<f64>; 2]>::deserialize(d)?;
    Ok([lo.unwrap_or(0.0), hi.unwrap_or(0.0)])
}

/// The latest segmentation result, as recorded on disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResult {
    pub revision: u64,
    /// The label volume's file name inside the session folder.
    pub labels_nifti: String,
    /// The ITK-SNAP label description's file name inside the session folder.
    pub labels_text: String,
    pub unique_labels: Vec<u8>,
}

/// Everything about a session except its voxels: what `meta.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionMeta {
    pub created_at: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
    pub volume: Option<StoredVolume>,
    pub points: PointSet,
    /// Our own prompts (the original API's points stay in `points`).
    #[serde(default)]
    pub prompts: PromptLog,
    pub current_axis: usize,
    pub current_slice: usize,
    pub result: Option<StoredResult>,
    /// Source of unique file names for volumes and results.
    pub next_revision: u64,
    /// How labels are named in label files and Slicer segments.
    #[serde(default)]
    pub naming: interseg_shared::naming::LabelNaming,
    /// Labels whose voxels later runs keep (ascending): finished objects.
    #[serde(default)]
    pub locked: Vec<u8>,
}

impl SessionMeta {
    pub(super) fn new(now: DateTime<Utc>) -> Self {
        Self {
            created_at: now,
            last_activity: now,
            volume: None,
            points: PointSet::default(),
            prompts: PromptLog::default(),
            current_axis: 2,
            current_slice: 0,
            result: None,
            next_revision: 1,
            naming: interseg_shared::naming::LabelNaming::default(),
            locked: Vec::new(),
        }
    }

    pub fn take_revision(&mut self) -> u64 {
        let r = self.next_revision;
        self.next_revision += 1;
        r
    }
}
