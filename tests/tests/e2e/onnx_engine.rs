//! The ONNX engine with a test model that follows our contract (made by
//! `tools/make_test_onnx_model.py`): its raw output equals onnxruntime's in Python on the same
//! input, and through the server it segments what the model's rule predicts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::path::{Path, PathBuf};

use interseg_server::config::EngineKind;
use interseg_server::segmentation::onnx::{OnnxConfig, OnnxEngine};
use interseg_server::{AppState, Config};
use interseg_tests::phantom::{Ball, Phantom, gunzip};
use interseg_tests::{TestServer, python};
use reqwest::StatusCode;
use serde_json::json;

fn test_model(dir: &Path) -> PathBuf {
    let model = dir.join("test_model.onnx");
    python::run_tool("make_test_onnx_model.py", &[model.to_str().unwrap(), "32"]).unwrap();
    model
}

#[test]
fn output_equals_onnxruntime_in_python() {
    let dir = tempfile::tempdir().unwrap();
    let model = test_model(dir.path());
    let engine = OnnxEngine::load(&OnnxConfig {
        model: model.clone(),
        runtime_library: python::ort_library().unwrap(),
        threads: 2,
        cuda: false,
    })
    .unwrap();
    assert_eq!(engine.patch(), [32, 32, 32]);
    let mut state = 0x1234_5678u64;
    let input: Vec<f32> = (0..8 * 32 * 32 * 32)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 20_001) as f32 / 10_000.0 - 1.0
        })
        .collect();
    let input_path = dir.path().join("input.f32");
    std::fs::write(
        &input_path,
        input
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let (ours, channels) = engine.infer(input).unwrap();
    assert_eq!(channels, 1);
    let output_path = dir.path().join("output.f32");
    python::run_tool(
        "run_onnx_reference.py",
        &[
            model.to_str().unwrap(),
            input_path.to_str().unwrap(),
            output_path.to_str().unwrap(),
        ],
    )
    .unwrap();
    let theirs: Vec<f32> = std::fs::read(&output_path)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(ours.len(), theirs.len());
    let max_diff = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(max_diff <= 1e-6, "max difference {max_diff}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_segments_with_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let model = test_model(dir.path());
    let ort_lib = python::ort_library().unwrap();
    let server = TestServer::spawn_with(|c| {
        c.engine = EngineKind::Onnx;
        c.model = Some(model);
        c.ort_lib = Some(ort_lib);
    })
    .await
    .unwrap();
    let session = server.new_session().await.unwrap();
    let status = session.get("/api/status").await.unwrap();
    assert_eq!(status.json["nninteractive_available"], true);
    assert_eq!(status.json["cuda_available"], false);

    let ball = Ball {
        center: [24.0, 20.0, 18.0],
        radius: 6.0,
    };
    let phantom = Phantom::balls([48, 40, 36], &[ball], 9);
    session
        .upload_bytes("ball.nii.gz", phantom.to_nii_gz([1.0; 3]))
        .await
        .unwrap();
    let [i, j, k] = ball.center_voxel();
    session.mark(2, k, j, i).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    assert_eq!(run.json["unique_labels"], json!([1]));
    let (_, bytes) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    let labels = gunzip(&bytes).unwrap()[352..].to_vec();
    // The model's rule picks the bright ball (far above the patch's mean) and nothing else.
    for (offset, &t) in phantom.truth.iter().enumerate() {
        assert_eq!(labels[offset] == 1, t == 1, "voxel {offset}");
    }

    // An exclude point for label 1, away from the include point's ball, removes the ball of
    // radius 4 around it (the model subtracts 6 there).
    session
        .post_json("/api/prompts", &json!({"label": 1, "include": false, "point": {"axis": 2, "slice_index": k, "x": j, "y": i + 5}}))
        .await
        .unwrap();
    session.post("/api/run_segmentation").await.unwrap();
    let (_, bytes) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    let labels = gunzip(&bytes).unwrap()[352..].to_vec();
    assert_eq!(labels[phantom.offset([i + 5, j, k])], 0);
    assert_eq!(labels[phantom.offset([i - 5, j, k])], 1);
}

#[test]
fn a_missing_runtime_or_model_is_a_clear_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::with_data_dir(dir.path());
    config.engine = EngineKind::Onnx;
    let err = AppState::open(config.clone()).err().unwrap().to_string();
    assert!(err.contains("--model"), "{err}");
    config.model = Some(dir.path().join("missing.onnx"));
    config.ort_lib = Some(dir.path().join("libonnxruntime.so"));
    let err = AppState::open(config.clone()).err().unwrap().to_string();
    assert!(err.contains("ONNX Runtime library not found"), "{err}");
    config.ort_lib = Some(python::ort_library().unwrap());
    let err = AppState::open(config).err().unwrap().to_string();
    assert!(err.contains("model not found"), "{err}");
}

#[test]
fn asking_for_cuda_without_a_gpu_runs_on_the_cpu() {
    use interseg_server::segmentation::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let engine = OnnxEngine::load(&OnnxConfig {
        model: test_model(dir.path()),
        runtime_library: python::ort_library().unwrap(),
        threads: 1,
        cuda: true,
    })
    .unwrap();
    assert!(!engine.uses_cuda());
    let (output, _) = engine.infer(vec![0.0; 8 * 32 * 32 * 32]).unwrap();
    // All inputs zero: every logit is the bias.
    assert!(output.iter().all(|&v| (v + 0.5).abs() < 1e-6));
}
