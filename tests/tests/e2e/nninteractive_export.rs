//! The nnInteractive network exported by `tools/export_nninteractive_onnx.py` (random weights:
//! no weights can be downloaded here) runs end to end through the server on a real-sized
//! patch (192³). Slow, and it needs the exported model, which needs torch to make: run it with
//!
//!     INTERSEG_NNINTERACTIVE_MODEL=/path/model.onnx cargo test --release -p interseg-tests \
//!         --test nninteractive_export -- --ignored --nocapture

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::time::Instant;

use interseg_server::config::EngineKind;
use interseg_tests::phantom::{Ball, Phantom, gunzip};
use interseg_tests::{TestServer, python};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow; needs the exported nnInteractive model (INTERSEG_NNINTERACTIVE_MODEL)"]
async fn the_exported_network_runs_through_the_server() {
    let model =
        std::env::var_os("INTERSEG_NNINTERACTIVE_MODEL").expect("set INTERSEG_NNINTERACTIVE_MODEL");
    let ort_lib = python::ort_library().unwrap();
    let server = TestServer::spawn_with(|c| {
        c.engine = EngineKind::Onnx;
        c.model = Some(model.into());
        c.ort_lib = Some(ort_lib);
    })
    .await
    .unwrap();
    let session = server.new_session().await.unwrap();
    assert_eq!(
        session.get("/api/status").await.unwrap().json["nninteractive_available"],
        true
    );
    let ball = Ball {
        center: [110.0, 100.0, 90.0],
        radius: 20.0,
    };
    let phantom = Phantom::balls([220, 200, 180], &[ball], 4);
    session
        .upload_bytes("ct.nii.gz", phantom.to_nii_gz([0.8, 0.8, 1.0]))
        .await
        .unwrap();
    let [i, j, k] = ball.center_voxel();
    session.mark(2, k, j, i).await.unwrap();
    session
        .post_json("/api/prompts", &json!({"label": 1, "box": {"axis": 2, "slice_index": k, "x0": j - 20, "y0": i - 20, "x1": j + 20, "y1": i + 20}}))
        .await
        .unwrap();
    let started = Instant::now();
    let run = session.post("/api/run_segmentation").await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (status, bytes) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let labels = gunzip(&bytes).unwrap()[352..].to_vec();
    assert_eq!(labels.len(), phantom.truth.len());
    let labelled = labels.iter().filter(|&&l| l != 0).count();
    eprintln!(
        "nnInteractive (random weights), one 192³ patch through the server: {seconds:.1} s, {labelled} voxels labelled, labels {}",
        run.json["unique_labels"]
    );
}
