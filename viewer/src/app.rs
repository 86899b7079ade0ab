//! The eframe application.

use crate::embedded::EmbeddedServer;

/// The viewer window. Until the slice viewer lands it names the server it uses, so a desktop
/// user (or a script) can reach the API the window is hosting.
pub struct ViewerApp {
    server_url: String,
    /// Kept alive for as long as the window; dropped (and stopped) with it.
    _embedded: Option<EmbeddedServer>,
}

impl ViewerApp {
    pub fn new(server_url: String, embedded: Option<EmbeddedServer>) -> Self {
        Self {
            server_url,
            _embedded: embedded,
        }
    }

    pub fn server_url(&self) -> &str {
        &self.server_url
    }

    pub fn is_embedded(&self) -> bool {
        self._embedded.is_some()
    }
}

impl eframe::App for ViewerApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("interseg");
            ui.label("Interactive 3D segmentation of medical volumes.");
            ui.separator();
            let origin = if self.is_embedded() {
                "embedded server"
            } else {
                "remote server"
            };
            ui.horizontal(|ui| {
                ui.label(format!("Serving the API ({origin}) at"));
                ui.monospace(&self.server_url);
                if ui.button("Copy").clicked() {
                    ui.ctx().copy_text(self.server_url.clone());
                }
            });
            ui.label(format!(
                "API description: {}/api/openapi.json",
                self.server_url
            ));
        });
    }
}
