//! The engine on small synthetic volumes.

use interseg_shared::volume::{Scaling, Volume, Voxels};

use super::growers::restore_beyond_reach;
use super::region::Region;
use super::*;
use crate::segmentation::engine::Scan;

fn scan(vol: &Volume) -> Scan<'_> {
    Scan::new(vol, [1.0; 3])
}

/// Bright balls (value 1000 plus noise) on a dark noisy background (100).
fn balls(dims: [usize; 3], balls: &[([f64; 3], f64)]) -> Volume {
    let mut rng = 12345u64;
    let mut noise = move || {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((rng >> 33) % 101) as i16 - 50
    };
    let mut v = Vec::with_capacity(dims[0] * dims[1] * dims[2]);
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                let p = [i as f64, j as f64, k as f64];
                let inside = balls
                    .iter()
                    .any(|(c, r)| (0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>() <= r * r);
                v.push(if inside { 1000 } else { 100 } + noise());
            }
        }
    }
    Volume::new(dims, Voxels::I16(v), Scaling::IDENTITY).unwrap()
}

/// Whether `found` is within 1 % of `expected` (the median smoothing drops a ball's few
/// single-voxel bumps).
fn about(found: usize, expected: usize) -> bool {
    found.abs_diff(expected) * 100 <= expected
}

fn count(result: &LabelVolume, label: u8) -> usize {
    result.labels.iter().filter(|&&l| l == label).count()
}

fn ball_voxels(dims: [usize; 3], c: [f64; 3], r: f64) -> usize {
    let mut n = 0;
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                let p = [i as f64, j as f64, k as f64];
                n += usize::from((0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>() <= r * r);
            }
        }
    }
    n
}

fn prompt(label: u8, seed: VoxelIndex) -> LabelPrompt {
    LabelPrompt {
        label,
        include: vec![seed],
        exclude: vec![],
        boxes: vec![],
    }
}

#[test]
fn finds_a_bright_ball_whole() {
    let dims = [48, 40, 36];
    let (c, r) = ([20.0, 18.0, 16.0], 9.0);
    let vol = balls(dims, &[(c, r)]);
    let result = ClassicalEngine::default()
        .segment(
            scan(&vol),
            &[prompt(1, [22, 18, 16])],
            None,
            &RunControl::default(),
        )
        .unwrap();
    assert!(about(count(&result, 1), ball_voxels(dims, c, r)));
    assert_eq!(result.unique_labels(), vec![0, 1]);
}

#[test]
fn separate_balls_get_separate_labels() {
    let dims = [60, 30, 30];
    let vol = balls(
        dims,
        &[([15.0, 15.0, 15.0], 6.0), ([45.0, 15.0, 15.0], 6.0)],
    );
    let engine = ClassicalEngine::default();
    let cancel = RunControl::default();
    let result = engine
        .segment(
            scan(&vol),
            &[prompt(1, [15, 15, 15]), prompt(2, [45, 15, 15])],
            None,
            &cancel,
        )
        .unwrap();
    assert_eq!(count(&result, 1), count(&result, 2));
    assert!(about(
        count(&result, 1),
        ball_voxels(dims, [15.0, 15.0, 15.0], 6.0)
    ));
}

/// Dice of `label` against the voxels nearer to `own` than to `other` inside either ball.
fn dice_against_nearest(
    result: &LabelVolume,
    label: u8,
    own: ([f64; 3], f64),
    other: ([f64; 3], f64),
) -> f64 {
    let dims = result.dims;
    let (mut both, mut truth, mut found) = (0usize, 0usize, 0usize);
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                let p = [i as f64, j as f64, k as f64];
                let d = |c: [f64; 3]| (0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>();
                let inside = d(own.0) <= own.1 * own.1 || d(other.0) <= other.1 * other.1;
                let is_truth = inside && d(own.0) <= d(other.0);
                let is_found = result.labels[i + dims[0] * (j + dims[1] * k)] == label;
                truth += usize::from(is_truth);
                found += usize::from(is_found);
                both += usize::from(is_truth && is_found);
            }
        }
    }
    2.0 * both as f64 / (truth + found) as f64
}

#[test]
fn touching_balls_clicked_once_each_are_split_at_their_contact() {
    let dims = [48, 32, 32];
    let (a, b) = (([17.0, 16.0, 16.0], 7.0), ([30.0, 16.0, 16.0], 7.0));
    let vol = balls(dims, &[a, b]);
    let result = ClassicalEngine::default()
        .segment(
            scan(&vol),
            &[prompt(1, [17, 16, 16]), prompt(2, [30, 16, 16])],
            None,
            &RunControl::default(),
        )
        .unwrap();
    assert_eq!(result.unique_labels(), vec![0, 1, 2]);
    assert!(dice_against_nearest(&result, 1, a, b) > 0.97);
    assert!(dice_against_nearest(&result, 2, b, a) > 0.97);
}

