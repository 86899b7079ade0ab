//! The window's panels; each module draws one and turns input into actions on the app.

mod replace_window;
mod server_window;
mod shortcuts;
mod side_panel;
mod slice_view;
mod start_screen;
mod status_bar;
mod surface_view;
mod top_bar;
mod views;

use crate::app::ViewerApp;

/// Draws the whole window.
pub fn window_ui(app: &mut ViewerApp, ui: &mut egui::Ui) {
    shortcuts::handle(app, ui.ctx());
    open_dropped_file(app, ui.ctx());
    egui::Panel::top("top bar").show(ui, |ui| top_bar::top_bar_ui(app, ui));
    egui::Panel::bottom("status bar").show(ui, |ui| status_bar::status_bar_ui(app, ui));
    if app.doc.volume.is_some() {
        egui::Panel::right("side panel")
            .resizable(true)
            .default_size(290.0)
            .show(ui, |ui| side_panel::side_panel_ui(app, ui));
    }
    egui::CentralPanel::default().show(ui, |ui| {
        if app.doc.volume.is_some() {
            views::views_ui(app, ui);
        } else {
            start_screen::start_screen_ui(app, ui);
        }
    });
    server_window::show(app, ui.ctx());
    replace_window::show(app, ui.ctx());
}

/// A file dropped on the window is opened like one picked in the dialog.
fn open_dropped_file(app: &mut ViewerApp, ctx: &egui::Context) {
    let dropped = ctx.input(|i| i.raw.dropped_files.first().cloned());
    if let Some(file) = dropped {
        app.open_path(file.path().to_owned());
    }
}

/// A colour swatch for a label.
fn label_color32(label: u8) -> egui::Color32 {
    let c = interseg_shared::color::label_color(u16::from(label));
    egui::Color32::from_rgb(c.r, c.g, c.b)
}
