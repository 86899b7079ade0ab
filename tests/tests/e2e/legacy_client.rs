//! A Python client written for the original system (`tools/legacy_client.py`, with
//! `requests`) runs its whole flow against our server, unchanged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::{TestServer, python};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_original_systems_client_works_unchanged() {
    let server = TestServer::spawn().await.unwrap();
    let ball = Ball {
        center: [20.0, 18.0, 10.0],
        radius: 6.0,
    };
    let phantom = Phantom::balls([40, 36, 20], &[ball], 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phantom.nii.gz");
    std::fs::write(&path, phantom.to_nii_gz([0.5, 0.5, 1.0])).unwrap();
    let url = server.url("");
    let out = tokio::task::spawn_blocking(move || {
        python::run_tool("legacy_client.py", &[&url, path.to_str().unwrap()])
    })
    .await
    .unwrap()
    .unwrap();
    assert!(out.contains("all checks passed"), "{out}");
}
