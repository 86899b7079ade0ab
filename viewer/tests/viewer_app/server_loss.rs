//! A server that goes away: the viewer says so, keeps its window, and picks the session up
//! again when the server is back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use egui::Modifiers;
use egui_kittest::kittest::Queryable as _;
use interseg_tests::TestServer;
use interseg_tests::dental::DentalPhantom;
use interseg_viewer::config::ConfigFile;

use super::common::wait_for;
use super::steps::{click_voxel, open_the_sample, open_viewer};

#[test]
fn a_server_that_goes_away_is_reported_and_not_fatal() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let home = tempfile::tempdir().unwrap();
    let settings = ConfigFile::at(home.path().join("viewer.json"));
    let mut harness = open_viewer(&url, &settings);
    wait_for(&mut harness, "the connection error", |app| {
        app.document().connection_lost
    });
    let message = harness.state().message().cloned().unwrap();
    assert!(message.is_error);
    assert!(message.text.contains("does not answer"), "{}", message.text);
    // The window keeps working: the start screen is still there.
    harness.get_by_label("Open the sample (dental CT phantom)");
}

#[test]
fn a_lost_server_is_retried_and_the_session_picked_up_when_it_is_back() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = runtime
        .block_on(TestServer::spawn_in(data.path(), |_| {}))
        .unwrap();
    let addr = server.addr;
    let home = tempfile::tempdir().unwrap();
    let settings = ConfigFile::at(home.path().join("viewer.json"));
    let mut harness = open_viewer(&server.url("/"), &settings);
    open_the_sample(&mut harness);
    let session = harness.state().session_id().unwrap();

    // The server goes away: a click fails, plainly, and the viewer keeps its volume.
    runtime.block_on(server.stop()).unwrap();
    let tooth = DentalPhantom::new(16, 1.0, 7).teeth[5].click();
    click_voxel(&mut harness, tooth, Modifiers::NONE);
    wait_for(&mut harness, "the lost connection", |app| {
        app.document().connection_lost
    });
    let message = harness.state().message().cloned().unwrap();
    assert!(
        message.is_error && message.text.contains("retrying"),
        "{message:?}"
    );
    harness.get_by_label("Connection lost, retrying…");
    assert!(harness.state().document().volume.is_some());

    // It comes back on the same address with its data: the viewer notices by itself and
    // carries on in the same session.
    let _back = runtime
        .block_on(TestServer::spawn_at(data.path(), addr, |_| {}))
        .unwrap();
    wait_for(&mut harness, "the reconnection", |app| {
        !app.document().connection_lost && app.document().volume.is_some()
    });
    assert_eq!(harness.state().session_id(), Some(session));
    click_voxel(&mut harness, tooth, Modifiers::NONE);
    wait_for(&mut harness, "the point after reconnecting", |app| {
        app.document().prompts.len() == 1
    });
}
