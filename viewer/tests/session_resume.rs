//! The viewer's client against a real server: a stored session is resumed, a vanished one is
//! replaced (and said so), an unreachable server is a readable error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::TestServer;
use interseg_viewer::client::{ClientError, ServerClient, SessionStart};

#[tokio::test]
async fn stored_sessions_are_resumed_and_vanished_ones_replaced() {
    let server = TestServer::spawn().await.unwrap();
    let client = ServerClient::new(&server.url("/"));

    let first = client.resume_or_create(None).await.unwrap();
    let SessionStart::Created {
        session_id,
        stored_was_gone: false,
    } = &first
    else {
        panic!("{first:?}")
    };
    let again = client
        .resume_or_create(Some(&session_id.to_string()))
        .await
        .unwrap();
    assert_eq!(again, SessionStart::Resumed(*session_id));
    assert_eq!(
        client.status(*session_id).await.unwrap().session_id,
        session_id.to_string()
    );

    for stale in ["3f1c8b4e-0000-4000-8000-000000000000", "not-a-uuid"] {
        let replaced = client.resume_or_create(Some(stale)).await.unwrap();
        let SessionStart::Created {
            session_id: new_id,
            stored_was_gone: true,
        } = &replaced
        else {
            panic!("{replaced:?}")
        };
        assert_ne!(new_id.to_string(), stale);
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_readable_error() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = ServerClient::new(&url)
        .resume_or_create(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot be reached"), "{err}");
}

#[tokio::test]
async fn the_viewer_sends_the_api_token_a_shared_server_asks_for() {
    let server = TestServer::spawn_with(|c| c.api_token = Some("lab-token".to_owned()))
        .await
        .unwrap();
    let refused = ServerClient::new(&server.url("/"))
        .resume_or_create(None)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ClientError::Refused { status: 401, .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("API token"), "{refused}");
    let client = ServerClient::with_token(&server.url("/"), Some("lab-token".to_owned()));
    let started = client.resume_or_create(None).await.unwrap();
    assert_eq!(
        client
            .status(started.session_id())
            .await
            .unwrap()
            .session_id,
        started.session_id().to_string()
    );
}

#[tokio::test]
async fn voxels_arrive_the_same_compressed_or_not() {
    use std::sync::Arc;

    use interseg_viewer::client::volume::{Progress, UploadSource};

    let server = TestServer::spawn().await.unwrap();
    let plain = ServerClient::new(&server.url("/"));
    assert!(!plain.compresses_voxels(), "no compression over loopback");
    assert!(ServerClient::new("http://lab-server:8000").compresses_voxels());
    let gzipped = plain.clone().with_compressed_voxels(true);
    let session = plain.create_session().await.unwrap();
    let sample = UploadSource::Bytes {
        name: interseg_viewer::sample::FILE_NAME.to_owned(),
        bytes: interseg_viewer::sample::BYTES.to_vec(),
    };
    let progress = Arc::new(Progress::default());
    plain
        .upload(session, sample, Arc::clone(&progress))
        .await
        .unwrap();
    let sent = interseg_viewer::sample::BYTES.len() as u64;
    assert_eq!(progress.bytes(), (sent, sent), "the whole file was counted");

    let raw = plain
        .volume_voxels(session, Arc::new(Progress::default()))
        .await
        .unwrap();
    let fetched = Arc::new(Progress::default());
    let inflated = gzipped
        .volume_voxels(session, Arc::clone(&fetched))
        .await
        .unwrap();
    assert_eq!(raw.len(), 150 * 90 * 48 * 2);
    assert!(raw == inflated);
    let (on_wire, _) = fetched.bytes();
    assert!(
        on_wire < raw.len() as u64,
        "compressed on the wire: {on_wire}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_works_with_an_https_server_and_its_ca() {
    use std::sync::Arc;

    use interseg_viewer::client::volume::{Progress, UploadSource};

    let certificates = interseg_tests::tls::TestCertificates::generate().unwrap();
    let server = TestServer::spawn_tls(&certificates).await.unwrap();
    let url = server.url("/");
    let client = ServerClient::connect(&url, None, Some(&certificates.ca())).unwrap();
    let session = client.create_session().await.unwrap();
    let sample = UploadSource::Bytes {
        name: interseg_viewer::sample::FILE_NAME.to_owned(),
        bytes: interseg_viewer::sample::BYTES.to_vec(),
    };
    let progress = Arc::new(Progress::default());
    client.upload(session, sample, progress).await.unwrap();
    let info = client.volume_info(session).await.unwrap();
    assert!(info.shape.iter().all(|&n| n > 0), "{info:?}");
    // Without the CA the server is unreachable, and the error says where.
    let err = ServerClient::connect(&url, None, None)
        .unwrap()
        .create_session()
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
    // A CA file that is not one is refused before any request.
    let err = ServerClient::connect(&url, None, Some(&certificates.key())).unwrap_err();
    assert!(err.to_string().contains("CA file"), "{err}");
}

#[tokio::test]
async fn saving_a_dicom_result_adds_a_dicom_seg_and_a_nifti_one_does_not() {
    let server = TestServer::spawn().await.unwrap();
    let client = ServerClient::new(&server.url("/"));
    let dir = tempfile::tempdir().unwrap();
    let series = interseg_tests::workspace_root().join("assets/dicom/series.zip");
    let dicom = server.new_session().await.unwrap();
    dicom.upload_file(&series).await.unwrap();
    let (nifti, _) = server.session_with_volume().await.unwrap();
    for (session, name, seg) in [(&dicom, "ct.nii.gz", true), (&nifti, "mr.nii.gz", false)] {
        session.mark(2, 1, 1, 1).await.unwrap();
        let run = session.post("/api/run_segmentation").await.unwrap();
        assert_eq!(run.status, 200, "{}", run.json);
        let target = dir.path().join(name);
        let saved = client
            .save_result(session.session_id.parse().unwrap(), &target, false)
            .await
            .unwrap();
        assert_eq!(saved.dicom_seg.is_some(), seg, "{name}");
        if let Some(path) = saved.dicom_seg {
            assert_eq!(path, dir.path().join("ct_seg.dcm"));
            let bytes = std::fs::read(path).unwrap();
            assert_eq!(&bytes[128..132], b"DICM", "a DICOM file");
        }
    }
}
