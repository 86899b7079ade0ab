//! Asks before a new file replaces the session's volume, prompts and result.

use crate::command::{Command, Commands};

/// Asks about `pending` (the name of the file waiting), if any.
pub fn show(ctx: &egui::Context, pending: Option<&str>, commands: &mut Commands) {
    let Some(name) = pending else {
        return;
    };
    let mut answer = None;
    egui::Modal::new(egui::Id::unique("replace the volume")).show(ctx, |ui| {
        ui.heading("Replace the current volume?");
        ui.label(format!(
            "Opening {name} replaces this session's volume, its points and its result. \
             Save the result first if you need it."
        ));
        ui.horizontal(|ui| {
            if ui.button("Replace").clicked() {
                answer = Some(true);
            }
            if ui.button("Keep the current volume").clicked() {
                answer = Some(false);
            }
        });
    });
    if let Some(replace) = answer {
        commands.send(Command::ConfirmUpload(replace));
    }
}
