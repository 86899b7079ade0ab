//! `interseg segment`: upload, click, segment, download, in one line.

use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use interseg_shared::api::segmentation::JobState;

use crate::client::Client;
use crate::points::{PointArg, number_objects};

#[derive(Debug, clap::Args)]
pub struct SegmentArgs {
    /// The scan: NIfTI (.nii, .nii.gz), DICOM (.dcm) or a zip of a DICOM series.
    pub scan: PathBuf,
    /// A point on an object, `I,J,K` (voxel indices of the NIfTI array). Each point is its
    /// own object (labels 1, 2, …) unless it names one with `@LABEL`: `120,88,40@3`.
    #[arg(long = "point", required = true, value_name = "I,J,K[@LABEL]")]
    pub points: Vec<PointArg>,
    /// A point that is not part of an object (label 1 unless `@LABEL` is given).
    #[arg(long = "exclude", value_name = "I,J,K[@LABEL]")]
    pub excludes: Vec<PointArg>,
    /// Where to write the label volume (NIfTI, same grid and affine as the scan).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Also write the ITK-SNAP label description file here.
    #[arg(long)]
    pub labels_file: Option<PathBuf>,
    /// Also write every label's surface here: closed STL meshes in mm (RAS), smoothed, in a
    /// zip (one `label_N.stl` per object), for 3D printing and planning.
    #[arg(long)]
    pub meshes: Option<PathBuf>,
    /// Also write 3D Slicer's segmentation file here (`.seg.nrrd`, segments named).
    #[arg(long)]
    pub slicer: Option<PathBuf>,
    /// Also write a DICOM SEG here, referring to the series (for a DICOM scan only).
    #[arg(long)]
    pub dicom_seg: Option<PathBuf>,
    /// How the labels are named in the label file and meshes: `numbers` (the default), or
    /// `fdi` / `universal` when label values are FDI tooth numbers (`--point 1,2,3@36`).
    #[arg(long, value_parser = ["numbers", "fdi", "universal"])]
    pub naming: Option<String>,
    /// Keep the session on the server afterwards (its id is printed), instead of deleting it.
    #[arg(long)]
    pub keep_session: bool,
}

pub async fn run(mut client: Client, args: SegmentArgs, quiet: bool) -> anyhow::Result<()> {
    // Said before anything is uploaded: a DICOM SEG refers to a DICOM series.
    let name = args.scan.to_string_lossy().to_ascii_lowercase();
    anyhow::ensure!(
        args.dicom_seg.is_none() || name.ends_with(".dcm") || name.ends_with(".zip"),
        "--dicom-seg needs a DICOM scan (.dcm or a zip of a series); {} is not one",
        args.scan.display()
    );
    let session = client.create_session().await?;
    let result = segment_in_session(&client, &args, quiet).await;
    if !args.keep_session {
        // Best effort: the server expires it anyway.
        client.delete_session(&session).await.ok();
    } else if !quiet {
        eprintln!("session {session} kept on the server");
    }
    result
}

async fn segment_in_session(
    client: &Client,
    args: &SegmentArgs,
    quiet: bool,
) -> anyhow::Result<()> {
    let upload = bar(quiet, "upload", "{msg:>8} [{bar:30}] {bytes}/{total_bytes}");
    let uploaded = client.upload(&args.scan, &upload).await?;
    upload.finish_and_clear();
    if !quiet {
        eprintln!(
            "{}: {} voxels, intensities {} to {}",
            args.scan.display(),
            uploaded
                .shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("×"),
            uploaded.data_range[0],
            uploaded.data_range[1]
        );
    }
    let labels = number_objects(&args.points);
    for (point, &label) in args.points.iter().zip(&labels) {
        client
            .add_point(label, true, point.voxel)
            .await
            .with_context(|| format!("point {:?} for label {label}", point.voxel))?;
    }
    for point in &args.excludes {
        let label = point.label.unwrap_or(1);
        client
            .add_point(label, false, point.voxel)
            .await
            .with_context(|| format!("exclude point {:?} for label {label}", point.voxel))?;
    }
    if let Some(naming) = &args.naming {
        client.set_naming(naming).await?;
    }
    let running = bar(quiet, "segment", "{msg:>8} [{bar:30}] {pos}%");
    let job = client.segment(&running).await?;
    running.finish_and_clear();
    match job.state {
        JobState::Done => {}
        JobState::Failed => anyhow::bail!(
            "the segmentation failed: {}",
            job.detail.unwrap_or_default()
        ),
        JobState::Cancelled => anyhow::bail!("the segmentation was cancelled on the server"),
        JobState::Running => anyhow::bail!("the segmentation did not finish"),
    }
    let volume = client.download("segmentation").await?;
    write(&args.out, &volume).await?;
    if let Some(path) = &args.labels_file {
        write(path, &client.download("labels").await?).await?;
    }
    if let Some(path) = &args.meshes {
        write(path, &client.download(crate::client::MESHES).await?).await?;
    }
    if let Some(path) = &args.slicer {
        write(path, &client.download("slicer").await?).await?;
    }
    if let Some(path) = &args.dicom_seg {
        write(path, &client.download("dicom_seg").await?).await?;
    }
    if !quiet {
        let found = job.unique_labels.unwrap_or_default();
        eprintln!("wrote {} (labels {:?})", args.out.display(), found);
    }
    Ok(())
}

async fn write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    tokio::fs::write(path, bytes)
        .await
        .with_context(|| format!("writing {}", path.display()))
}

/// A progress bar on stderr, hidden when quiet (or when stderr is not a terminal).
pub fn bar(quiet: bool, message: &'static str, template: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0).with_message(message);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
