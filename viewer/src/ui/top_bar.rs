//! The top bar: the server, the session, and their controls.

use super::state::{ServerInfo, UiState};
use crate::command::{Command, Commands};
use crate::document::{Document, SessionView};

pub fn top_bar_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    server: &ServerInfo,
    state: &mut UiState,
    commands: &mut Commands,
) {
    ui.horizontal(|ui| {
        ui.strong("interseg");
        ui.separator();
        let origin = if server.uses_embedded {
            "built-in server"
        } else {
            "server"
        };
        ui.label(format!("{origin} {}", server.url))
            .on_hover_text(format!("API description: {}/api/openapi.json", server.url));
        if ui.button("Server…").clicked() {
            state.fields.server_window = true;
        }
        ui.separator();
        match &doc.session {
            SessionView::Connecting => {
                ui.spinner();
                ui.label("Connecting…");
            }
            SessionView::Ready(start) => {
                let id = start.session_id();
                ui.label(format!("Session {}…", id.short()))
                    .on_hover_text(id.to_string());
                if ui.button("Copy session id").clicked() {
                    ui.ctx().copy_text(id.to_string());
                    state.say("Session id copied");
                }
            }
            SessionView::Failed(_) => {
                ui.colored_label(ui.visuals().error_fg_color, "No session");
            }
        }
        if ui.button("New session").clicked() {
            commands.send(Command::NewSession);
        }
        if doc.connection_lost {
            ui.separator();
            ui.spinner();
            ui.colored_label(ui.visuals().error_fg_color, "Connection lost, retrying…");
        }
    });
}
