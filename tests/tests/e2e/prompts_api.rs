//! Our prompt endpoints over HTTP: include and exclude points and boxes per label, undo and
//! redo, validation, and their effect on the segmentation next to the original API's points.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::phantom::{Ball, Phantom, gunzip};
use interseg_tests::{SessionClient, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Two balls touching along i, on a dark background.
fn touching() -> (Phantom, [Ball; 2]) {
    let balls = [
        Ball {
            center: [14.0, 16.0, 12.0],
            radius: 6.0,
        },
        // A broad contact: one blob to a single click (a narrow one would be a neck).
        Ball {
            center: [24.0, 16.0, 12.0],
            radius: 6.5,
        },
    ];
    (Phantom::balls([42, 32, 24], &balls, 5), balls)
}

/// A click on the axial view (axis 2) at a voxel.
fn axial(v: [usize; 3]) -> Value {
    json!({"axis": 2, "slice_index": v[2], "x": v[1], "y": v[0]})
}

async fn segment(session: &SessionClient) -> Vec<u8> {
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (_, bytes) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    gunzip(&bytes).unwrap()[352..].to_vec()
}

fn count(labels: &[u8], label: u8) -> usize {
    labels.iter().filter(|&&l| l == label).count()
}

fn ball_count(phantom: &Phantom, ball: u8) -> usize {
    phantom.truth.iter().filter(|&&t| t == ball).count()
}

#[tokio::test]
async fn include_exclude_undo_redo_and_boxes_shape_the_result() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let (phantom, [a, b]) = touching();
    session
        .upload_bytes("touching.nii.gz", phantom.to_nii_gz([1.0; 3]))
        .await
        .unwrap();
    let both = ball_count(&phantom, 1) + ball_count(&phantom, 2);

    let added = session
        .post_json(
            "/api/prompts",
            &json!({"label": 1, "point": axial(a.center_voxel())}),
        )
        .await
        .unwrap();
    assert_eq!(added.status, StatusCode::OK, "{}", added.json);
    assert_eq!(added.json["prompts"][0]["kind"], "point");
    assert_eq!(added.json["prompts"][0]["include"], true);
    assert_eq!(added.json["can_undo"], true);
    // One include point on touching balls takes both.
    let labels = segment(&session).await;
    assert!(
        count(&labels, 1).abs_diff(both) < both / 20,
        "{} vs {both}",
        count(&labels, 1)
    );

    // An exclude point on the second ball gives it back.
    let excluded = session
        .post_json(
            "/api/prompts",
            &json!({"label": 1, "include": false, "point": axial(b.center_voxel())}),
        )
        .await
        .unwrap();
    let exclude_id = excluded.json["added"].as_u64().unwrap();
    let labels = segment(&session).await;
    let only_a = ball_count(&phantom, 1);
    assert!(
        count(&labels, 1).abs_diff(only_a) < only_a / 10,
        "{} vs {only_a}",
        count(&labels, 1)
    );
    assert_eq!(labels[phantom.offset(b.center_voxel())], 0);

    // Undo brings both back; redo excludes again.
    let undone = session.post("/api/prompts/undo").await.unwrap();
    assert_eq!(undone.json["prompts"].as_array().unwrap().len(), 1);
    assert_eq!(undone.json["can_redo"], true);
    assert!(count(&segment(&session).await, 1).abs_diff(both) < both / 20);
    let redone = session.post("/api/prompts/redo").await.unwrap();
    assert_eq!(redone.json["prompts"][1]["id"], exclude_id);
    assert_eq!(redone.json["can_redo"], false);
    assert_eq!(segment(&session).await[phantom.offset(b.center_voxel())], 0);

    // A box drawn around the second ball on its middle slice makes it label 2.
    let [bi, bj, bk] = b.center_voxel();
    let r = b.radius as usize + 1;
    let boxed = session
        .post_json(
            "/api/prompts",
            &json!({"label": 2, "box": {"axis": 2, "slice_index": bk, "x0": bj + r, "y0": bi + r, "x1": bj - r, "y1": bi - r}}),
        )
        .await
        .unwrap();
    assert_eq!(boxed.status, StatusCode::OK, "{}", boxed.json);
    let drawn = &boxed.json["prompts"][2];
    assert_eq!(drawn["kind"], "box");
    assert_eq!(
        drawn["box"],
        json!({"axis": 2, "slice_index": bk, "x0": bj - r, "y0": bi - r, "x1": bj + r, "y1": bi + r})
    );
    let labels = segment(&session).await;
    let only_b = ball_count(&phantom, 2);
    assert!(
        count(&labels, 2).abs_diff(only_b) < only_b / 5,
        "{} vs {only_b}",
        count(&labels, 2)
    );
    assert_eq!(labels[phantom.offset(a.center_voxel())], 1);

    // Remove, clear, and undo of a clear.
    let removed = session
        .delete(&format!("/api/prompts/{exclude_id}"))
        .await
        .unwrap();
    assert_eq!(removed.json["prompts"].as_array().unwrap().len(), 2);
    let missing = session
        .delete(&format!("/api/prompts/{exclude_id}"))
        .await
        .unwrap();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let cleared = session.delete("/api/prompts").await.unwrap();
    assert_eq!(cleared.json["prompts"], json!([]));
    let restored = session.post("/api/prompts/undo").await.unwrap();
    assert_eq!(restored.json["prompts"].as_array().unwrap().len(), 2);
    let listed = session.get("/api/prompts").await.unwrap();
    assert_eq!(listed.json["prompts"], restored.json["prompts"]);
}

