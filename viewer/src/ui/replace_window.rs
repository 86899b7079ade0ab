//! Asks before a new file replaces the session's volume, prompts and result.

use crate::app::ViewerApp;

pub fn show(app: &mut ViewerApp, ctx: &egui::Context) {
    let Some(source) = &app.pending_upload else {
        return;
    };
    let name = source.name();
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
        app.confirm_upload(replace);
    }
}
