//! The real viewer, driven through its UI with `egui_kittest` against a real server on a real
//! socket, rendering with wgpu (Mesa's lavapipe when there is no GPU): open the sample, mark
//! points by clicking on teeth, segment, see the result, undo, save, scroll without a single
//! request, and start again to find the session resumed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

#[path = "../common/mod.rs"]
mod common;
mod server_loss;
mod steps;

use steps::{click_voxel, open_the_sample, open_viewer, recall};

use common::wait_for;
use egui::{Key, Modifiers, PointerButton};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use interseg_tests::TestServer;
use interseg_tests::dental::DentalPhantom;
use interseg_viewer::ViewerApp;
use interseg_viewer::client::SessionStart;
use interseg_viewer::config::ConfigFile;
use interseg_viewer::document::SessionView;
use interseg_viewer::orientation::Plane;
use interseg_viewer::view::Layout;

#[test]
fn a_user_segments_teeth_saves_and_finds_the_session_again_after_a_restart() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::spawn()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let settings = ConfigFile::at(home.path().join("config/viewer.json"));
    let phantom = DentalPhantom::new(16, 1.0, 7);

    let mut harness = open_viewer(&server.url("/"), &settings);
    wait_for(&mut harness, "the session", |app| {
        app.session_id().is_some()
    });
    let session = harness.state().session_id().unwrap();
    assert!(matches!(
        harness.state().document().session,
        SessionView::Ready(SessionStart::Created { .. })
    ));

    // The start screen offers the sample; one click opens it.
    harness
        .get_by_label("Open the sample (dental CT phantom)")
        .click();
    wait_for(&mut harness, "the sample volume", |app| {
        app.document().volume.is_some()
    });
    let volume = harness.state().document().volume.clone().unwrap();
    assert_eq!(volume.dims(), phantom.dims);
    assert_eq!(volume.spacing(), [0.3, 0.3, 0.5]);
    harness.state_mut().set_auto_segment(false);
    harness.step();

    // Opening another (large) file and cancelling it leaves the sample in place.
    let big = home.path().join("big.nii");
    std::fs::write(&big, vec![0u8; 64 << 20]).unwrap();
    harness.state_mut().open_path(big);
    harness.step();
    assert!(harness.state().document().transfer.is_some());
    harness.get_by_label("Cancel").click();
    harness.run_steps(3);
    assert!(harness.state().document().transfer.is_none());
    assert!(
        harness
            .state()
            .message()
            .unwrap()
            .text
            .contains("cancelled")
    );
    let status = runtime
        .block_on(server.client_for(&session.to_string()).get("/api/status"))
        .unwrap();
    assert_eq!(
        status.json["file_info"]["filename"], "dental_phantom.nii.gz",
        "{:?}",
        status.json
    );
    assert_eq!(
        harness.state().document().volume_name.as_deref(),
        Some("dental_phantom.nii.gz")
    );

    // A click on a tooth is an include point of label 1; the next click goes to label 2.
    let (first, second) = (phantom.teeth[3].click(), phantom.teeth[9].click());
    click_voxel(&mut harness, first, Modifiers::NONE);
    wait_for(&mut harness, "the first point", |app| {
        app.document().prompts.len() == 1
    });
    assert_eq!(harness.state().view().current_label, 2);
    click_voxel(&mut harness, second, Modifiers::NONE);
    wait_for(&mut harness, "the second point", |app| {
        app.document().prompts.len() == 2
    });
    let prompts = &harness.state().document().prompts;
    assert_eq!(
        prompts
            .iter()
            .map(|p| (p.label, p.include))
            .collect::<Vec<_>>(),
        [(1, true), (2, true)]
    );
    assert_eq!(
        interseg_viewer::document::prompt_voxel(&prompts[0]),
        Some(first)
    );

    // Segment: the overlay arrives and matches the teeth clicked.
    harness.get_by_label("Segment").click();
    wait_for(&mut harness, "the result", |app| {
        app.document().results_shown >= 1 && app.document().job.is_none()
    });
    let labels = harness.state().document().labels.clone().unwrap();
    // Two clicks among sixteen touching teeth: each label covers its tooth (and may spread
    // into unclaimed neighbours until they get clicks of their own).
    assert!(
        recall(&labels, 1, &phantom.truth, 4) > 0.95,
        "tooth 4 found"
    );
    assert!(
        recall(&labels, 2, &phantom.truth, 10) > 0.95,
        "tooth 10 found"
    );
    let (status, on_server) = runtime
        .block_on(
            server
                .client_for(&session.to_string())
                .get_bytes("/api/segmentation/voxels"),
        )
        .unwrap();
    assert_eq!(status, 200);
    assert!(labels == on_server, "the overlay is the server's result");
    assert_eq!(harness.state().document().label_at(first), 1);
    // And the user sees it: the tooth is drawn red (label 1) beside its point's marker.
    let beside = [first[0] - 3, first[1], first[2]];
    assert_eq!(harness.state().document().label_at(beside), 1);
    let at = harness
        .state()
        .mapping(Plane::Axial)
        .unwrap()
        .ui_from_voxel(beside);
    let image = harness.render().unwrap();
    let [r, g, b, _] = image.get_pixel(at.x as u32, at.y as u32).0;
    assert!(
        r > g.saturating_add(60) && r > b.saturating_add(60),
        "{:?}",
        [r, g, b]
    );

    // Shift+click on the first tooth: an exclude point for the object under it.
    click_voxel(&mut harness, first, Modifiers::SHIFT);
    wait_for(&mut harness, "the exclude point", |app| {
        app.document().prompts.len() == 3
    });
    let exclude = harness.state().document().prompts[2].clone();
    assert_eq!((exclude.label, exclude.include), (1, false));

    // Ctrl+Z takes it back; Ctrl+Shift+Z would redo it.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    wait_for(&mut harness, "undo", |app| {
        app.document().prompts.len() == 2
    });
    assert!(harness.state().document().can_redo);

    // Scrolling, keys and the wheel, never asks the server for anything.
    let requests = harness.state().requests_sent();
    let before = harness.state().view().cursor[2] as usize;
    for _ in 0..3 {
        harness.key_press(Key::D);
    }
    harness.event(egui::Event::PointerMoved(
        harness.state().mapping(Plane::Axial).unwrap().rect.center(),
    ));
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, 1.0),
        modifiers: Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    harness.run_steps(4);
    let after = harness.state().view().cursor[2] as usize;
    assert_eq!(
        after,
        before + 3 - 1,
        "three slices up by key, one down by wheel"
    );
    assert_eq!(harness.state().requests_sent(), requests);

    // Save: the label volume and the label file, where the user asked, and the teeth's
    // surfaces for printing.
    let target = home.path().join("jaw_segmentation.nii.gz");
    harness.state_mut().set_save_path(&target);
    harness.get_by_label("with STL meshes").click();
    harness.step();
    harness.get_by_label("Save").click();
    wait_for(&mut harness, "the saved files", |app| {
        app.message().is_some_and(|m| m.text.starts_with("Saved"))
    });
    let saved = std::fs::read(&target).unwrap();
    assert_eq!(&saved[..2], &[0x1f, 0x8b], "a gzip-compressed NIfTI");
    let label_file =
        std::fs::read_to_string(home.path().join("jaw_segmentation_labels.txt")).unwrap();
    assert!(
        label_file.contains("ITK-SnAP Label Description File"),
        "{label_file}"
    );
    assert!(
        label_file.contains("\"#1\"") && label_file.contains("\"#2\""),
        "{label_file}"
    );
    let meshes = std::fs::read(home.path().join("jaw_segmentation_meshes.zip")).unwrap();
    assert_eq!(&meshes[..2], b"PK", "a zip");
    let listing = String::from_utf8_lossy(&meshes);
    assert!(
        listing.contains("label_1.stl") && listing.contains("label_2.stl"),
        "one STL per tooth"
    );

    // View preferences are remembered too.
    harness.get_by_label("Single view").click();
    let stored = settings.clone();
    wait_for(&mut harness, "the saved preferences", move |_| {
        stored.load().single_view
    });

    // Quit and start again: the same session, with its volume, points and result.
    drop(harness);
    let mut harness = open_viewer(&server.url("/"), &settings);
    wait_for(&mut harness, "the resumed session and its result", |app| {
        app.document().volume.is_some() && app.document().results_shown >= 1
    });
    assert_eq!(
        harness.state().document().session,
        SessionView::Ready(SessionStart::Resumed(session))
    );
    assert_eq!(harness.state().document().prompts.len(), 2);
    assert_eq!(harness.state().document().label_at(first), 1);
    assert_eq!(harness.state().view().layout, Layout::Single);
    assert!(
        harness
            .state()
            .message()
            .is_some_and(|m| m.text.contains("resumed")),
        "{:?}",
        harness.state().message()
    );
    drop(harness);
    drop(server);
}

