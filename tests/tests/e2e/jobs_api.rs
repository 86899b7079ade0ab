//! Segmentation jobs over HTTP: started in the background, followed to the end with progress,
//! cancelled, and failing with a reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::time::Duration;

use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::{SessionClient, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn wait_for_end(session: &SessionClient, job: u64) -> Value {
    for _ in 0..1000 {
        let answer = session
            .get(&format!("/api/segmentation/jobs/{job}"))
            .await
            .unwrap();
        assert_eq!(answer.status, StatusCode::OK);
        let progress = answer.json["progress"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&progress));
        if answer.json["state"] != "running" {
            return answer.json;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {job} never ended");
}

#[tokio::test]
async fn a_job_runs_to_the_end_and_its_result_is_the_sessions() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let ball = Ball {
        center: [16.0, 16.0, 12.0],
        radius: 6.0,
    };
    session
        .upload_bytes(
            "b.nii.gz",
            Phantom::balls([32, 32, 24], &[ball], 1).to_nii_gz([1.0; 3]),
        )
        .await
        .unwrap();

    // Without prompts the job fails, and says why.
    let started = session.post("/api/segmentation/jobs").await.unwrap();
    assert_eq!(started.status, StatusCode::ACCEPTED);
    let ended = wait_for_end(&session, started.json["job_id"].as_u64().unwrap()).await;
    assert_eq!(ended["state"], "failed");
    assert!(
        ended["detail"].as_str().unwrap().contains("No points"),
        "{ended}"
    );

    let [i, j, k] = ball.center_voxel();
    session.mark(2, k, j, i).await.unwrap();
    let started = session.post("/api/segmentation/jobs").await.unwrap();
    assert_eq!(started.status, StatusCode::ACCEPTED);
    assert_eq!(started.json["session_id"], session.session_id.as_str());
    let job = started.json["job_id"].as_u64().unwrap();
    let ended = wait_for_end(&session, job).await;
    assert_eq!(ended["state"], "done", "{ended}");
    assert_eq!(ended["progress"], 1.0);
    assert_eq!(ended["unique_labels"], json!([1]));
    assert_eq!(ended["file_path"], "/api/download/segmentation");
    let (status, _) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        session.get("/api/status").await.unwrap().json["segmentation_files_exist"],
        true
    );

    // Cancelling a finished job leaves it finished; unknown jobs are 404.
    let after = session
        .delete(&format!("/api/segmentation/jobs/{job}"))
        .await
        .unwrap();
    assert_eq!(after.json["state"], "done");
    for answer in [
        session.get("/api/segmentation/jobs/999").await.unwrap(),
        session.delete("/api/segmentation/jobs/999").await.unwrap(),
    ] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_cancelled_job_stays_cancelled() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let ball = Ball {
        center: [30.0, 30.0, 20.0],
        radius: 10.0,
    };
    session
        .upload_bytes(
            "b.nii.gz",
            Phantom::balls([64, 64, 48], &[ball], 2).to_nii_gz([1.0; 3]),
        )
        .await
        .unwrap();
    session.mark(2, 20, 30, 30).await.unwrap();
    let started = session.post("/api/segmentation/jobs").await.unwrap();
    let job = started.json["job_id"].as_u64().unwrap();
    let cancelled = session
        .delete(&format!("/api/segmentation/jobs/{job}"))
        .await
        .unwrap();
    assert_eq!(cancelled.status, StatusCode::OK);
    // The run may have finished before the request arrived; otherwise it is cancelled for good.
    let state = cancelled.json["state"].as_str().unwrap().to_owned();
    assert!(state == "cancelled" || state == "done", "{state}");
    let ended = wait_for_end(&session, job).await;
    assert_eq!(ended["state"], state.as_str());
}
