//! `interseg sessions` and `interseg download`.

#![allow(clippy::print_stdout, reason = "a command-line tool answers on stdout")]

use std::path::PathBuf;

use anyhow::Context;

use crate::client::Client;

/// Prints the server's sessions, one per line.
pub async fn sessions(client: &Client) -> anyhow::Result<()> {
    let list = client.sessions().await?;
    println!(
        "{:<38} {:<20} {:<16} points",
        "session", "last activity", "volume"
    );
    for s in list.sessions {
        let shape = s.nifti_shape.map_or_else(
            || "-".to_owned(),
            |shape| {
                shape
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("×")
            },
        );
        println!(
            "{:<38} {:<20} {:<16} {}",
            s.session_id,
            s.last_activity.format("%Y-%m-%d %H:%M:%S"),
            shape,
            s.total_points
        );
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Download {
    /// The label volume (NIfTI).
    Segmentation,
    /// The ITK-SNAP label description file.
    Labels,
    /// Every label's surface: smoothed STL meshes in mm (RAS), in a zip.
    Meshes,
    /// 3D Slicer's segmentation file (`.seg.nrrd`).
    Slicer,
    /// A DICOM SEG referring to the series (only for a volume uploaded as DICOM).
    DicomSeg,
}

#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    /// The session whose result to fetch.
    #[arg(long)]
    pub session: String,
    #[arg(long, value_enum, default_value_t = Download::Segmentation)]
    pub what: Download,
    /// Where to write it.
    #[arg(long, short)]
    pub out: PathBuf,
}

pub async fn download(client: Client, args: DownloadArgs) -> anyhow::Result<()> {
    let client = client.with_session(args.session);
    let what = match args.what {
        Download::Segmentation => "segmentation",
        Download::Labels => "labels",
        Download::Meshes => crate::client::MESHES,
        Download::Slicer => "slicer",
        Download::DicomSeg => "dicom_seg",
    };
    let bytes = client.download(what).await?;
    tokio::fs::write(&args.out, &bytes)
        .await
        .with_context(|| format!("writing {}", args.out.display()))?;
    Ok(())
}
