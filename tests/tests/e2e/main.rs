//! The server end to end, over HTTP on a real socket: one test binary, so that the suite links
//! the server once rather than once per file (disk and link time on CI). Each module is one
//! capability. `regression_corpus` stays a binary of its own: it measures its process's memory.

mod cluster_contract;
mod concurrent_sessions;
mod crash_safety;
mod dicom_input;
mod dicom_jpeg2000;
mod engine_quality;
mod hostile_input;
mod jobs_api;
mod legacy_client;
mod locked_labels;
mod memory_budget;
mod mesh_export;
mod metrics;
mod nifti_input;
mod nninteractive_export;
mod onnx_engine;
mod points_api;
mod private_files;
mod prompts_api;
mod rate_limit;
mod real_scans;
mod segmentation_api;
mod sessions_api;
mod slice_compression;
mod slicer_export;
mod timeouts;
mod tls;
mod tooth_naming;
mod voxels_api;
