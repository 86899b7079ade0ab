//! The server window: connect to a remote server (with its API token) or use the built-in one;
//! open another session by its id.

use super::state::{Fields, ServerInfo};
use crate::command::{Command, Commands};

pub fn show(
    ctx: &egui::Context,
    server: &ServerInfo,
    fields: &mut Fields,
    commands: &mut Commands,
) {
    let mut open = fields.server_window;
    let mut connect = None;
    let mut join = None;
    egui::Window::new("Server")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ctx, |ui| {
            ui.label("A remote interseg server, for shared or GPU machines:");
            egui::Grid::new("server fields")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label("URL");
                    ui.add(
                        egui::TextEdit::singleline(&mut fields.server_url)
                            .hint_text("http://lab-server:8000"),
                    );
                    ui.end_row();
                    ui.label("API token");
                    ui.add(
                        egui::TextEdit::singleline(&mut fields.token)
                            .password(true)
                            .hint_text("optional"),
                    );
                    ui.end_row();
                });
            ui.horizontal(|ui| {
                if ui.button("Connect").clicked() {
                    connect = Some((fields.server_url.clone(), fields.token.clone()));
                }
                if server.has_embedded && ui.button("Use the built-in server").clicked() {
                    connect = Some((String::new(), String::new()));
                }
            });
            ui.separator();
            ui.label("Open another session of this server by its id (from a script, a colleague):");
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut fields.session_id)
                        .hint_text("session id")
                        .desired_width(280.0),
                );
                if ui.button("Open session").clicked() {
                    join = Some(fields.session_id.trim().to_owned());
                }
            });
        });
    if let Some((url, token)) = connect {
        commands.send(Command::ConnectTo { url, token });
        open = false;
    }
    if let Some(id) = join.filter(|id| !id.is_empty()) {
        commands.send(Command::OpenSession(id));
        open = false;
    }
    fields.server_window = open;
}
