//! The status line: what is under the pointer, transfers in progress, the last message.

use super::state::UiState;
use crate::command::{Command, Commands};
use crate::document::Document;

pub fn status_bar_ui(ui: &mut egui::Ui, doc: &Document, state: &UiState, commands: &mut Commands) {
    ui.horizontal(|ui| {
        let mut first = true;
        if let Some(hover) = state.hover {
            let [i, j, k] = hover.voxel;
            let [x, y, z] = hover.world_mm;
            let label = if hover.label > 0 {
                format!("   label {}", hover.label)
            } else {
                String::new()
            };
            ui.monospace(format!(
                "voxel ({i}, {j}, {k})   {x:.1}, {y:.1}, {z:.1} mm   value {}{label}",
                format_value(hover.value)
            ));
            first = false;
        }
        if let Some(transfer) = &doc.transfer {
            if !std::mem::take(&mut first) {
                ui.separator();
            }
            ui.label(&transfer.what);
            let bar = match transfer.progress.fraction() {
                Some(f) => egui::ProgressBar::new(f).show_percentage(),
                None => egui::ProgressBar::new(0.0).animate(true),
            };
            ui.add(bar.desired_width(140.0));
            if transfer.cancel.is_some() && ui.button("Cancel").clicked() {
                commands.send(Command::CancelTransfer);
            }
        }
        if let Some(message) = &state.message {
            if !first {
                ui.separator();
            }
            if message.is_error {
                ui.colored_label(ui.visuals().error_fg_color, &message.text);
            } else {
                ui.label(&message.text);
            }
        }
    });
}

fn format_value(v: f32) -> String {
    if v.is_nan() {
        "–".to_owned()
    } else if v.fract() == 0.0 && v.abs() < 1e7 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}
