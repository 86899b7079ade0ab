//! The real `interseg-server` binary, killed with SIGKILL mid-session and started again on the
//! same data dir, serves every session exactly as before: volume, points, view and result.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};

mod process;

use process::{Node, call, ok_json};

async fn get(http: &reqwest::Client, base: &str, sid: &str, path: &str) -> (StatusCode, Vec<u8>) {
    call(
        http,
        reqwest::Method::GET,
        format!("{base}{path}"),
        sid,
        None,
    )
    .await
}

async fn get_json(http: &reqwest::Client, base: &str, sid: &str, path: &str) -> Value {
    ok_json(http, base, sid, path).await
}

#[tokio::test]
async fn sigkill_and_restart_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/nibabel/int16_le_raw.nii.gz");
    let http = reqwest::Client::new();
    let mut server = Node::alone(data.path(), &[]);
    let base = server.base.clone();

    let mut sids = Vec::new();
    for n in 0..2 {
        let created: Value = http
            .post(format!("{base}/api/session"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sid = created["session_id"].as_str().unwrap().to_owned();
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(std::fs::read(&fixture).unwrap())
                .file_name("ct.nii.gz"),
        );
        let up = http
            .post(format!("{base}/api/upload"))
            .header("X-Session-ID", &sid)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(up.status(), StatusCode::OK);
        for (x, y) in [(1, 1), (3, 2 + n)] {
            let r = http
                .post(format!("{base}/api/mark_point"))
                .header("X-Session-ID", &sid)
                .json(&json!({"axis": 2, "slice_index": 3, "point": {"x": x, "y": y}}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        if n == 0 {
            let r = http
                .post(format!("{base}/api/run_segmentation"))
                .header("X-Session-ID", &sid)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        get(&http, &base, &sid, "/api/slice/1/4").await;
        sids.push(sid);
    }

    let mut before = Vec::new();
    for sid in &sids {
        before.push((
            get_json(&http, &base, sid, "/api/status").await,
            get_json(&http, &base, sid, "/api/points").await,
            get(&http, &base, sid, "/api/download/segmentation").await,
            get(&http, &base, sid, "/api/download/labels").await,
        ));
    }
    server.kill_9();

    let mut server = Node::alone(data.path(), &[]);
    let base = server.base.clone();
    for (sid, (status, points, seg, labels)) in sids.iter().zip(before) {
        let mut status_after = get_json(&http, &base, sid, "/api/status").await;
        // Reading the status is activity: only last_activity may move.
        status_after["last_activity"] = status["last_activity"].clone();
        assert_eq!(status_after, status);
        assert_eq!(status_after["current_axis"], 1);
        assert_eq!(status_after["current_slice"], 4);
        assert_eq!(get_json(&http, &base, sid, "/api/points").await, points);
        assert_eq!(
            get(&http, &base, sid, "/api/download/segmentation").await,
            seg
        );
        assert_eq!(get(&http, &base, sid, "/api/download/labels").await, labels);
        // The volume itself is back: slices answer, and segmenting again works.
        let slice = get_json(&http, &base, sid, "/api/slice/0/2").await;
        assert_eq!(slice["max_slices"], 5);
        let r = http
            .post(format!("{base}/api/run_segmentation"))
            .header("X-Session-ID", sid)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let list: Value = http
        .get(format!("{base}/api/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["sessions"].as_array().unwrap().len(), 2);
    server.kill_9();
}