#[tokio::test]
async fn original_points_and_prompts_work_together() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let (phantom, [a, b]) = touching();
    session
        .upload_bytes("touching.nii.gz", phantom.to_nii_gz([1.0; 3]))
        .await
        .unwrap();
    let [i, j, k] = a.center_voxel();
    // Point 1 of the original API, and an exclusion for label 1 through ours.
    assert_eq!(session.mark(2, k, j, i).await.unwrap(), 1);
    session
        .post_json(
            "/api/prompts",
            &json!({"label": 1, "include": false, "point": axial(b.center_voxel())}),
        )
        .await
        .unwrap();
    let labels = segment(&session).await;
    assert_eq!(labels[phantom.offset(a.center_voxel())], 1);
    assert_eq!(labels[phantom.offset(b.center_voxel())], 0);
    // The original API's view is unchanged by our prompts.
    assert_eq!(
        session.get("/api/points").await.unwrap().json["total_points"],
        1
    );
}

#[tokio::test]
async fn bad_prompts_are_refused_and_change_nothing() {
    let server = TestServer::spawn().await.unwrap();
    let empty = server.new_session().await.unwrap();
    let answer = empty
        .post_json(
            "/api/prompts",
            &json!({"label": 1, "point": axial([0, 0, 0])}),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.detail().contains("No file uploaded"));

    let session = server.new_session().await.unwrap();
    let (phantom, _) = touching();
    session
        .upload_bytes("t.nii.gz", phantom.to_nii_gz([1.0; 3]))
        .await
        .unwrap();
    let point = axial([1, 1, 1]);
    let cases = [
        (
            json!({"label": 0, "point": point}),
            StatusCode::BAD_REQUEST,
            "label",
        ),
        (
            json!({"label": 256, "point": point}),
            StatusCode::BAD_REQUEST,
            "label",
        ),
        (json!({"label": 1}), StatusCode::BAD_REQUEST, "exactly one"),
        (
            json!({"label": 1, "point": point, "box": {"axis": 2, "slice_index": 0, "x0": 0, "y0": 0, "x1": 1, "y1": 1}}),
            StatusCode::BAD_REQUEST,
            "exactly one",
        ),
        (
            json!({"label": 1, "point": {"axis": 2, "slice_index": 24, "x": 0, "y": 0}}),
            StatusCode::BAD_REQUEST,
            "out of range",
        ),
        (
            json!({"label": 1, "box": {"axis": 2, "slice_index": 0, "x0": 0, "y0": 0, "x1": 32, "y1": 1}}),
            StatusCode::BAD_REQUEST,
            "outside",
        ),
        (
            json!({"label": "one", "point": point}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "label",
        ),
        (
            json!({"label": 1, "point": {"axis": 2}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "point",
        ),
    ];
    for (body, status, word) in cases {
        let answer = session.post_json("/api/prompts", &body).await.unwrap();
        assert_eq!(answer.status, status, "{body}: {}", answer.json);
        assert!(
            answer.detail().contains(word),
            "{body}: {}",
            answer.detail()
        );
    }
    let listed = session.get("/api/prompts").await.unwrap();
    assert_eq!(listed.json["prompts"], json!([]));
    assert_eq!(listed.json["can_undo"], false);
    for path in ["/api/prompts/undo", "/api/prompts/redo"] {
        let answer = session.post(path).await.unwrap();
        assert_eq!(answer.status, StatusCode::CONFLICT, "{path}");
    }
    // Only exclusions: nothing to segment.
    session
        .post_json(
            "/api/prompts",
            &json!({"label": 1, "include": false, "point": point}),
        )
        .await
        .unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::BAD_REQUEST);
}
