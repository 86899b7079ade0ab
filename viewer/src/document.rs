//! The session as the viewer knows it: the server's answers (volume, prompts, result, running
//! job, transfer in progress), kept apart from how they are shown.

use std::sync::Arc;

use interseg_shared::api::points::PointEntry;
use interseg_shared::api::prompts::{PromptEntry, PromptKind, SlicePoint};
use interseg_shared::geometry::{Axis, SlicePosition, voxel_from_slice};
use tokio::task::AbortHandle;

use crate::client::volume::Progress;
use crate::client::{SessionId, SessionStart};
use crate::volume_data::VolumeData;

/// Where the viewer stands with its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionView {
    Connecting,
    Ready(SessionStart),
    Failed(String),
}

/// An upload or download in progress.
pub struct Transfer {
    pub what: String,
    /// The file's name.
    pub name: String,
    pub progress: Arc<Progress>,
    /// Present when the user may cancel it.
    pub cancel: Option<AbortHandle>,
}

pub struct Document {
    pub session: SessionView,
    pub volume: Option<Arc<VolumeData>>,
    /// The name of the file the volume came from, when this viewer opened it.
    pub volume_name: Option<String>,
    /// The latest result, one label per voxel (CPU copy, for the status line and clicks).
    pub labels: Option<Vec<u8>>,
    /// The 3D view's surfaces of the latest result.
    pub surfaces: std::sync::Arc<crate::surfaces::Surfaces>,
    /// The labels the latest result holds (ascending, without 0).
    pub result_labels: Vec<u8>,
    /// How many results have been shown; tells tests and the UI that a new one arrived.
    pub results_shown: u64,
    pub prompts: Vec<PromptEntry>,
    /// Points marked through the original API (`mark_point`), as include points of their
    /// number; their `id` is that number.
    pub legacy_points: Vec<PromptEntry>,
    pub can_undo: bool,
    pub can_redo: bool,
    pub transfer: Option<Transfer>,
    /// The segmentation run going on now.
    pub job: Option<RunningJob>,
    /// Prompts changed while a job ran: segment again when it ends.
    pub segment_again: bool,
    /// The server stopped answering; retrying in the background.
    pub connection_lost: bool,
    /// How the session names its labels (FDI or Universal teeth, or numbers).
    pub naming: interseg_shared::naming::LabelNaming,
    /// Labels whose voxels later runs keep (ascending), as the server last said.
    pub locked: Vec<u8>,
}

impl Default for Document {
    fn default() -> Self {
        Self {
            session: SessionView::Connecting,
            volume: None,
            volume_name: None,
            labels: None,
            surfaces: std::sync::Arc::default(),
            result_labels: Vec::new(),
            results_shown: 0,
            prompts: Vec::new(),
            legacy_points: Vec::new(),
            can_undo: false,
            can_redo: false,
            transfer: None,
            job: None,
            segment_again: false,
            connection_lost: false,
            naming: interseg_shared::naming::LabelNaming::default(),
            locked: Vec::new(),
        }
    }
}

/// The segmentation run the viewer is waiting for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RunningJob {
    /// Asked for; the server has not answered with the job's id yet. `cancelled`: the user
    /// cancelled meanwhile, so the job is cancelled as soon as its id is known.
    Starting { cancelled: bool },
    /// Running on the server.
    Running { job_id: u64, progress: f32 },
}

impl RunningJob {
    /// How far it got, 0 to 1.
    pub fn progress(self) -> f32 {
        match self {
            Self::Starting { .. } => 0.0,
            Self::Running { progress, .. } => progress,
        }
    }
}

impl Document {
    pub fn session_id(&self) -> Option<SessionId> {
        match &self.session {
            SessionView::Ready(start) => Some(start.session_id()),
            SessionView::Connecting | SessionView::Failed(_) => None,
        }
    }

    /// The label of the result at a voxel (0: background or no result).
    pub fn label_at(&self, voxel: [usize; 3]) -> u8 {
        let Some(volume) = &self.volume else {
            return 0;
        };
        volume
            .offset(voxel)
            .and_then(|o| self.labels.as_ref()?.get(o).copied())
            .unwrap_or(0)
    }

    /// Every prompt: ours, then the original API's points (flagged `true`).
    pub fn all_prompts(&self) -> impl Iterator<Item = (&PromptEntry, bool)> {
        let ours = self.prompts.iter().map(|p| (p, false));
        ours.chain(self.legacy_points.iter().map(|p| (p, true)))
    }

    pub fn has_prompts(&self) -> bool {
        !self.prompts.is_empty() || !self.legacy_points.is_empty()
    }

    /// The smallest label that no prompt uses yet, other than `besides`.
    pub fn next_free_label(&self, besides: u8) -> u8 {
        (1..=u8::MAX)
            .find(|&l| l != besides && !self.all_prompts().any(|(p, _)| p.label == l))
            .unwrap_or(besides)
    }

    /// The label of the most recent include prompt.
    pub fn last_include_label(&self) -> Option<u8> {
        self.prompts
            .iter()
            .rev()
            .chain(self.legacy_points.iter().rev())
            .find(|p| p.include)
            .map(|p| p.label)
    }

    pub fn is_busy(&self) -> bool {
        self.transfer.is_some()
    }
}

/// The slice a box prompt lies on (axis, index) and its corner voxels (inclusive).
pub fn prompt_box(entry: &PromptEntry) -> Option<(usize, usize, [usize; 3], [usize; 3])> {
    let rect = entry.rect?;
    let axis = Axis::from_number(rect.axis)?;
    let index = |n: i64| usize::try_from(n).ok();
    let slice = index(rect.slice_index)?;
    let corner = |x: i64, y: i64| -> Option<[usize; 3]> {
        Some(voxel_from_slice(
            axis,
            slice,
            SlicePosition {
                row: index(y)?,
                col: index(x)?,
            },
        ))
    };
    Some((
        axis.number(),
        slice,
        corner(rect.x0, rect.y0)?,
        corner(rect.x1, rect.y1)?,
    ))
}

/// The voxel a point prompt lies on.
pub fn prompt_voxel(entry: &PromptEntry) -> Option<[usize; 3]> {
    let point = entry.point?;
    let axis = Axis::from_number(point.axis)?;
    let index = |n: i64| usize::try_from(n).ok();
    Some(voxel_from_slice(
        axis,
        index(point.slice_index)?,
        SlicePosition {
            row: index(point.y)?,
            col: index(point.x)?,
        },
    ))
}

/// An original-API point as an include prompt of its number (labels stop at 255).
pub fn legacy_entry(point: &PointEntry) -> Option<PromptEntry> {
    let label = u8::try_from(point.point_number).ok()?;
    let c = point.coordinates;
    let wide = |n: usize| i64::try_from(n).ok();
    // Along axis 0 at slice i, the row is j and the column k: the voxel (i, j, k).
    Some(PromptEntry {
        id: u64::from(point.point_number),
        label,
        include: true,
        kind: PromptKind::Point,
        point: Some(SlicePoint {
            axis: 0,
            slice_index: wide(c.z)?,
            x: wide(c.x)?,
            y: wide(c.y)?,
        }),
        rect: None,
        color: point.color,
    })
}
