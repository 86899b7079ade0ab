//! The top bar: the server, the session, and their controls.

use crate::app::ViewerApp;
use crate::document::SessionView;

pub fn top_bar_ui(app: &mut ViewerApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.strong("interseg");
        ui.separator();
        let origin = if app.uses_embedded() {
            "built-in server"
        } else {
            "server"
        };
        ui.label(format!("{origin} {}", app.server_url()))
            .on_hover_text(format!(
                "API description: {}/api/openapi.json",
                app.server_url()
            ));
        if ui.button("Server…").clicked() {
            app.fields.server_window = true;
        }
        ui.separator();
        match &app.doc.session {
            SessionView::Connecting => {
                ui.spinner();
                ui.label("Connecting…");
            }
            SessionView::Ready(start) => {
                let id = start.session_id().to_owned();
                let short: String = id.chars().take(8).collect();
                ui.label(format!("Session {short}…")).on_hover_text(&id);
                if ui.button("Copy session id").clicked() {
                    ui.ctx().copy_text(id);
                    app.say("Session id copied");
                }
            }
            SessionView::Failed(_) => {
                ui.colored_label(ui.visuals().error_fg_color, "No session");
            }
        }
        if ui.button("New session").clicked() {
            app.new_session();
        }
        if app.doc.connection_lost {
            ui.separator();
            ui.spinner();
            ui.colored_label(ui.visuals().error_fg_color, "Connection lost, retrying…");
        }
    });
}
