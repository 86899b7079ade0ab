//! Slices and points over HTTP: the 2D→3D mapping on each axis, numbering, moving, removing,
//! clearing, and the error answers for bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::{TestServer, fixtures};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn loaded_session(server: &TestServer) -> interseg_tests::SessionClient {
    let session = server.new_session().await.unwrap();
    // Shape [5, 6, 7].
    let answer = session
        .upload_file(&fixtures::dir().join("int16_le_raw.nii.gz"))
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::OK);
    session
}

#[tokio::test]
async fn clicks_map_to_array_indices_on_every_axis() {
    let server = TestServer::spawn().await.unwrap();
    let session = loaded_session(&server).await;
    // axis 0 → z=s, y=row, x=col; axis 1 → z=row, y=s, x=col; axis 2 → z=row, y=col, x=s.
    assert_eq!(session.mark(0, 4, 6, 5).await.unwrap(), 1);
    assert_eq!(session.mark(1, 2, 3, 4).await.unwrap(), 2);
    assert_eq!(session.mark(2, 6, 5, 1).await.unwrap(), 3);
    let points = session.get("/api/points").await.unwrap().json;
    assert_eq!(
        points["points_3d"],
        json!([{"z": 4, "y": 5, "x": 6}, {"z": 4, "y": 2, "x": 3}, {"z": 1, "y": 5, "x": 6}])
    );
    assert_eq!(points["total_points"], 3);
    assert_eq!(points["session_id"], session.session_id.as_str());
    assert_eq!(
        points["points"][1]["coordinates"],
        json!({"z": 4, "y": 2, "x": 3})
    );
    assert_eq!(
        points["points"][1]["color"],
        json!({"r": 0, "g": 255, "b": 0})
    );
    assert_eq!(
        points["points_2d"]["1_2"],
        json!([{"x": 3, "y": 4, "point_number": 2, "color": {"r": 0, "g": 255, "b": 0}}])
    );
    assert_eq!(points["points_2d"].as_object().unwrap().len(), 3);

    // A slice shows the points lying on it, wherever they were marked.
    // On axis 2 a point (z, y, x) shows at row z, column y.
    let slice = session.get("/api/slice/2/6").await.unwrap().json;
    assert_eq!(
        slice["marked_points"],
        json!([
            {"x": 5, "y": 4, "point_number": 1, "color": {"r": 255, "g": 0, "b": 0}},
            {"x": 5, "y": 1, "point_number": 3, "color": {"r": 0, "g": 0, "b": 255}},
        ])
    );
    let slice = session.get("/api/slice/0/4").await.unwrap().json;
    let numbers: Vec<u64> = slice["marked_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["point_number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2]);
    let sizes = (
        slice["slice_data"].as_array().unwrap().len(),
        slice["slice_data"][0].as_array().unwrap().len(),
    );
    assert_eq!(sizes, (6, 7));
    // The last slice viewed is the session's view.
    let status = session.get("/api/status").await.unwrap().json;
    assert_eq!(
        (
            status["current_axis"].clone(),
            status["current_slice"].clone()
        ),
        (json!(0), json!(4))
    );
}

#[tokio::test]
async fn numbering_moving_removing_and_clearing() {
    let server = TestServer::spawn().await.unwrap();
    let session = loaded_session(&server).await;
    assert_eq!(session.mark(2, 0, 0, 0).await.unwrap(), 1);
    assert_eq!(session.mark(2, 0, 1, 0).await.unwrap(), 2);
    // Same voxel: same number, no new point.
    assert_eq!(session.mark(2, 0, 1, 0).await.unwrap(), 2);
    // Move point 1; the next new point is 3, never a number in use.
    let moved = session
        .post_json(
            "/api/mark_point",
            &json!({"axis": 2, "slice_index": 3, "point": {"x": 2, "y": 2}, "point_number": 1}),
        )
        .await
        .unwrap();
    assert_eq!(moved.json["point_number"], 1);
    assert_eq!(moved.json["total_points"], 2);
    assert!(moved.json["message"].is_string());
    assert_eq!(session.mark(2, 0, 2, 0).await.unwrap(), 3);

    let removed = session.delete("/api/remove_point/2").await.unwrap();
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.json["total_points"], 2);
    let missing = session.delete("/api/remove_point/2").await.unwrap();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.detail().contains('2'));

    let cleared = session.delete("/api/points").await.unwrap();
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.json["session_id"], session.session_id.as_str());
    assert_eq!(
        session.get("/api/points").await.unwrap().json["total_points"],
        0
    );
    assert_eq!(
        session.mark(2, 0, 0, 0).await.unwrap(),
        1,
        "numbering restarts at 1"
    );
}

