//! The side panel: the volume, labels, points, segmentation, display and saving.

use std::path::PathBuf;

use interseg_shared::color::TEMPLATE_LEN;
use interseg_shared::naming::{LabelNaming, label_name};

use super::label_color32;
use super::state::Fields;
use crate::command::{Command, Commands};
use crate::document::{Document, prompt_box, prompt_voxel};
use crate::view::{Layout, PRESETS, ViewState, WindowLevel};

/// What the side panel reads and edits.
struct Side<'a> {
    doc: &'a Document,
    view: &'a mut ViewState,
    fields: &'a mut Fields,
    commands: &'a mut Commands,
}

pub fn side_panel_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    view: &mut ViewState,
    fields: &mut Fields,
    commands: &mut Commands,
) {
    let mut side = Side {
        doc,
        view,
        fields,
        commands,
    };
    let app = &mut side;
    egui::ScrollArea::vertical().show(ui, |ui| {
        volume_section_ui(app, ui);
        segmentation_section_ui(app, ui);
        points_section_ui(app, ui);
        labels_section_ui(app, ui);
        display_section_ui(app, ui);
        save_section_ui(app, ui);
    });
}

fn volume_section_ui(app: &mut Side<'_>, ui: &mut egui::Ui) {
    egui::CollapsingHeader::new("Volume")
        .default_open(true)
        .show(ui, |ui| {
            if let Some(volume) = &app.doc.volume {
                if let Some(name) = &app.doc.volume_name {
                    ui.strong(name);
                }
                let [ni, nj, nk] = volume.dims();
                let [si, sj, sk] = volume.spacing();
                ui.label(format!("{ni} × {nj} × {nk} voxels, {}", volume.info.dtype));
                ui.label(format!("{si:.3} × {sj:.3} × {sk:.3} mm"));
            }
            ui.horizontal(|ui| {
                if ui.button("Open…").clicked() {
                    app.commands.send(Command::PickOpen);
                }
                if ui.button("Open sample").clicked() {
                    app.commands.send(Command::OpenSample);
                }
            });
        });
}

fn segmentation_section_ui(app: &mut Side<'_>, ui: &mut egui::Ui) {
    ui.separator();
    ui.horizontal(|ui| {
        let running = app.doc.job;
        let can = app.doc.has_prompts();
        if ui
            .add_enabled(can, egui::Button::new("Segment"))
            .on_disabled_hover_text("Mark a point first")
            .clicked()
        {
            app.commands.send(Command::Segment);
        }
        if let Some(job) = running {
            ui.add(
                egui::ProgressBar::new(job.progress())
                    .desired_width(100.0)
                    .show_percentage()
                    .animate(true),
            );
            if ui.button("Cancel").clicked() {
                app.commands.send(Command::CancelSegmentation);
            }
        }
    });
    ui.checkbox(&mut app.fields.auto_segment, "Segment after every change");
}

fn points_section_ui(app: &mut Side<'_>, ui: &mut egui::Ui) {
    let count = app.doc.prompts.len() + app.doc.legacy_points.len();
    egui::CollapsingHeader::new(format!("Points ({count})"))
        .id_salt("points")
        .default_open(true)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(app.doc.can_undo, egui::Button::new("Undo"))
                    .clicked()
                {
                    app.commands.send(Command::Undo);
                }
                if ui
                    .add_enabled(app.doc.can_redo, egui::Button::new("Redo"))
                    .clicked()
                {
                    app.commands.send(Command::Redo);
                }
                if ui
                    .add_enabled(count > 0, egui::Button::new("Clear all"))
                    .clicked()
                {
                    app.commands.send(Command::ClearPoints);
                }
            });
            let mut remove = None;
            let mut remove_legacy = None;
            let mut go_to = None;
            egui::ScrollArea::vertical()
                .id_salt("point list")
                .max_height(160.0)
                .show(ui, |ui| {
                    for (prompt, legacy) in app.doc.all_prompts() {
                        let voxel = prompt_voxel(prompt);
                        ui.horizontal(|ui| {
                            let (swatch, _) = ui
                                .allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                            ui.painter().circle_filled(
                                swatch.center(),
                                5.0,
                                label_color32(prompt.label),
                            );
                            let sign = if prompt.include { "+" } else { "−" };
                            let place = match (voxel, prompt_box(prompt)) {
                                (Some([i, j, k]), _) => format!("({i}, {j}, {k})"),
                                (None, Some((_, _, [i0, j0, k0], [i1, j1, k1]))) => {
                                    format!("box ({i0}, {j0}, {k0})–({i1}, {j1}, {k1})")
                                }
                                (None, None) => prompt.kind.name().to_owned(),
                            };
                            let target = voxel.or_else(|| {
                                prompt_box(prompt)
                                    .map(|(_, _, a, b)| [0, 1, 2].map(|n| (a[n] + b[n]) / 2))
                            });
                            let text = format!(
                                "{sign} {} {place}",
                                label_name(prompt.label, app.doc.naming)
                            );
                            if ui.link(text).on_hover_text("Show this prompt").clicked() {
                                go_to = target;
                            }
                            if ui
                                .small_button("×")
                                .on_hover_text("Remove this prompt")
                                .clicked()
                            {
                                if legacy {
                                    remove_legacy = u16::try_from(prompt.id).ok();
                                } else {
                                    remove = Some(prompt.id);
                                }
                            }
                            if legacy {
                                ui.weak("original API");
                            }
                        });
                    }
                });
            if let Some(id) = remove {
                app.commands.send(Command::RemovePrompt(id));
            }
            if let Some(number) = remove_legacy {
                app.commands.send(Command::RemovePoint(number));
            }
            if let Some(voxel) = go_to {
                app.view.cursor = voxel.map(|x| x as f32 + 0.5);
            }
        });
}

