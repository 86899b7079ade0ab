//! What a user does in the window, as steps the flows share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use egui::{Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use interseg_viewer::ViewerApp;
use interseg_viewer::config::ConfigFile;
use interseg_viewer::orientation::Plane;

use super::common::wait_for;

/// Starts the viewer on `url`, remembering its session in `settings`.
pub fn open_viewer(url: &str, settings: &ConfigFile) -> Harness<'static, ViewerApp> {
    let url = url.trim_end_matches('/').to_owned();
    let settings = settings.clone();
    let mut config = settings.load();
    config.server_url = Some(url.clone());
    Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .wgpu()
        .build_eframe(move |cc| {
            ViewerApp::new(
                cc.egui_ctx.clone(),
                cc.wgpu_render_state.as_ref(),
                url,
                None,
                Some(settings),
                config,
            )
            .unwrap()
        })
}

/// Waits for the session, opens the sample from the start screen and waits for it; segments
/// only on request from then on.
pub fn open_the_sample(harness: &mut Harness<'_, ViewerApp>) {
    wait_for(harness, "the session", |app| app.session_id().is_some());
    harness
        .get_by_label("Open the sample (dental CT phantom)")
        .click();
    wait_for(harness, "the sample volume", |app| {
        app.document().volume.is_some()
    });
    harness.state_mut().set_auto_segment(false);
    harness.step();
}

/// A click (or Shift+click) at a screen position.
pub fn click(harness: &mut Harness<'_, ViewerApp>, pos: Pos2, modifiers: Modifiers) {
    harness.event(egui::Event::PointerMoved(pos));
    harness.step();
    for pressed in [true, false] {
        let event = egui::Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers,
        };
        harness.event_modifiers(event, modifiers);
        harness.step();
    }
}

/// Shows the axial slice through `voxel` and clicks on it.
pub fn click_voxel(harness: &mut Harness<'_, ViewerApp>, voxel: [usize; 3], modifiers: Modifiers) {
    harness.state_mut().view_mut().cursor[2] = voxel[2] as f32 + 0.5;
    harness.step();
    let mapping = harness
        .state()
        .mapping(Plane::Axial)
        .expect("the axial view is shown");
    assert_eq!(mapping.slice, voxel[2]);
    let pos = mapping.ui_from_voxel(voxel);
    assert_eq!(
        mapping.voxel_from_ui(pos),
        Some(voxel),
        "the mapping round-trips"
    );
    click(harness, pos, modifiers);
}

/// The share of the tooth's voxels that carry `label`.
pub fn recall(labels: &[u8], label: u8, truth: &[u8], tooth: u8) -> f64 {
    let hit = labels
        .iter()
        .zip(truth)
        .filter(|&(&l, &t)| l == label && t == tooth)
        .count();
    hit as f64 / truth.iter().filter(|&&t| t == tooth).count().max(1) as f64
}
