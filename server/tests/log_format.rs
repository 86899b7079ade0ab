//! `--log-format json`: the real binary writes one JSON object per log line (for log
//! collectors), requests included, and plain text by default.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};

use serde_json::Value;

/// Starts the binary with `args`, waits until it listens, asks for `/healthz`, and returns
/// the log lines written until then.
fn log_lines(args: &[&str]) -> Vec<String> {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_interseg-server"))
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start interseg-server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let url = loop {
        let line = lines.next().expect("exited before listening").unwrap();
        let at = line.find("http://127.0.0.1:").map(|at| {
            line[at..]
                .split(|c: char| c == '"' || c.is_whitespace())
                .next()
                .unwrap()
                .to_owned()
        });
        seen.push(line);
        if let Some(url) = at {
            break url;
        }
    };
    let mut stream = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The request's own log line.
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("finished processing request");
        seen.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    seen
}

#[test]
fn json_logs_are_one_object_per_line() {
    let lines = log_lines(&["--log-format", "json"]);
    for line in &lines {
        let parsed: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            parsed["level"].is_string() && parsed["timestamp"].is_string(),
            "{line}"
        );
    }
    let request = lines.last().unwrap();
    let parsed: Value = serde_json::from_str(request).unwrap();
    assert_eq!(parsed["span"]["uri"], "/healthz", "{request}");
}

#[test]
fn text_logs_by_default() {
    let lines = log_lines(&[]);
    assert!(
        lines
            .iter()
            .all(|l| serde_json::from_str::<Value>(l).is_err())
    );
    assert!(
        lines
            .last()
            .unwrap()
            .contains("finished processing request")
    );
}