fn labels_section_ui(app: &mut Side<'_>, ui: &mut egui::Ui) {
    egui::CollapsingHeader::new("Labels")
        .default_open(true)
        .show(ui, |ui| {
            ui.checkbox(
                &mut app.view.new_object_per_click,
                "New object on each click",
            )
            .on_hover_text(
                "After each click the next unused label is chosen, as in the original system",
            );
            ui.horizontal(|ui| {
                ui.label("Names");
                let mut naming = app.doc.naming;
                egui::ComboBox::from_id_salt("label naming")
                    .selected_text(naming_text(naming))
                    .show_ui(ui, |ui| {
                        for choice in [
                            LabelNaming::Numbers,
                            LabelNaming::Fdi,
                            LabelNaming::Universal,
                        ] {
                            ui.selectable_value(&mut naming, choice, naming_text(choice));
                        }
                    })
                    .response
                    .on_hover_text(
                        "FDI or Universal: label values are FDI tooth numbers (11–48), and 1–10 \
                         the jaws, canals, sinuses, pharynx, bridge, crown and implant. The \
                         names go into the saved label file and Slicer segments.",
                    );
                if naming != app.doc.naming {
                    app.commands.send(Command::SetNaming(naming));
                }
            });
            ui.horizontal(|ui| {
                ui.label("Opacity");
                let slider = ui.add(egui::Slider::new(&mut app.view.label_opacity, 0.0..=1.0));
                if slider.drag_stopped() || slider.lost_focus() {
                    app.commands.send(Command::RememberView);
                }
            });
            egui::ScrollArea::vertical()
                .id_salt("label list")
                .max_height(220.0)
                .show(ui, |ui| {
                    for label in labels_listed(app.doc.naming) {
                        label_row_ui(app, ui, label);
                    }
                });
        });
}

fn naming_text(naming: LabelNaming) -> &'static str {
    match naming {
        LabelNaming::Numbers => "Numbers",
        LabelNaming::Fdi => "FDI teeth",
        LabelNaming::Universal => "Universal teeth",
    }
}

/// The labels the panel lists: the template's, or under tooth numbering the structures
/// (1–10) and every permanent and deciduous tooth by its FDI number.
fn labels_listed(naming: LabelNaming) -> Vec<u8> {
    match naming {
        LabelNaming::Numbers => (1..=TEMPLATE_LEN as u8).collect(),
        _ => (1..=85u8)
            .filter(|&l| {
                let (q, p) = (l / 10, l % 10);
                l <= 10
                    || (1..=4).contains(&q) && (1..=8).contains(&p)
                    || (5..=8).contains(&q) && (1..=5).contains(&p)
            })
            .collect(),
    }
}

