//! HTTPS end to end: a real server with a certificate made in the test (its own CA) serves a
//! whole segmentation over TLS; a client that does not trust the CA, and plain HTTP to the
//! TLS port, get nothing; an unusable certificate stops the server at startup, saying why.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::io::{Read as _, Write as _};

use interseg_server::{AppState, Config};
use interseg_tests::TestServer;
use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::tls::TestCertificates;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segmentation_runs_over_https() {
    let certificates = TestCertificates::generate().unwrap();
    let server = TestServer::spawn_tls(&certificates).await.unwrap();
    assert!(server.url("/").starts_with("https://localhost:"));
    let session = server.new_session().await.unwrap();
    let ball = Ball {
        center: [16.0, 16.0, 12.0],
        radius: 6.0,
    };
    let upload = session
        .upload_bytes(
            "b.nii.gz",
            Phantom::balls([32, 32, 24], &[ball], 1).to_nii_gz([1.0; 3]),
        )
        .await
        .unwrap();
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.json);
    let [i, j, k] = ball.center_voxel();
    session.mark(2, k, j, i).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    assert_eq!(run.json["unique_labels"], serde_json::json!([1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_clients_and_plain_http_get_nothing() {
    let certificates = TestCertificates::generate().unwrap();
    let server = TestServer::spawn_tls(&certificates).await.unwrap();
    // Only the public roots: our CA is unknown, so the handshake fails.
    let err = reqwest::Client::new()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    // Plain HTTP to the TLS port gets no HTTP answer, and the server carries on.
    let addr = server.addr;
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok();
        answer
    })
    .await
    .unwrap();
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");
    let health = server.get("/healthz").await.unwrap();
    assert_eq!(health.status, StatusCode::OK);
}

#[test]
fn an_unusable_certificate_stops_the_server_at_startup() {
    let certificates = TestCertificates::generate().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::with_data_dir(data.path());
    // The key given as the certificate: no certificate in it.
    config.tls_cert = Some(certificates.key());
    config.tls_key = Some(certificates.key());
    let err = AppState::open(config).err().expect("must fail");
    assert!(err.to_string().contains("key.pem"), "{err}");
    let mut config = Config::with_data_dir(data.path());
    config.tls_cert = Some(certificates.cert());
    config.tls_key = Some(certificates.dir().join("missing.pem"));
    let err = AppState::open(config).err().expect("must fail");
    assert!(err.to_string().contains("missing.pem"), "{err}");
}
