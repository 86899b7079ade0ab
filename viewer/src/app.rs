//! The eframe application.

use std::sync::mpsc;

use crate::client::{ClientError, ServerClient, SessionStart};
use crate::config::{ConfigFile, ViewerConfig};
use crate::embedded::EmbeddedServer;

/// What the background work reports to the UI.
enum AppEvent {
    Session(Result<SessionStart, ClientError>),
}

/// Where the viewer stands with its session.
enum SessionView {
    Connecting,
    Ready(SessionStart),
    Failed(String),
}

/// The viewer window. Until the slice viewer lands it connects to its server, resumes the
/// stored session (or starts one, saying why) and shows where the server listens.
pub struct ViewerApp {
    server_url: String,
    /// Kept alive for as long as the window; dropped (and stopped) with it.
    embedded: Option<EmbeddedServer>,
    /// Network calls run here, never on the UI thread; kept for the window's lifetime.
    _runtime: tokio::runtime::Runtime,
    events: mpsc::Receiver<AppEvent>,
    session: SessionView,
}

impl ViewerApp {
    /// Starts connecting at once; `settings` is where the session id is remembered.
    pub fn new(
        ctx: egui::Context,
        server_url: String,
        embedded: Option<EmbeddedServer>,
        settings: Option<ConfigFile>,
        config: ViewerConfig,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("interseg-viewer-net")
            .enable_all()
            .build()?;
        let (sender, events) = mpsc::channel();
        let client = ServerClient::new(&server_url);
        runtime.spawn(async move {
            let started = client.resume_or_create(config.session()).await;
            if let (Ok(start), Some(file)) = (&started, settings) {
                let mut config = config.clone();
                config.set_session(start.session_id());
                // A small file, but still I/O: off the runtime's threads too.
                let saved = tokio::task::spawn_blocking(move || file.save(&config)).await;
                if let Ok(Err(err)) = saved {
                    tracing::warn!("cannot save the viewer settings: {err}");
                }
            }
            // The window may have closed meanwhile; then nobody needs the answer.
            sender.send(AppEvent::Session(started)).ok();
            ctx.request_repaint();
        });
        Ok(Self {
            server_url,
            embedded,
            _runtime: runtime,
            events,
            session: SessionView::Connecting,
        })
    }

    pub fn server_url(&self) -> &str {
        &self.server_url
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// The session in use, once connected.
    pub fn session_id(&self) -> Option<&str> {
        match &self.session {
            SessionView::Ready(start) => Some(start.session_id()),
            SessionView::Connecting | SessionView::Failed(_) => None,
        }
    }

    fn apply_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            match event {
                AppEvent::Session(Ok(start)) => self.session = SessionView::Ready(start),
                AppEvent::Session(Err(err)) => {
                    tracing::warn!("{err:#}");
                    self.session = SessionView::Failed(err.to_string());
                }
            }
        }
    }

    fn session_ui(&self, ui: &mut egui::Ui) {
        let short = |id: &str| id.chars().take(8).collect::<String>();
        match &self.session {
            SessionView::Connecting => {
                ui.label("Connecting…");
            }
            SessionView::Ready(SessionStart::Resumed(id)) => {
                ui.label(format!("Session {}… resumed", short(id)));
            }
            SessionView::Ready(SessionStart::Created {
                session_id,
                stored_was_gone,
            }) => {
                let note = if *stored_was_gone {
                    " (the previous session is no longer on the server)"
                } else {
                    ""
                };
                ui.label(format!("New session {}…{note}", short(session_id)));
            }
            SessionView::Failed(reason) => {
                ui.colored_label(ui.visuals().error_fg_color, reason);
            }
        }
    }
}

impl eframe::App for ViewerApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.apply_events();
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
            self.session_ui(ui);
            if let Some(id) = self.session_id()
                && ui.button("Copy session id").clicked()
            {
                ui.ctx().copy_text(id.to_owned());
            }
        });
    }
}
