//! The built-in engine on the dental phantom: one click per tooth finds each tooth as its own
//! label (mean Dice ≥ 0.90), and up to three corrective clicks per tooth bring it to ≥ 0.95.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_server::segmentation::classical::ClassicalEngine;
use interseg_server::segmentation::{Engine, LabelPrompt, RunControl, Scan};
use interseg_shared::volume::{Scaling, Volume, Voxels};
use interseg_tests::dental::DentalPhantom;

fn volume_of(phantom: &DentalPhantom) -> Volume {
    Volume::new(
        phantom.dims,
        Voxels::I16(phantom.values.clone()),
        Scaling::IDENTITY,
    )
    .unwrap()
}

fn one_click_per_tooth(phantom: &DentalPhantom) -> Vec<LabelPrompt> {
    phantom
        .teeth
        .iter()
        .enumerate()
        .map(|(m, tooth)| LabelPrompt {
            label: m as u8 + 1,
            include: vec![tooth.click()],
            exclude: vec![],
            boxes: vec![],
        })
        .collect()
}

fn dices(phantom: &DentalPhantom, labels: &[u8]) -> Vec<f64> {
    (0..phantom.teeth.len())
        .map(|m| phantom.dice(labels, m as u8 + 1, m))
        .collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn one_click_per_tooth_finds_every_tooth() {
    let phantom = DentalPhantom::new(14, 1.0, 1);
    let volume = volume_of(&phantom);
    let result = ClassicalEngine::default()
        .segment(
            Scan::new(&volume, [1.0; 3]),
            &one_click_per_tooth(&phantom),
            None,
            &RunControl::default(),
        )
        .unwrap();
    let dice = dices(&phantom, &result.labels);
    eprintln!("one click per tooth: {dice:.3?}");
    assert_eq!(
        result.unique_labels(),
        (0..=14).collect::<Vec<u8>>(),
        "each tooth its own label"
    );
    assert!(mean(&dice) >= 0.90, "mean Dice {:.3}", mean(&dice));
    assert!(dice.iter().all(|&d| d > 0.8), "{dice:.3?}");
}

/// Dense bone close to dentin and strong noise: one click is not enough here.
#[test]
fn corrective_clicks_reach_095_on_a_hard_case() {
    let phantom = DentalPhantom::with_tissue(16, 1.0, 2, 1450.0, 90.0);
    let volume = volume_of(&phantom);
    let engine = ClassicalEngine::default();
    let mut prompts = one_click_per_tooth(&phantom);
    let mut labels = engine
        .segment(
            Scan::new(&volume, [1.0; 3]),
            &prompts,
            None,
            &RunControl::default(),
        )
        .unwrap()
        .labels;
    for round in 0..3 {
        let dice = dices(&phantom, &labels);
        eprintln!("round {round}: mean {:.3} {dice:.3?}", mean(&dice));
        let mut clicked = false;
        for (m, &d) in dice.iter().enumerate() {
            if d >= 0.95 {
                continue;
            }
            let Some((voxel, include)) = phantom.corrective_click(&labels, m as u8 + 1, m) else {
                continue;
            };
            let owner =
                phantom.truth[voxel[0] + phantom.dims[0] * (voxel[1] + phantom.dims[1] * voxel[2])];
            match (include, owner) {
                (true, _) => prompts[m].include.push(voxel),
                // A voxel of another tooth taken by this one: the user gives it to its tooth.
                (false, q) if q != 0 => prompts[usize::from(q) - 1].include.push(voxel),
                (false, _) => prompts[m].exclude.push(voxel),
            }
            clicked = true;
        }
        if !clicked {
            break;
        }
        labels = engine
            .segment(
                Scan::new(&volume, [1.0; 3]),
                &prompts,
                None,
                &RunControl::default(),
            )
            .unwrap()
            .labels;
    }
    let dice = dices(&phantom, &labels);
    eprintln!("after corrections: mean {:.3} {dice:.3?}", mean(&dice));
    assert!(mean(&dice) >= 0.95, "mean Dice {:.3}", mean(&dice));
}
