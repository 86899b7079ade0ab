//! The eframe application: state, the events that change it, the user's actions. Each frame
//! applies the background events, draws the panels (which push commands), then applies the
//! commands.
//!
//! - [`events`]: applying what the background work reports.
//! - [`commands`]: dispatching the panels' commands.
//! - [`actions`]: what the user asks for (open, mark, segment, save, …).

mod actions;
mod commands;
mod events;

use std::path::PathBuf;

use eframe::egui_wgpu;

use crate::client::{ServerClient, SessionId};
use crate::command::Commands;
use crate::config::{ConfigFile, ViewerConfig};
use crate::document::Document;
use crate::embedded::EmbeddedServer;
use crate::gpu_bridge::GpuBridge;
use crate::net::Net;
use crate::orientation::Plane;
use crate::render::{SliceRenderer, SurfaceRenderer};
use crate::slice_mapping::SliceMapping;
use crate::ui::{Fields, Message, Panels, ServerInfo, UiState};
use crate::view::ViewState;

/// The viewer window.
pub struct ViewerApp {
    pub(crate) server_url: String,
    /// Kept alive for as long as the window; dropped (and stopped) with it.
    embedded: Option<EmbeddedServer>,
    pub(crate) settings: Option<ConfigFile>,
    pub(crate) config: ViewerConfig,
    pub(crate) net: Net,
    /// Slices can be drawn (the window has a GPU).
    has_gpu: bool,
    pub(crate) surface_renderer: Option<SurfaceRenderer>,
    /// The hidden labels when the surfaces were last put on the GPU.
    pub(crate) surfaces_hidden: std::collections::BTreeSet<u8>,
    pub(crate) doc: Document,
    pub(crate) view: ViewState,
    /// The panels' own state (fields, hover, message, where views were drawn).
    pub(crate) ui: UiState,
    /// What the panels asked for this frame.
    commands: Commands,
    /// A file waiting for the user to confirm that it replaces the current work.
    pub(crate) pending_upload: Option<crate::client::volume::UploadSource>,
}

impl ViewerApp {
    /// Starts connecting at once; `settings` is where the session id is remembered.
    /// `render_state` is the window's GPU (none: the slices cannot be drawn, said so).
    pub fn new(
        ctx: egui::Context,
        render_state: Option<&egui_wgpu::RenderState>,
        server_url: String,
        embedded: Option<EmbeddedServer>,
        settings: Option<ConfigFile>,
        config: ViewerConfig,
    ) -> std::io::Result<Self> {
        let client = ServerClient::connect(
            &server_url,
            config.api_token.clone(),
            config.ca_file.as_deref(),
        )
        .map_err(std::io::Error::other)?;
        let renderer = render_state.map(SliceRenderer::new);
        let has_gpu = renderer.is_some();
        let surface_renderer = render_state.map(SurfaceRenderer::new);
        let mut net = Net::new(ctx, client, GpuBridge::new(renderer))?;
        let stored = config.session().map(str::to_owned);
        net.connect(stored, settings.clone().map(|file| (file, config.clone())));
        let mut view = ViewState::default();
        if let Some([center, width]) = config.window_level {
            view.window = crate::view::WindowLevel { center, width };
        }
        if config.single_view {
            view.layout = crate::view::Layout::Single;
        }
        if let Some(opacity) = config.label_opacity.filter(|o| o.is_finite()) {
            view.label_opacity = opacity.clamp(0.0, 1.0);
        }
        let fields = Fields {
            server_url: config.server_url.clone().unwrap_or_default(),
            token: config.api_token.clone().unwrap_or_default(),
            save_path: default_save_path("segmentation"),
            ..Fields::default()
        };
        Ok(Self {
            server_url,
            embedded,
            settings,
            config,
            net,
            has_gpu,
            surface_renderer,
            surfaces_hidden: std::collections::BTreeSet::new(),
            doc: Document::default(),
            view,
            ui: UiState {
                fields,
                ..UiState::default()
            },
            commands: Commands::default(),
            pending_upload: None,
        })
    }

