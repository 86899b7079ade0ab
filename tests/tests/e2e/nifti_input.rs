//! NIfTI in, over HTTP: every datatype, byte order and scaling reads as nibabel reads it, and
//! every bad file is refused with a clear detail without touching what the session had.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::{TestServer, fixtures};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn as_f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// nibabel computes in f64 from the same raw values, so the results agree to rounding.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[tokio::test]
async fn every_fixture_reads_as_nibabel_reads_it() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let expected = fixtures::expected();
    assert!(
        expected.len() >= 34,
        "fixtures missing: run tools/make_nifti_fixtures.py"
    );
    for (name, want) in &expected {
        let answer = session
            .upload_file(&fixtures::dir().join(name))
            .await
            .unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.json);
        assert_eq!(answer.json["shape"], want["shape"], "{name}");
        assert_eq!(answer.json["file_type"], "nifti");
        let (got, want_range) = (
            as_f64s(&answer.json["data_range"]),
            as_f64s(&want["data_range"]),
        );
        assert!(
            close(got[0], want_range[0]) && close(got[1], want_range[1]),
            "{name}: data_range {got:?}, nibabel {want_range:?}"
        );
        for axis in 0..3 {
            let slices = want["slices"][axis.to_string()].as_array().unwrap();
            for (index, want_slice) in slices.iter().enumerate() {
                let answer = session
                    .get(&format!("/api/slice/{axis}/{index}"))
                    .await
                    .unwrap();
                assert_eq!(answer.status, StatusCode::OK, "{name} {axis}/{index}");
                assert_eq!(
                    &answer.json["slice_data"], want_slice,
                    "{name}: slice {axis}/{index}"
                );
                assert_eq!(answer.json["max_slices"], json!(slices.len()));
            }
        }
    }
}

#[tokio::test]
async fn bad_files_are_refused_and_change_nothing() {
    let server = TestServer::spawn_with(|c| c.max_voxels = 10_000_000)
        .await
        .unwrap();
    let session = server.new_session().await.unwrap();
    let good = fixtures::dir().join("int16_le_raw.nii.gz");
    session.upload_file(&good).await.unwrap();
    assert_eq!(session.mark(2, 3, 1, 1).await.unwrap(), 1);
    let before = session.get("/api/status").await.unwrap().json;
    let slice_before = session.get("/api/slice/0/2").await.unwrap().json;

    for (name, word) in fixtures::REFUSED {
        let answer = session
            .upload_file(&fixtures::dir().join(name))
            .await
            .unwrap();
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            answer.json
        );
        assert!(
            answer.detail().contains(word),
            "{name}: detail {:?} lacks {word:?}",
            answer.detail()
        );
    }
    let answer = session
        .upload_bytes("notes.txt", b"hello".to_vec())
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.detail().contains(".nii"), "{}", answer.detail());

    let after = session.get("/api/status").await.unwrap().json;
    assert_eq!(after["file_info"], before["file_info"]);
    assert_eq!(after["total_points"], 1);
    let slice_after = session.get("/api/slice/0/2").await.unwrap().json;
    assert_eq!(slice_after["slice_data"], slice_before["slice_data"]);
    // Nothing half-written is left behind in the session's folder.
    let session_dir = server.data_dir.join("sessions").join(&session.session_id);
    let leftovers: Vec<String> = std::fs::read_dir(session_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part") || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn uploads_over_the_limit_get_413_while_streaming() {
    let server = TestServer::spawn_with(|c| c.max_upload_bytes = 4096)
        .await
        .unwrap();
    let session = server.new_session().await.unwrap();
    let ok = session
        .upload_file(&fixtures::dir().join("int16_le_raw.nii.gz"))
        .await
        .unwrap();
    assert_eq!(ok.status, StatusCode::OK);
    let big = vec![7u8; 64 * 1024];
    let answer = session.upload_bytes("big.nii", big).await.unwrap();
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.json
    );
    assert!(answer.detail().contains("4096"), "{}", answer.detail());
    // Far over the limit: refused by the body limit before it is all read.
    let huge = vec![7u8; 8 * 1024 * 1024];
    let answer = session.upload_bytes("huge.nii", huge).await;
    if let Ok(answer) = answer {
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            answer.json
        );
    }
    let status = session.get("/api/status").await.unwrap().json;
    assert_eq!(status["file_info"]["filename"], "int16_le_raw.nii.gz");
}

#[tokio::test]
async fn a_form_without_a_file_is_422() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let form = reqwest::multipart::Form::new().text("other", "x");
    let response = session
        .http
        .post(server.url("/api/upload"))
        .header("X-Session-ID", &session.session_id)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("file"));
    // Not multipart at all.
    let answer = session
        .post_json("/api/upload", &json!({"file": "x"}))
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_new_upload_clears_points_and_results() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    session
        .upload_file(&fixtures::dir().join("uint8_le_raw.nii.gz"))
        .await
        .unwrap();
    session.mark(0, 1, 2, 3).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    session
        .upload_file(&fixtures::dir().join("int16_be_raw.nii"))
        .await
        .unwrap();
    let status = session.get("/api/status").await.unwrap().json;
    assert_eq!(status["total_points"], 0);
    assert_eq!(status["segmentation_files_exist"], false);
    assert_eq!(status["file_info"]["filename"], "int16_be_raw.nii");
    let (code, _) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    assert_eq!(code, StatusCode::NOT_FOUND);
}
