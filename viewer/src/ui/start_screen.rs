//! What a user sees before any volume is open: ways to open one, including the sample.

use std::path::PathBuf;

use super::state::Fields;
use crate::command::{Command, Commands};
use crate::document::Document;

pub fn start_screen_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    fields: &mut Fields,
    commands: &mut Commands,
) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.18);
        ui.heading("Interactive 3D segmentation");
        ui.add_space(8.0);
        ui.label("Open a CT or MR volume (NIfTI .nii / .nii.gz, DICOM .dcm or a zipped series).");
        ui.add_space(16.0);
        let ready = doc.session_id().is_some() && !doc.is_busy();
        if ui
            .add_enabled(
                ready,
                egui::Button::new("Open a file…").min_size(egui::vec2(260.0, 32.0)),
            )
            .clicked()
        {
            commands.send(Command::PickOpen);
        }
        ui.add_space(6.0);
        if ui
            .add_enabled(
                ready,
                egui::Button::new("Open the sample (dental CT phantom)")
                    .min_size(egui::vec2(260.0, 32.0)),
            )
            .clicked()
        {
            commands.send(Command::OpenSample);
        }
        ui.add_space(10.0);
        ui.label("…or drop a file on this window, or type its path:");
        ui.horizontal(|ui| {
            let width = 420.0_f32.min(ui.available_width());
            ui.add_space((ui.available_width() - width - 60.0).max(0.0) / 2.0);
            let field = ui.add(
                egui::TextEdit::singleline(&mut fields.open_path)
                    .desired_width(width)
                    .hint_text("/path/to/volume.nii.gz"),
            );
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.add_enabled(ready, egui::Button::new("Open")).clicked() || entered)
                && !fields.open_path.trim().is_empty()
            {
                let path = PathBuf::from(fields.open_path.trim());
                commands.send(Command::OpenPath(path));
            }
        });
        if let Some(transfer) = &doc.transfer {
            ui.add_space(12.0);
            ui.label(&transfer.what);
            let fraction = transfer.progress.fraction().unwrap_or(0.0);
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(300.0)
                    .show_percentage(),
            );
        }
    });
}
