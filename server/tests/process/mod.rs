//! What the tests that run the real `interseg-server` binary share: a server process (alone,
//! or a node of a cluster), a `redis-server` process, and requests that check their answer.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

/// Short leases keep the tests quick: a dead node's sessions move within about this long.
pub const LEASE_MS: &str = "1000";

pub struct Redis {
    child: Child,
    pub url: String,
}

impl Redis {
    pub async fn start() -> Self {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", port)) {
                let mut answer = [0u8; 7];
                if tcp.write_all(b"PING\r\n").is_ok()
                    && tcp.read_exact(&mut answer).is_ok()
                    && &answer == b"+PONG\r\n"
                {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "redis-server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub struct Node {
    child: Child,
    pub base: String,
}

impl Node {
    /// A node of the cluster of `redis`, with leases of `LEASE_MS`.
    pub fn start(data_dir: &Path, redis: &Redis) -> Self {
        Self::start_with(data_dir, redis, &[])
    }

    pub fn start_with(data_dir: &Path, redis: &Redis, extra: &[&str]) -> Self {
        let cluster = ["--redis-url", &redis.url, "--lease-ms", LEASE_MS];
        Self::alone(data_dir, &[&cluster[..], extra].concat())
    }

    /// A server of its own on `data_dir` (no cluster), with `extra` flags.
    pub fn alone(data_dir: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_interseg-server"))
            .args(["--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start interseg-server");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("server exited before listening")
                .expect("read log");
            if let Some(at) = line.find("listening on ") {
                break line[at + "listening on ".len()..].trim().to_owned();
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base }
    }

    pub fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    pub fn stop(&mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        self.child.wait().expect("reap");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// One request's status and body.
pub async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    sid: &str,
    body: Option<Value>,
) -> (StatusCode, Vec<u8>) {
    let mut request = http.request(method, url).header("X-Session-ID", sid);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.bytes().await.unwrap().to_vec())
}

pub async fn ok_bytes(http: &reqwest::Client, base: &str, sid: &str, path: &str) -> Vec<u8> {
    let (status, body) = call(
        http,
        reqwest::Method::GET,
        format!("{base}{path}"),
        sid,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

pub async fn ok_json(http: &reqwest::Client, base: &str, sid: &str, path: &str) -> Value {
    serde_json::from_slice(&ok_bytes(http, base, sid, path).await).unwrap()
}
