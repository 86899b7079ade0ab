//! Upload bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::voxel_type::VoxelType;

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

/// Answer of `GET /api/volume`: what a client needs to show the volume itself.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct VolumeInfo {
    /// `[I, J, K]`.
    pub shape: [usize; 3],
    /// The stored voxel type, as numpy names it (`int16`, `float32`, …).
    pub dtype: VoxelType,
    /// Scaled intensity = stored value × `scl_slope` + `scl_inter`.
    pub scl_slope: f64,
    pub scl_inter: f64,
    pub data_range: [f64; 2],
    /// Voxel size along i, j, k in mm.
    pub spacing_mm: [f64; 3],
    /// Voxel (i, j, k) to world (RAS, mm), row-major 4×4: sform, else qform, else the spacing.
    pub affine: [[f64; 4]; 4],
}
