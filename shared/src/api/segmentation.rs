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
    /// The label values present in the result, ascending (0, the background, included).
    pub unique_labels: Vec<u8>,
}