fn label_row_ui(app: &mut Side<'_>, ui: &mut egui::Ui, label: u8) {
    let points = app
        .doc
        .all_prompts()
        .filter(|(p, _)| p.label == label)
        .count();
    ui.horizontal(|ui| {
        let mut visible = app.view.label_visible(label);
        if ui
            .checkbox(&mut visible, "")
            .on_hover_text("Show or hide this label")
            .changed()
        {
            if visible {
                app.view.hidden_labels.remove(&label);
            } else {
                app.view.hidden_labels.insert(label);
            }
        }
        let locked = app.doc.locked.contains(&label);
        let segmented = app.doc.result_labels.contains(&label);
        let lock = ui
            .add_enabled(
                locked || segmented,
                egui::Button::new(if locked { "Locked" } else { "Lock" })
                    .small()
                    .selected(locked),
            )
            .on_hover_text(if locked {
                "Locked: later runs keep this label's voxels. Click to unlock"
            } else {
                "Lock: later runs keep this label's voxels, and no other label takes them"
            })
            .on_disabled_hover_text("Segment this label before locking it");
        if lock.clicked() {
            app.commands.send(Command::SetLocked {
                label,
                locked: !locked,
            });
        }
        let (swatch, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter().rect_filled(swatch, 2.0, label_color32(label));
        let mut text = label_name(label, app.doc.naming);
        if points > 0 {
            text.push_str(&format!("  ({points} pt)"));
        }
        if ui
            .selectable_label(app.view.current_label == label, text)
            .on_hover_text("Click to put the next point in this label")
            .clicked()
        {
            app.view.current_label = label;
        }
    });
}

fn display_section_ui(app: &mut Side<'_>, ui: &mut egui::Ui) {
    egui::CollapsingHeader::new("Display")
        .default_open(true)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let three = ui.selectable_value(&mut app.view.layout, Layout::Three, "Three views");
                let single =
                    ui.selectable_value(&mut app.view.layout, Layout::Single, "Single view");
                let surfaces = ui
                    .selectable_value(&mut app.view.layout, Layout::Surfaces, "3D view")
                    .on_hover_text("The result's surfaces, full size");
                if three.clicked() || single.clicked() || surfaces.clicked() {
                    app.commands.send(Command::RememberView);
                }
                if ui
                    .button("Fit")
                    .on_hover_text("Undo zoom and pan in every view")
                    .clicked()
                {
                    app.view.cameras = Default::default();
                }
            });
            ui.horizontal_wrapped(|ui| {
                for (name, preset) in PRESETS {
                    if ui.button(name).clicked() {
                        app.view.window = match (preset, &app.doc.volume) {
                            (Some((center, width)), _) => WindowLevel { center, width },
                            (None, Some(volume)) => WindowLevel::from_range(volume.robust_range),
                            (None, None) => app.view.window,
                        };
                        app.commands.send(Command::RememberView);
                    }
                }
            });
            // Remembered once a change is complete, not on every frame of a drag.
            let mut done = false;
            ui.horizontal(|ui| {
                ui.label("Level");
                let level = ui.add(egui::DragValue::new(&mut app.view.window.center).speed(5.0));
                ui.label("Width");
                let width = ui.add(
                    egui::DragValue::new(&mut app.view.window.width)
                        .speed(5.0)
                        .range(0.001..=f32::MAX),
                );
                for r in [level, width] {
                    done |= r.drag_stopped() || r.lost_focus();
                }
            });
            if done {
                app.commands.send(Command::RememberView);
            }
        });
}

fn save_section_ui(app: &mut Side<'_>, ui: &mut egui::Ui) {
    egui::CollapsingHeader::new("Save the result")
        .default_open(true)
        .show(ui, |ui| {
            ui.add(
                egui::TextEdit::singleline(&mut app.fields.save_path)
                    .desired_width(f32::INFINITY)
                    .hint_text("where to save the .nii.gz"),
            );
            ui.horizontal(|ui| {
                let ready = app.doc.labels.is_some();
                if ui
                    .add_enabled(ready, egui::Button::new("Save"))
                    .on_hover_text(
                        "The label volume (.nii.gz) and the ITK-SNAP label file beside it",
                    )
                    .on_disabled_hover_text("Segment first")
                    .clicked()
                {
                    let path = PathBuf::from(app.fields.save_path.trim());
                    app.commands.send(Command::SaveTo(path));
                }
                if ui
                    .add_enabled(ready, egui::Button::new("Save as…"))
                    .clicked()
                {
                    app.commands.send(Command::SaveWithDialog);
                }
            });
            ui.checkbox(&mut app.fields.save_meshes, "with STL meshes")
                .on_hover_text(
                    "Also every label's surface for 3D printing and planning: closed, smoothed \
                     STL meshes in mm (RAS), in a zip beside the label volume",
                );
        });
}
