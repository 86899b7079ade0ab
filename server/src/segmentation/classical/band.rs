//! Stage one of an object's region: the widest intensity band around its clicks' intensities
//! whose connected region does not leak.
//!
//! A minimax flood from the clicks takes voxels in order of how unlike the most similar click
//! they are (in that click's noise), so the region of every band (all voxels within `t`
//! sigmas of some click's intensity and connected to the clicks) is a prefix of one flood.
//! Bands widen step by step; a band is kept as long as widening it grows the region only a
//! little. A step that makes the region jump has let it leak into a neighbour of similar
//! intensity, and the band before it is chosen. Growth is measured on the region's envelope
//! (the region and its face neighbours): a textured organ filling in as the band widens leaves
//! its envelope nearly unchanged, while a leak makes it jump.

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::region::{face_neighbours, index_of};
use super::seed_model::{SeedModel, smoothed, value};
use crate::segmentation::engine::{EngineError, RunControl};

/// Band half-widths tried, in units of the click's sigma.
const LADDER: [f32; 17] = [
    1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 13.0, 16.0, 20.0, 25.0, 32.0, 40.0, 50.0, 64.0,
];
/// Steps below this still fill the object's noise: they may grow it more before it counts as a
/// leak (up to 3×: a textured organ's spread is wider than the noise a click's window
/// measures). A click beside an edge that leaks even so keeps the narrowest band.
const FILLING_STEPS: usize = 2;
const MAX_FILLING_GROWTH: f64 = 3.0;
/// A band step that grows the region by more than this factor is a leak.
const MAX_STEP_GROWTH: f64 = 1.3;
/// Past the object's noise (this step), the band may add edges and partial volume but not
/// grow the region more than `MAX_EDGE_GROWTH` times in all: more is a slow leak.
const FILLED_STEP: usize = 3;
const MAX_EDGE_GROWTH: f64 = 2.0;
/// The band reaches at most this fraction of the way to what lies just outside its region.
const MIDPOINT: f32 = 0.8;
const BUCKETS: usize = 8192;
/// Flags of a voxel in the flood: judged once; in the envelope; in the chosen region; on its
/// rim.
const SEEN: u8 = 1;
const ENVELOPE: u8 = 2;
const INSIDE: u8 = 4;
const RIM: u8 = 8;
const CANCEL_CHECK_EVERY: usize = 1 << 16;

/// The flood's outcome: voxels in the order taken, and the band each was taken at.
pub struct Band {
    /// Volume offsets of the chosen band's region.
    pub offsets: Vec<usize>,
    /// The chosen half-width, in sigmas of the clicks.
    pub half_width_sigmas: f32,
}

/// Grows the region of `seeds` (clicks with their models), taking at most `cap` voxels.
pub fn grow_band(
    volume: &Volume,
    seeds: &[(VoxelIndex, SeedModel)],
    cap: usize,
    control: &RunControl,
) -> Result<Band, EngineError> {
    let dims = volume.dims();
    let n = dims[0] * dims[1] * dims[2];
    let judge = Judge { seeds };
    let deviation = |v: f32| judge.deviation(v);
    let bucket_of = bucket_of;
    // The last bucket of each ladder step.
    let limits: Vec<usize> = LADDER
        .iter()
        .map(|&k| bucket_of(k).unwrap_or(BUCKETS - 1))
        .collect();
    // Per voxel: the flags above, in one array, so that a voxel's flags share a
    // cache line (the flood is bound by memory). Zeroed and touched only where it goes.
    let mut flags = vec![0u8; n];
    let mut queue: Vec<Vec<usize>> = vec![Vec::new(); BUCKETS];
    // Voxels in the order taken, with the bucket each was taken at.
    let mut taken: Vec<(usize, usize)> = Vec::new();
    // The envelope: taken voxels and their face neighbours.
    let mut envelope = 0usize;
    // Envelope size, and voxels taken, at each ladder step reached so far.
    let mut sizes: Vec<usize> = Vec::with_capacity(LADDER.len());
    let mut counts: Vec<usize> = Vec::with_capacity(LADDER.len());
    seed_queue(volume, seeds, &mut flags, &mut queue[0])?;
    let mut level = 0;
    'flood: while level < BUCKETS {
        let Some(offset) = queue[level].pop() else {
            // Level done: every ladder step ending here has its size.
            while sizes.len() < LADDER.len() && limits[sizes.len()] <= level {
                sizes.push(envelope);
                counts.push(taken.len());
                if is_leak(&sizes) {
                    break 'flood;
                }
            }
            if sizes.len() == LADDER.len() {
                break;
            }
            level += 1;
            continue;
        };
        taken.push((offset, level));
        let at = index_of(offset, dims);
        envelope += enclose(offset, dims, &mut flags);
        // A step already past a leak's growth need not be finished.
        let past_leak = sizes
            .last()
            .is_some_and(|&last| envelope as f64 > last.max(1) as f64 * max_growth(sizes.len()));
        if past_leak || taken.len() >= cap {
            sizes.push(envelope);
            counts.push(taken.len());
            break;
        }
        if taken.len().is_multiple_of(CANCEL_CHECK_EVERY) && control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        for (_, w) in face_neighbours(at, dims) {
            let next = w[0] + dims[0] * (w[1] + dims[1] * w[2]);
            if flags[next] & SEEN != 0 {
                continue;
            }
            // Each voxel is judged once: the first time it is reached.
            flags[next] |= SEEN;
            // Smoothed, noise inside the object does not stop the flood; raw, a voxel that
            // sticks out of the object (its median is the outside's) still counts as its own.
            let judged = deviation(smoothed(volume, w)).min(deviation(value(volume, w)));
            let Some(b) = bucket_of(judged) else {
                continue;
            };
            queue[b.max(level)].push(next);
        }
    }
    // The widest step before the first leak (or before the flood ran out of room).
    let chosen = widest_before_leak(&sizes, &counts, cap);
    tracing::trace!(?sizes, chosen, "band ladder");
    let keep = counts
        .get(chosen)
        .copied()
        .unwrap_or(taken.len())
        .min(taken.len());
    taken.truncate(keep.max(seeds.len()));
    // Nearly the midpoint rule: the band stops short of what lies just outside it.
    if let Some(outside) = outside_deviation(volume, &taken, &mut flags, &deviation)
        && let Some(limit) = bucket_of(outside * MIDPOINT)
    {
        let kept = taken.partition_point(|&(_, b)| b <= limit);
        taken.truncate(kept.max(seeds.len()));
    }
    Ok(Band {
        offsets: taken.into_iter().map(|(o, _)| o).collect(),
        half_width_sigmas: LADDER[chosen],
    })
}

