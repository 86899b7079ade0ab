//! Cluster mode end to end: a real `redis-server` and three real `interseg-server` processes
//! sharing one data dir. Sessions go through any node at random; a node that owns sessions is
//! killed with SIGKILL and every session goes on through the others with its volume, points
//! and result; the node comes back. A node that does not own a session answers exactly as its
//! owner does.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

mod process;

use process::{Node, Redis, call, ok_bytes, ok_json};

async fn create(http: &reqwest::Client, base: &str) -> String {
    let created: Value = http
        .post(format!("{base}/api/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["session_id"].as_str().unwrap().to_owned()
}

async fn upload(http: &reqwest::Client, base: &str, sid: &str) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/nibabel/int16_le_raw.nii.gz");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(std::fs::read(fixture).unwrap()).file_name("ct.nii.gz"),
    );
    let response = http
        .post(format!("{base}/api/upload"))
        .header("X-Session-ID", sid)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn mark(http: &reqwest::Client, base: &str, sid: &str, x: i64, y: i64) {
    let (status, body) = call(
        http,
        reqwest::Method::POST,
        format!("{base}/api/mark_point"),
        sid,
        Some(json!({"axis": 2, "slice_index": 3, "point": {"x": x, "y": y}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
}

async fn segment(http: &reqwest::Client, base: &str, sid: &str) {
    let (status, body) = call(
        http,
        reqwest::Method::POST,
        format!("{base}/api/run_segmentation"),
        sid,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
}

/// What a session holds, as clients see it.
#[derive(Debug, PartialEq)]
struct Held {
    points: Value,
    shape: Value,
    segmentation: Vec<u8>,
}

async fn held(http: &reqwest::Client, base: &str, sid: &str) -> Held {
    let status = ok_json(http, base, sid, "/api/status").await;
    Held {
        points: ok_json(http, base, sid, "/api/points").await,
        shape: status["file_info"]["shape"].clone(),
        segmentation: ok_bytes(http, base, sid, "/api/download/segmentation").await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_a_killed_node_through_the_others() {
    let redis = Redis::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut nodes: Vec<Node> = (0..3).map(|_| Node::start(data.path(), &redis)).collect();
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
    let http = reqwest::Client::new();

    // Six sessions, each step through a different node: creation decides the owner.
    let mut sessions = Vec::new();
    for n in 0..6 {
        let at = |step: usize| &bases[(n + step) % 3];
        let sid = create(&http, at(0)).await;
        upload(&http, at(1), &sid).await;
        mark(&http, at(2), &sid, 1, 1).await;
        mark(&http, at(1), &sid, 3, 2 + i64::try_from(n % 2).unwrap()).await;
        segment(&http, at(2), &sid).await;
        let before = held(&http, at(1), &sid).await;
        assert_eq!(before.points["total_points"], 2);
        sessions.push((sid, n % 3, before));
    }
    // Every node lists every session (full ids need the admin token; counting is enough).
    for base in &bases {
        let list = ok_json(&http, base, "", "/api/sessions").await;
        assert_eq!(list["sessions"].as_array().unwrap().len(), 6);
        let health = ok_json(&http, base, "", "/healthz").await;
        assert_eq!(health["cluster"]["redis"], "ok", "{health}");
    }

    // SIGKILL node 0, which created (and owns) sessions 0 and 3.
    nodes[0].kill_9();
    let killed = Instant::now();
    let mut first_answer = None;
    for (sid, owner, before) in &sessions {
        let via = &bases[1 + usize::from(*owner == 1)];
        let after = held(&http, via, sid).await;
        if *owner == 0 && first_answer.is_none() {
            first_answer = Some(killed.elapsed());
        }
        assert_eq!(&after, before, "session {sid} after the kill");
        // And it goes on: a new point, a new result.
        mark(&http, via, sid, 2, 2).await;
        segment(&http, via, sid).await;
        assert_eq!(
            ok_json(&http, via, sid, "/api/points").await["total_points"],
            3
        );
    }
    let takeover = first_answer.unwrap();
    eprintln!("takeover after SIGKILL: first answer for a dead node's session in {takeover:?}");
    assert!(takeover < Duration::from_secs(5), "{takeover:?}");

    // The killed node comes back (a new node) and serves every session again.
    nodes[0] = Node::start(data.path(), &redis);
    let restarted = nodes[0].base.clone();
    for (sid, _, _) in &sessions {
        assert_eq!(
            ok_json(&http, &restarted, sid, "/api/points").await["total_points"],
            3
        );
    }

    // Deleting through a node that does not own the session deletes it everywhere.
    let (gone, owner, _) = &sessions[1];
    let other = &bases[(owner + 1) % 3];
    let deleted = http
        .delete(format!("{other}/api/session/{gone}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    for base in [&restarted, &bases[1], &bases[2]] {
        let (status, _) = call(
            &http,
            reqwest::Method::GET,
            format!("{base}/api/points"),
            gone,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let list = ok_json(&http, base, "", "/api/sessions").await;
        assert_eq!(list["sessions"].as_array().unwrap().len(), 5);
    }

    // A node stopped gracefully hands its sessions over at once (no lease to wait out).
    let (sid, _, _) = &sessions[2];
    nodes[2].stop();
    let stopped = Instant::now();
    assert_eq!(
        ok_json(&http, &bases[1], sid, "/api/points").await["total_points"],
        3
    );
    assert!(
        stopped.elapsed() < Duration::from_millis(900),
        "{:?}",
        stopped.elapsed()
    );
}

/// The original API's requests, through `base`, for session `sid`: each answer's status and
/// body, with what differs between any two sessions (ids, times) taken out.
async fn contract_answers(
    http: &reqwest::Client,
    base: &str,
    sid: &str,
) -> Vec<(StatusCode, String)> {
    use reqwest::Method;
    upload(http, base, sid).await;
    let steps: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/api/status", None),
        (Method::GET, "/api/slice/2/3", None),
        (Method::GET, "/api/slice/0/1?normalize=false", None),
        (Method::GET, "/api/slice/7/0", None),
        (
            Method::POST,
            "/api/mark_point",
            Some(json!({"axis": 2, "slice_index": 3, "point": {"x": 1, "y": 1}})),
        ),
        (
            Method::POST,
            "/api/mark_point",
            Some(
                json!({"axis": 2, "slice_index": 3, "point": {"x": 3, "y": 2}, "object_number": 2}),
            ),
        ),
        (
            Method::POST,
            "/api/mark_point",
            Some(json!({"axis": 2, "slice_index": 99, "point": {"x": 1, "y": 1}})),
        ),
        (Method::GET, "/api/points", None),
        (Method::DELETE, "/api/remove_point/2", None),
        (Method::GET, "/api/points", None),
        (Method::POST, "/api/run_segmentation", None),
        (Method::GET, "/api/download/segmentation", None),
        (Method::GET, "/api/download/labels", None),
        (Method::GET, "/api/download/nonsense", None),
        (Method::DELETE, "/api/points", None),
        (Method::POST, "/api/run_segmentation", None),
        (Method::GET, "/api/color_template", None),
    ];
    let mut answers = Vec::new();
    for (method, path, body) in steps {
        let (status, bytes) = call(http, method, format!("{base}{path}"), sid, body).await;
        let text = match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut json) => {
                for key in ["session_id", "last_activity", "created_at"] {
                    if let Some(object) = json.as_object_mut() {
                        object.remove(key);
                    }
                }
                json.to_string()
            }
            Err(_) => format!("{} bytes", bytes.len()),
        };
        answers.push((status, format!("{path}: {text}")));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_does_not_own_a_session_answers_as_its_owner() {
    let redis = Redis::start().await;
    let data = tempfile::tempdir().unwrap();
    let owner = Node::start(data.path(), &redis);
    let other = Node::start(data.path(), &redis);
    let http = reqwest::Client::new();
    let direct = create(&http, &owner.base).await;
    let hopped = create(&http, &owner.base).await;
    let from_owner = contract_answers(&http, &owner.base, &direct).await;
    let through_other = contract_answers(&http, &other.base, &hopped).await;
    assert_eq!(from_owner.len(), through_other.len());
    for (a, b) in from_owner.iter().zip(&through_other) {
        assert_eq!(a, b);
    }
    // The hop kept the session where it was: its owner still holds it.
    let health = ok_json(&http, &other.base, "", "/healthz").await;
    assert_eq!(health["sessions"], 0, "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_nodes_idle_sessions_expire_through_the_others() {
    let redis = Redis::start().await;
    let data = tempfile::tempdir().unwrap();
    let timeout = ["--session-timeout", "5"];
    let mut doomed = Node::start_with(data.path(), &redis, &timeout);
    let survivor = Node::start_with(data.path(), &redis, &timeout);
    let http = reqwest::Client::new();
    let orphan = create(&http, &doomed.base).await;
    upload(&http, &doomed.base, &orphan).await;
    let kept = create(&http, &survivor.base).await;
    // The orphan was in use until its node died: that is what its files must say.
    for _ in 0..24 {
        ok_json(&http, &doomed.base, &orphan, "/api/points").await;
        ok_json(&http, &survivor.base, &kept, "/api/points").await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    doomed.kill_9();
    let folder = data.path().join("sessions").join(&orphan);
    assert!(folder.is_dir());
    let started = Instant::now();
    let mut gone_after = None;
    while started.elapsed() < Duration::from_secs(10) {
        // The other session is in use all along, and stays.
        ok_json(&http, &survivor.base, &kept, "/api/points").await;
        if gone_after.is_none() && !folder.exists() {
            gone_after = Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let gone_after = gone_after.expect("the dead node's idle session was never expired");
    // Not before it was idle for the timeout: its last use was just before the kill, and its
    // node wrote that down (at most a second late), so it goes no sooner than 3.75 s after.
    assert!(gone_after >= Duration::from_secs(3), "{gone_after:?}");
    let list = ok_json(&http, &survivor.base, "", "/api/sessions").await;
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1, "{list}");
    let (status, _) = call(
        &http,
        reqwest::Method::GET,
        format!("{}/api/points", survivor.base),
        &orphan,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_request_is_rate_limited_where_it_came_in_only() {
    let redis = Redis::start().await;
    let data = tempfile::tempdir().unwrap();
    // 10 a second, bursts of 20, per client address: all of this test is 127.0.0.1.
    let limit = ["--rate-limit", "10"];
    let owner = Node::start_with(data.path(), &redis, &limit);
    let other = Node::start_with(data.path(), &redis, &limit);
    let http = reqwest::Client::new();
    let sid = create(&http, &owner.base).await;
    // 15 straight to the owner and 15 through the other node: each node's bucket sees 15
    // requests from this client. Counted again at the owner, the hops would empty its bucket.
    for _ in 0..15 {
        for base in [&owner.base, &other.base] {
            let (status, body) = call(
                &http,
                reqwest::Method::GET,
                format!("{base}/api/points"),
                &sid,
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        }
    }
    // A client cannot pass itself off as a node to get round the limit.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut limited = 0;
    for _ in 0..30 {
        let response = http
            .get(format!("{}/api/points", owner.base))
            .header("X-Session-ID", &sid)
            .header("x-interseg-forwarded-by", "a-guess")
            .send()
            .await
            .unwrap();
        limited += usize::from(response.status() == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(limited >= 5, "{limited}");
}
