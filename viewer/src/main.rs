//! The interseg desktop viewer. With no `--server`, it starts the server in-process.

use anyhow::Context as _;
use clap::Parser;
use interseg_viewer::config::ConfigFile;
use interseg_viewer::{ViewerApp, embedded::EmbeddedServer};

/// interseg: interactive 3D segmentation of medical volumes.
#[derive(Parser)]
#[command(name = "interseg-viewer", version, about)]
struct Cli {
    /// A running interseg server to use instead of the embedded one (default: the one in the
    /// viewer's settings, else the embedded server).
    #[arg(long, env = "INTERSEG_SERVER")]
    server: Option<String>,
    /// The API token the remote server asks for (sent as `Authorization: Bearer`).
    #[arg(long, env = "INTERSEG_API_TOKEN")]
    token: Option<String>,
    /// Certificate authorities (PEM) to trust for an `https://` server, besides the usual
    /// public ones: a lab's own CA, or the server's self-signed certificate.
    #[arg(long, env = "INTERSEG_CA_FILE")]
    ca_file: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    // A server given on the command line wins over the one remembered in the settings.
    let settings = ConfigFile::platform();
    let mut config = settings.as_ref().map(ConfigFile::load).unwrap_or_default();
    config.server_url = cli.server.or(config.server_url);
    config.api_token = cli.token.or(config.api_token);
    config.ca_file = cli.ca_file.or(config.ca_file);
    let (server_url, embedded) = match config.server_url.clone() {
        Some(url) => (url, None),
        None => {
            let embedded = EmbeddedServer::start().context("starting the embedded server")?;
            (embedded.url().to_owned(), Some(embedded))
        }
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("interseg")
            .with_inner_size([1280.0, 820.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "interseg",
        options,
        Box::new(move |cc| {
            let app = ViewerApp::new(
                cc.egui_ctx.clone(),
                cc.wgpu_render_state.as_ref(),
                server_url,
                embedded,
                settings,
                config,
            )?;
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("the window could not be opened: {err}"))
}
