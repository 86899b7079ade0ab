//! Status and colour template bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::color::TemplateEntry;

/// The loaded file, as `/api/status` reports it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FileInfo {
    pub filename: String,
    pub shape: Vec<usize>,
    pub data_range: [f64; 2],
}

/// Answer of `GET /api/status`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusResponse {
    pub session_id: String,
    pub file_uploaded: bool,
    pub file_info: Option<FileInfo>,
    pub total_points: usize,
    pub current_axis: usize,
    pub current_slice: usize,
    pub segmentation_files_exist: bool,
    pub nninteractive_available: bool,
    pub cuda_available: bool,
    pub created_at: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
}

/// Answer of `GET /api/color_template`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ColorTemplateResponse {
    /// Always `"success"`.
    pub status: String,
    pub color_template: Vec<TemplateEntry>,
    pub session_id: String,
}
