//! The views: three linked orthogonal planes in a grid with the 3D view (a legend before
//! there is a result), one plane, or the 3D view alone.

use egui::{Rect, Vec2};

use super::{slice_view, surface_view};
use crate::app::ViewerApp;
use crate::orientation::Plane;
use crate::view::Layout;

const GAP: f32 = 4.0;

pub fn views_ui(app: &mut ViewerApp, ui: &mut egui::Ui) {
    app.view_rects.clear();
    app.surface_view = None;
    let area = ui.available_rect_before_wrap();
    match app.view.layout {
        Layout::Single => slice_view::slice_view_ui(app, ui, app.view.active, area),
        Layout::Surfaces => surface_view::surface_view_ui(app, ui, area),
        Layout::Three => {
            let half = (area.size() - Vec2::splat(GAP)) / 2.0;
            let cell = |col: f32, row: f32| {
                Rect::from_min_size(
                    area.min + Vec2::new(col * (half.x + GAP), row * (half.y + GAP)),
                    half,
                )
            };
            slice_view::slice_view_ui(app, ui, Plane::Axial, cell(0.0, 0.0));
            slice_view::slice_view_ui(app, ui, Plane::Coronal, cell(1.0, 0.0));
            slice_view::slice_view_ui(app, ui, Plane::Sagittal, cell(0.0, 1.0));
            // The fourth cell: the 3D view once there is a result, how to use the views before.
            if app.doc.surfaces.labels.is_empty() {
                legend_ui(
                    ui,
                    cell(1.0, 1.0),
                    &interseg_shared::naming::label_name(app.view.current_label, app.doc.naming),
                    app.view.current_label,
                );
            } else {
                surface_view::surface_view_ui(app, ui, cell(1.0, 1.0));
            }
        }
    }
    ui.allocate_rect(area, egui::Sense::hover());
}

/// The fourth cell: how to use the views.
fn legend_ui(ui: &mut egui::Ui, rect: Rect, next_name: &str, next_label: u8) {
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink(12.0))
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    child.horizontal(|ui| {
        ui.label("The next click marks");
        let (swatch, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        ui.painter()
            .circle_filled(swatch.center(), 6.0, super::label_color32(next_label));
        ui.strong(next_name);
    });
    child.add_space(6.0);
    child.heading("Using the views");
    for (keys, what) in [
        ("Click", "include point (a new object each click)"),
        ("Shift+click", "exclude point for the object under it"),
        ("Left-drag", "move the crosshair"),
        ("Ctrl+drag", "box around an object (Shift: keep out)"),
        ("Wheel, A/D, arrows", "previous / next slice"),
        ("W / S", "switch the active plane"),
        ("Ctrl+wheel", "zoom"),
        ("Middle-drag", "pan"),
        ("Right-drag", "window (left/right) and level (up/down)"),
        ("Ctrl+Z, Ctrl+Shift+Z", "undo, redo"),
        ("Enter", "segment now"),
    ] {
        child.horizontal(|ui| {
            ui.strong(keys);
            ui.label(what);
        });
    }
}
