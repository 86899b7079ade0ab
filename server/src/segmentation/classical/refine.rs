//! Boundary refinement. A single threshold cannot place an object's edge right everywhere: a
//! tooth's edge against soft tissue and against bone lie at different intensities. Blurred by
//! the scanner, an edge is best placed where the intensity is halfway between the object's
//! local level and its surroundings' local level; this pass moves each boundary voxel to that
//! side, a few times over (so never more than a few voxels from where growth stopped).

use interseg_shared::volume::Volume;
use rayon::prelude::*;

/// Half-width of the window the local levels are taken from.
const WINDOW: usize = 2;
const PASSES: usize = 2;

/// Refines the boundary of `label` in `labels`, given its voxels (`members`, kept up to date),
/// staying inside the box `lo..hi`, never taking voxels of another label nor those `kept_out`
/// (what the user's exclude clicks held back), and never giving up `kept_in` (sorted: the
/// include clicks and what corrections found: every click counts). Work follows the boundary, not the box.
#[expect(
    clippy::too_many_arguments,
    reason = "one pass over one label's boundary"
)]
pub fn refine_boundary(
    volume: &Volume,
    labels: &mut [u8],
    label: u8,
    members: &mut Vec<usize>,
    lo: [usize; 3],
    hi: [usize; 3],
    kept_out: &(dyn Fn(usize) -> bool + Sync),
    kept_in: &[usize],
) {
    let dims = volume.dims();
    let strides = [1, dims[0], dims[0] * dims[1]];
    let value = |o: usize| volume.value_at_offset(o).unwrap_or(0.0);
    let index = |o: usize| {
        [
            o % dims[0],
            (o / dims[0]) % dims[1],
            o / (dims[0] * dims[1]),
        ]
    };
    // The first pass looks at the whole boundary; later ones only around what changed.
    let mut focus: Option<Vec<usize>> = None;
    for _ in 0..PASSES {
        // Boundary voxels on both sides: members with an outside neighbour, and those
        // neighbours when nobody holds them.
        let mut candidates = Vec::new();
        let near_changes: Vec<usize>;
        let around: &[usize] = match &focus {
            None => members,
            Some(changed) => {
                near_changes = changed
                    .iter()
                    .flat_map(|&c| {
                        let at = index(c);
                        (0..3).flat_map(move |a| {
                            [
                                (at[a] > lo[a]).then(|| c - strides[a]),
                                Some(c),
                                (at[a] + 1 < hi[a]).then(|| c + strides[a]),
                            ]
                        })
                    })
                    .flatten()
                    .filter(|&n| labels[n] == label)
                    .collect();
                &near_changes
            }
        };
        for &m in around {
            let at = index(m);
            for a in 0..3 {
                let neighbours = [
                    (at[a] > lo[a]).then(|| m - strides[a]),
                    (at[a] + 1 < hi[a]).then(|| m + strides[a]),
                ];
                for n in neighbours.into_iter().flatten() {
                    if labels[n] != label {
                        candidates.push(m);
                        if labels[n] == 0 {
                            candidates.push(n);
                        }
                    }
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        // Decide every candidate from the same state, then apply: order-independent.
        let changes: Vec<(usize, bool)> = candidates
            .into_par_iter()
            .filter_map(|o| {
                let inside = labels[o] == label;
                let (object, surroundings) = local_levels(volume, labels, label, index(o))?;
                let (v, midpoint) = (value(o), (object + surroundings) / 2.0);
                let belongs = if object > surroundings {
                    v >= midpoint
                } else {
                    v <= midpoint
                };
                let fixed = if inside {
                    kept_in.binary_search(&o).is_ok()
                } else {
                    kept_out(o)
                };
                (belongs != inside && !fixed).then_some((o, belongs))
            })
            .collect();
        if changes.is_empty() {
            break;
        }
        for &(o, belongs) in &changes {
            labels[o] = if belongs { label } else { 0 };
            if belongs {
                members.push(o);
            }
        }
        members.retain(|&o| labels[o] == label);
        members.sort_unstable();
        members.dedup();
        focus = Some(changes.into_iter().map(|(o, _)| o).collect());
    }
}

/// Median intensity of the object's voxels and of the unlabelled voxels around `center`.
fn local_levels(
    volume: &Volume,
    labels: &[u8],
    label: u8,
    center: [usize; 3],
) -> Option<(f64, f64)> {
    let dims = volume.dims();
    let (mut object, mut surroundings) = (Vec::with_capacity(64), Vec::with_capacity(64));
    for k in center[2].saturating_sub(WINDOW)..(center[2] + WINDOW + 1).min(dims[2]) {
        for j in center[1].saturating_sub(WINDOW)..(center[1] + WINDOW + 1).min(dims[1]) {
            for i in center[0].saturating_sub(WINDOW)..(center[0] + WINDOW + 1).min(dims[0]) {
                let o = i + dims[0] * (j + dims[1] * k);
                let Some(v) = volume.value_at_offset(o) else {
                    continue;
                };
                match labels[o] {
                    l if l == label => object.push(v),
                    0 => surroundings.push(v),
                    _ => {}
                }
            }
        }
    }
    if object.len() < 4 || surroundings.len() < 4 {
        return None;
    }
    Some((median(&mut object), median(&mut surroundings)))
}

fn median(values: &mut [f64]) -> f64 {
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    *m
}
