//! One plane's view: the GPU-drawn slice, the crosshair, the points, the orientation letters,
//! and the mouse: clicks mark points, drags move the crosshair, pan and window.

use std::sync::Arc;

use egui::{Align2, Color32, FontId, PointerButton, Pos2, Rect, Sense, Stroke, Vec2};

use super::label_color32;
use super::state::{BoxDrag, Hover, UiState};
use crate::command::{Command, Commands};
use crate::document::{Document, prompt_box, prompt_voxel};
use crate::orientation::Plane;
use crate::render::{SliceParams, slice_callback};
use crate::slice_mapping::SliceMapping;
use crate::view::{Layout, ViewState};
use crate::volume_data::VolumeData;

const CROSSHAIR: Color32 = Color32::from_rgba_premultiplied(90, 160, 230, 160);
/// Scroll distance (points) that counts as one slice for pixel-precise wheels and trackpads.
const POINTS_PER_SLICE: f32 = 40.0;

/// What the slice views read and edit.
pub struct SliceView<'a> {
    pub doc: &'a Document,
    pub view: &'a mut ViewState,
    pub state: &'a mut UiState,
    /// Slices can be drawn.
    pub gpu: bool,
    pub commands: &'a mut Commands,
}

pub fn slice_view_ui(ui: &mut egui::Ui, app: &mut SliceView<'_>, plane: Plane, rect: Rect) {
    let Some(volume) = app.doc.volume.clone() else {
        return;
    };
    let response = ui.interact(
        rect,
        ui.scope_id().with(("slice view", plane)),
        Sense::click_and_drag(),
    );
    let before = SliceMapping::new(rect, plane, &volume, app.view);
    input_ui(app, ui, &response, plane, &before, &volume);
    let mapping = SliceMapping::new(rect, plane, &volume, app.view);
    app.state.view_rects.push((plane, mapping));

    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::BLACK);
    if app.gpu {
        painter.add(slice_paint(plane, &mapping, &volume, app.view));
    } else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "No GPU renderer: slices cannot be drawn",
            FontId::proportional(14.0),
            Color32::LIGHT_RED,
        );
    }
    paint_crosshair(&painter, app, &mapping);
    paint_boxes(&painter, app, plane, &mapping);
    paint_points(&painter, app, &mapping);
    paint_annotations(&painter, app, plane, &mapping, &volume);
    let active = app.view.layout == Layout::Three && app.view.active == plane;
    let frame = if active {
        Stroke::new(1.5, ui.visuals().selection.stroke.color)
    } else {
        Stroke::new(1.0, Color32::from_gray(60))
    };
    painter.rect_stroke(rect, 0.0, frame, egui::StrokeKind::Inside);
}

fn input_ui(
    app: &mut SliceView<'_>,
    ui: &egui::Ui,
    response: &egui::Response,
    plane: Plane,
    mapping: &SliceMapping,
    volume: &Arc<VolumeData>,
) {
    let axes = mapping.axes;
    if let Some(pos) = response.hover_pos() {
        app.view.active = plane;
        app.state.hover = mapping.voxel_from_ui(pos).map(|voxel| Hover {
            voxel,
            value: volume.value(voxel).unwrap_or(f32::NAN),
            world_mm: volume.world_from_voxel(voxel),
            label: app.doc.label_at(voxel),
        });
        wheel_ui(app, ui, plane, pos, mapping, volume);
    }
    if response.dragged_by(PointerButton::Middle) {
        let pan = Vec2::from(app.view.camera(plane).pan) + response.drag_delta();
        app.view.camera_mut(plane).pan = pan.into();
    }
    if response.dragged_by(PointerButton::Secondary) {
        let d = response.drag_delta();
        let w = &mut app.view.window;
        w.width = (w.width * (d.x * 0.005).exp()).max(1e-3);
        w.center -= d.y * w.width * 0.002;
    }
    if response.drag_stopped_by(PointerButton::Secondary) {
        app.commands.send(Command::RememberView);
    }
    let pointer = response.interact_pointer_pos();
    let (command, shift) = ui.input(|i| (i.modifiers.command, i.modifiers.shift));
    if response.drag_started_by(PointerButton::Primary)
        && command
        && let Some(origin) = ui.input(|i| i.pointer.press_origin())
    {
        let start = mapping.clamped_voxel_from_ui(origin);
        app.state.box_drag = Some(BoxDrag {
            plane,
            start,
            end: start,
            include: !shift,
        });
    }
    match app.state.box_drag {
        Some(mut drag) if drag.plane == plane => {
            if let Some(pos) = pointer {
                drag.end = mapping.clamped_voxel_from_ui(pos);
                app.state.box_drag = Some(drag);
            }
            if response.drag_stopped_by(PointerButton::Primary) {
                app.state.box_drag = None;
                app.commands.send(Command::MarkBox {
                    a: drag.start,
                    b: drag.end,
                    axis: axes.normal,
                    include: drag.include,
                });
            }
        }
        _ => {
            if response.dragged_by(PointerButton::Primary)
                && let Some(pos) = pointer
            {
                move_cursor(app, mapping, pos);
            }
        }
    }
    if response.clicked_by(PointerButton::Primary)
        && let Some(pos) = pointer
        && let Some(voxel) = mapping.voxel_from_ui(pos)
    {
        move_cursor(app, mapping, pos);
        app.commands.send(Command::MarkPoint {
            voxel,
            axis: axes.normal,
            include: !shift,
        });
    }
}

