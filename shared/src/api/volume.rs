//! Upload bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of file was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Nifti,
    Dicom,
}

/// Answer of `POST /api/upload`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UploadResponse {
    pub message: String,
    pub session_id: String,
    /// `[I, J, K]`.
    pub shape: Vec<usize>,
    /// `[min, max]` of the scaled intensities.
    pub data_range: [f64; 2],
    pub file_type: FileType,
}

/// The multipart form of `POST /api/upload` (for the OpenAPI document).
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the form for the OpenAPI document only")]
pub struct UploadForm {
    /// A `.nii` or `.nii.gz` file, a `.zip` of a DICOM series, or a `.dcm` file.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}
