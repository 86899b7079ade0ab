//! The slice shader on a real wgpu device (Mesa's lavapipe when there is no GPU): window/level,
//! label overlay and visibility, voxel spacing and orientation, checked on pixels of the
//! rendered image and kept as small snapshots in `tests/snapshots/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use eframe::egui_wgpu;
use egui::{Pos2, Rect, Vec2, pos2, vec2};
use egui_kittest::wgpu::{WgpuTestRenderer, create_render_state, default_wgpu_setup};
use egui_kittest::{Harness, SnapshotResults};
use interseg_shared::api::volume::VolumeInfo;
use interseg_shared::voxel_type::VoxelType;
use interseg_viewer::gpu_bridge::{GpuBridge, Written};
use interseg_viewer::orientation::Plane;
use interseg_viewer::render::SliceRenderer;
use interseg_viewer::slice_mapping::SliceMapping;
use interseg_viewer::ui::slice_paint;
use interseg_viewer::view::{ViewState, WindowLevel};
use interseg_viewer::volume_data::VolumeData;

const DIMS: [usize; 3] = [24, 16, 8];
const SPACING: [f64; 3] = [1.0, 1.0, 3.0];
const CELL: f32 = 96.0;

/// Values 100·i (a gradient along i); RAS affine with thick slices.
fn volume() -> VolumeData {
    let mut raw = Vec::new();
    for _k in 0..DIMS[2] {
        for _j in 0..DIMS[1] {
            for i in 0..DIMS[0] {
                raw.extend_from_slice(&(100 * i as i16).to_le_bytes());
            }
        }
    }
    VolumeData::decode(ras_info(DIMS, VoxelType::I16, SPACING), &raw).unwrap()
}

