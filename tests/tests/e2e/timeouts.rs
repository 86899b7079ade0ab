//! Slow and silent clients: a connection that sends nothing, and an upload that stalls, are
//! dropped after the server's timeouts (here one second), leave nothing behind, and others
//! are still served; an upload announced too large is refused before its body. The 20-second
//! bounds only catch a server that never lets go.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::time::Duration;

use interseg_tests::TestServer;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const NEVER: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let server = TestServer::spawn_with(|c| c.idle_timeout_secs = 1)
        .await
        .unwrap();
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(NEVER, silent.read_to_end(&mut answer))
        .await
        .expect("the server still holds a silent connection");
    assert!(
        read.is_err() || answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"),
        "{read:?}: {}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(server.get("/healthz").await.unwrap().status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_fails_and_leaves_no_partial_file() {
    let server = TestServer::spawn_with(|c| c.body_timeout_secs = 1)
        .await
        .unwrap();
    let session = server.new_session().await.unwrap();
    let boundary = "interseg-stall";
    let head = format!(
        "POST /api/upload HTTP/1.1\r\nHost: test\r\nX-Session-ID: {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 10000000\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.nii.gz\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        session.session_id
    );
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled.write_all(head.as_bytes()).await.unwrap();
    // A tenth of what it announced, then nothing.
    stalled.write_all(&vec![7u8; 1_000_000]).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(NEVER, stalled.read_to_end(&mut answer))
        .await
        .expect("the server still waits for a stalled upload")
        .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"detail\""), "{answer}");
    let folder = server.data_dir.join("sessions").join(&session.session_id);
    let partial: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(partial.is_empty(), "left behind: {partial:?}");
    let status = session.get("/api/status").await.unwrap();
    assert_eq!(status.status, StatusCode::OK, "{}", status.json);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_announced_too_large_is_refused_before_its_body() {
    let server = TestServer::spawn_with(|c| c.max_upload_bytes = 10_000_000)
        .await
        .unwrap();
    let session = server.new_session().await.unwrap();
    let head = format!(
        "POST /api/upload HTTP/1.1\r\nHost: test\r\nX-Session-ID: {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000000\r\n\r\n",
        session.session_id
    );
    let mut client = TcpStream::connect(server.addr).await.unwrap();
    client.write_all(head.as_bytes()).await.unwrap();
    // No body at all: the answer must not wait for one.
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(NEVER, client.read(&mut answer))
        .await
        .expect("the server waits for a body it will refuse")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("File too large"), "{answer}");
}
