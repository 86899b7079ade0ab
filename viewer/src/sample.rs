//! The sample volume a first-time user opens from the start screen: a synthetic dental CT
//! (16 teeth in bone, with noise), made by `cargo run -p interseg-tests --bin make-sample`.
//! Built into the binary so that it is there wherever the viewer runs.

pub const FILE_NAME: &str = "dental_phantom.nii.gz";

pub const BYTES: &[u8] = include_bytes!("../../assets/sample/dental_phantom.nii.gz");
