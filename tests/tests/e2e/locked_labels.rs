//! Locked labels over HTTP: a finished tooth keeps its voxels when a later run on its
//! neighbour would take some of them, the lock survives a restart, and unlocking gives them
//! back to the competition.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::dental::DentalPhantom;
use interseg_tests::phantom::nifti_i16;
use interseg_tests::{SessionClient, TestServer};
use reqwest::StatusCode;
use serde_json::json;

async fn include(session: &SessionClient, label: u8, [i, j, k]: [usize; 3]) {
    let answer = session
        .post_json(
            "/api/prompts",
            &json!({"label": label, "point": {"axis": 2, "slice_index": k, "x": j, "y": i}}),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
}

async fn run(session: &SessionClient) -> Vec<u8> {
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (status, labels) = session.get_bytes("/api/segmentation/voxels").await.unwrap();
    assert_eq!(status, StatusCode::OK);
    labels
}

/// Voxels labelled `label` in `before` that `after` gives to another label.
fn taken(before: &[u8], after: &[u8], label: u8) -> usize {
    before
        .iter()
        .zip(after)
        .filter(|&(&b, &a)| b == label && a != label)
        .count()
}

/// A session on the phantom whose label 1 is the first tooth, finished; its labels.
async fn first_tooth_done(
    server: &TestServer,
    phantom: &DentalPhantom,
) -> (SessionClient, Vec<u8>) {
    let session = server.new_session().await.unwrap();
    let up = session
        .upload_bytes(
            "teeth.nii",
            nifti_i16(phantom.dims, &phantom.values, [1.0; 3]),
        )
        .await
        .unwrap();
    assert_eq!(up.status, StatusCode::OK, "{}", up.json);
    include(&session, 1, phantom.teeth[5].click()).await;
    let finished = run(&session).await;
    let tooth = finished.iter().filter(|&&l| l == 1).count();
    assert!(tooth > 100, "the first tooth is segmented ({tooth} voxels)");
    (session, finished)
}

/// Label 2: the touching neighbour, with a careless second click on the first tooth's crown.
async fn neighbour_prompts(session: &SessionClient, phantom: &DentalPhantom) {
    include(session, 2, phantom.teeth[6].click()).await;
    let c = phantom.teeth[5].click();
    include(session, 2, [c[0], c[1], c[2] + 2]).await;
}

#[tokio::test]
async fn a_locked_tooth_keeps_its_voxels_through_a_neighbours_run() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::spawn_in(data.path(), |_| {}).await.unwrap();
    let phantom = DentalPhantom::new(14, 1.0, 5);

    // Unlocked, label 2 takes part of the first tooth.
    let (control, finished) = first_tooth_done(&server, &phantom).await;
    neighbour_prompts(&control, &phantom).await;
    let unlocked = run(&control).await;
    assert!(
        taken(&finished, &unlocked, 1) > 0,
        "without a lock, label 2 takes some of label 1"
    );

    // Locked, the same prompts leave label 1 exactly as it was, and label 2 still segments.
    let (session, finished) = first_tooth_done(&server, &phantom).await;
    let locks = session
        .put_json("/api/locks", &json!({"locked": [1]}))
        .await
        .unwrap();
    assert_eq!(locks.status, StatusCode::OK, "{}", locks.json);
    assert_eq!(locks.json["locked"], json!([1]));
    neighbour_prompts(&session, &phantom).await;
    let locked = run(&session).await;
    assert_eq!(
        taken(&finished, &locked, 1),
        0,
        "the locked tooth lost voxels"
    );
    let count = |labels: &[u8], label: u8| labels.iter().filter(|&&l| l == label).count();
    assert_eq!(
        count(&locked, 1),
        count(&finished, 1),
        "the locked tooth gained voxels"
    );
    assert!(count(&locked, 2) > 100, "the neighbour is segmented");

    // The lock is stored with the session: it holds after a restart.
    let id = session.session_id.clone();
    server.stop().await.unwrap();
    let server = TestServer::spawn_in(data.path(), |_| {}).await.unwrap();
    let session = server.client_for(&id);
    let after_restart = session.get("/api/locks").await.unwrap();
    assert_eq!(
        after_restart.json["locked"],
        json!([1]),
        "{}",
        after_restart.json
    );
    assert_eq!(
        run(&session).await,
        locked,
        "a run after the restart keeps the lock"
    );

    // Unlocking gives the tooth back to the competition.
    let unlock = session
        .put_json("/api/locks", &json!({"locked": []}))
        .await
        .unwrap();
    assert_eq!(unlock.status, StatusCode::OK, "{}", unlock.json);
    assert!(taken(&finished, &run(&session).await, 1) > 0);
}

#[tokio::test]
async fn locks_refuse_labels_without_voxels_and_out_of_range() {
    let server = TestServer::spawn().await.unwrap();
    let (session, _) = server.session_with_volume().await.unwrap();
    let none = session.get("/api/locks").await.unwrap();
    assert_eq!(none.json["locked"], json!([]));
    for (body, status, words) in [
        (json!({"locked": [3]}), StatusCode::CONFLICT, "no voxels"),
        (
            json!({"locked": [0]}),
            StatusCode::BAD_REQUEST,
            "between 1 and 255",
        ),
        (
            json!({"locked": [256]}),
            StatusCode::BAD_REQUEST,
            "between 1 and 255",
        ),
        (
            json!({"locked": "all"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request body",
        ),
    ] {
        let answer = session.put_json("/api/locks", &body).await.unwrap();
        assert_eq!(answer.status, status, "{body}: {}", answer.json);
        assert!(answer.detail().contains(words), "{body}: {}", answer.json);
    }
    // Nothing changed.
    let still = session.get("/api/locks").await.unwrap();
    assert_eq!(still.json["locked"], json!([]));
}
