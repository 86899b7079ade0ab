//! The store on a real folder: reopening, quarantine, expiry, snapshots written in order.

use super::*;

fn limits() -> LoadLimits {
    LoadLimits {
        max_voxels: 1 << 20,
    }
}

#[tokio::test(start_paused = true)]
async fn idle_sessions_expire_and_active_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let idle = store.create().unwrap();
    let active = store.create().unwrap();
    let expiry = tokio::spawn(run_expiry(store.clone(), Duration::from_secs(60)));

    tokio::time::sleep(Duration::from_secs(1800)).await;
    active.touch();
    tokio::time::sleep(Duration::from_secs(1900)).await;
    // Let the expiry task's blocking purge finish.
    for _ in 0..50 {
        if store.get(idle.id).is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert!(
        store.get(idle.id).is_none(),
        "idle session should have expired"
    );
    assert!(
        !idle.dir().exists(),
        "expired session's folder should be deleted"
    );
    assert!(store.get(active.id).is_some(), "active session must stay");
    expiry.abort();
}

#[test]
fn reopening_finds_sessions_and_skips_junk() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let a = store.create().unwrap();
    a.update(Durability::Durable, |state| {
        state.meta.current_slice = 7;
        Ok::<_, SessionError>(())
    })
    .unwrap();
    fs::create_dir_all(dir.path().join("not-a-session")).unwrap();
    let junk = SessionId::new_random();
    fs::create_dir_all(dir.path().join(junk.to_string())).unwrap();
    fs::write(dir.path().join(junk.to_string()).join(META_FILE), b"{ torn").unwrap();

    let reopened = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened.get(a.id).unwrap().meta().current_slice, 7);
    assert!(!dir.path().join(junk.to_string()).exists());
    // The unreadable folder was moved aside whole, not deleted.
    let kept: Vec<PathBuf> = fs::read_dir(dir.path().join(QUARANTINE_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1);
    assert!(
        kept[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(&junk.to_string())
    );
    assert_eq!(fs::read(kept[0].join(META_FILE)).unwrap(), b"{ torn");
    // A crashed upload's leftovers go; the session's own files stay.
    fs::write(a.dir().join("upload-1234.part"), b"half").unwrap();
    let reopened = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    assert!(!a.dir().join("upload-1234.part").exists());
    assert!(a.dir().join(META_FILE).exists());
    // And a start leaves the quarantine alone.
    assert_eq!(reopened.len(), 1);
    assert!(kept[0].exists());
}

#[test]
fn a_restart_after_the_timeout_keeps_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let a = store.create().unwrap();
    a.update(Durability::Durable, |state| {
        state.meta.last_activity = Utc::now() - chrono::Duration::days(3);
        Ok::<_, SessionError>(())
    })
    .unwrap();
    let reopened = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    assert!(reopened.get(a.id).is_some());
    assert!(a.dir().join(META_FILE).exists());
    // It expires normally from now on, not at once.
    assert!(reopened.purge_expired().is_empty());
}

#[test]
fn an_older_snapshot_written_last_does_not_overwrite_a_newer_one() {
    // Changes are written outside the session's lock, so two writes can finish in either
    // order: the newest change must be what is on disk.
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let a = store.create().unwrap();
    let snapshot = |slice: usize| {
        let mut state = a.lock();
        state.meta.current_slice = slice;
        Session::snapshot(&mut state)
    };
    let (older, newer) = (snapshot(1), snapshot(2));
    a.persist(&newer, Durability::Durable).unwrap();
    a.persist(&older, Durability::Durable).unwrap();
    let on_disk: SessionMeta =
        serde_json::from_slice(&fs::read(a.dir().join(META_FILE)).unwrap()).unwrap();
    assert_eq!(on_disk.current_slice, 2);
    let reopened = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    assert_eq!(reopened.get(a.id).unwrap().meta().current_slice, 2);
}

#[test]
fn metadata_with_a_null_data_range_reads_back() {
    // Written by versions that let an infinite voxel through as `null`.
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let a = store.create().unwrap();
    let meta_path = a.dir().join(META_FILE);
    let mut meta: serde_json::Value =
        serde_json::from_slice(&fs::read(&meta_path).unwrap()).unwrap();
    meta["volume"] = serde_json::json!({
        "file": "volume-1.nii", "filename": "x.nii", "file_type": "nifti",
        "shape": [2, 2, 2], "data_range": [1.0, null]
    });
    fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let reopened = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let volume = reopened.get(a.id).unwrap().meta().volume.unwrap();
    assert_eq!(volume.data_range, [1.0, 0.0]);
}

#[test]
fn remove_deletes_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let a = store.create().unwrap();
    assert!(a.dir().exists());
    assert!(store.remove(a.id));
    assert!(!store.remove(a.id));
    assert!(!a.dir().exists());
    assert!(store.is_empty());
}

#[test]
fn a_session_let_go_writes_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open(dir.path(), limits(), Duration::from_secs(3600)).unwrap();
    let moved = store.create().unwrap();
    let deleted = store.create().unwrap();
    let on_disk = fs::read(moved.dir().join(META_FILE)).unwrap();
    // Another node holds it now; a request still working on it here must not write.
    store.release(moved.id);
    let late = moved.update(Durability::Durable, |state| {
        state.meta.current_slice = 7;
        Ok::<_, SessionError>(())
    });
    assert!(
        matches!(late, Err(SessionError::Closed(Closing::Moved))),
        "{late:?}"
    );
    assert_eq!(fs::read(moved.dir().join(META_FILE)).unwrap(), on_disk);
    assert!(store.remove(deleted.id));
    let late = deleted.update(Durability::Durable, |_| Ok::<_, SessionError>(()));
    assert!(
        matches!(late, Err(SessionError::Closed(Closing::Deleted))),
        "{late:?}"
    );
    assert!(!deleted.dir().exists());
}
