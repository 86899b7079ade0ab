//! `--memory-budget`: a server holding more sessions than fit keeps only the volumes of the
//! sessions used most recently in memory, and every session still answers with its own
//! volume (decoded again from disk), while the bytes held stay under the budget with room to
//! decode one more volume (so the process itself stays under it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::{SessionClient, TestServer};
use reqwest::StatusCode;

const DIMS: [usize; 3] = [40, 32, 24];
/// int16 voxels.
const VOLUME_BYTES: u64 = (DIMS[0] * DIMS[1] * DIMS[2] * 2) as u64;

async fn loaded_bytes(server: &TestServer) -> u64 {
    let text = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("interseg_loaded_volume_bytes "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the loaded bytes gauge")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_past_the_budget_are_unloaded_and_reload_transparently() {
    let budget = 4 * VOLUME_BYTES + VOLUME_BYTES / 2;
    // Held volumes leave room for one more to be decoded.
    let limit = budget - VOLUME_BYTES;
    let server = TestServer::spawn_with(|c| c.memory_budget = Some(budget))
        .await
        .unwrap();
    let mut sessions: Vec<(SessionClient, Phantom)> = Vec::new();
    for n in 0..8u64 {
        let ball = Ball {
            center: [10.0 + 2.0 * n as f64, 16.0, 12.0],
            radius: 5.0,
        };
        let phantom = Phantom::balls(DIMS, &[ball], n + 1);
        let session = server.new_session().await.unwrap();
        let up = session
            .upload_bytes("scan.nii.gz", phantom.to_nii_gz([1.0; 3]))
            .await
            .unwrap();
        assert_eq!(up.status, StatusCode::OK, "{}", up.json);
        let held = loaded_bytes(&server).await;
        assert!(
            held <= limit,
            "{held} bytes held after upload {n}, budget {budget} less a volume"
        );
        sessions.push((session, phantom));
    }
    assert!(
        loaded_bytes(&server).await >= 3 * VOLUME_BYTES,
        "the budget is used, not emptied"
    );
    // Each session, the unloaded ones first, gets its own voxels back, and segments.
    for (session, phantom) in &sessions {
        let (status, bytes) = session.get_bytes("/api/volume/voxels").await.unwrap();
        assert_eq!(status, StatusCode::OK);
        let values: Vec<i16> = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(values, phantom.values, "a session got another's volume");
        let slice = session.get("/api/slice/2/12").await.unwrap();
        assert_eq!(slice.status, StatusCode::OK);
        let held = loaded_bytes(&server).await;
        assert!(
            held <= limit,
            "{held} bytes held, budget {budget} less a volume"
        );
    }
    let (session, phantom) = &sessions[0];
    let centre = phantom
        .truth
        .iter()
        .position(|&t| t == 1)
        .expect("a ball voxel");
    let (i, j, k) = (
        centre % DIMS[0],
        (centre / DIMS[0]) % DIMS[1],
        centre / (DIMS[0] * DIMS[1]),
    );
    session.mark(2, k, j, i).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
}
