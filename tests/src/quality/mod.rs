//! The real-data quality harness: real scans with reference masks (fetched into a cache by
//! `tools/fetch_quality_data.py`), a simulated user clicking as nnInteractive's evaluation
//! does, and each click sent through the HTTP API of a real server, as a user's would be.
//!
//! # Layout
//! - [`clicks`]: where the simulated user clicks, Dice.
//! - [`report`]: the table, the JSON and the plot.

pub mod clicks;
pub mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use interseg_server::volume::{LoadLimits, load_nifti};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use self::clicks::{Click, Mask, dice, first_click, next_click};
use crate::SessionClient;

/// What `tools/fetch_quality_data.py` wrote.
#[derive(Clone, Debug, Deserialize)]
pub struct Manifest {
    pub volumes: Vec<VolumeEntry>,
    pub tasks: Vec<TaskEntry>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct VolumeEntry {
    pub name: String,
    pub file: PathBuf,
    pub modality: String,
    pub spacing_mm: [f64; 3],
}

#[derive(Clone, Debug, Deserialize)]
pub struct TaskEntry {
    /// `volume/structure`.
    pub name: String,
    /// bone, vessel, organ, muscle, tumour, brain.
    pub kind: String,
    pub volume: String,
    pub mask: PathBuf,
}

/// The cache the fetch script fills: `$INTERSEG_QUALITY_DATA`, else
/// `~/.cache/interseg/quality`.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("INTERSEG_QUALITY_DATA").map_or_else(
        || {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
                .join(".cache/interseg/quality")
        },
        PathBuf::from,
    )
}

impl Manifest {
    pub fn load(cache: &Path) -> anyhow::Result<Self> {
        let path = cache.join("manifest.json");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "no quality data in {}: run `.venv/bin/python tools/fetch_quality_data.py` first",
                cache.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))
    }

    pub fn volume(&self, name: &str) -> anyhow::Result<&VolumeEntry> {
        self.volumes
            .iter()
            .find(|v| v.name == name)
            .with_context(|| format!("the manifest has no volume {name}"))
    }
}

/// A task's reference mask, read with the server's own NIfTI reader.
pub fn load_mask(path: &Path) -> anyhow::Result<Mask> {
    let loaded = load_nifti(
        path,
        LoadLimits {
            max_voxels: 1 << 30,
        },
    )
    .with_context(|| format!("reading {}", path.display()))?;
    let volume = &loaded.volume;
    let n = volume.dims().iter().product::<usize>();
    let voxels = (0..n)
        .map(|o| volume.value_at_offset(o).is_some_and(|v| v > 0.5))
        .collect();
    Ok(Mask {
        dims: volume.dims(),
        voxels,
    })
}

/// One click's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct ClickOutcome {
    pub voxel: [usize; 3],
    pub include: bool,
    pub dice: f64,
    /// Voxels labelled: with Dice and the target's size, whether the result is too large or
    /// too small.
    pub found_voxels: usize,
    /// The label after this click (label 1 or not, per voxel); kept only when asked for.
    #[serde(skip)]
    pub found: Option<Vec<bool>>,
    /// The segmentation request's wall time.
    pub seconds: f64,
}

/// A task's run: the Dice after each click.
#[derive(Clone, Debug, Serialize)]
pub struct TaskOutcome {
    pub name: String,
    pub kind: String,
    pub modality: String,
    pub clicks: Vec<ClickOutcome>,
}

impl TaskOutcome {
    /// Dice after click `n` (1-based); a task the user stopped clicking keeps its last Dice.
    pub fn dice_after(&self, n: usize) -> f64 {
        self.clicks
            .get(n.saturating_sub(1))
            .or(self.clicks.last())
            .map_or(0.0, |c| c.dice)
    }

    /// The normalised area under Dice against clicks over `clicks` clicks: the mean of the
    /// Dice after each.
    pub fn dice_auc(&self, clicks: usize) -> f64 {
        (1..=clicks).map(|n| self.dice_after(n)).sum::<f64>() / clicks.max(1) as f64
    }
}

/// Runs one task in `session` (which already holds the task's volume): `clicks` clicks of
/// label 1, each followed by a segmentation through the API. Call it on a multi-threaded
/// runtime.
pub async fn run_task(
    session: &SessionClient,
    truth: &Mask,
    spacing_mm: [f64; 3],
    clicks: usize,
    keep_masks: bool,
) -> anyhow::Result<Vec<ClickOutcome>> {
    let mut outcomes = Vec::new();
    let mut found = vec![false; truth.voxels.len()];
    for n in 0..clicks {
        // Distance transforms over the volume: CPU work, kept off the runtime's turn (the
        // server under test shares this runtime). Needs a multi-threaded runtime.
        let click = tokio::task::block_in_place(|| {
            if n == 0 {
                first_click(truth, spacing_mm)
            } else {
                next_click(truth, &found, spacing_mm)
            }
        });
        let Some(click) = click else {
            break;
        };
        add_click(session, click).await?;
        let started = Instant::now();
        let run = session.post("/api/run_segmentation").await?;
        let seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            run.status == StatusCode::OK,
            "segmentation failed: {}",
            run.json
        );
        found = fetch_labels(session, truth.voxels.len()).await?;
        let dice = tokio::task::block_in_place(|| dice(&found, &truth.voxels));
        outcomes.push(ClickOutcome {
            voxel: click.voxel,
            include: click.include,
            dice,
            found_voxels: found.iter().filter(|&&f| f).count(),
            found: keep_masks.then(|| found.clone()),
            seconds,
        });
    }
    Ok(outcomes)
}

/// A click on the axial slice through the voxel: column = j, row = i.
async fn add_click(session: &SessionClient, click: Click) -> anyhow::Result<()> {
    let [i, j, k] = click.voxel;
    let body = json!({
        "label": 1,
        "include": click.include,
        "point": {"axis": 2, "slice_index": k, "x": j, "y": i},
    });
    let answer = session.post_json("/api/prompts", &body).await?;
    anyhow::ensure!(
        answer.status == StatusCode::OK,
        "adding a prompt failed: {}",
        answer.json
    );
    Ok(())
}

/// The session's current labels, as "label 1 or not".
async fn fetch_labels(session: &SessionClient, voxels: usize) -> anyhow::Result<Vec<bool>> {
    let (status, bytes) = session.get_bytes("/api/segmentation/voxels").await?;
    anyhow::ensure!(status == StatusCode::OK, "fetching labels failed: {status}");
    anyhow::ensure!(
        bytes.len() == voxels,
        "labels of {} voxels, expected {voxels}",
        bytes.len()
    );
    Ok(bytes.iter().map(|&l| l == 1).collect())
}
