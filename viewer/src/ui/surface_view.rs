//! The 3D view: the result's surfaces, lit, turned by dragging and zoomed with the wheel;
//! a click on a surface moves the crosshair (and the three slices) to that spot.

use egui::{Rect, Sense};

use crate::document::Document;
use crate::render::SurfaceCallback;
use crate::surfaces::{pick, world_bounds};
use crate::view::ViewState;

/// Draws the 3D view in `rect`; returns the rectangle and camera it drew with.
pub fn surface_view_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    view: &mut ViewState,
    rect: Rect,
) -> Option<(Rect, nalgebra::Matrix4<f32>)> {
    let volume = doc.volume.as_ref()?;
    let response = ui.interact(rect, ui.scope_id().with("3d view"), Sense::click_and_drag());
    if response.dragged() {
        let delta = response.drag_delta();
        view.orbit.drag(delta.x, delta.y);
    }
    if response.hovered() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            view.orbit.zoom(scroll / 50.0);
        }
    }
    let (centre, radius) = world_bounds(volume.dims(), &volume.info.affine);
    let clip = view
        .orbit
        .clip_from_world(rect.aspect_ratio(), centre, radius);
    if response.clicked()
        && let (Some(pos), Some(labels)) = (response.interact_pointer_pos(), &doc.labels)
    {
        let ndc = [
            2.0 * (pos.x - rect.min.x) / rect.width() - 1.0,
            1.0 - 2.0 * (pos.y - rect.min.y) / rect.height(),
        ];
        let hit = pick(
            ndc,
            &clip,
            labels,
            volume.dims(),
            &volume.info.affine,
            &view.hidden_labels,
        );
        if let Some(voxel) = hit {
            view.cursor = voxel.map(|x| x as f32 + 0.5);
        }
    }
    let pixels = ui.ctx().pixels_per_point();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "screen sizes"
    )]
    let size_px = [rect.width(), rect.height()].map(|x| (x * pixels).round().max(1.0) as u32);
    let mut clip_from_world = [0.0; 16];
    clip_from_world.copy_from_slice(clip.as_slice());
    ui.painter()
        .add(eframe::egui_wgpu::Callback::new_paint_callback(
            rect,
            SurfaceCallback {
                clip_from_world,
                light: view.orbit.forward(),
                size_px,
            },
        ));
    let hint = if doc.surfaces.labels.is_empty() {
        "3D: segment to see surfaces here"
    } else {
        "3D: drag to turn, wheel to zoom, click a surface to go there"
    };
    ui.painter().text(
        rect.left_top() + egui::vec2(6.0, 4.0),
        egui::Align2::LEFT_TOP,
        hint,
        egui::FontId::proportional(13.0),
        egui::Color32::from_gray(200),
    );
    ui.painter().rect_stroke(
        rect,
        0.0,
        ui.visuals().widgets.noninteractive.bg_stroke,
        egui::StrokeKind::Inside,
    );
    Some((rect, clip))
}
