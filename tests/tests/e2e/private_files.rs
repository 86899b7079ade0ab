//! Session folders are named by their ids, which are bearer secrets, and hold patient scans:
//! no other local user may list, enter or read them. Checked on disk after a real upload,
//! point and segmentation, and again after a restart over folders an older version left open.

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use interseg_tests::{TestServer, fixtures};
use reqwest::StatusCode;

/// Every folder and file under `root` (itself included), with its permission bits.
fn modes(root: &Path) -> Vec<(String, u32)> {
    let mut out = vec![(root.display().to_string(), mode(root))];
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(modes(&path));
        } else {
            out.push((path.display().to_string(), mode(&path)));
        }
    }
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn assert_private(root: &Path) {
    let found = modes(root);
    // The session folder, its volume, metadata, labels and label description at least.
    assert!(found.len() >= 6, "{found:?}");
    for (path, mode) in found {
        assert_eq!(mode & 0o077, 0, "{path} is {mode:o}: others may read it");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_folders_and_files_are_the_servers_users_alone() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let sessions = data.join("sessions");
    let server = TestServer::spawn_in(&data, |_| {}).await.unwrap();
    let session = server.new_session().await.unwrap();
    let upload = session
        .upload_file(&fixtures::dir().join("int16_le_raw.nii.gz"))
        .await
        .unwrap();
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.json);
    session.mark(2, 3, 2, 2).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    assert_private(&sessions);
    server.stop().await.unwrap();

    // What an older version left: folders that followed the umask. A restart closes them.
    let folder = sessions.join(&session.session_id);
    for dir in [&sessions, &folder] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let server = TestServer::spawn_in(&data, |_| {}).await.unwrap();
    assert_eq!(mode(&sessions), 0o700);
    assert_eq!(mode(&folder), 0o700);
    let again = server.client_for(&session.session_id);
    let status = again.get("/api/status").await.unwrap();
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.json["file_info"]["shape"], upload.json["shape"]);
}
