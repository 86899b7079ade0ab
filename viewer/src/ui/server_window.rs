//! The server window: connect to a remote server (with its API token) or use the built-in one;
//! open another session by its id.

use super::state::{Fields, ServerInfo};
use crate::command::{Command, Commands};
use interseg_shared::ids::SessionId;

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
            let typed = !fields.session_id.trim().is_empty();
            let parsed = fields.session_id.trim().parse::<SessionId>();
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut fields.session_id)
                        .hint_text("session id")
                        .desired_width(280.0),
                );
                if ui
                    .add_enabled(parsed.is_ok(), egui::Button::new("Open session"))
                    .clicked()
                {
                    join = parsed.as_ref().ok().copied();
                }
            });
            if typed && parsed.is_err() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    "Not a session id: it looks like 3f1c8b4e-5a2d-4c1e-9b7a-0d6e2f4a8c10.",
                );
            }
        });
    if let Some((url, token)) = connect {
        commands.send(Command::ConnectTo { url, token });
        open = false;
    }
    if let Some(id) = join {
        commands.send(Command::OpenSession(id));
        open = false;
    }
    fields.server_window = open;
}
