//! Support for interseg's end-to-end tests and benchmark: a real server on a real socket,
//! the NIfTI fixtures, synthetic phantoms written as NIfTI, and the Python checks that read
//! our output with nibabel.
//!
//! # Layout
//! - [`cluster`]: a real `redis-server` and a round-robin front, for cluster mode.
//! - [`server`]: `TestServer`, the server on 127.0.0.1:0 with its own data dir, and a client.
//! - [`phantom`]: synthetic volumes with known ground truth, written as NIfTI-1.
//! - [`dental`]: a jaw-like arch of touching teeth with ground truth, for the engine.
//! - [`fixtures`]: the nibabel-written files of `assets/nibabel` and what nibabel read from them.
//! - [`memory`]: this process's resident memory, for the benchmarks.
//! - [`python`]: running the repo's Python tools (nibabel, requests) from the test venv.
//! - [`quality`]: the real-data quality harness (real scans, simulated clicks over HTTP).
//! - [`tls`]: a test CA and server certificate, for HTTPS tests.

pub mod cluster;
pub mod dental;
pub mod fixtures;
pub mod memory;
pub mod phantom;
pub mod python;
pub mod quality;
pub mod server;
pub mod tls;

pub use server::{SessionClient, TestServer};

/// The workspace root.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default()
}