/// The wheel scrolls slices; with Ctrl it zooms about the pointer.
fn wheel_ui(
    app: &mut SliceView<'_>,
    ui: &egui::Ui,
    plane: Plane,
    pos: Pos2,
    mapping: &SliceMapping,
    volume: &VolumeData,
) {
    let wheel: Vec<(egui::MouseWheelUnit, Vec2, bool)> = ui.input(|i| {
        i.events
            .iter()
            .filter_map(|e| match e {
                egui::Event::MouseWheel {
                    unit,
                    delta,
                    modifiers,
                    ..
                } => Some((*unit, *delta, modifiers.command || modifiers.ctrl)),
                _ => None,
            })
            .collect()
    });
    for (unit, delta, zoom) in wheel {
        let lines = match unit {
            egui::MouseWheelUnit::Point => delta.y / POINTS_PER_SLICE,
            egui::MouseWheelUnit::Line | egui::MouseWheelUnit::Page => delta.y,
        };
        if zoom {
            let factor = (lines * 0.15).exp();
            let camera = app.view.camera_mut(plane);
            let new_zoom = (camera.zoom * factor).clamp(0.2, 40.0);
            let applied = new_zoom / camera.zoom;
            let from_centre = pos - mapping.rect.center();
            camera.pan = (from_centre - (from_centre - Vec2::from(camera.pan)) * applied).into();
            camera.zoom = new_zoom;
        } else {
            let steps = if lines.abs() < 1.0 {
                -lines.signum()
            } else {
                -lines.round()
            };
            app.view
                .step_slice(mapping.axes.normal, steps as i32, volume.dims());
        }
    }
}

/// The paint callback that draws `plane`'s slice of `volume` into `mapping.rect` as `view`
/// says (window, label colours, visibility and opacity).
pub fn slice_paint(
    plane: Plane,
    mapping: &SliceMapping,
    volume: &VolumeData,
    view: &ViewState,
) -> egui::PaintCallback {
    slice_callback(
        plane as usize,
        mapping.rect,
        slice_params(mapping, volume, view),
        label_colors(view),
    )
}

/// What the shader needs to draw `mapping`'s slice of `volume` as `view` says.
fn slice_params(mapping: &SliceMapping, volume: &VolumeData, view: &ViewState) -> SliceParams {
    let (origin, across, down) = mapping.shader_frame();
    SliceParams {
        origin,
        across,
        down,
        dims: volume.dims(),
        window: view.window.low_high(),
        label_opacity: view.label_opacity,
    }
}

/// RGBA per label value, alpha 0 for hidden labels.
fn label_colors(view: &ViewState) -> Box<[[f32; 4]; 256]> {
    let mut colors = Box::new([[0.0; 4]; 256]);
    for label in 1..=u8::MAX {
        let c = interseg_shared::color::label_color(u16::from(label));
        let alpha = if view.label_visible(label) { 1.0 } else { 0.0 };
        let [r, g, b] = [c.r, c.g, c.b].map(|x| f32::from(x) / 255.0);
        colors[usize::from(label)] = [r, g, b, alpha];
    }
    colors
}

fn move_cursor(app: &mut SliceView<'_>, mapping: &SliceMapping, pos: Pos2) {
    let c = mapping.voxel_coords_from_ui(pos);
    let dims = mapping.axes;
    for axis in [dims.across, dims.down] {
        app.view.cursor[axis] = c[axis];
    }
}

fn paint_crosshair(painter: &egui::Painter, app: &SliceView<'_>, mapping: &SliceMapping) {
    let at = mapping.ui_from_voxel_coords(app.view.cursor);
    let rect = mapping.rect;
    let stroke = Stroke::new(1.0, CROSSHAIR);
    painter.line_segment(
        [Pos2::new(rect.left(), at.y), Pos2::new(rect.right(), at.y)],
        stroke,
    );
    painter.line_segment(
        [Pos2::new(at.x, rect.top()), Pos2::new(at.x, rect.bottom())],
        stroke,
    );
}

