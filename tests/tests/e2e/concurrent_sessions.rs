//! Many users at once: sessions run upload → mark → segment → download in parallel, and
//! each gets back only its own data.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::TestServer;
use interseg_tests::phantom::{Ball, Phantom, gunzip};
use reqwest::StatusCode;

const SESSIONS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_sessions_in_parallel_each_see_only_their_own_work() {
    let server = TestServer::spawn().await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..SESSIONS {
        let session = server.new_session().await.unwrap();
        tasks.push(tokio::spawn(async move {
            // Each session's ball sits elsewhere, with its own size and volume shape.
            let ball = Ball {
                center: [10.0 + 2.0 * n as f64, 12.0, 9.0 + n as f64],
                radius: 4.0 + (n % 3) as f64,
            };
            let dims = [32 + n, 26, 24];
            let phantom = Phantom::balls(dims, &[ball], n as u64);
            let name = format!("user{n}.nii.gz");
            let up = session
                .upload_bytes(&name, phantom.to_nii_gz([1.0; 3]))
                .await
                .unwrap();
            assert_eq!(up.status, StatusCode::OK, "{}", up.json);
            let [i, j, k] = ball.center_voxel();
            // Session n marks n + 1 points: the ball, then clicks on the background.
            session.mark(2, k, j, i).await.unwrap();
            for extra in 0..n {
                session.mark(2, 1, extra, 1).await.unwrap();
            }
            let run = session.post("/api/run_segmentation").await.unwrap();
            assert_eq!(run.status, StatusCode::OK, "{}", run.json);
            let (status, bytes) = session
                .get_bytes("/api/download/segmentation")
                .await
                .unwrap();
            assert_eq!(status, StatusCode::OK);
            let raw = gunzip(&bytes).unwrap();
            let dim = |a: usize| i16::from_le_bytes([raw[42 + 2 * a], raw[43 + 2 * a]]) as usize;
            assert_eq!(
                [dim(0), dim(1), dim(2)],
                dims,
                "session {n} got another session's shape"
            );
            let labels = &raw[352..];
            for (offset, &t) in phantom.truth.iter().enumerate() {
                if t == 1 {
                    assert_eq!(
                        labels[offset], 1,
                        "session {n}: ball voxel {offset} not labelled 1"
                    );
                }
            }
            let status = session.get("/api/status").await.unwrap().json;
            assert_eq!(status["file_info"]["filename"], name.as_str());
            assert_eq!(status["total_points"], n + 1);
            let points = session.get("/api/points").await.unwrap().json;
            assert_eq!(
                points["points_3d"][0],
                serde_json::json!({"z": i, "y": j, "x": k})
            );
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    server.stop().await.unwrap();
}
