//! Segmentation over HTTP: one object per point, the result in the input's space as nibabel
//! reads it, the label file, and the error answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::phantom::{Ball, Phantom, gunzip};
use interseg_tests::{TestServer, python};
use reqwest::StatusCode;
use serde_json::json;

fn two_balls() -> (Phantom, [Ball; 2]) {
    let balls = [
        Ball {
            center: [14.0, 16.0, 12.0],
            radius: 6.0,
        },
        Ball {
            center: [34.0, 16.0, 12.0],
            radius: 5.0,
        },
    ];
    (Phantom::balls([48, 32, 24], &balls, 7), balls)
}

#[tokio::test]
async fn each_point_segments_its_own_object_in_the_input_space() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let (phantom, balls) = two_balls();
    let input = phantom.to_nii_gz([0.8, 0.9, 2.5]);
    let answer = session
        .upload_bytes("two_balls.nii.gz", input.clone())
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::OK);

    // Download before any segmentation: 404.
    for kind in ["segmentation", "labels"] {
        let answer = session.get(&format!("/api/download/{kind}")).await.unwrap();
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert!(answer.detail().contains("segmentation"));
    }
    let answer = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.detail().contains("No points"));

    // Click each ball's centre on the axial view (axis 2: z=row, y=col, x=slice).
    for ball in &balls {
        let [i, j, k] = ball.center_voxel();
        session.mark(2, k, j, i).await.unwrap();
    }
    let answer = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["status"], "success");
    // As the original (`np.unique(seg[seg > 0])`): the objects, never background.
    assert_eq!(answer.json["unique_labels"], json!([1, 2]));
    assert_eq!(answer.json["file_path"], "/api/download/segmentation");

    let (status, bytes) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let raw = gunzip(&bytes).unwrap();
    assert_eq!(&raw[344..348], b"n+1\0");
    assert_eq!(
        i16::from_le_bytes([raw[70], raw[71]]),
        2,
        "datatype must be uint8"
    );
    let labels = &raw[352..];
    assert_eq!(labels.len(), phantom.truth.len());
    // Every ball found whole as its own label, nothing else labelled.
    assert_eq!(labels, &phantom.truth[..]);

    let (status, text) = session.get_bytes("/api/download/labels").await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(text).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "# ITK-SnAP Label Description File");
    let body: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert_eq!(
        body,
        [
            "0 0 0 0 0 0 0 \"Clear Label\"",
            "1 255 0 0 1 1 1 \"#1\"",
            "2 0 255 0 1 1 1 \"#2\""
        ]
    );

    // nibabel reads the result with the input's affine, sform, qform and zooms.
    let dir = tempfile::tempdir().unwrap();
    let (input_path, labels_path) = (
        dir.path().join("input.nii.gz"),
        dir.path().join("labels.nii.gz"),
    );
    std::fs::write(&input_path, &input).unwrap();
    std::fs::write(&labels_path, &bytes).unwrap();
    let counts = python::run_tool(
        "check_label_volume.py",
        &[input_path.to_str().unwrap(), labels_path.to_str().unwrap()],
    )
    .unwrap();
    let counts: serde_json::Value = serde_json::from_str(counts.trim()).unwrap();
    let truth_count = |l: u8| phantom.truth.iter().filter(|&&t| t == l).count();
    assert_eq!(counts["1"], json!(truth_count(1)));
    assert_eq!(counts["2"], json!(truth_count(2)));

    let status = session.get("/api/status").await.unwrap().json;
    assert_eq!(status["segmentation_files_exist"], true);
}

/// With competing labels, two points on one object are two objects sharing it, and
/// together they cover exactly that object.
#[tokio::test]
async fn two_points_on_one_object_share_it() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let (phantom, balls) = two_balls();
    session
        .upload_bytes("p.nii.gz", phantom.to_nii_gz([1.0; 3]))
        .await
        .unwrap();
    let [i, j, k] = balls[0].center_voxel();
    assert_eq!(session.mark(2, k, j, i - 2).await.unwrap(), 1);
    assert_eq!(session.mark(2, k, j, i + 2).await.unwrap(), 2);
    let answer = session.post("/api/run_segmentation").await.unwrap();
    // As the original (`np.unique(seg[seg > 0])`): the objects, never background.
    assert_eq!(answer.json["unique_labels"], json!([1, 2]));
    let (_, bytes) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    let raw = gunzip(&bytes).unwrap();
    let labels = &raw[352..];
    for (offset, &t) in phantom.truth.iter().enumerate() {
        assert_eq!(labels[offset] != 0, t == 1, "voxel {offset}");
    }
}

#[tokio::test]
async fn nibabel_fixtures_with_oblique_affines_keep_their_space() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "int16_be_scaled.nii",
        "float32_le_raw.nii.gz",
        "int16_4d_single.nii.gz",
    ] {
        let input = interseg_tests::fixtures::dir().join(name);
        assert_eq!(
            session.upload_file(&input).await.unwrap().status,
            StatusCode::OK
        );
        session.mark(0, 2, 3, 3).await.unwrap();
        let answer = session.post("/api/run_segmentation").await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.json);
        let (_, bytes) = session
            .get_bytes("/api/download/segmentation")
            .await
            .unwrap();
        let labels_path = dir.path().join(format!("{name}.labels.nii.gz"));
        std::fs::write(&labels_path, &bytes).unwrap();
        python::run_tool(
            "check_label_volume.py",
            &[input.to_str().unwrap(), labels_path.to_str().unwrap()],
        )
        .unwrap_or_else(|err| panic!("{name}: {err:#}"));
    }
}
