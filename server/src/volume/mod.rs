//! Volumes in and out: NIfTI and DICOM decoding with limits checked before allocating, the
//! label volume and ITK-SNAP label file written for download.

pub mod dicom;
pub mod dicom_seg;
pub mod export;
pub mod loaded;
pub mod mesh;
pub mod nifti;
pub mod slicer;

use std::path::Path;

use interseg_shared::api::volume::FileType;

pub use loaded::{LoadError, LoadLimits, LoadedVolume};
pub use nifti::load_nifti;

/// The kinds of file a volume can be uploaded as, told apart by their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolumeFormat {
    Nifti,
    NiftiGz,
    DicomZip,
    DicomFile,
}

impl VolumeFormat {
    /// The format a file name announces, if it is one we read.
    pub fn from_filename(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        [Self::NiftiGz, Self::Nifti, Self::DicomZip, Self::DicomFile]
            .into_iter()
            .find(|format| lower.ends_with(&format!(".{}", format.extension())))
    }

    /// The extension a stored copy keeps (and that tells its format after a restart).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Nifti => "nii",
            Self::NiftiGz => "nii.gz",
            Self::DicomZip => "zip",
            Self::DicomFile => "dcm",
        }
    }

    pub fn file_type(self) -> FileType {
        match self {
            Self::Nifti | Self::NiftiGz => FileType::Nifti,
            Self::DicomZip | Self::DicomFile => FileType::Dicom,
        }
    }
}

/// Decodes a volume file of the given format. Blocking.
pub fn load(
    path: &Path,
    format: VolumeFormat,
    limits: LoadLimits,
) -> Result<LoadedVolume, LoadError> {
    match format {
        // gzip is recognised by its magic bytes, whatever the name says.
        VolumeFormat::Nifti | VolumeFormat::NiftiGz => load_nifti(path, limits),
        VolumeFormat::DicomZip => dicom::load_dicom_zip(path, limits),
        VolumeFormat::DicomFile => dicom::load_dicom_file(path, limits),
    }
}