#[test]
fn ctrl_drag_draws_a_box_around_an_object() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::spawn()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let settings = ConfigFile::at(home.path().join("viewer.json"));
    let mut harness = open_viewer(&server.url("/"), &settings);
    open_the_sample(&mut harness);
    let tooth = DentalPhantom::new(16, 1.0, 7).teeth[7].click();
    harness.state_mut().view_mut().cursor[2] = tooth[2] as f32 + 0.5;
    harness.step();
    let mapping = harness.state().mapping(Plane::Axial).unwrap();
    let (a, b) = (
        [tooth[0] - 6, tooth[1] - 5, tooth[2]],
        [tooth[0] + 6, tooth[1] + 5, tooth[2]],
    );
    let (from, to) = (mapping.ui_from_voxel(a), mapping.ui_from_voxel(b));
    let ctrl = Modifiers::COMMAND;
    harness.event_modifiers(egui::Event::PointerMoved(from), ctrl);
    harness.step();
    harness.event_modifiers(
        egui::Event::PointerButton {
            pos: from,
            button: PointerButton::Primary,
            pressed: true,
            modifiers: ctrl,
        },
        ctrl,
    );
    harness.step();
    for t in [0.3, 0.7, 1.0] {
        harness.event_modifiers(egui::Event::PointerMoved(from + (to - from) * t), ctrl);
        harness.step();
    }
    assert!(harness.state().document().prompts.is_empty());
    harness.event_modifiers(
        egui::Event::PointerButton {
            pos: to,
            button: PointerButton::Primary,
            pressed: false,
            modifiers: ctrl,
        },
        ctrl,
    );
    harness.step();
    wait_for(&mut harness, "the box", |app| {
        app.document().prompts.len() == 1
    });
    let prompt = harness.state().document().prompts[0].clone();
    assert_eq!(
        (prompt.label, prompt.include, prompt.kind.name()),
        (1, true, "box")
    );
    let (axis, slice, lo, hi) = interseg_viewer::document::prompt_box(&prompt).unwrap();
    assert_eq!((axis, slice), (2, tooth[2]));
    let corners =
        |p: [usize; 3], q: [usize; 3]| [0, 1, 2].map(|n| (p[n].min(q[n]), p[n].max(q[n])));
    assert_eq!(corners(lo, hi), corners(a, b));
    // The crosshair did not move: a box drag is not navigation.
    assert_eq!(harness.state().view().cursor[0], volume_centre(&harness, 0));

    // Opening another file now would replace the box: the viewer asks first.
    harness.get_by_label("Open sample").click();
    harness.run_steps(2);
    harness.get_by_label("Keep the current volume").click();
    harness.run_steps(2);
    assert!(harness.state().document().transfer.is_none());
    assert_eq!(harness.state().document().prompts.len(), 1);
    harness.get_by_label("Open sample").click();
    harness.run_steps(2);
    harness.get_by_label("Replace").click();
    wait_for(&mut harness, "the reopened sample", |app| {
        app.document().prompts.is_empty() && app.document().transfer.is_none()
    });
}

