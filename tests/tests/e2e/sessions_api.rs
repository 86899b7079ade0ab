//! Session lifecycle over HTTP: creation, the header in both directions, listing with and
//! without the administrator token, deletion, and the error answers for bad ids.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::TestServer;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_request_without_a_session_gets_a_new_one() {
    let server = TestServer::spawn().await.unwrap();
    let response = server
        .http
        .get(server.url("/api/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = response.headers()["X-Session-ID"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["session_id"], header.as_str());
    let id = uuid::Uuid::parse_str(&header).unwrap();
    assert_eq!(id.get_version_num(), 4);
    // A fresh session's defaults.
    assert_eq!(body["file_uploaded"], false);
    assert_eq!(body["file_info"], Value::Null);
    assert_eq!(body["current_axis"], 2);
    assert_eq!(body["current_slice"], 0);
    assert_eq!(body["total_points"], 0);
    assert_eq!(body["segmentation_files_exist"], false);
    assert_eq!(body["nninteractive_available"], false);
    assert_eq!(body["cuda_available"], false);
    assert!(body["created_at"].is_string() && body["last_activity"].is_string());

    // The same id is then accepted and echoed.
    let client = server.client_for(&header);
    let again = client.get("/api/status").await.unwrap();
    assert_eq!(again.json["session_id"], header.as_str());
}

#[tokio::test]
async fn bad_and_unknown_ids_are_refused() {
    let server = TestServer::spawn().await.unwrap();
    let answer = server
        .client_for("not-a-uuid")
        .get("/api/status")
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.detail().contains("not a UUID"),
        "{}",
        answer.detail()
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    let answer = server
        .client_for(&unknown)
        .get("/api/points")
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.detail().contains("new session"),
        "{}",
        answer.detail()
    );
    // Neither created a session.
    let list = server.get("/api/sessions").await.unwrap().json;
    assert_eq!(list["sessions"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn create_list_and_delete() {
    let server = TestServer::spawn_with(|c| c.admin_token = Some("s3cret".to_owned()))
        .await
        .unwrap();
    let response = server
        .http
        .post(server.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = response.headers()["X-Session-ID"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    let id = body["session_id"].as_str().unwrap().to_owned();
    assert_eq!(id, header);
    let other = server.new_session().await.unwrap();
    other
        .upload_file(&interseg_tests::fixtures::dir().join("int16_le_raw.nii.gz"))
        .await
        .unwrap();
    other.mark(2, 0, 1, 1).await.unwrap();

    // Without the token: shortened ids, other fields unchanged.
    let list: Value = server
        .http
        .get(server.url("/api/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    for s in sessions {
        let shown = s["session_id"].as_str().unwrap();
        assert_eq!(shown.chars().count(), 9, "{shown}");
        assert!(shown.ends_with('…'));
        assert!(s["created_at"].is_string() && s["last_activity"].is_string());
    }
    let loaded = sessions.iter().find(|s| s["nifti_loaded"] == true).unwrap();
    assert_eq!(loaded["nifti_shape"], serde_json::json!([5, 6, 7]));
    assert_eq!(loaded["total_points"], 1);
    let empty = sessions
        .iter()
        .find(|s| s["nifti_loaded"] == false)
        .unwrap();
    assert_eq!(empty["nifti_shape"], Value::Null);

    // With a wrong token, still shortened; with the right one, full ids.
    for (token, full) in [("wrong", false), ("s3cret", true)] {
        let list: Value = server
            .http
            .get(server.url("/api/sessions"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ids: Vec<&str> = list["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["session_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.contains(&id.as_str()), full, "{token}: {ids:?}");
    }

    // Delete: gone from the list, its folder removed, its id now unknown.
    let deleted = server
        .http
        .delete(server.url(&format!("/api/session/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    let body: Value = deleted.json().await.unwrap();
    assert!(body["message"].is_string());
    assert!(!server.data_dir.join("sessions").join(&id).exists());
    let again = server
        .http
        .delete(server.url(&format!("/api/session/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let bad = server
        .http
        .delete(server.url("/api/session/xyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        server
            .client_for(&id)
            .get("/api/status")
            .await
            .unwrap()
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn colour_template_and_openapi() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let answer = session.get("/api/color_template").await.unwrap();
    assert_eq!(answer.json["status"], "success");
    assert_eq!(answer.json["session_id"], session.session_id.as_str());
    let template = answer.json["color_template"].as_array().unwrap();
    assert_eq!(template.len(), 34);
    assert_eq!(
        template[0],
        serde_json::json!({"idx": 1, "r": 255, "g": 0, "b": 0, "label": "#1"})
    );
    assert_eq!(
        template[33],
        serde_json::json!({"idx": 34, "r": 127, "g": 255, "b": 0, "label": "Implant"})
    );

    let doc: Value = server
        .http
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/session", "post"),
        ("/api/sessions", "get"),
        ("/api/session/{session_id}", "delete"),
        ("/api/upload", "post"),
        ("/api/slice/{axis}/{slice_index}", "get"),
        ("/api/mark_point", "post"),
        ("/api/points", "delete"),
        ("/api/points", "get"),
        ("/api/remove_point/{point_number}", "delete"),
        ("/api/run_segmentation", "post"),
        ("/api/download/{file_type}", "get"),
        ("/api/status", "get"),
        ("/api/color_template", "get"),
        ("/api/prompts", "get"),
        ("/api/prompts", "post"),
        ("/api/prompts", "delete"),
        ("/api/prompts/{id}", "delete"),
        ("/api/prompts/undo", "post"),
        ("/api/prompts/redo", "post"),
        ("/api/volume", "get"),
        ("/api/volume/voxels", "get"),
        ("/api/segmentation/voxels", "get"),
        ("/api/segmentation/jobs", "post"),
        ("/api/segmentation/jobs/{job_id}", "get"),
        ("/api/segmentation/jobs/{job_id}", "delete"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from OpenAPI"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("SliceResponse") && schemas.contains_key("MarkPointRequest"));
}

#[tokio::test]
async fn unknown_routes_and_methods_do_not_panic() {
    let server = TestServer::spawn().await.unwrap();
    let response = server
        .http
        .get(server.url("/api/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = server
        .http
        .put(server.url("/api/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn an_api_token_guards_every_endpoint_the_api_description_included() {
    let server = TestServer::spawn_with(|c| {
        c.api_token = Some("lab-token".to_owned());
        c.admin_token = Some("admin-token".to_owned());
    })
    .await
    .unwrap();
    let get = |path: &str, token: Option<&str>| {
        let mut request = server.http.get(server.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    for token in [None, Some("wrong"), Some("lab-token-but-longer")] {
        let response = get("/api/status", token).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains("API token"),
            "{body}"
        );
    }
    // Refused requests create nothing.
    let list: Value = get("/api/sessions", Some("admin-token"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["sessions"].as_array().unwrap().len(), 0, "{list}");

    let response = get("/api/status", Some("lab-token")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Liveness too: a monitor sends the token like any client.
    let response = get("/healthz", None).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = get("/healthz", Some("lab-token")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = get("/api/openapi.json", None).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = get("/api/openapi.json", Some("lab-token")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let upload = server
        .http
        .post(server.url("/api/upload"))
        .body("not a form")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn healthz_says_ok_and_counts_sessions_without_creating_one() {
    let server = TestServer::spawn().await.unwrap();
    let first = server.get("/healthz").await.unwrap();
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json["status"], "ok", "{}", first.json);
    assert_eq!(first.json["sessions"], 0, "{}", first.json);
    server.new_session().await.unwrap();
    let second = server.get("/healthz").await.unwrap();
    assert_eq!(second.json["sessions"], 1, "{}", second.json);
}

#[tokio::test]
async fn over_the_session_cap_new_sessions_wait_and_old_ones_still_answer() {
    let server = TestServer::spawn_with(|c| c.max_sessions = 2)
        .await
        .unwrap();
    let first = server.new_session().await.unwrap();
    let second = server.new_session().await.unwrap();
    // Both ways of making a session: asked for, and implied by a request without an id.
    for response in [
        server
            .http
            .post(server.url("/api/session"))
            .send()
            .await
            .unwrap(),
        server
            .http
            .get(server.url("/api/status"))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()["retry-after"].to_str().unwrap(),
            "60",
            "a client is told when to come back"
        );
        let body: Value = response.json().await.unwrap();
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("maximum of 2 sessions"),
            "{body}"
        );
    }
    let health = server.get("/healthz").await.unwrap();
    assert_eq!(
        health.json["sessions"], 2,
        "refused sessions leave nothing behind"
    );
    for session in [&first, &second] {
        assert_eq!(
            session.get("/api/status").await.unwrap().status,
            StatusCode::OK
        );
    }
    // A session given back makes room.
    let deleted = server
        .http
        .delete(server.url(&format!("/api/session/{}", first.session_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    server.new_session().await.unwrap();
}

/// A server future that is dropped (an embedded server whose window closed) takes its
/// background work with it: nothing goes on expiring the sessions it leaves on disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_server_stops_expiring_sessions() {
    let data = tempfile::tempdir().unwrap();
    let mut config = interseg_server::config::Config::with_data_dir(data.path());
    config.session_timeout_secs = 1;
    let state = tokio::task::spawn_blocking(move || interseg_server::state::AppState::open(config))
        .await
        .unwrap()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(interseg_server::run(
        listener,
        state,
        std::future::pending(),
    ));
    let created: Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["session_id"].as_str().unwrap().to_owned();
    let folder = data.path().join("sessions").join(&id);
    assert!(folder.exists());
    // Dropped mid-serve, not shut down.
    server.abort();
    assert!(server.await.unwrap_err().is_cancelled());
    // Idle far past its timeout, several expiry periods later, the session is still there.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert!(
        folder.exists(),
        "a dropped server's expiry task deleted the session"
    );
}
