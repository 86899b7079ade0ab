//! Segmentation bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Answer of `POST /api/run_segmentation`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RunSegmentationResponse {
    /// Always `"success"`.
    pub status: String,
    pub message: String,
    /// Where to download the result: `/api/download/segmentation`.
    pub file_path: String,
    /// The objects' label values present in the result, ascending; background (0) is never
    /// listed, as in the original (`np.unique(seg[seg > 0])`).
    pub unique_labels: Vec<u8>,
}

/// Where a segmentation job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Done,
    Failed,
    Cancelled,
}

/// A segmentation job (`/api/segmentation/jobs`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct JobResponse {
    pub job_id: u64,
    pub state: JobState,
    /// 0 to 1.
    pub progress: f32,
    /// When done: the objects' label values present, ascending (no 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_labels: Option<Vec<u8>>,
    /// When done: where to download the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    /// When failed: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub session_id: String,
}
