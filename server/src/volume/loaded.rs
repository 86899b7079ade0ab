//! What decoding a volume gives, whatever its format, and why it can fail: the limits checked
//! before allocating, the decoded volume with the NIfTI header it is written back with.

use std::io;

use interseg_shared::volume::Volume;
use nifti::NiftiHeader;

/// Limits checked against the header before any voxel is allocated.
#[derive(Clone, Copy, Debug)]
pub struct LoadLimits {
    pub max_voxels: u64,
}

/// A decoded volume with the header it came with (kept to write results in the same space).
#[derive(Debug)]
pub struct LoadedVolume {
    pub volume: Volume,
    pub header: NiftiHeader,
    pub data_range: [f64; 2],
}

impl LoadedVolume {
    /// The volume with its voxel size, as engines take it.
    pub fn scan(&self) -> crate::segmentation::Scan<'_> {
        crate::segmentation::Scan::new(&self.volume, self.spacing_mm())
    }

    /// Millimetres per voxel along i, j, k (the header's `pixdim`, never 0).
    pub fn spacing_mm(&self) -> [f64; 3] {
        let [_, i, j, k, ..] = self.header.pixdim;
        [i, j, k].map(|s| f64::from(s.abs()).max(f64::MIN_POSITIVE))
    }
}

/// Why a file could not be loaded. Every variant but `Io` is the file's fault.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("could not read the file: {0}")]
    Io(#[source] io::Error),
    #[error("the file is not a NIfTI-1 image: {0}")]
    NotNifti(&'static str),
    #[error("the file is corrupt: {0}")]
    Corrupt(String),
    #[error("NIfTI-2 files are not supported; save the image as NIfTI-1")]
    Nifti2,
    #[error(
        "a NIfTI header/image pair (.hdr/.img) is not supported; upload a single .nii or .nii.gz file"
    )]
    SplitFile,
    #[error(
        "unsupported NIfTI datatype {0}; supported: uint8, int8, int16, uint16, int32, uint32, float32, float64"
    )]
    UnsupportedDatatype(i16),
    #[error("invalid dimensions in the header: {0}")]
    InvalidDims(String),
    #[error("the image has {0} volumes; only 3D images (or 4D with a single volume) are supported")]
    MultiVolume(u64),
    #[error("the image has {voxels} voxels, more than the server's limit of {max}")]
    TooManyVoxels { voxels: u64, max: u64 },
    #[error(
        "the file is truncated: the header needs {expected} bytes of voxel data but the file holds {actual}"
    )]
    Truncated { expected: u64, actual: u64 },
    #[error("the header has a valid scl_slope but an invalid scl_inter ({0})")]
    InvalidIntercept(f32),
    #[error("the DICOM input cannot be used: {0}")]
    Dicom(String),
}

impl LoadError {
    /// Whether the file, not the server, is at fault.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, LoadError::Io(_))
    }
}