#[test]
fn two_points_on_one_object_share_it() {
    let dims = [40, 30, 30];
    let vol = balls(dims, &[([20.0, 15.0, 15.0], 8.0)]);
    let result = ClassicalEngine::default()
        .segment(
            scan(&vol),
            &[prompt(3, [16, 15, 15]), prompt(4, [24, 15, 15])],
            None,
            &RunControl::default(),
        )
        .unwrap();
    assert_eq!(result.unique_labels(), vec![0, 3, 4]);
    eprintln!(
        "counts {} {} of {}",
        count(&result, 3),
        count(&result, 4),
        ball_voxels(dims, [20.0, 15.0, 15.0], 8.0)
    );
    assert!(about(
        count(&result, 3) + count(&result, 4),
        ball_voxels(dims, [20.0, 15.0, 15.0], 8.0)
    ));
}

#[test]
fn exclude_points_hold_growth_back() {
    // A tube (a row of overlapping balls): one object with no neck, clicked near one end.
    let dims = [64, 24, 24];
    let tube: Vec<([f64; 3], f64)> = (0..15)
        .map(|n| ([6.0 + 3.5 * f64::from(n), 12.0, 12.0], 5.0))
        .collect();
    let vol = balls(dims, &tube);
    let tube_voxels = count_where(&vol, |v| v > 500.0);
    let engine = ClassicalEngine::default();
    let include_only = engine
        .segment(
            scan(&vol),
            &[prompt(1, [10, 12, 12])],
            None,
            &RunControl::default(),
        )
        .unwrap();
    assert!(count(&include_only, 1) > tube_voxels * 9 / 10);
    let with_exclude = LabelPrompt {
        label: 1,
        include: vec![[10, 12, 12]],
        exclude: vec![[48, 12, 12]],
        boxes: vec![],
    };
    let result = engine
        .segment(scan(&vol), &[with_exclude], None, &RunControl::default())
        .unwrap();
    let at = |i: usize| result.labels[i + 64 * (12 + 24 * 12)];
    assert_eq!(at(10), 1);
    assert_eq!(at(48), 0);
    // It takes back its side of the tube, not more, and only that.
    let kept = count(&result, 1);
    assert!(kept < tube_voxels * 3 / 4, "{kept} of {tube_voxels}");
    assert!(kept > tube_voxels / 3, "{kept} of {tube_voxels}");
}

fn count_where(vol: &Volume, keep: impl Fn(f64) -> bool) -> usize {
    (0..vol.voxel_count())
        .filter(|&o| vol.value_at_offset(o).is_some_and(&keep))
        .count()
}

#[test]
fn a_uniform_volume_is_one_object_with_no_box() {
    let dims = [64, 64, 64];
    let vol = Volume::new(dims, Voxels::U8(vec![7; 64 * 64 * 64]), Scaling::IDENTITY).unwrap();
    let result = ClassicalEngine::default()
        .segment(
            scan(&vol),
            &[prompt(1, [32, 32, 32])],
            None,
            &RunControl::default(),
        )
        .unwrap();
    assert_eq!(count(&result, 1), 64 * 64 * 64);
}

#[test]
fn is_deterministic_and_honours_cancel() {
    let dims = [32, 32, 32];
    let vol = balls(dims, &[([16.0, 16.0, 16.0], 7.0)]);
    let engine = ClassicalEngine::default();
    let prompts = [prompt(1, [16, 16, 16])];
    let a = engine
        .segment(scan(&vol), &prompts, None, &RunControl::default())
        .unwrap();
    let b = engine
        .segment(scan(&vol), &prompts, None, &RunControl::default())
        .unwrap();
    assert_eq!(a, b);
    let cancel = RunControl::default();
    cancel.cancel();
    assert!(matches!(
        engine.segment(scan(&vol), &prompts, None, &cancel),
        Err(EngineError::Cancelled)
    ));
}

#[test]
fn rejects_prompts_outside() {
    let vol = balls([8, 8, 8], &[]);
    let err = ClassicalEngine::default()
        .segment(
            scan(&vol),
            &[prompt(1, [8, 0, 0])],
            None,
            &RunControl::default(),
        )
        .unwrap_err();
    assert!(matches!(err, EngineError::PromptOutside(_)));
}

/// A CT-like slab: air above, soft tissue (40 HU), and a long bone along z: marrow (-60 HU,
/// as dark as fat) inside a cortex (1200 HU), beside a block of fat.
fn long_bone(dims: [usize; 3], centre: [f64; 2], marrow: f64, outer: f64) -> Volume {
    let mut rng = 777u64;
    let mut v = Vec::with_capacity(dims[0] * dims[1] * dims[2]);
    for _ in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let noise = ((rng >> 33) % 41) as i16 - 20;
                let r = ((i as f64 - centre[0]).powi(2) + (j as f64 - centre[1]).powi(2)).sqrt();
                let hu = if j < 4 {
                    -1000
                } else if r <= marrow {
                    -60
                } else if r <= outer {
                    1200
                } else if i >= dims[0] - 12 {
                    -100
                } else {
                    40
                };
                v.push(hu + noise);
            }
        }
    }
    Volume::new(dims, Voxels::I16(v), Scaling::IDENTITY).unwrap()
}

