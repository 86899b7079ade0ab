//! The malformed-input corpus of `assets/regressions/` (made by
//! `tools/make_regression_inputs.py`): inputs that once misbehaved and what an adversary
//! tries. Each upload, under its own name and under a path-like one, is refused with a 4xx and
//! a detail, answers within a bound (no hang), does not balloon the server's memory, and
//! leaves the session's volume and points as they were; the server keeps answering.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::time::Duration;

use interseg_tests::memory::resident_bytes;
use interseg_tests::{TestServer, workspace_root};
use reqwest::StatusCode;

/// Far longer than any refusal takes; reaching it means the server hung on the input.
const ANSWER_WITHIN: Duration = Duration::from_secs(60);
/// The most any one refused input may add to this process's resident memory.
const MAX_GROWTH: u64 = 128 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_input_is_refused_cleanly() {
    let server = TestServer::spawn_with(|c| {
        c.max_voxels = 10_000_000;
        c.max_upload_bytes = 8 << 20;
    })
    .await
    .unwrap();
    let (session, good) = server.session_with_volume().await.unwrap();
    session.mark(2, 3, 2, 2).await.unwrap();

    let mut corpus: Vec<_> = std::fs::read_dir(workspace_root().join("assets/regressions"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    corpus.sort();
    assert!(corpus.len() >= 14, "the corpus is missing: {corpus:?}");
    for path in corpus {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let bytes = std::fs::read(&path).unwrap();
        // The same bytes under a name that tries to leave the session's folder.
        let sneaky = format!("../../../{name}");
        for upload_as in [name.as_str(), sneaky.as_str()] {
            let before = resident_bytes().unwrap();
            let answer = tokio::time::timeout(
                ANSWER_WITHIN,
                session.upload_bytes(upload_as, bytes.clone()),
            )
            .await
            .unwrap_or_else(|_| panic!("{upload_as}: no answer within {ANSWER_WITHIN:?}"))
            .unwrap();
            assert!(
                answer.status.is_client_error(),
                "{upload_as}: {} {}",
                answer.status,
                answer.json
            );
            assert!(!answer.detail().is_empty(), "{upload_as}: no detail");
            let grown = resident_bytes().unwrap().saturating_sub(before);
            assert!(grown < MAX_GROWTH, "{upload_as}: memory grew {grown} bytes");
        }
    }
    let status = session.get("/api/status").await.unwrap();
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.json["file_info"]["shape"], good.json["shape"]);
    let points = session.get("/api/points").await.unwrap();
    assert_eq!(points.json["points"].as_array().unwrap().len(), 1);
    // Nothing was written outside the data dir's sessions.
    let outside: Vec<_> = std::fs::read_dir(&server.data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "sessions")
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
}
