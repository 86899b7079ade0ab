//! The harness's report: a table per task and per kind, the same as JSON, and a plot of Dice
//! against clicks per kind.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use plotters::prelude::*;
use serde::Serialize;

use super::TaskOutcome;

/// Figures over a group of tasks (all, or one kind).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub group: String,
    pub tasks: usize,
    /// Mean Dice after click 1..=n.
    pub mean_dice: Vec<f64>,
    pub mean_dice_auc: f64,
    pub median_seconds: f64,
    pub max_seconds: f64,
}

/// Everything the harness found, as written to JSON.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub clicks: usize,
    pub overall: Summary,
    pub kinds: Vec<Summary>,
    pub tasks: Vec<TaskOutcome>,
    /// Tasks whose Dice fell by more than 0.02 from one click to the next.
    pub drops: Vec<String>,
}

impl Report {
    pub fn new(tasks: Vec<TaskOutcome>, clicks: usize) -> Self {
        let mut by_kind: BTreeMap<String, Vec<&TaskOutcome>> = BTreeMap::new();
        for t in &tasks {
            by_kind.entry(t.kind.clone()).or_default().push(t);
        }
        let kinds = by_kind
            .iter()
            .map(|(kind, group)| summarise(kind, group, clicks))
            .collect();
        let overall = summarise("all", &tasks.iter().collect::<Vec<_>>(), clicks);
        let drops = tasks
            .iter()
            .filter(|t| (2..=clicks).any(|n| t.dice_after(n) < t.dice_after(n - 1) - 0.02))
            .map(|t| t.name.clone())
            .collect();
        Self {
            clicks,
            overall,
            kinds,
            tasks,
            drops,
        }
    }

    /// The table, as text.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let clicks: String = (1..=self.clicks).map(|n| format!("  D@{n:<2}")).collect();
        let _ = writeln!(
            out,
            "{:<44} {:<7}{clicks}    AUC  med s  max s",
            "task", "kind"
        );
        for t in &self.tasks {
            let dice: String = (1..=self.clicks)
                .map(|n| format!(" {:.3}", t.dice_after(n)))
                .collect();
            let mut seconds: Vec<f64> = t.clicks.iter().map(|c| c.seconds).collect();
            let _ = writeln!(
                out,
                "{:<44} {:<7}{dice}  {:.3}  {:.3}  {:.3}",
                t.name,
                t.kind,
                t.dice_auc(self.clicks),
                median(&mut seconds),
                seconds.iter().copied().fold(0.0, f64::max),
            );
        }
        let _ = writeln!(out);
        for s in self.kinds.iter().chain([&self.overall]) {
            let dice: String = s.mean_dice.iter().map(|d| format!(" {d:.3}")).collect();
            let _ = writeln!(
                out,
                "{:<44} n={:<5}{dice}  {:.3}  {:.3}  {:.3}",
                format!("mean: {}", s.group),
                s.tasks,
                s.mean_dice_auc,
                s.median_seconds,
                s.max_seconds
            );
        }
        let below: Vec<&str> = self
            .tasks
            .iter()
            .filter(|t| t.dice_after(self.clicks) < 0.5)
            .map(|t| t.name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "\nbelow 0.5 after {} clicks: {}\nDice falling by more than 0.02 between clicks: {}",
            self.clicks,
            list_or_none(&below),
            list_or_none(&self.drops.iter().map(String::as_str).collect::<Vec<_>>()),
        );
        out
    }

    /// Mean Dice against clicks, one line per kind and one for all tasks, as a PNG.
    pub fn plot(&self, path: &Path) -> anyhow::Result<()> {
        plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        )
        .map_err(|_| anyhow::anyhow!("the plot's font did not load"))?;
        let root = BitMapBackend::new(path, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "interseg on real scans: mean Dice against clicks",
                ("sans-serif", 22),
            )
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.8f64..self.clicks as f64 + 0.2, 0.0f64..1.0)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_desc("clicks")
            .y_desc("mean Dice")
            .x_labels(self.clicks)
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(plot_error)?;
        let groups: Vec<&Summary> = self.kinds.iter().chain([&self.overall]).collect();
        for (n, s) in groups.iter().enumerate() {
            let is_overall = n + 1 == groups.len();
            let colour = if is_overall {
                BLACK.to_rgba()
            } else {
                Palette99::pick(n).to_rgba()
            };
            let style = colour.stroke_width(if is_overall { 4 } else { 2 });
            let points: Vec<(f64, f64)> = s
                .mean_dice
                .iter()
                .enumerate()
                .map(|(c, &d)| ((c + 1) as f64, d))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), style))
                .map_err(plot_error)?
                .label(format!("{} (n={})", s.group, s.tasks))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                .map_err(plot_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(plot_error)?;
        root.present()
            .map_err(plot_error)
            .with_context(|| format!("writing {}", path.display()))
    }
}

fn plot_error<E: std::fmt::Display>(err: E) -> anyhow::Error {
    anyhow::anyhow!("plotting failed: {err}")
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn summarise(group: &str, tasks: &[&TaskOutcome], clicks: usize) -> Summary {
    let n = tasks.len().max(1) as f64;
    let mean_dice = (1..=clicks)
        .map(|c| tasks.iter().map(|t| t.dice_after(c)).sum::<f64>() / n)
        .collect();
    let mut seconds: Vec<f64> = tasks
        .iter()
        .flat_map(|t| t.clicks.iter().map(|c| c.seconds))
        .collect();
    Summary {
        group: group.to_owned(),
        tasks: tasks.len(),
        mean_dice,
        mean_dice_auc: tasks.iter().map(|t| t.dice_auc(clicks)).sum::<f64>() / n,
        median_seconds: median(&mut seconds),
        max_seconds: seconds.iter().copied().fold(0.0, f64::max),
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
