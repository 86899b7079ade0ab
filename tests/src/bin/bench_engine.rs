//! Built-in engine benchmark on the dental phantom in a 512×512×300 volume: time per click
//! over a session of 10 clicks (each click adds a tooth; the engine segments all of them), and
//! Dice per tooth once every tooth has its click; then a session of 32 labels (two arches) on
//! a 448³ volume, the time of each further click. Run it with:
//!
//!     cargo run --release -p interseg-tests --bin bench-engine

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::{Duration, Instant};

use interseg_server::segmentation::classical::ClassicalEngine;
use interseg_server::segmentation::{Engine, LabelPrompt, RunControl, Scan};
use interseg_shared::volume::{Scaling, Volume, Voxels};
use interseg_tests::dental::DentalPhantom;

const DIMS: [usize; 3] = [512, 512, 300];
const CLICKS: usize = 10;

fn main() -> anyhow::Result<()> {
    // Quiet unless RUST_LOG asks (the engine logs its phases' times at debug).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let (phantom, volume, truth, shift) = embedded_phantom()?;

    let engine = ClassicalEngine::default();
    let mut prompts = Vec::new();
    let mut times = Vec::new();
    let mut labels = Vec::new();
    // A session clicks every tooth in turn; the first CLICKS clicks make the headline figure.
    for (m, tooth) in phantom.teeth.iter().enumerate() {
        let c = tooth.click();
        prompts.push(LabelPrompt {
            label: m as u8 + 1,
            include: vec![[c[0] + shift[0], c[1] + shift[1], c[2] + shift[2]]],
            exclude: vec![],
            boxes: vec![],
        });
        let t = Instant::now();
        labels = engine
            .segment(
                Scan::new(&volume, [1.0; 3]),
                &prompts,
                None,
                &RunControl::default(),
            )?
            .labels;
        times.push(t.elapsed());
    }
    // The session goes on to 30 clicks: a second point on each of the first teeth.
    let mut long_session = times.clone();
    times.truncate(CLICKS);
    let mut session_labels = labels.clone();
    for (m, tooth) in phantom
        .teeth
        .iter()
        .enumerate()
        .take(30 - phantom.teeth.len())
    {
        let c = tooth.click();
        prompts[m]
            .include
            .push([c[0] + shift[0] + 2, c[1] + shift[1], c[2] + shift[2] - 4]);
        let t = Instant::now();
        session_labels = engine
            .segment(
                Scan::new(&volume, [1.0; 3]),
                &prompts,
                None,
                &RunControl::default(),
            )?
            .labels;
        long_session.push(t.elapsed());
    }
    drop(session_labels);
    long_session.sort();

    let dice = dice_per_tooth(&truth, &labels, phantom.teeth.len());
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "time per click (engine.segment with 1..={CLICKS} teeth prompted): median {:.0} ms, min {:.0} ms, max {:.0} ms",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    println!(
        "a session of 30 clicks: median {:.0} ms, slowest {:.0} ms",
        ms(long_session[long_session.len() / 2]),
        ms(long_session[long_session.len() - 1])
    );
    println!(
        "Dice after one click per tooth ({} teeth): mean {:.3}, min {:.3}",
        phantom.teeth.len(),
        dice.iter().sum::<f64>() / dice.len() as f64,
        dice.iter().copied().fold(f64::INFINITY, f64::min)
    );
    let mut arches = two_arches_session()?;
    // The first click has nothing to keep; every further one is the figure.
    arches.remove(0);
    arches.sort();
    println!(
        "32 labels on a 448³ volume (two arches, one click per tooth): each further click median {:.0} ms, slowest {:.0} ms",
        ms(arches[arches.len() / 2]),
        ms(arches[arches.len() - 1])
    );
    Ok(())
}

