//! Legacy slice answers are gzip-compressed for clients that ask (`Accept-Encoding: gzip`) and
//! plain JSON for those that do not, with the same content either way.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_shared::api::SESSION_HEADER;
use interseg_tests::TestServer;
use interseg_tests::phantom::{Ball, Phantom, gunzip};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slices_are_gzipped_only_when_the_client_asks() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let ball = Ball {
        center: [20.0, 20.0, 10.0],
        radius: 6.0,
    };
    let phantom = Phantom::balls([48, 40, 20], &[ball], 3);
    let upload = session
        .upload_bytes("ball.nii.gz", phantom.to_nii_gz([1.0; 3]))
        .await
        .unwrap();
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.json);
    let get = |gzip: bool| {
        let request = server
            .http
            .get(server.url("/api/slice/2/10"))
            .header(SESSION_HEADER, &session.session_id);
        let request = if gzip {
            request.header(ACCEPT_ENCODING, "gzip")
        } else {
            request
        };
        request.send()
    };
    let plain = get(false).await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let plain: serde_json::Value = serde_json::from_slice(&plain.bytes().await.unwrap()).unwrap();

    let packed = get(true).await.unwrap();
    assert_eq!(packed.status(), StatusCode::OK);
    assert_eq!(packed.headers().get(CONTENT_ENCODING).unwrap(), "gzip");
    let bytes = packed.bytes().await.unwrap();
    let unpacked: serde_json::Value = serde_json::from_slice(&gunzip(&bytes).unwrap()).unwrap();
    assert_eq!(unpacked, plain);
    assert!(bytes.len() < serde_json::to_vec(&plain).unwrap().len());
}