/// A volume description with a diagonal (RAS) affine of the spacing.
fn ras_info(shape: [usize; 3], dtype: VoxelType, spacing_mm: [f64; 3]) -> VolumeInfo {
    VolumeInfo {
        shape,
        dtype,
        scl_slope: 1.0,
        scl_inter: 0.0,
        data_range: [0.0, 0.0],
        spacing_mm,
        affine: [
            [spacing_mm[0], 0.0, 0.0, 0.0],
            [0.0, spacing_mm[1], 0.0, 0.0],
            [0.0, 0.0, spacing_mm[2], 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ],
    }
}

/// Label 1 on i in 2..6; label 2 on i in 16..20.
fn labels() -> Vec<u8> {
    let mut labels = vec![0; DIMS.iter().product()];
    for (n, label) in labels.iter_mut().enumerate() {
        *label = match n % DIMS[0] {
            2..6 => 1,
            16..20 => 2,
            _ => 0,
        };
    }
    labels
}

/// Renders the three planes side by side; returns the image and each plane's mapping.
fn render(
    snapshots: &mut SnapshotResults,
    name: &str,
    view: &ViewState,
    labels: Option<&[u8]>,
) -> (image::RgbaImage, Vec<SliceMapping>) {
    let (image, mappings, harness) = render_volume(volume(), view, labels);
    let mut harness = harness;
    harness.snapshot(name);
    snapshots.extend_harness(&mut harness);
    (image, mappings)
}

/// Renders the three planes of `volume` side by side.
fn render_volume(
    volume: VolumeData,
    view: &ViewState,
    labels: Option<&[u8]>,
) -> (image::RgbaImage, Vec<SliceMapping>, Harness<'static>) {
    let state = create_render_state(
        default_wgpu_setup(),
        egui_wgpu::RendererOptions::PREDICTABLE,
    );
    let renderer = SliceRenderer::new(&state);
    renderer.upload_volume(&volume).unwrap();
    renderer.upload_labels(labels).unwrap();
    draw(state, volume, view)
}

/// Renders the three planes of `volume` with what `state`'s GPU holds.
fn draw(
    state: egui_wgpu::RenderState,
    volume: VolumeData,
    view: &ViewState,
) -> (image::RgbaImage, Vec<SliceMapping>, Harness<'static>) {
    let mappings: Vec<SliceMapping> = Plane::ALL
        .iter()
        .enumerate()
        .map(|(n, &plane)| {
            let rect = Rect::from_min_size(pos2(n as f32 * CELL, 0.0), Vec2::splat(CELL));
            SliceMapping::new(rect, plane, &volume, view)
        })
        .collect();
    let drawn = mappings.clone();
    let view = view.clone();
    let mut harness = Harness::builder()
        .with_size(vec2(3.0 * CELL, CELL))
        .renderer(WgpuTestRenderer::from_render_state(state))
        .build_ui(move |ui| {
            for (plane, mapping) in Plane::ALL.iter().zip(&drawn) {
                ui.painter()
                    .add(slice_paint(*plane, mapping, &volume, &view));
            }
        });
    harness.run();
    let image = harness.render().unwrap();
    (image, mappings, harness)
}

fn pixel(image: &image::RgbaImage, at: Pos2) -> [u8; 3] {
    let p = image.get_pixel(at.x as u32, at.y as u32);
    [p[0], p[1], p[2]]
}

fn close(got: [u8; 3], want: [f32; 3]) -> bool {
    got.iter()
        .zip(want)
        .all(|(&g, w)| (f32::from(g) - w).abs() <= 3.0)
}

fn centred_view() -> ViewState {
    let mut view = ViewState {
        cursor: DIMS.map(|n| n as f32 / 2.0),
        ..ViewState::default()
    };
    view.window = WindowLevel::from_range([0.0, 2000.0]);
    view
}

#[test]
fn window_level_maps_values_to_grey_and_spacing_keeps_proportions() {
    let mut snapshots = SnapshotResults::new();
    let view = centred_view();
    let (image, mappings) = render(&mut snapshots, "slices_window", &view, None);
    let axial = &mappings[0];
    // 100·i through a 0…2000 window: i = 5 is a quarter grey, i = 22 saturates.
    for (i, grey) in [(5, 255.0 * 0.25), (10, 127.5), (22, 255.0), (0, 0.0)] {
        let at = axial.ui_from_voxel([i, 8, 4]);
        assert!(
            close(pixel(&image, at), [grey; 3]),
            "i = {i}: {:?}",
            pixel(&image, at)
        );
    }
    // Patient's right (i grows toward it) is on the screen's left.
    assert!(axial.ui_from_voxel([20, 8, 4]).x < axial.ui_from_voxel([3, 8, 4]).x);
    // Square voxels in the axial plane: 24 × 16 mm fill the width, leaving black bands.
    let size = axial.voxel_size_ui();
    assert!(
        (size.x - size.y).abs() < 1e-3 && (size.x - 4.0).abs() < 1e-3,
        "{size:?}"
    );
    assert_eq!(pixel(&image, pos2(CELL / 2.0, 4.0)), [0, 0, 0]);
    // 3 mm slices are three times as tall as wide in the coronal view.
    let coronal = mappings[1].voxel_size_ui();
    assert!((coronal.y / coronal.x - 3.0).abs() < 1e-3, "{coronal:?}");

    // A narrower window raises the contrast.
    let mut narrow = centred_view();
    narrow.window = WindowLevel::from_range([900.0, 1100.0]);
    let (image, mappings) = render(&mut snapshots, "slices_window_narrow", &narrow, None);
    let at = |i| pixel(&image, mappings[0].ui_from_voxel([i, 8, 4]));
    assert_eq!(at(8), [0, 0, 0]);
    assert!(close(at(10), [127.5; 3]), "{:?}", at(10));
    assert_eq!(at(12), [255, 255, 255]);
    snapshots.unwrap();
}

#[test]
fn labels_blend_in_their_colours_and_hidden_ones_vanish() {
    let mut snapshots = SnapshotResults::new();
    let labels = labels();
    let mut view = centred_view();
    view.label_opacity = 0.5;
    let (image, mappings) = render(&mut snapshots, "slices_overlay", &view, Some(&labels));
    let axial = &mappings[0];
    // Label 1 (red) over i = 4 (grey 0.2): half red, half grey.
    let grey = 255.0 * 0.2;
    let want = [(255.0 + grey) / 2.0, grey / 2.0, grey / 2.0];
    let got = pixel(&image, axial.ui_from_voxel([4, 8, 4]));
    assert!(close(got, want), "{got:?} vs {want:?}");
    // Label 2 (green) over i = 18 (grey 0.9).
    let grey = 255.0 * 0.9;
    let got = pixel(&image, axial.ui_from_voxel([18, 8, 4]));
    assert!(
        close(got, [grey / 2.0, (255.0 + grey) / 2.0, grey / 2.0]),
        "{got:?}"
    );
    // Unlabelled voxels stay grey.
    let got = pixel(&image, axial.ui_from_voxel([10, 8, 4]));
    assert!(close(got, [127.5; 3]), "{got:?}");

    // Hiding label 2 shows the grey beneath it; label 1 stays.
    view.hidden_labels.insert(2);
    let (image, mappings) = render(
        &mut snapshots,
        "slices_overlay_hidden",
        &view,
        Some(&labels),
    );
    let got = pixel(&image, mappings[0].ui_from_voxel([18, 8, 4]));
    assert!(close(got, [grey; 3]), "{got:?}");
    let got = pixel(&image, mappings[0].ui_from_voxel([4, 8, 4]));
    assert!(got[0] > got[1] + 60, "{got:?}");
    snapshots.unwrap();
}

#[test]
fn a_volume_larger_than_one_texture_write_arrives_whole() {
    // 256 × 256 × 160 float32 is 40 MiB: more than one slab. Values 10·k.
    let dims = [256, 256, 160];
    let slice = dims[0] * dims[1];
    let raw: Vec<u8> = (0..slice * dims[2])
        .flat_map(|n| ((n / slice) as f32 * 10.0).to_le_bytes())
        .collect();
    let info = ras_info(dims, VoxelType::F32, [1.0; 3]);
    let volume = VolumeData::decode(info, &raw).unwrap();
    let mut view = ViewState {
        cursor: [128.0, 128.0, 159.5],
        ..ViewState::default()
    };
    view.window = WindowLevel::from_range([0.0, 1590.0]);
    let (image, mappings, _harness) = render_volume(volume, &view, None);
    // The last slice (k = 159) is white in the axial view; the coronal view runs black (k = 0,
    // at the bottom) to white (top).
    let axial = &mappings[0];
    assert_eq!(
        pixel(&image, axial.ui_from_voxel([128, 128, 159])),
        [255; 3]
    );
    let coronal = &mappings[1];
    let low = pixel(&image, coronal.ui_from_voxel([128, 128, 1]));
    let high = pixel(&image, coronal.ui_from_voxel([128, 128, 150]));
    assert!(low[0] < 10 && high[0] > 235, "{low:?} {high:?}");
}

#[test]
fn a_left_sessions_late_volume_and_labels_never_reach_the_gpu() {
    let state = create_render_state(
        default_wgpu_setup(),
        egui_wgpu::RendererOptions::PREDICTABLE,
    );
    let bridge = GpuBridge::new(Some(SliceRenderer::new(&state)));
    bridge.switch_to(1);
    assert_eq!(bridge.volume(1, &volume()).unwrap(), Written::Done);
    // The user moves to another session while the first one's answers are still on the way.
    bridge.switch_to(2);
    let labels = labels();
    assert_eq!(bridge.labels(1, Some(&labels)).unwrap(), Written::Stale);
    let other = VolumeData::decode(ras_info([4, 4, 4], VoxelType::U8, [1.0; 3]), &[9; 64]).unwrap();
    assert_eq!(bridge.volume(1, &other).unwrap(), Written::Stale);
    let mut view = centred_view();
    view.label_opacity = 0.5;
    let (image, mappings, mut harness) = draw(state, volume(), &view);
    // The gradient is still there (i = 10 mid-grey), with no label over i = 4.
    let at = |image: &image::RgbaImage, i| pixel(image, mappings[0].ui_from_voxel([i, 8, 4]));
    assert!(close(at(&image, 10), [127.5; 3]), "{:?}", at(&image, 10));
    assert!(
        close(at(&image, 4), [255.0 * 0.2; 3]),
        "{:?}",
        at(&image, 4)
    );
    // The current session's labels do get there.
    assert_eq!(bridge.labels(2, Some(&labels)).unwrap(), Written::Done);
    harness.run();
    let image = harness.render().unwrap();
    let grey = 255.0 * 0.2;
    let red = [(255.0 + grey) / 2.0, grey / 2.0, grey / 2.0];
    assert!(close(at(&image, 4), red), "{:?}", at(&image, 4));
}
