//! The real-data quality harness: every task of the quality data set (real CT and MR with
//! reference masks), five simulated clicks each (the first deepest inside the target, then
//! each in the largest error region), sent through the HTTP API of a real server. Prints the
//! table, writes the report as JSON and a plot of Dice against clicks per kind.
//!
//!     .venv/bin/python tools/fetch_quality_data.py      # once: the data, into a cache
//!     cargo run --release -p interseg-tests --bin bench-quality -- [--out DIR] [--only TEXT] [--masks]
//!
//! `--masks` also writes each click's result, one byte per voxel (i fastest), as
//! `DIR/masks/<task>.click<N>.u8`, with the volume's size in `<task>.json`, to look at.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context as _;
use interseg_tests::TestServer;
use interseg_tests::quality::report::Report;
use interseg_tests::quality::{Manifest, TaskOutcome, cache_dir, load_mask, run_task};
use reqwest::StatusCode;

const CLICKS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Quiet unless RUST_LOG asks (the engine logs each click's region at debug).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut out = PathBuf::from("target/quality");
    let mut only: Option<String> = None;
    let mut keep_masks = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().context("--out needs a folder")?.into(),
            "--only" => only = Some(args.next().context("--only needs a text")?),
            "--masks" => keep_masks = true,
            other => {
                anyhow::bail!("unknown argument {other}; use --out DIR, --only TEXT or --masks")
            }
        }
    }
    let cache = cache_dir();
    let manifest = Manifest::load(&cache)?;
    let server = TestServer::spawn().await?;
    // Tasks on the same volume share one upload's worth of decoding; each gets its own session.
    let mut by_volume: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for task in &manifest.tasks {
        if only.as_ref().is_none_or(|o| task.name.contains(o.as_str())) {
            by_volume
                .entry(task.volume.as_str())
                .or_default()
                .push(task);
        }
    }
    let mut outcomes = Vec::new();
    for (volume_name, tasks) in by_volume {
        let volume = manifest.volume(volume_name)?;
        let bytes = std::fs::read(cache.join(&volume.file))
            .with_context(|| format!("reading {}", volume.file.display()))?;
        for task in tasks {
            let truth = load_mask(&cache.join(&task.mask))?;
            let session = server.new_session().await?;
            let name = volume.file.file_name().map_or_else(
                || "volume.nii.gz".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
            let upload = session.upload_bytes(&name, bytes.clone()).await?;
            anyhow::ensure!(upload.status == StatusCode::OK, "upload: {}", upload.json);
            let mut clicks =
                run_task(&session, &truth, volume.spacing_mm, CLICKS, keep_masks).await?;
            if keep_masks {
                save_masks(&out.join("masks"), &task.name, truth.dims, &mut clicks)?;
            }
            let outcome = TaskOutcome {
                name: task.name.clone(),
                kind: task.kind.clone(),
                modality: volume.modality.clone(),
                clicks,
            };
            let dice: Vec<String> = outcome
                .clicks
                .iter()
                .map(|c| format!("{:.3}", c.dice))
                .collect();
            println!("{:<44} {}", outcome.name, dice.join(" "));
            outcomes.push(outcome);
        }
    }
    let report = Report::new(outcomes, CLICKS);
    println!("\n{}", report.table());
    std::fs::create_dir_all(&out)?;
    let json = out.join("quality.json");
    std::fs::write(&json, serde_json::to_vec_pretty(&report)?)?;
    let png = out.join("quality.png");
    report.plot(&png)?;
    println!("wrote {} and {}", json.display(), png.display());
    Ok(())
}

/// Writes each click's mask (and the volume's size) for `task` into `dir`, freeing them.
fn save_masks(
    dir: &std::path::Path,
    task: &str,
    dims: [usize; 3],
    clicks: &mut [interseg_tests::quality::ClickOutcome],
) -> anyhow::Result<()> {
    let stem = task.replace('/', "__");
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join(format!("{stem}.json")),
        serde_json::to_vec(&serde_json::json!({ "dims": dims }))?,
    )?;
    for (n, click) in clicks.iter_mut().enumerate() {
        if let Some(found) = click.found.take() {
            let bytes: Vec<u8> = found.into_iter().map(u8::from).collect();
            std::fs::write(dir.join(format!("{stem}.click{}.u8", n + 1)), bytes)?;
        }
    }
    Ok(())
}
