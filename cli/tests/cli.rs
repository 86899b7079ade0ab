//! The `interseg` binary against a real server on a real socket: one line segments a scan
//! with two objects and writes the labels; a bad point and a missing token fail with the
//! server's reason and a non-zero exit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::path::Path;
use std::process::Output;

use interseg_tests::TestServer;
use interseg_tests::phantom::{Ball, Phantom, gunzip};

const TOKEN: &str = "lab-token";

/// Runs the binary off the runtime's threads (the server under test shares them).
async fn interseg(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_interseg"))
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn two_balls(dir: &Path) -> (Phantom, [Ball; 2], std::path::PathBuf) {
    let balls = [
        Ball {
            center: [12.0, 16.0, 14.0],
            radius: 6.0,
        },
        Ball {
            center: [30.0, 16.0, 14.0],
            radius: 5.0,
        },
    ];
    let phantom = Phantom::balls([44, 32, 28], &balls, 3);
    let scan = dir.join("scan.nii.gz");
    std::fs::write(&scan, phantom.to_nii_gz([1.0; 3])).unwrap();
    (phantom, balls, scan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segment_writes_one_label_per_point() {
    let server = TestServer::spawn_with(|c| c.api_token = Some(TOKEN.to_owned()))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (phantom, balls, scan) = two_balls(dir.path());
    let out = dir.path().join("labels.nii.gz");
    let labels_file = dir.path().join("labels.txt");
    let meshes = dir.path().join("meshes.zip");
    let point = |b: &Ball| {
        let [i, j, k] = b.center_voxel();
        format!("{i},{j},{k}")
    };
    let run = interseg(vec![
        "--server".into(),
        server.url(""),
        "--token".into(),
        TOKEN.into(),
        "segment".into(),
        scan.display().to_string(),
        "--point".into(),
        format!("{}@11", point(&balls[0])),
        "--point".into(),
        format!("{}@36", point(&balls[1])),
        "--naming".into(),
        "fdi".into(),
        "--out".into(),
        out.display().to_string(),
        "--labels-file".into(),
        labels_file.display().to_string(),
        "--meshes".into(),
        meshes.display().to_string(),
    ])
    .await;
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("labels [11, 36]"), "{stderr}");
    let raw = gunzip(&std::fs::read(&out).unwrap()).unwrap();
    let labels = &raw[352..];
    assert_eq!(labels.len(), phantom.truth.len());
    // Ball 1 is label 11 and ball 2 label 36.
    let agree = labels
        .iter()
        .zip(&phantom.truth)
        .filter(|&(&l, &t)| l == [0, 11, 36][usize::from(t)])
        .count();
    assert!(
        agree * 1000 >= labels.len() * 995,
        "{agree} of {} voxels agree",
        labels.len()
    );
    let text = std::fs::read_to_string(&labels_file).unwrap();
    assert!(text.contains("ITK-SnAP Label Description File"), "{text}");
    assert!(
        text.contains("\"Tooth 36: lower left first molar\""),
        "{text}"
    );
    let zipped = std::fs::read(&meshes).unwrap();
    let listing = String::from_utf8_lossy(&zipped);
    assert!(zipped.starts_with(b"PK") && listing.contains("label_36.stl"));
    // The session was removed afterwards.
    let list = interseg(args(&[
        "--server",
        &server.url(""),
        "--token",
        TOKEN,
        "sessions",
    ]))
    .await;
    assert!(list.status.success());
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_say_why_and_exit_non_zero() {
    let server = TestServer::spawn_with(|c| c.api_token = Some(TOKEN.to_owned()))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, _, scan) = two_balls(dir.path());
    let out = dir.path().join("labels.nii.gz");
    let base = |token: &str, point: &str| {
        args(&[
            "--server",
            &server.url(""),
            "--token",
            token,
            "segment",
            &scan.display().to_string(),
            "--point",
            point,
            "--out",
            &out.display().to_string(),
        ])
    };
    let no_token = interseg(base("wrong", "12,16,14")).await;
    assert!(!no_token.status.success());
    assert!(
        String::from_utf8_lossy(&no_token.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&no_token.stderr)
    );
    let outside = interseg(base(TOKEN, "12,16,400")).await;
    let stderr = String::from_utf8_lossy(&outside.stderr);
    assert!(!outside.status.success());
    assert!(
        stderr.contains("12, 16, 400") && stderr.contains("answered 4"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written on failure");
    let malformed = interseg(base(TOKEN, "12,16")).await;
    assert!(!malformed.status.success());
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("I,J,K"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segment_works_over_https_with_a_ca_file() {
    let certificates = interseg_tests::tls::TestCertificates::generate().unwrap();
    let server = TestServer::spawn_tls(&certificates).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, balls, scan) = two_balls(dir.path());
    let out = dir.path().join("labels.nii.gz");
    let [i, j, k] = balls[0].center_voxel();
    let ca = certificates.ca().display().to_string();
    let run = interseg(args(&[
        "--server",
        &server.url(""),
        "--ca-file",
        &ca,
        "segment",
        &scan.display().to_string(),
        "--point",
        &format!("{i},{j},{k}"),
        "--out",
        &out.display().to_string(),
    ]))
    .await;
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.exists());
    // Without the CA, the certificate is not trusted: a clear failure.
    let untrusted = interseg(args(&["--server", &server.url(""), "sessions"])).await;
    assert!(!untrusted.status.success());
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert!(stderr.contains("cannot reach the server"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dicom_series_gives_a_dicom_seg_and_a_slicer_file() {
    let server = TestServer::spawn().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let series = interseg_tests::workspace_root().join("assets/dicom/series.zip");
    let (seg, slicer) = (dir.path().join("seg.dcm"), dir.path().join("seg.seg.nrrd"));
    let out = dir.path().join("labels.nii.gz");
    let run = interseg(args(&[
        "--server",
        &server.url(""),
        "segment",
        &series.display().to_string(),
        "--point",
        "5,6,3",
        "--out",
        &out.display().to_string(),
        "--dicom-seg",
        &seg.display().to_string(),
        "--slicer",
        &slicer.display().to_string(),
    ]))
    .await;
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(&std::fs::read(&seg).unwrap()[128..132], b"DICM");
    assert!(std::fs::read(&slicer).unwrap().starts_with(b"NRRD0004"));
    // A NIfTI scan has no series to refer to: refused before anything is uploaded.
    let (_, _, scan) = two_balls(dir.path());
    let refused = interseg(args(&[
        "--server",
        &server.url(""),
        "segment",
        &scan.display().to_string(),
        "--point",
        "12,16,14",
        "--out",
        &dir.path().join("other.nii.gz").display().to_string(),
        "--dicom-seg",
        &dir.path().join("other.dcm").display().to_string(),
    ]))
    .await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("needs a DICOM scan"), "{stderr}");
}