/// A dental session with many objects: two arches of 16 teeth, one above the other, in a
/// 448³ volume, clicked one tooth after another (each click adds a label); the time of each
/// `segment` call.
fn two_arches_session() -> anyhow::Result<Vec<Duration>> {
    const SIDE: usize = 448;
    let n = SIDE * SIDE * SIDE;
    let mut values = vec![40i16; n];
    let mut clicks = Vec::new();
    for (arch, seed) in [(0usize, 21u64), (1, 22)] {
        let phantom = DentalPhantom::new(16, 2.5, seed);
        let [pi, pj, pk] = phantom.dims;
        anyhow::ensure!(
            pi <= SIDE && pj <= SIDE && 2 * pk <= SIDE,
            "arches too large"
        );
        let shift = [
            (SIDE - pi) / 2,
            (SIDE - pj) / 2,
            (SIDE - 2 * pk) / 2 + arch * pk,
        ];
        for k in 0..pk {
            for j in 0..pj {
                let src = pi * (j + pj * k);
                let dst = shift[0] + SIDE * ((j + shift[1]) + SIDE * (k + shift[2]));
                values[dst..dst + pi].copy_from_slice(&phantom.values[src..src + pi]);
            }
        }
        clicks.extend(phantom.teeth.iter().map(|t| {
            let c = t.click();
            [c[0] + shift[0], c[1] + shift[1], c[2] + shift[2]]
        }));
    }
    let volume = Volume::new([SIDE; 3], Voxels::I16(values), Scaling::IDENTITY)?;
    let engine = ClassicalEngine::default();
    let mut prompts = Vec::new();
    let mut times = Vec::new();
    for (m, &click) in clicks.iter().enumerate() {
        prompts.push(LabelPrompt {
            label: u8::try_from(m + 1)?,
            include: vec![click],
            exclude: vec![],
            boxes: vec![],
        });
        let t = Instant::now();
        engine.segment(
            Scan::new(&volume, [1.0; 3]),
            &prompts,
            None,
            &RunControl::default(),
        )?;
        times.push(t.elapsed());
    }
    Ok(times)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The dental phantom embedded in a CT-sized volume of soft tissue: the phantom, the volume,
/// its reference labels and where the phantom starts.
fn embedded_phantom() -> anyhow::Result<(DentalPhantom, Volume, Vec<u8>, [usize; 3])> {
    let started = Instant::now();
    let phantom = DentalPhantom::new(16, 3.0, 11);
    // Embed the phantom in a CT-sized volume of soft tissue.
    let n = DIMS.iter().product::<usize>();
    let mut values = vec![40i16; n];
    let mut truth = vec![0u8; n];
    let [pi, pj, pk] = phantom.dims;
    anyhow::ensure!(
        pi <= DIMS[0] && pj <= DIMS[1] && pk <= DIMS[2],
        "phantom larger than the volume"
    );
    let shift = [(DIMS[0] - pi) / 2, (DIMS[1] - pj) / 2, (DIMS[2] - pk) / 2];
    for k in 0..pk {
        for j in 0..pj {
            let src = pi * (j + pj * k);
            let dst = shift[0] + DIMS[0] * ((j + shift[1]) + DIMS[1] * (k + shift[2]));
            values[dst..dst + pi].copy_from_slice(&phantom.values[src..src + pi]);
            truth[dst..dst + pi].copy_from_slice(&phantom.truth[src..src + pi]);
        }
    }
    let volume = Volume::new(DIMS, Voxels::I16(values), Scaling::IDENTITY)?;
    println!(
        "dental phantom: {} teeth, {}×{}×{} embedded in {}×{}×{} int16 (made in {:.1} s)",
        phantom.teeth.len(),
        pi,
        pj,
        pk,
        DIMS[0],
        DIMS[1],
        DIMS[2],
        started.elapsed().as_secs_f64()
    );

    Ok((phantom, volume, truth, shift))
}

/// Dice of each tooth `1..=teeth` of `labels` against `truth`.
fn dice_per_tooth(truth: &[u8], labels: &[u8], teeth: usize) -> Vec<f64> {
    (0..teeth)
        .map(|m| {
            let want = m as u8 + 1;
            let (mut both, mut t, mut f) = (0usize, 0usize, 0usize);
            for (&tv, &lv) in truth.iter().zip(labels) {
                t += usize::from(tv == want);
                f += usize::from(lv == want);
                both += usize::from(tv == want && lv == want);
            }
            2.0 * both as f64 / (t + f) as f64
        })
        .collect()
}
