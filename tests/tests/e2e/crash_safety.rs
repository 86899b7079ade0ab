//! Inputs that once aborted the server or lost a session on restart. Each is answered cleanly,
//! the server stays up, and what the session held before is still there.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::phantom::{gzip, nifti_i16};
use interseg_tests::{TestServer, fixtures, workspace_root};
use reqwest::StatusCode;

/// 2000 nested undefined-length sequences (41 KB; zipped, 358 bytes). Parsing them by
/// recursion once overflowed a thread's stack and aborted the process: this test process, here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_dicom_is_refused_and_the_session_keeps_its_volume() {
    let server = TestServer::spawn().await.unwrap();
    let (session, good) = server.session_with_volume().await.unwrap();
    session.mark(2, 3, 2, 2).await.unwrap();

    for name in ["nested-sequences-2000.dcm", "nested-sequences-2000.zip"] {
        let path = workspace_root().join("assets/regressions").join(name);
        let answer = session.upload_file(&path).await.unwrap();
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            answer.json
        );
        assert!(
            answer.detail().contains("nest"),
            "{name}: the detail should say why: {}",
            answer.detail()
        );
    }
    let status = session.get("/api/status").await.unwrap();
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.json["file_info"]["shape"], good.json["shape"]);
    let points = session.get("/api/points").await.unwrap();
    assert_eq!(points.json["points"].as_array().unwrap().len(), 1);
}

/// A float32 volume whose voxels are 0..n with one +inf and one -inf among them.
fn float32_with_infinities(dims: [usize; 3]) -> Vec<u8> {
    let n = dims.iter().product::<usize>();
    let mut file = nifti_i16(dims, &[], [1.0, 1.0, 1.0]);
    file[70..72].copy_from_slice(&16i16.to_le_bytes()); // datatype float32
    file[72..74].copy_from_slice(&32i16.to_le_bytes()); // bitpix
    for v in 0..n {
        let value = match v {
            7 => f32::INFINITY,
            8 => f32::NEG_INFINITY,
            _ => v as f32,
        };
        file.extend_from_slice(&value.to_le_bytes());
    }
    file
}

/// An infinite voxel once went into `meta.json` as `null`; the next start could not read it
/// and deleted the whole session folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volume_with_infinite_voxels_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::spawn_in(data.path(), |_| {}).await.unwrap();
    let session = server.new_session().await.unwrap();
    let dims = [8, 6, 5];
    let upload = session
        .upload_bytes("inf.nii.gz", gzip(&float32_with_infinities(dims)))
        .await
        .unwrap();
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.json);
    let n = dims.iter().product::<usize>() - 1;
    assert_eq!(
        upload.json["data_range"],
        serde_json::json!([0.0, n as f64])
    );
    session.mark(2, 2, 3, 4).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (_, labels_before) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    let id = session.session_id.clone();
    server.stop().await.unwrap();

    let server = TestServer::spawn_in(data.path(), |_| {}).await.unwrap();
    let session = server.client_for(&id);
    let status = session.get("/api/status").await.unwrap();
    assert_eq!(status.status, StatusCode::OK, "{}", status.json);
    assert_eq!(status.json["file_info"]["shape"], upload.json["shape"]);
    let points = session.get("/api/points").await.unwrap();
    assert_eq!(points.json["points"].as_array().unwrap().len(), 1);
    let (code, labels_after) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    assert_eq!(code, StatusCode::OK);
    assert_eq!(labels_after, labels_before);
    // The slice with the infinities can still be viewed.
    let slice = session.get("/api/slice/2/0").await.unwrap();
    assert_eq!(slice.status, StatusCode::OK, "{}", slice.json);
}

/// Whatever startup cannot read is moved aside, never deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_keeps_the_files_of_a_session_it_cannot_read() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::spawn_in(data.path(), |_| {}).await.unwrap();
    let session = server.new_session().await.unwrap();
    let upload = session
        .upload_file(&fixtures::dir().join("int16_le_raw.nii.gz"))
        .await
        .unwrap();
    assert_eq!(upload.status, StatusCode::OK);
    let id = session.session_id.clone();
    server.stop().await.unwrap();
    let folder = data.path().join("sessions").join(&id);
    std::fs::write(folder.join("meta.json"), b"{ torn").unwrap();

    let server = TestServer::spawn_in(data.path(), |_| {}).await.unwrap();
    let gone = server.client_for(&id).get("/api/status").await.unwrap();
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let quarantine = folder.parent().unwrap().join("quarantine");
    let kept: Vec<_> = std::fs::read_dir(&quarantine)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1);
    let files: Vec<String> = std::fs::read_dir(&kept[0])
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|f| f.starts_with("volume-")),
        "the uploaded volume must be kept: {files:?}"
    );
    server.stop().await.unwrap();
}

/// A zip whose one entry inflates to `size` bytes of zeros (a few kilobytes on the wire).
fn zip_bomb(size: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("series/IM0001.dcm", options).unwrap();
    let block = vec![0u8; 1 << 20];
    for _ in 0..size / block.len() {
        zip.write_all(&block).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// Each zip entry once inflated to a fixed 1 GiB before any check, whatever the server's
/// limits: a 1 MB zip took a gigabyte. An entry is now bounded by one image within the voxel
/// limit, and refused past it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zip_bomb_is_refused_under_small_limits() {
    let server = TestServer::spawn_with(|c| c.max_voxels = 1_000_000)
        .await
        .unwrap();
    let (session, good) = server.session_with_volume().await.unwrap();
    let bomb = zip_bomb(64 << 20);
    assert!(bomb.len() < 1 << 20, "the bomb is small on the wire");
    let answer = session.upload_bytes("series.zip", bomb).await.unwrap();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.json);
    assert!(
        answer.detail().contains("inflates to more than"),
        "{}",
        answer.detail()
    );
    let status = session.get("/api/status").await.unwrap();
    assert_eq!(status.json["file_info"]["shape"], good.json["shape"]);
}