fn volume_centre(harness: &Harness<'_, ViewerApp>, axis: usize) -> f32 {
    harness.state().document().volume.as_ref().unwrap().dims()[axis] as f32 / 2.0
}

#[test]
fn a_session_made_by_a_script_opens_in_the_viewer_by_its_id() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::spawn()).unwrap();
    // A script uploads the sample and marks a tooth with the original API.
    let tooth = DentalPhantom::new(16, 1.0, 7).teeth[2].click();
    let script = runtime.block_on(async {
        let script = server.new_session().await.unwrap();
        let answer = script
            .upload_bytes(
                interseg_viewer::sample::FILE_NAME,
                interseg_viewer::sample::BYTES.to_vec(),
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        // Axis 2 (k): x is the column (j), y the row (i).
        script.mark(2, tooth[2], tooth[1], tooth[0]).await.unwrap();
        // Teeth named by FDI numbers.
        let named = script
            .http
            .put(format!("{}/api/naming", script.base))
            .header("X-Session-ID", &script.session_id)
            .json(&serde_json::json!({"naming": "fdi"}))
            .send()
            .await
            .unwrap();
        assert_eq!(named.status(), 200);
        script
    });
    let home = tempfile::tempdir().unwrap();
    let settings = ConfigFile::at(home.path().join("viewer.json"));
    let mut harness = open_viewer(&server.url("/"), &settings);
    wait_for(&mut harness, "the session", |app| {
        app.session_id().is_some()
    });
    harness
        .state_mut()
        .open_session(script.session_id.parse().unwrap());
    wait_for(&mut harness, "the script's session", |app| {
        app.document().volume.is_some() && app.document().legacy_points.len() == 1
    });
    assert_eq!(
        harness.state().document().session,
        SessionView::Ready(SessionStart::Resumed(script.session_id.parse().unwrap()))
    );
    // The viewer names labels as the session does, and the user can switch to Universal.
    wait_for(&mut harness, "the session's naming", |app| {
        app.document().naming == interseg_shared::naming::LabelNaming::Fdi
    });
    harness
        .state_mut()
        .set_naming(interseg_shared::naming::LabelNaming::Universal);
    harness.step();
    let naming = runtime.block_on(async {
        for _ in 0..100 {
            let answer = script.get("/api/naming").await.unwrap();
            if answer.json["naming"] == "universal" {
                return answer.json;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the viewer did not store the naming");
    });
    assert_eq!(naming["names"][0]["name"], "Lower jaw", "{naming}");
    let point = harness.state().document().legacy_points[0].clone();
    assert_eq!((point.label, point.include), (1, true));
    assert_eq!(interseg_viewer::document::prompt_voxel(&point), Some(tooth));
    // The next click would be a new object.
    assert_eq!(harness.state().view().current_label, 2);
    // Segmenting in the viewer uses the script's point.
    harness.state_mut().set_auto_segment(false);
    harness.get_by_label("Segment").click();
    wait_for(&mut harness, "the result", |app| {
        app.document().results_shown >= 1 && app.document().job.is_none()
    });
    assert_eq!(harness.state().document().label_at(tooth), 1);
    // The finished tooth is locked; the server keeps the lock and the label panel shows it.
    harness.state_mut().set_locked(1, true);
    harness.step();
    let locks = runtime.block_on(async {
        for _ in 0..100 {
            let answer = script.get("/api/locks").await.unwrap();
            if answer.json["locked"] == serde_json::json!([1]) {
                return answer.json;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the viewer did not store the lock");
    });
    assert_eq!(locks["locked"], serde_json::json!([1]));
    wait_for(&mut harness, "the lock", |app| app.document().locked == [1]);
    harness.get_by_label("Locked");
    // Its point can be removed from the viewer too.
    harness.state_mut().remove_legacy_point(1);
    wait_for(&mut harness, "the removal", |app| {
        app.document().legacy_points.is_empty()
    });
    let left = runtime.block_on(script.get("/api/points")).unwrap();
    assert_eq!(left.json["total_points"], 0);
    // And it is the one the viewer comes back to.
    let stored = settings.clone();
    let id = script.session_id.as_str().to_owned();
    wait_for(&mut harness, "the saved session", move |_| {
        stored.load().sessions.values().any(|s| *s == id)
    });
}
