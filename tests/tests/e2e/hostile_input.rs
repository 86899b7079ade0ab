//! Damaged and hostile uploads never crash or wedge the server: every mutated header and every
//! random file gets a 200 or a 400 with a detail, and the server keeps answering.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::phantom::gzip;
use interseg_tests::{TestServer, fixtures, workspace_root};
use reqwest::StatusCode;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Flips bytes of a valid file's header and uploads the result, plain and gzipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_nifti_headers_are_answered_cleanly() {
    let server = TestServer::spawn_with(|c| c.max_voxels = 50_000_000)
        .await
        .unwrap();
    let session = server.new_session().await.unwrap();
    let good = std::fs::read(fixtures::dir().join("int16_be_scaled.nii")).unwrap();
    let mut rng = Rng(0x5eed);
    for round in 0..150 {
        let mut bytes = good.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(352);
            bytes[at] = rng.next() as u8;
        }
        let (name, body) = if round % 2 == 0 {
            ("m.nii", bytes.clone())
        } else {
            ("m.nii.gz", gzip(&bytes))
        };
        let answer = session.upload_bytes(name, body).await.unwrap();
        assert!(
            answer.status == StatusCode::OK || answer.status == StatusCode::BAD_REQUEST,
            "round {round}: {} {}",
            answer.status,
            answer.json
        );
        if answer.status == StatusCode::OK {
            // Whatever was accepted can be viewed and segmented.
            let shape: Vec<usize> = serde_json::from_value(answer.json["shape"].clone()).unwrap();
            for (axis, size) in shape.iter().enumerate() {
                let slice = session
                    .get(&format!("/api/slice/{axis}/{}", size - 1))
                    .await
                    .unwrap();
                assert_eq!(
                    slice.status,
                    StatusCode::OK,
                    "round {round}: {}",
                    slice.json
                );
            }
            session.mark(2, 0, 0, 0).await.unwrap();
            let run = session.post("/api/run_segmentation").await.unwrap();
            assert_eq!(run.status, StatusCode::OK, "round {round}: {}", run.json);
        } else {
            assert!(!answer.detail().is_empty());
        }
    }
    assert_eq!(
        session.get("/api/status").await.unwrap().status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_and_damaged_files_of_every_kind_are_refused() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let mut rng = Rng(42);
    let series = std::fs::read(workspace_root().join("assets/dicom/series.zip")).unwrap();
    let frames = std::fs::read(workspace_root().join("assets/dicom/multiframe.dcm")).unwrap();
    for round in 0..60 {
        let random: Vec<u8> = (0..rng.below(5000)).map(|_| rng.next() as u8).collect();
        let mut damaged_zip = series.clone();
        let mut damaged_dcm = frames.clone();
        for _ in 0..8 {
            let at = rng.below(damaged_zip.len());
            damaged_zip[at] = rng.next() as u8;
            let at = 128 + rng.below(damaged_dcm.len() - 128);
            damaged_dcm[at] = rng.next() as u8;
        }
        for (name, body) in [
            ("r.nii", random.clone()),
            ("r.nii.gz", random.clone()),
            ("r.zip", random.clone()),
            ("r.dcm", random.clone()),
            ("d.zip", damaged_zip),
            ("d.dcm", damaged_dcm),
        ] {
            let answer = session.upload_bytes(name, body).await.unwrap();
            assert!(
                answer.status == StatusCode::OK || answer.status == StatusCode::BAD_REQUEST,
                "round {round} {name}: {} {}",
                answer.status,
                answer.json
            );
        }
    }
    assert_eq!(
        session.get("/api/status").await.unwrap().status,
        StatusCode::OK
    );
}
