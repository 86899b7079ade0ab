//! `GET /metrics`: what a Prometheus scrape sees after real traffic: requests by route
//! template and status with latency histograms, the segmentation's run, the sessions and the
//! volume bytes held. Behind the API token like every route.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::TestServer;
use interseg_tests::phantom::{Ball, Phantom};
use reqwest::StatusCode;

/// The value of the sample line that starts with `series` (name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_shows_requests_segmentations_sessions_and_memory() {
    let server = TestServer::spawn().await.unwrap();
    let dims = [30, 24, 16];
    let ball = Ball {
        center: [14.0, 12.0, 8.0],
        radius: 5.0,
    };
    let phantom = Phantom::balls(dims, &[ball], 2);
    let session = server.new_session().await.unwrap();
    let up = session
        .upload_bytes("ball.nii.gz", phantom.to_nii_gz([1.0; 3]))
        .await
        .unwrap();
    assert_eq!(up.status, StatusCode::OK, "{}", up.json);
    let [i, j, k] = ball.center_voxel();
    session.mark(2, k, j, i).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let missing = session.get("/api/download/nothing").await.unwrap();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let response = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let runs =
        r#"interseg_http_requests_total{method="POST",route="/api/run_segmentation",status="200"}"#;
    assert_eq!(sample(&text, runs), Some(1.0), "{text}");
    let refused = r#"interseg_http_requests_total{method="GET",route="/api/download/{file_type}",status="404"}"#;
    assert_eq!(sample(&text, refused), Some(1.0), "{text}");
    let upload_latency =
        r#"interseg_http_request_duration_seconds_count{method="POST",route="/api/upload"}"#;
    assert_eq!(sample(&text, upload_latency), Some(1.0), "{text}");
    assert_eq!(
        sample(&text, "interseg_segmentation_run_seconds_count"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "interseg_segmentation_waiting"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(sample(&text, "interseg_sessions"), Some(1.0), "{text}");
    let voxel_bytes = (dims.iter().product::<usize>() * 2) as f64;
    assert_eq!(
        sample(&text, "interseg_loaded_volume_bytes"),
        Some(voxel_bytes),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("# EOF"),
        "OpenMetrics ends with # EOF"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_token_when_one_is_set() {
    let server = TestServer::spawn_with(|c| c.api_token = Some("t0ken".to_owned()))
        .await
        .unwrap();
    let without = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    let with = server
        .http
        .get(server.url("/metrics"))
        .bearer_auth("t0ken")
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::OK);
    let text = with.text().await.unwrap();
    let refused = r#"interseg_http_requests_total{method="GET",route="/metrics",status="401"}"#;
    assert_eq!(sample(&text, refused), Some(1.0), "{text}");
}
