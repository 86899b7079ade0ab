//! Raw voxels for clients that render themselves: the volume's metadata and affine as nibabel
//! reads them, its voxels at stored width (gzip when asked), and the result's labels.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::phantom::gunzip;
use interseg_tests::{TestServer, fixtures};
use reqwest::StatusCode;

#[tokio::test]
async fn metadata_voxels_and_labels_match_what_nibabel_reads() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let answer = session.get("/api/volume").await.unwrap();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let expected = fixtures::expected();

    for name in [
        "int16_be_scaled.nii",
        "float32_le_raw.nii.gz",
        "uint8_le_scaled.nii.gz",
    ] {
        let want = &expected[name];
        session
            .upload_file(&fixtures::dir().join(name))
            .await
            .unwrap();
        let info = session.get("/api/volume").await.unwrap().json;
        assert_eq!(info["shape"], want["shape"], "{name}");
        assert_eq!(info["dtype"], want["dtype"], "{name}");
        for (row, want_row) in info["affine"]
            .as_array()
            .unwrap()
            .iter()
            .zip(want["affine"].as_array().unwrap())
        {
            for (a, b) in row
                .as_array()
                .unwrap()
                .iter()
                .zip(want_row.as_array().unwrap())
            {
                assert!(
                    (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-5,
                    "{name}: affine {info}"
                );
            }
        }

        // Gzipped when asked, plain otherwise; the same voxels either way.
        let response = session
            .http
            .get(server.url("/api/volume/voxels"))
            .header("X-Session-ID", &session.session_id)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], "gzip");
        let raw = gunzip(&response.bytes().await.unwrap()).unwrap();
        let (_, plain) = session.get_bytes("/api/volume/voxels").await.unwrap();
        assert_eq!(raw, plain);
        let [ni, nj, _] = [0, 1, 2].map(|a| info["shape"][a].as_u64().unwrap() as usize);
        let offset = 1 + ni * (2 + nj * 3);
        let stored = match info["dtype"].as_str().unwrap() {
            "int16" => f64::from(i16::from_le_bytes([raw[offset * 2], raw[offset * 2 + 1]])),
            "float32" => f64::from(f32::from_le_bytes(
                raw[offset * 4..offset * 4 + 4].try_into().unwrap(),
            )),
            "uint8" => f64::from(raw[offset]),
            other => panic!("{other}"),
        };
        let scaled =
            stored * info["scl_slope"].as_f64().unwrap() + info["scl_inter"].as_f64().unwrap();
        assert!(
            (scaled - want["value_at_1_2_3"].as_f64().unwrap()).abs() < 1e-6,
            "{name}: {scaled} vs {}",
            want["value_at_1_2_3"]
        );
    }

    let (status, _) = session.get_bytes("/api/segmentation/voxels").await.unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
    session.mark(2, 3, 2, 1).await.unwrap();
    session.post("/api/run_segmentation").await.unwrap();
    let (status, labels) = session.get_bytes("/api/segmentation/voxels").await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(labels.len(), 5 * 6 * 7);
    // The clicked voxel (1, 2, 3) carries label 1.
    assert_eq!(labels[1 + 5 * (2 + 6 * 3)], 1);
    let (_, nifti) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    assert_eq!(&gunzip(&nifti).unwrap()[352..], &labels[..]);
}
