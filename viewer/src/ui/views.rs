//! The views: three linked orthogonal planes in a grid with the 3D view (a legend before
//! there is a result), one plane, or the 3D view alone.

use egui::{Rect, Vec2};

use super::slice_view::{SliceView, slice_view_ui};
use super::state::UiState;
use super::surface_view::surface_view_ui;
use crate::command::Commands;
use crate::document::Document;
use crate::orientation::Plane;
use crate::view::{Layout, ViewState};

const GAP: f32 = 4.0;

pub fn views_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    view: &mut ViewState,
    state: &mut UiState,
    gpu: bool,
    commands: &mut Commands,
) {
    state.view_rects.clear();
    state.surface_view = None;
    let area = ui.available_rect_before_wrap();
    let mut slices = SliceView {
        doc,
        view,
        state,
        gpu,
        commands,
    };
    match slices.view.layout {
        Layout::Single => {
            let active = slices.view.active;
            slice_view_ui(ui, &mut slices, active, area);
        }
        Layout::Surfaces => {
            slices.state.surface_view = surface_view_ui(ui, doc, slices.view, area);
        }
        Layout::Three => {
            let half = (area.size() - Vec2::splat(GAP)) / 2.0;
            let cell = |col: f32, row: f32| {
                Rect::from_min_size(
                    area.min + Vec2::new(col * (half.x + GAP), row * (half.y + GAP)),
                    half,
                )
            };
            for (plane, col, row) in [
                (Plane::Axial, 0.0, 0.0),
                (Plane::Coronal, 1.0, 0.0),
                (Plane::Sagittal, 0.0, 1.0),
            ] {
                slice_view_ui(ui, &mut slices, plane, cell(col, row));
            }
            // The fourth cell: the 3D view once there is a result, how to use the views before.
            if doc.surfaces.labels.is_empty() {
                legend_ui(
                    ui,
                    cell(1.0, 1.0),
                    &interseg_shared::naming::label_name(slices.view.current_label, doc.naming),
                    slices.view.current_label,
                );
            } else {
                slices.state.surface_view = surface_view_ui(ui, doc, slices.view, cell(1.0, 1.0));
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
