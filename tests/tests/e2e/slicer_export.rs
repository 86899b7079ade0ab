//! The result as 3D Slicer's segmentation file, read back with slicerio (Slicer's own reader
//! for `.seg.nrrd`): one segment per label with its name, value and colour, the same voxels
//! as the label NIfTI, and the scan's geometry in LPS.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::TestServer;
use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::python::run_tool;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slicer_reads_our_segments_with_their_names_voxels_and_place() {
    let server = TestServer::spawn().await.unwrap();
    let balls = [
        Ball {
            center: [10.0, 12.0, 8.0],
            radius: 5.0,
        },
        Ball {
            center: [26.0, 12.0, 8.0],
            radius: 4.0,
        },
    ];
    let dims = [36, 24, 16];
    let phantom = Phantom::balls(dims, &balls, 5);
    let session = server.new_session().await.unwrap();
    let up = session
        .upload_bytes("balls.nii.gz", phantom.to_nii_gz([0.7, 0.9, 2.0]))
        .await
        .unwrap();
    assert_eq!(up.status, StatusCode::OK, "{}", up.json);
    let (status, _) = session.get_bytes("/api/download/slicer").await.unwrap();
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nothing before a segmentation"
    );
    for ball in &balls {
        let [i, j, k] = ball.center_voxel();
        session.mark(2, k, j, i).await.unwrap();
    }
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (status, file) = session.get_bytes("/api/download/slicer").await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let volume = session.get("/api/volume").await.unwrap();
    let (_, labels) = session.get_bytes("/api/segmentation/voxels").await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.seg.nrrd");
    std::fs::write(&path, &file).unwrap();
    let read: Value =
        serde_json::from_str(&run_tool("check_seg_nrrd.py", &[path.to_str().unwrap()]).unwrap())
            .unwrap();

    let segments = read["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 2, "{read}");
    for (n, segment) in segments.iter().enumerate() {
        let label = n as u64 + 1;
        assert_eq!(segment["label_value"], label);
        assert_eq!(segment["layer"], 0);
        assert_eq!(segment["name"], format!("#{label}"));
        let color = interseg_shared::color::label_color(label as u16);
        let got: Vec<f64> = segment["color"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_f64().unwrap())
            .collect();
        for (g, want) in got.iter().zip([color.r, color.g, color.b]) {
            assert!((g - f64::from(want) / 255.0).abs() < 1e-3, "{got:?}");
        }
        let count = labels.iter().filter(|&&l| u64::from(l) == label).count() as u64;
        assert_eq!(read["counts"][label.to_string()], count, "label {label}");
    }
    assert_eq!(read["shape"], serde_json::json!(dims));
    // Every voxel as the label volume has it.
    let voxels: Vec<u8> = read["voxels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u8)
        .collect();
    assert_eq!(voxels, labels, "the labelmap differs from the label volume");
    // LPS: the NIfTI affine with x and y negated.
    let affine = &volume.json["affine"];
    for r in 0..4 {
        for c in 0..4 {
            let ras = affine[r][c].as_f64().unwrap();
            let want = if r < 2 { -ras } else { ras };
            let got = read["ijk_to_lps"][r][c].as_f64().unwrap();
            assert!((got - want).abs() < 1e-6, "[{r}][{c}]: {got} vs {want}");
        }
    }
}