#[test]
fn a_click_in_marrow_takes_the_whole_bone_and_not_the_fat_beside_it() {
    let dims = [48, 40, 24];
    let (centre, marrow, outer) = ([20.0, 22.0], 6.0, 8.5);
    let vol = long_bone(dims, centre, marrow, outer);
    let result = ClassicalEngine::default()
        .segment(
            scan(&vol),
            &[prompt(1, [20, 22, 12])],
            None,
            &RunControl::default(),
        )
        .unwrap();
    let (mut both, mut bone, mut found) = (0usize, 0usize, 0usize);
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                let r = ((i as f64 - centre[0]).powi(2) + (j as f64 - centre[1]).powi(2)).sqrt();
                let truth = r <= outer;
                let got = result.labels[i + dims[0] * (j + dims[1] * k)] == 1;
                bone += usize::from(truth);
                found += usize::from(got);
                both += usize::from(truth && got);
            }
        }
    }
    let dice = 2.0 * both as f64 / (bone + found) as f64;
    assert!(dice > 0.95, "dice {dice}: {found} found, {bone} bone");
}

#[test]
fn an_exclude_click_near_an_edge_takes_its_part_not_the_far_side() {
    // A slab 8 voxels thick and 100 long; a cut left only its first 20 voxels. An exclude click
    // at 30, 4 voxels deep (deeper than a rim), reaches about 40 mm: what lies beyond that is
    // given back.
    let dims = [100, 8, 8];
    let all: Vec<usize> = (0..dims[0] * dims[1] * dims[2]).collect();
    let region = Region::from_offsets(dims, &all);
    let first: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&o| region::index_of(o, dims)[0] < 20)
        .collect();
    let cut = Region::from_offsets(dims, &first);
    let restored = restore_beyond_reach(&region, &cut, &[[30, 3, 3]], [1.0; 3]);
    assert!(restored.contains([10, 3, 3]), "what the cut kept stays");
    assert!(!restored.contains([30, 3, 3]), "the click's own part goes");
    assert!(
        !restored.contains([45, 3, 3]),
        "and what lies within its reach"
    );
    assert!(restored.contains([80, 3, 3]), "the far side comes back");
}

#[test]
fn an_exclude_click_on_the_rim_corrects_the_edge_there_only() {
    let dims = [40, 40, 40];
    let (c, r) = ([20.0, 20.0, 20.0], 12.0);
    let vol = balls(dims, &[(c, r)]);
    // Two voxels deep in the ball (its edge voxel on this line is 32): the user trims the
    // edge there.
    let rim = [31, 20, 20];
    let result = ClassicalEngine::default()
        .segment(
            scan(&vol),
            &[LabelPrompt {
                label: 1,
                include: vec![[20, 20, 20]],
                exclude: vec![rim],
                boxes: vec![],
            }],
            None,
            &RunControl::default(),
        )
        .unwrap();
    let offset = |v: VoxelIndex| v[0] + dims[0] * (v[1] + dims[1] * v[2]);
    assert_eq!(result.labels[offset(rim)], 0);
    let ball = ball_voxels(dims, c, r);
    let kept = count(&result, 1);
    assert!(kept * 100 >= ball * 95, "{kept} of {ball} voxels kept");
}

#[test]
fn kept_outcomes_of_labels_apart_equal_a_fresh_run() {
    let dims = [64, 32, 32];
    // Balls 1 and 2 touch; ball 3 lies apart.
    let vol = balls(
        dims,
        &[
            ([12.0, 16.0, 16.0], 6.0),
            ([24.0, 16.0, 16.0], 6.0),
            ([48.0, 16.0, 16.0], 8.0),
        ],
    );
    let session = ClassicalEngine::default();
    let mut prompts = vec![
        prompt(1, [12, 16, 16]),
        prompt(2, [24, 16, 16]),
        prompt(3, [48, 16, 16]),
    ];
    let run = |engine: &ClassicalEngine, prompts: &[LabelPrompt]| {
        engine
            .segment(scan(&vol), prompts, None, &RunControl::default())
            .unwrap()
    };
    let before = run(&session, &prompts);
    assert_eq!(before, run(&ClassicalEngine::default(), &prompts));
    // A correction of label 3 alone: labels 1 and 2 come from what was kept.
    prompts[2].exclude.push([54, 16, 16]);
    let after = run(&session, &prompts);
    assert_ne!(count(&after, 3), count(&before, 3));
    assert_eq!(count(&after, 1), count(&before, 1));
    assert_eq!(after, run(&ClassicalEngine::default(), &prompts));
    // And back: the first outcome again.
    prompts[2].exclude.clear();
    assert_eq!(run(&session, &prompts), before);
}
