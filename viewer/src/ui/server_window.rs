//! The server window: connect to a remote server (with its API token) or use the built-in one;
//! open another session by its id.

use crate::app::ViewerApp;

pub fn show(app: &mut ViewerApp, ctx: &egui::Context) {
    let mut open = app.fields.server_window;
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
                        egui::TextEdit::singleline(&mut app.fields.server_url)
                            .hint_text("http://lab-server:8000"),
                    );
                    ui.end_row();
                    ui.label("API token");
                    ui.add(
                        egui::TextEdit::singleline(&mut app.fields.token)
                            .password(true)
                            .hint_text("optional"),
                    );
                    ui.end_row();
                });
            ui.horizontal(|ui| {
                if ui.button("Connect").clicked() {
                    connect = Some((app.fields.server_url.clone(), app.fields.token.clone()));
                }
                if app.is_embedded() && ui.button("Use the built-in server").clicked() {
                    connect = Some((String::new(), String::new()));
                }
            });
            ui.separator();
            ui.label("Open another session of this server by its id (from a script, a colleague):");
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut app.fields.session_id)
                        .hint_text("session id")
                        .desired_width(280.0),
                );
                if ui.button("Open session").clicked() {
                    join = Some(app.fields.session_id.trim().to_owned());
                }
            });
        });
    if let Some((url, token)) = connect {
        app.connect_to(&url, &token);
        open = false;
    }
    if let Some(id) = join.filter(|id| !id.is_empty()) {
        app.open_session(id);
        open = false;
    }
    app.fields.server_window = open;
}
