//! The window's panels. Each module draws one from the smallest state it needs (the
//! [`Document`] read-only, the view and its own [`UiState`] to edit) and turns input into
//! [`Command`]s for the app; none sees the app itself.

mod replace_window;
mod server_window;
mod shortcuts;
mod side_panel;
mod slice_view;
mod start_screen;
pub mod state;
mod status_bar;
mod surface_view;
mod top_bar;
mod views;

pub use slice_view::slice_paint;
pub use state::{BoxDrag, Fields, Hover, Message, ServerInfo, UiState};

use crate::command::{Command, Commands};
use crate::document::Document;
use crate::view::ViewState;

/// Everything the window's panels may read or edit in one frame.
pub struct Panels<'a> {
    pub doc: &'a Document,
    pub view: &'a mut ViewState,
    pub state: &'a mut UiState,
    pub server: &'a ServerInfo,
    /// The name of a file waiting to replace the current work.
    pub pending_upload: Option<String>,
    /// Slices can be drawn (the window has a GPU renderer).
    pub gpu: bool,
    pub commands: &'a mut Commands,
}

/// Draws the whole window.
pub fn window_ui(ui: &mut egui::Ui, p: Panels<'_>) {
    let Panels {
        doc,
        view,
        state,
        server,
        pending_upload,
        gpu,
        commands,
    } = p;
    shortcuts::handle(ui.ctx(), doc, view, commands);
    open_dropped_file(ui.ctx(), commands);
    egui::Panel::top("top bar").show(ui, |ui| {
        top_bar::top_bar_ui(ui, doc, server, state, commands);
    });
    egui::Panel::bottom("status bar")
        .show(ui, |ui| status_bar::status_bar_ui(ui, doc, state, commands));
    if doc.volume.is_some() {
        egui::Panel::right("side panel")
            .resizable(true)
            .default_size(290.0)
            .show(ui, |ui| {
                side_panel::side_panel_ui(ui, doc, view, &mut state.fields, commands);
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        if doc.volume.is_some() {
            views::views_ui(ui, doc, view, state, gpu, commands);
        } else {
            start_screen::start_screen_ui(ui, doc, &mut state.fields, commands);
        }
    });
    server_window::show(ui.ctx(), server, &mut state.fields, commands);
    replace_window::show(ui.ctx(), pending_upload.as_deref(), commands);
}

/// A file dropped on the window is opened like one picked in the dialog.
fn open_dropped_file(ctx: &egui::Context, commands: &mut Commands) {
    let dropped = ctx.input(|i| i.raw.dropped_files.first().cloned());
    if let Some(file) = dropped {
        commands.send(Command::OpenPath(file.path().to_owned()));
    }
}

/// A colour swatch for a label.
fn label_color32(label: u8) -> egui::Color32 {
    let c = interseg_shared::color::label_color(u16::from(label));
    egui::Color32::from_rgb(c.r, c.g, c.b)
}
