//! The status line: what is under the pointer, transfers in progress, the last message.

use crate::app::ViewerApp;

pub fn status_bar_ui(app: &mut ViewerApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let mut first = true;
        if let Some(hover) = app.hover {
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
        let mut cancel = false;
        if let Some(transfer) = &app.doc.transfer {
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
                cancel = true;
            }
        }
        if cancel {
            app.cancel_transfer();
        }
        if let Some(message) = &app.message {
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