#[tokio::test]
async fn bad_clicks_and_slices_get_clear_errors_and_change_nothing() {
    let server = TestServer::spawn().await.unwrap();
    let empty = server.new_session().await.unwrap();
    for answer in [
        empty.get("/api/slice/2/0").await.unwrap(),
        empty
            .post_json(
                "/api/mark_point",
                &json!({"axis": 2, "slice_index": 0, "point": {"x": 0, "y": 0}}),
            )
            .await
            .unwrap(),
        empty.post("/api/run_segmentation").await.unwrap(),
    ] {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert!(
            answer.detail().contains("No file uploaded"),
            "{}",
            answer.detail()
        );
    }

    let session = loaded_session(&server).await;
    session.mark(2, 0, 0, 0).await.unwrap();
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"axis": 3, "slice_index": 0, "point": {"x": 0, "y": 0}}),
            StatusCode::BAD_REQUEST,
            "axis",
        ),
        (
            json!({"axis": 2, "slice_index": 7, "point": {"x": 0, "y": 0}}),
            StatusCode::BAD_REQUEST,
            "out of range",
        ),
        (
            json!({"axis": 2, "slice_index": -1, "point": {"x": 0, "y": 0}}),
            StatusCode::BAD_REQUEST,
            "out of range",
        ),
        (
            json!({"axis": 2, "slice_index": 0, "point": {"x": 6, "y": 0}}),
            StatusCode::BAD_REQUEST,
            "outside",
        ),
        (
            json!({"axis": 2, "slice_index": 0, "point": {"x": 0, "y": 5}}),
            StatusCode::BAD_REQUEST,
            "outside",
        ),
        (
            json!({"axis": 2, "slice_index": 0, "point": {"x": -1, "y": 0}}),
            StatusCode::BAD_REQUEST,
            "outside",
        ),
        (
            json!({"axis": 2, "slice_index": 0, "point": {"x": 0, "y": 0}, "point_number": 0}),
            StatusCode::BAD_REQUEST,
            "point_number",
        ),
        (
            json!({"axis": 2, "slice_index": 0, "point": {"x": 0, "y": 0}, "point_number": 300}),
            StatusCode::BAD_REQUEST,
            "point_number",
        ),
        (
            json!({"axis": "two", "slice_index": 0, "point": {"x": 0, "y": 0}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "axis",
        ),
        (
            json!({"axis": 2, "slice_index": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "point",
        ),
        (
            json!({"axis": 2, "slice_index": 0, "point": {"x": 1.5, "y": 0}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "x",
        ),
    ];
    for (body, status, word) in cases {
        let answer = session.post_json("/api/mark_point", &body).await.unwrap();
        assert_eq!(answer.status, status, "{body}: {}", answer.json);
        assert!(
            answer.detail().contains(word),
            "{body}: {}",
            answer.detail()
        );
    }
    // Malformed JSON.
    let response = session
        .http
        .post(server.url("/api/mark_point"))
        .header("X-Session-ID", &session.session_id)
        .header("content-type", "application/json")
        .body("{\"axis\": 2,")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"].is_string());

    for (path, status) in [
        ("/api/slice/3/0", StatusCode::BAD_REQUEST),
        ("/api/slice/-1/0", StatusCode::BAD_REQUEST),
        ("/api/slice/0/5", StatusCode::BAD_REQUEST),
        ("/api/slice/0/-1", StatusCode::BAD_REQUEST),
        ("/api/slice/0/abc", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/api/slice/0/99999999999999999999999",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/remove_point/abc", StatusCode::UNPROCESSABLE_ENTITY),
        // As the original: an unknown download type is a 404.
        ("/api/download/other", StatusCode::NOT_FOUND),
    ] {
        let answer = if path.starts_with("/api/remove_point") {
            session.delete(path).await.unwrap()
        } else {
            session.get(path).await.unwrap()
        };
        assert_eq!(answer.status, status, "{path}: {}", answer.json);
        assert!(!answer.detail().is_empty());
        if path == "/api/download/other" {
            assert_eq!(answer.detail(), "File type 'other' not found");
        }
    }
    let points = session.get("/api/points").await.unwrap().json;
    assert_eq!(
        points["total_points"], 1,
        "bad requests must not change the points"
    );
}
