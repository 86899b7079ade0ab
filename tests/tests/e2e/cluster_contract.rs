//! The original system's Python client (`tools/legacy_client.py`) runs its whole flow, unchanged,
//! through a plain round-robin load balancer in front of two cluster nodes: every other request
//! reaches a node that does not own its session and is forwarded to the one that does.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::cluster::{RedisServer, RoundRobin};
use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::{TestServer, python};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_original_client_works_through_round_robin_over_two_nodes() {
    let redis = RedisServer::start().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut nodes = Vec::new();
    for _ in 0..2 {
        let url = redis.url.clone();
        nodes.push(
            TestServer::spawn_in(data.path(), |c| c.redis_url = Some(url))
                .await
                .unwrap(),
        );
    }
    let front = RoundRobin::start(nodes.iter().map(|n| n.url("")).collect())
        .await
        .unwrap();
    let ball = Ball {
        center: [20.0, 18.0, 10.0],
        radius: 6.0,
    };
    let phantom = Phantom::balls([40, 36, 20], &[ball], 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phantom.nii.gz");
    std::fs::write(&path, phantom.to_nii_gz([0.5, 0.5, 1.0])).unwrap();
    let url = front.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        python::run_tool("legacy_client.py", &[&url, path.to_str().unwrap()])
    })
    .await
    .unwrap()
    .unwrap();
    assert!(out.contains("all checks passed"), "{out}");
    // Both nodes ran as one cluster throughout.
    for node in &nodes {
        let health = node.get("/healthz").await.unwrap();
        assert_eq!(health.json["cluster"]["redis"], "ok", "{}", health.json);
    }
}
