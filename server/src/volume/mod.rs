//! Volumes in and out: NIfTI decoding with limits checked before allocating, the label
//! volume and ITK-SNAP label file written for download.

pub mod export;
pub mod load;

pub use load::{LoadError, LoadLimits, LoadedVolume, load_nifti};