    pub fn server_url(&self) -> &str {
        &self.server_url
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// The session in use, once connected.
    pub fn session_id(&self) -> Option<SessionId> {
        self.doc.session_id()
    }

    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub fn view(&self) -> &ViewState {
        &self.view
    }

    pub fn view_mut(&mut self) -> &mut ViewState {
        &mut self.view
    }

    pub fn message(&self) -> Option<&Message> {
        self.ui.message.as_ref()
    }

    /// Requests sent to the server so far.
    pub fn requests_sent(&self) -> u64 {
        self.net.client().requests_sent()
    }

    pub fn set_save_path(&mut self, path: &std::path::Path) {
        self.ui.fields.save_path = path.display().to_string();
    }

    pub fn set_auto_segment(&mut self, on: bool) {
        self.ui.fields.auto_segment = on;
    }

    /// Where the 3D view shows the world point `world_mm` (scanner mm) in the last frame.
    pub fn surface_screen_pos(&self, world_mm: [f64; 3]) -> Option<egui::Pos2> {
        let (rect, clip) = self.ui.surface_view?;
        #[expect(clippy::cast_possible_truncation, reason = "drawn in f32")]
        let ndc = crate::surfaces::project(&clip, world_mm.map(|x| x as f32))?;
        Some(egui::pos2(
            rect.min.x + (ndc[0] + 1.0) / 2.0 * rect.width(),
            rect.min.y + (1.0 - ndc[1]) / 2.0 * rect.height(),
        ))
    }

    /// The 3D view's surfaces.
    pub fn surfaces(&self) -> &crate::surfaces::Surfaces {
        &self.doc.surfaces
    }

    /// The screen geometry of a plane's view as drawn in the last frame.
    pub fn mapping(&self, plane: Plane) -> Option<SliceMapping> {
        self.ui
            .view_rects
            .iter()
            .find(|(p, _)| *p == plane)
            .map(|(_, m)| *m)
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.ui.say(text);
    }

    pub(crate) fn complain(&mut self, text: impl Into<String>) {
        self.ui.complain(text);
    }

    /// Draws the panels; what they ask for waits in `self.commands`.
    fn panels_ui(&mut self, ui: &mut egui::Ui) {
        let server = ServerInfo {
            url: self.server_url.clone(),
            has_embedded: self.embedded.is_some(),
            uses_embedded: self.uses_embedded(),
        };
        crate::ui::window_ui(
            ui,
            Panels {
                doc: &self.doc,
                view: &mut self.view,
                state: &mut self.ui,
                server: &server,
                pending_upload: self.pending_upload.as_ref().map(|p| p.name()),
                gpu: self.has_gpu,
                commands: &mut self.commands,
            },
        );
    }
}

impl eframe::App for ViewerApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.apply_events();
        self.panels_ui(ui);
        if self.apply_commands() {
            // Drawn again at once (egui's input events are not repeated), so what a command
            // changed shows in this frame, as if the panel had changed it itself.
            ui.ctx().request_discard("commands applied");
        }
        self.sync_surfaces();
        // Progress bars move without input; keep frames coming while something runs.
        if self.doc.transfer.is_some() || self.doc.job.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

/// Where the result of `input` (a file name) is saved unless the user says otherwise.
fn save_path_for(input: &str) -> String {
    let stem = input
        .trim_end_matches(".gz")
        .trim_end_matches(".nii")
        .trim_end_matches(".zip")
        .trim_end_matches(".dcm");
    default_save_path(&format!("{stem}_segmentation"))
}

/// `~/<name>.nii.gz` (or in the working directory when there is no home).
fn default_save_path(name: &str) -> String {
    let dir = directories::UserDirs::new()
        .map(|d| d.home_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join(format!("{name}.nii.gz")).display().to_string()
}

#[cfg(test)]
mod tests;
