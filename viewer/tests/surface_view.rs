//! The 3D view on a real wgpu device (Mesa's lavapipe when there is no GPU): the sample,
//! segmented by the built-in engine, drawn as lit surfaces (kept as a small snapshot); and in
//! the real viewer against a real server, a click on a tooth's surface moves the crosshair,
//! and with it the three slices, to that tooth.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

mod common;

use std::collections::BTreeSet;

use common::wait_for;
use egui::{Modifiers, PointerButton, Pos2, Rect, vec2};
use egui_kittest::wgpu::{WgpuTestRenderer, create_render_state, default_wgpu_setup};
use egui_kittest::{Harness, SnapshotResults};
use interseg_server::segmentation::classical::ClassicalEngine;
use interseg_server::segmentation::{Engine, LabelPrompt, RunControl};
use interseg_server::volume::nifti::geometry::world_from_voxel;
use interseg_server::volume::{LoadLimits, load_nifti};
use interseg_tests::TestServer;
use interseg_tests::dental::DentalPhantom;
use interseg_viewer::ViewerApp;
use interseg_viewer::config::ConfigFile;
use interseg_viewer::render::{SurfaceCallback, SurfaceRenderer};
use interseg_viewer::surfaces::{Orbit, Surfaces, build, world_bounds};
use interseg_viewer::view::Layout;

/// The sample's teeth: the phantom it was made from.
fn teeth() -> DentalPhantom {
    DentalPhantom::new(16, 1.0, 7)
}

#[test]
fn the_segmented_sample_is_drawn_as_lit_surfaces() {
    // The sample, segmented with one click per tooth by the built-in engine.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(interseg_viewer::sample::FILE_NAME);
    std::fs::write(&path, interseg_viewer::sample::BYTES).unwrap();
    let loaded = load_nifti(
        &path,
        LoadLimits {
            max_voxels: u64::MAX,
        },
    )
    .unwrap();
    let prompts: Vec<LabelPrompt> = teeth()
        .teeth
        .iter()
        .enumerate()
        .map(|(n, tooth)| LabelPrompt {
            label: n as u8 + 1,
            include: vec![tooth.click()],
            ..LabelPrompt::default()
        })
        .collect();
    let labels = ClassicalEngine::default()
        .segment(loaded.scan(), &prompts, None, &RunControl::default())
        .unwrap();
    let dims = loaded.volume.dims();
    let affine = world_from_voxel(&loaded.header);
    let surfaces = build(&labels.labels, dims, &affine, &Surfaces::default());
    assert_eq!(surfaces.labels.len(), 16, "a surface per tooth");

    let state = create_render_state(
        default_wgpu_setup(),
        eframe::egui_wgpu::RendererOptions::PREDICTABLE,
    );
    let gpu = SurfaceRenderer::new(&state);
    gpu.upload(&surfaces, &BTreeSet::new());
    let (centre, radius) = world_bounds(dims, &affine);
    let size = vec2(240.0, 160.0);
    let orbit = Orbit::default();
    let mut clip_from_world = [0.0; 16];
    clip_from_world.copy_from_slice(
        orbit
            .clip_from_world(size.x / size.y, centre, radius)
            .as_slice(),
    );
    let mut harness = Harness::builder()
        .with_size(size)
        .renderer(WgpuTestRenderer::from_render_state(state))
        .build_ui(move |ui| {
            ui.painter()
                .add(eframe::egui_wgpu::Callback::new_paint_callback(
                    Rect::from_min_size(Pos2::ZERO, size),
                    SurfaceCallback {
                        clip_from_world,
                        light: orbit.forward(),
                        size_px: [240, 160],
                    },
                ));
        });
    harness.run();
    let image = harness.render().unwrap();
    // The teeth cover a good part of the view, in their labels' colours, shaded.
    let background = image.get_pixel(0, 0).0;
    let drawn = image.pixels().filter(|p| p.0 != background).count();
    let share = drawn as f64 / (240.0 * 160.0);
    assert!(share > 0.05, "surfaces cover {share:.3} of the view");
    let mut snapshots = SnapshotResults::new();
    harness.snapshot("surfaces_sample");
    snapshots.extend_harness(&mut harness);
    snapshots.unwrap();
}

#[test]
fn clicking_a_tooth_in_3d_moves_the_slices_to_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::spawn()).unwrap();
    let phantom = teeth();
    // A script uploads the sample, marks every tooth and segments.
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
        for tooth in &phantom.teeth {
            let [i, j, k] = tooth.click();
            script.mark(2, k, j, i).await.unwrap();
        }
        let run = script.post("/api/run_segmentation").await.unwrap();
        assert_eq!(run.status, 200, "{}", run.json);
        script
    });
    let home = tempfile::tempdir().unwrap();
    let settings = ConfigFile::at(home.path().join("viewer.json"));
    let url = server.url("/").trim_end_matches('/').to_owned();
    let mut config = settings.load();
    config.server_url = Some(url.clone());
    let mut harness = Harness::builder()
        .with_size(vec2(1000.0, 700.0))
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
        });
    wait_for(&mut harness, "the session", |app| {
        app.session_id().is_some()
    });
    harness
        .state_mut()
        .open_session(script.session_id.parse().unwrap());
    wait_for(&mut harness, "the surfaces", |app| {
        app.surfaces().labels.len() == 16
    });
    harness.state_mut().view_mut().layout = Layout::Surfaces;
    harness.step();
    harness.step();
    // The crown of a tooth at the back of the arch, seen from the front.
    let tooth = 7;
    let crown = phantom.teeth[tooth].click();
    let world = harness
        .state()
        .document()
        .volume
        .as_ref()
        .unwrap()
        .world_from_voxel(crown);
    let pos = harness.state().surface_screen_pos(world).unwrap();
    assert_ne!(
        harness.state().document().label_at(cursor_voxel(&harness)),
        tooth as u8 + 1,
        "the crosshair starts elsewhere"
    );
    harness.event(egui::Event::PointerMoved(pos));
    harness.step();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        harness.step();
    }
    let at = cursor_voxel(&harness);
    assert_eq!(
        harness.state().document().label_at(at),
        tooth as u8 + 1,
        "the crosshair went to {at:?}, not to tooth {}",
        tooth + 1
    );
    // The slices follow the crosshair: the axial one now shows the clicked voxel's slice.
    harness.state_mut().view_mut().layout = Layout::Three;
    harness.step();
    harness.step();
    let axial = harness
        .state()
        .mapping(interseg_viewer::orientation::Plane::Axial)
        .unwrap();
    assert_eq!(axial.slice, at[2]);
}

fn cursor_voxel(harness: &Harness<'_, ViewerApp>) -> [usize; 3] {
    harness
        .state()
        .view()
        .cursor
        .map(|x| x.max(0.0).floor() as usize)
}