/// How unlike a band's clicks an intensity is.
struct Judge<'a> {
    seeds: &'a [(VoxelIndex, SeedModel)],
}

impl Judge<'_> {
    /// How unlike the most similar click `v` is, in that click's sigmas.
    fn deviation(&self, v: f32) -> f32 {
        self.seeds
            .iter()
            .map(|(_, m)| m.deviation(v) / m.sigma)
            .fold(f32::INFINITY, f32::min)
    }
}

/// The flood's bucket of a deviation; `None` past the widest band.
fn bucket_of(deviation: f32) -> Option<usize> {
    let max_width = LADDER[LADDER.len() - 1];
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked range"
    )]
    let b = (deviation / max_width * BUCKETS as f32) as usize;
    (deviation.is_finite() && b < BUCKETS).then_some(b)
}

/// Queues the clicks (at bucket 0), each once.
fn seed_queue(
    volume: &Volume,
    seeds: &[(VoxelIndex, SeedModel)],
    flags: &mut [u8],
    queue: &mut Vec<usize>,
) -> Result<(), EngineError> {
    for (seed, _) in seeds {
        let start = volume
            .offset(*seed)
            .ok_or(EngineError::PromptOutside(*seed))?;
        if flags[start] & SEEN == 0 {
            flags[start] |= SEEN;
            queue.push(start);
        }
    }
    Ok(())
}

/// Adds the voxel at `offset` and its face neighbours to the envelope; how many were new.
fn enclose(offset: usize, dims: [usize; 3], flags: &mut [u8]) -> usize {
    let at = index_of(offset, dims);
    let mut added = 0;
    for o in std::iter::once(offset)
        .chain(face_neighbours(at, dims).map(|(_, w)| w[0] + dims[0] * (w[1] + dims[1] * w[2])))
    {
        if flags[o] & ENVELOPE == 0 {
            flags[o] |= ENVELOPE;
            added += 1;
        }
    }
    added
}

/// The widest ladder step before the first leak (or before the flood ran out of room).
fn widest_before_leak(sizes: &[usize], counts: &[usize], cap: usize) -> usize {
    let mut chosen = 0;
    while chosen + 1 < sizes.len() && !is_leak(&sizes[..=chosen + 1]) && counts[chosen + 1] < cap {
        chosen += 1;
    }
    chosen
}

/// The median deviation of the voxels just outside the region (its face neighbours). Marks
/// the region and its rim in `flags` (the flood's, which are already where the region is).
fn outside_deviation(
    volume: &Volume,
    taken: &[(usize, usize)],
    flags: &mut [u8],
    deviation: &impl Fn(f32) -> f32,
) -> Option<f32> {
    let dims = volume.dims();
    for &(o, _) in taken {
        flags[o] |= INSIDE;
    }
    let mut rim: Vec<f32> = Vec::new();
    for &(o, _) in taken {
        for (_, w) in face_neighbours(index_of(o, dims), dims) {
            let wo = w[0] + dims[0] * (w[1] + dims[1] * w[2]);
            if flags[wo] & (INSIDE | RIM) == 0 {
                flags[wo] |= RIM;
                rim.push(deviation(smoothed(volume, w)));
            }
        }
    }
    if rim.is_empty() {
        return None;
    }
    Some(super::seed_model::median(&mut rim))
}

/// Whether the last step of `sizes` grew the region by a leak's factor.
fn is_leak(sizes: &[usize]) -> bool {
    let n = sizes.len();
    let jump = n > 1 && sizes[n - 1] as f64 > sizes[n - 2].max(1) as f64 * max_growth(n - 1);
    let slow = n > FILLED_STEP + 1
        && sizes[n - 1] as f64 > sizes[FILLED_STEP].max(1) as f64 * MAX_EDGE_GROWTH;
    jump || slow
}

/// The growth allowed into ladder step `step`.
fn max_growth(step: usize) -> f64 {
    if step <= FILLING_STEPS {
        MAX_FILLING_GROWTH
    } else {
        MAX_STEP_GROWTH
    }
}
