//! `interseg`: the server's API from the command line, for lab machines without a browser
//! and for scripts. `interseg segment scan.nii.gz --point 120,88,40 --out labels.nii.gz`
//! uploads, clicks, segments and downloads in one line, against any interseg server.

mod client;
mod listing;
mod points;
mod segment;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::client::Client;

#[derive(Debug, Parser)]
#[command(name = "interseg", version, about)]
struct Cli {
    /// The server's URL.
    #[arg(
        long,
        global = true,
        env = "INTERSEG_SERVER",
        default_value = "http://127.0.0.1:8000"
    )]
    server: String,
    /// The server's API token (sent as `Authorization: Bearer …`).
    #[arg(
        long,
        global = true,
        env = "INTERSEG_API_TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    /// Certificate authorities (PEM) to trust for an `https://` server, besides the usual
    /// public ones: a lab's own CA, or the server's self-signed certificate.
    #[arg(long, global = true, env = "INTERSEG_CA_FILE")]
    ca_file: Option<std::path::PathBuf>,
    /// No progress bars or summaries, only errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Segment a scan: upload it, add the points, run the engine, write the labels.
    Segment(segment::SegmentArgs),
    /// List the server's sessions (full ids with an admin token).
    Sessions,
    /// Download a session's result.
    Download(listing::DownloadArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let client = match Client::new(&cli.server, cli.token, cli.ca_file.as_deref()) {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Segment(args) => segment::run(client, args, cli.quiet).await,
            Command::Sessions => listing::sessions(&client).await,
            Command::Download(args) => listing::download(client, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
