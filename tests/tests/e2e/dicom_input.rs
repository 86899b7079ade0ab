//! DICOM in, over HTTP: a zipped series and a multi-frame file read in the series' spatial
//! order and geometry (fixtures by pydicom), and the label volume lands in the series' space.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::{TestServer, python, workspace_root};
use reqwest::StatusCode;
use serde_json::Value;

fn dicom_dir() -> std::path::PathBuf {
    workspace_root().join("assets").join("dicom")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(dicom_dir().join("expected.json")).unwrap())
        .unwrap()
}

#[tokio::test]
async fn a_series_and_a_multiframe_file_read_in_spatial_order() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let want = expected();
    for name in ["series.zip", "multiframe.dcm"] {
        let answer = session.upload_file(&dicom_dir().join(name)).await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.json);
        assert_eq!(answer.json["file_type"], "dicom");
        assert_eq!(answer.json["shape"], want["shape"], "{name}");
        assert_eq!(answer.json["data_range"], want["data_range"], "{name}");
        for axis in 0..3 {
            for (index, slice) in want["slices"][axis.to_string()]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
            {
                let got = session
                    .get(&format!("/api/slice/{axis}/{index}"))
                    .await
                    .unwrap();
                assert_eq!(
                    &got.json["slice_data"], slice,
                    "{name}: slice {axis}/{index}"
                );
            }
        }
        let status = session.get("/api/status").await.unwrap().json;
        assert_eq!(status["file_info"]["filename"], name);
    }
}

#[tokio::test]
async fn labels_of_a_series_overlay_it() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    session
        .upload_file(&dicom_dir().join("series.zip"))
        .await
        .unwrap();
    // The bright block spans slices 2..5, rows 4..9, columns 3..7: click its middle on axis 2.
    session.mark(2, 3, 6, 5).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (_, bytes) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.nii.gz");
    std::fs::write(&labels, bytes).unwrap();
    let expected = dicom_dir().join("expected.json");
    let counts = python::run_tool(
        "check_label_volume.py",
        &[expected.to_str().unwrap(), labels.to_str().unwrap()],
    )
    .unwrap();
    let counts: Value = serde_json::from_str(counts.trim()).unwrap();
    assert_eq!(counts["1"], 3 * 5 * 4, "the bright block, whole: {counts}");
}

/// The session's DICOM SEG, downloaded and read back by highdicom against `series`.
async fn dicom_seg_as_highdicom_reads_it(
    session: &interseg_tests::SessionClient,
    series: &std::path::Path,
) -> Value {
    let (status, seg) = session.get_bytes("/api/download/dicom_seg").await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seg.dcm");
    std::fs::write(&path, seg).unwrap();
    let read = python::run_tool(
        "check_dicom_seg.py",
        &[path.to_str().unwrap(), series.to_str().unwrap()],
    )
    .unwrap();
    serde_json::from_str(read.trim()).unwrap()
}

#[tokio::test]
async fn a_dicom_seg_of_a_series_reads_back_in_highdicom() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let series = dicom_dir().join("series.zip");
    session.upload_file(&series).await.unwrap();
    // Two objects: the bright block (label 1) and a second click elsewhere (label 2).
    session.mark(2, 3, 6, 5).await.unwrap();
    session.mark(2, 1, 1, 1).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (status, labels) = session.get_bytes("/api/segmentation/voxels").await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let shape: Vec<usize> = expected()["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let read = dicom_seg_as_highdicom_reads_it(&session, &series).await;
    assert_eq!(read["all_referenced"], true, "every image is referenced");
    assert_eq!(read["study_matches"], true);
    assert_eq!(read["referenced_series"][0], read["series"]);
    // One segment per label present, numbered from 1, named as the label file names them.
    let mut present: Vec<u8> = labels.iter().copied().filter(|&l| l != 0).collect();
    present.sort_unstable();
    present.dedup();
    assert_eq!(present, [1, 2], "both objects are in the result");
    let segments = read["segments"].as_array().unwrap();
    assert_eq!(segments.len(), present.len(), "{segments:?}");
    for (n, (segment, &label)) in segments.iter().zip(&present).enumerate() {
        assert_eq!(segment["number"], n + 1);
        assert_eq!(segment["label"], format!("#{label}"));
        assert_eq!(segment["description"], format!("label value {label}"));
        assert_eq!(segment["algorithm_type"], "SEMIAUTOMATIC");
    }
    // The frames give back the label volume exactly: [slice][row][column] = labels[i, j, k].
    let pixels = read["pixels"].as_array().unwrap();
    assert_eq!(pixels.len(), shape[2]);
    for (k, slice) in pixels.iter().enumerate() {
        for (j, row) in slice.as_array().unwrap().iter().enumerate() {
            for (i, value) in row.as_array().unwrap().iter().enumerate() {
                let segment = value.as_u64().unwrap() as usize;
                let label = if segment == 0 {
                    0
                } else {
                    present[segment - 1]
                };
                assert_eq!(
                    label,
                    labels[i + shape[0] * (j + shape[1] * k)],
                    "voxel ({i}, {j}, {k})"
                );
            }
        }
    }
    // Under tooth numbering, the segments carry the names the label panel shows.
    let named = session
        .put_json("/api/naming", &serde_json::json!({"naming": "universal"}))
        .await
        .unwrap();
    assert_eq!(named.status, StatusCode::OK);
    let read = dicom_seg_as_highdicom_reads_it(&session, &series).await;
    for (segment, &label) in read["segments"].as_array().unwrap().iter().zip(&present) {
        let name = interseg_shared::naming::label_name(
            label,
            interseg_shared::naming::LabelNaming::Universal,
        );
        assert_eq!(segment["label"], name.as_str());
    }
    // A NIfTI upload has no series to refer to.
    let (nifti, _) = server.session_with_volume().await.unwrap();
    nifti.mark(2, 0, 1, 1).await.unwrap();
    let run = nifti.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let refused = nifti.get("/api/download/dicom_seg").await.unwrap();
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert!(
        refused.detail().contains("not uploaded as DICOM"),
        "{}",
        refused.json
    );
}

#[tokio::test]
async fn unusable_dicom_is_refused_with_a_reason() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    for (name, word) in [
        ("refuse_compressed.zip", "compressed"),
        ("refuse_no_images.zip", "no DICOM images"),
    ] {
        let answer = session.upload_file(&dicom_dir().join(name)).await.unwrap();
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            answer.json
        );
        assert!(
            answer.detail().contains(word),
            "{name}: {}",
            answer.detail()
        );
    }
    for (name, bytes, word) in [
        ("broken.zip", b"PK\x03\x04 not really a zip".to_vec(), "zip"),
        ("broken.dcm", vec![0u8; 300], "DICOM"),
    ] {
        let answer = session.upload_bytes(name, bytes).await.unwrap();
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            answer.json
        );
        assert!(
            answer.detail().contains(word),
            "{name}: {}",
            answer.detail()
        );
    }
}