/// Boxes drawn on this slice (and the one being drawn), in their label's colour; exclude boxes
/// dashed.
fn paint_boxes(painter: &egui::Painter, app: &SliceView<'_>, plane: Plane, mapping: &SliceMapping) {
    let normal = mapping.axes.normal;
    let drawn = app
        .doc
        .all_prompts()
        .map(|(p, _)| p)
        .filter(|p| app.view.label_visible(p.label))
        .filter_map(|p| {
            let (axis, slice, a, b) = prompt_box(p)?;
            (axis == normal && slice == mapping.slice).then_some((p.label, p.include, a, b))
        });
    let dragging = app
        .state
        .box_drag
        .filter(|d| d.plane == plane)
        .map(|d| (app.view.current_label, d.include, d.start, d.end));
    for (label, include, a, b) in drawn.chain(dragging) {
        let rect = mapping.ui_rect_from_voxels(a, b);
        let stroke = Stroke::new(2.0, label_color32(label));
        if include {
            painter.rect_stroke(rect, 0.0, stroke, egui::StrokeKind::Middle);
        } else {
            let corners = [
                rect.left_top(),
                rect.right_top(),
                rect.right_bottom(),
                rect.left_bottom(),
                rect.left_top(),
            ];
            painter.extend(egui::Shape::dashed_line(&corners, stroke, 6.0, 4.0));
        }
    }
}

/// Points on this slice, in their label's colour with their label's number; exclude points
/// hollow with a cross.
fn paint_points(painter: &egui::Painter, app: &SliceView<'_>, mapping: &SliceMapping) {
    for (prompt, _) in app.doc.all_prompts() {
        let Some(voxel) = prompt_voxel(prompt) else {
            continue;
        };
        if voxel[mapping.axes.normal] != mapping.slice || !app.view.label_visible(prompt.label) {
            continue;
        }
        let at = mapping.ui_from_voxel(voxel);
        let color = label_color32(prompt.label);
        let radius = 5.0;
        if prompt.include {
            painter.circle(at, radius, color, Stroke::new(1.5, Color32::BLACK));
        } else {
            painter.circle_stroke(at, radius, Stroke::new(2.0, color));
            let d = radius * 0.7;
            let cross = Stroke::new(1.5, color);
            painter.line_segment([at + Vec2::new(-d, -d), at + Vec2::new(d, d)], cross);
            painter.line_segment([at + Vec2::new(-d, d), at + Vec2::new(d, -d)], cross);
        }
        let text_at = at + Vec2::new(radius + 2.0, -radius - 2.0);
        let font = FontId::proportional(12.0);
        let number = prompt.label.to_string();
        painter.text(
            text_at + Vec2::splat(1.0),
            Align2::LEFT_BOTTOM,
            &number,
            font.clone(),
            Color32::BLACK,
        );
        painter.text(text_at, Align2::LEFT_BOTTOM, number, font, color);
    }
}

/// Plane name and slice number, zoom, and the anatomical letters at the edges.
fn paint_annotations(
    painter: &egui::Painter,
    app: &SliceView<'_>,
    plane: Plane,
    mapping: &SliceMapping,
    volume: &VolumeData,
) {
    let rect = mapping.rect;
    let font = FontId::proportional(13.0);
    let text = Color32::from_gray(220);
    let axis = mapping.axes.normal;
    let title = format!(
        "{}  {} / {}",
        plane.name(),
        mapping.slice + 1,
        volume.dims()[axis]
    );
    painter.text(
        rect.left_top() + Vec2::new(6.0, 4.0),
        Align2::LEFT_TOP,
        title,
        font.clone(),
        text,
    );
    let zoom = app.view.camera(plane).zoom;
    if (zoom - 1.0).abs() > 0.01 {
        painter.text(
            rect.right_top() + Vec2::new(-6.0, 4.0),
            Align2::RIGHT_TOP,
            format!("{zoom:.1}×"),
            font.clone(),
            text,
        );
    }
    if !volume.orientation.anatomical {
        return;
    }
    let [left, right, top, bottom] = plane.edge_labels();
    let letter = Color32::from_rgb(240, 200, 80);
    let m = 6.0;
    painter.text(
        Pos2::new(rect.left() + m, rect.center().y),
        Align2::LEFT_CENTER,
        left,
        font.clone(),
        letter,
    );
    painter.text(
        Pos2::new(rect.right() - m, rect.center().y),
        Align2::RIGHT_CENTER,
        right,
        font.clone(),
        letter,
    );
    painter.text(
        Pos2::new(rect.center().x, rect.top() + m + 14.0),
        Align2::CENTER_TOP,
        top,
        font.clone(),
        letter,
    );
    painter.text(
        Pos2::new(rect.center().x, rect.bottom() - m),
        Align2::CENTER_BOTTOM,
        bottom,
        font,
        letter,
    );
}
