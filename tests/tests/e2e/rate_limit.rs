//! `--rate-limit`: one client past its rate gets 429 with `Retry-After` and a detail, and is
//! served again once it slows down.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::time::Duration;

use interseg_tests::TestServer;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_past_its_rate_gets_429_and_is_served_again_later() {
    let server = TestServer::spawn_with(|c| c.rate_limit = 5).await.unwrap();
    // Forty at once: a burst of twice the rate passes, the rest are held back.
    let responses = futures_util::future::join_all(
        (0..40).map(|_| server.http.get(server.url("/healthz")).send()),
    )
    .await;
    let mut passed = 0;
    let mut refused = None;
    for response in responses {
        let response = response.unwrap();
        match response.status() {
            StatusCode::OK => passed += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let retry: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let body: serde_json::Value = response.json().await.unwrap();
                refused.get_or_insert((retry, body));
            }
            other => panic!("{other}"),
        }
    }
    assert!((10..40).contains(&passed), "{passed} of 40 passed");
    let (retry, body) = refused.expect("no 429");
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Too many requests"),
        "{body}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_limit_nobody_is_held_back() {
    let server = TestServer::spawn().await.unwrap();
    for _ in 0..100 {
        let response = server
            .http
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
