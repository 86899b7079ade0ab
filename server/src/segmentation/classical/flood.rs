//! Seeded competitive growth: every label (and its exclude points, as background) floods
//! outwards from its seeds at once, in order of geodesic cost, and each voxel goes to whichever
//! reaches it first. A step into a voxel costs more the less it looks like the label's object,
//! so boundaries settle in the darker seams between touching objects, and halfway (along the
//! object) where there is no seam. Each label stays inside its own box and its own intensity
//! band, so a click never floods the volume.
//!
//! The working arrays span the whole volume but are allocated zeroed and touched only where
//! growth goes, so their cost follows the grown region, not the volume.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::model::LabelModel;
use crate::segmentation::engine::{EngineError, RunControl};

/// Extra step cost per squared unit of deviation from the label's typical intensity.
const DEVIATION_WEIGHT: f32 = 4.0;
/// Deviations are capped here, so that a far outlier costs a lot but not without bound.
const MAX_DEVIATION: f32 = 3.0;
/// How often (in settled voxels) cancellation is checked.
const CANCEL_CHECK_EVERY: usize = 1 << 16;

/// One grower: a label, or the background grown from exclude points.
pub struct Grower {
    /// The label written for it; 0 for background.
    pub label: u8,
    /// For background grown from exclude points: the label it holds back. It blocks only
    /// that label; any other label may still take what it reached.
    pub against: Option<u8>,
    pub seeds: Vec<VoxelIndex>,
    /// The intensity model it grows by (for background, the model of the label it excludes).
    pub model: LabelModel,
    /// Inclusive lower and exclusive upper corner of the box it may grow in.
    pub lo: VoxelIndex,
    pub hi: VoxelIndex,
}

/// The outcome of a competition.
pub struct Outcome {
    /// The label volume (i fastest).
    pub labels: Vec<u8>,
    /// The voxels each grower took, by grower.
    pub taken: Vec<Vec<usize>>,
}

/// Runs the competition.
pub fn compete(
    volume: &Volume,
    growers: &[Grower],
    control: &RunControl,
) -> Result<Outcome, EngineError> {
    let dims = volume.dims();
    let n = dims[0] * dims[1] * dims[2];
    // 0 = nobody yet; otherwise 1 + the grower's index.
    let mut owner = vec![0u16; n];
    let mut labels = vec![0u8; n];
    let mut heap: BinaryHeap<Reverse<(u32, u16, usize)>> = BinaryHeap::new();
    let mut taken = vec![Vec::new(); growers.len()];

    for (rank, grower) in growers.iter().enumerate() {
        for &seed in &grower.seeds {
            if let Some(offset) = volume.offset(seed) {
                heap.push(Reverse((0f32.to_bits(), rank_u16(rank), offset)));
            }
        }
    }
    let strides = [1, dims[0], dims[0] * dims[1]];
    let mut settled = 0usize;
    // Whether grower `rank` may take a voxel that `holder` (1 + rank, or 0) holds.
    let may_take = |rank: usize, holder: u16| -> bool {
        let Some(held_by) = usize::from(holder).checked_sub(1) else {
            return true;
        };
        let (taker, holder) = (&growers[rank], &growers[held_by]);
        taker.against.is_none() && holder.against.is_some_and(|against| against != taker.label)
    };
    while let Some(Reverse((cost_bits, rank, offset))) = heap.pop() {
        if !may_take(usize::from(rank), owner[offset]) {
            continue;
        }
        owner[offset] = rank + 1;
        let grower = &growers[usize::from(rank)];
        labels[offset] = grower.label;
        taken[usize::from(rank)].push(offset);
        settled += 1;
        if settled.is_multiple_of(CANCEL_CHECK_EVERY) && control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let cost = f32::from_bits(cost_bits);
        let voxel = index_of(offset, dims);
        for axis in 0..3 {
            for step_up in [false, true] {
                let next = if step_up {
                    (voxel[axis] + 1 < grower.hi[axis]).then(|| offset + strides[axis])
                } else {
                    (voxel[axis] > grower.lo[axis]).then(|| offset - strides[axis])
                };
                let Some(next) = next else { continue };
                if !may_take(usize::from(rank), owner[next]) {
                    continue;
                }
                let Some(value) = volume.value_at_offset(next) else {
                    continue;
                };
                #[expect(clippy::cast_possible_truncation, reason = "engines work in f32")]
                let value = value as f32;
                if !grower.model.acceptance.accepts(value) {
                    continue;
                }
                let d = grower.model.deviation(value).min(MAX_DEVIATION);
                let step = 1.0 + DEVIATION_WEIGHT * d * d;
                heap.push(Reverse(((cost + step).to_bits(), rank, next)));
            }
        }
    }
    Ok(Outcome { labels, taken })
}

fn rank_u16(rank: usize) -> u16 {
    // The engine caps growers far below u16::MAX (255 labels plus background).
    u16::try_from(rank).unwrap_or(u16::MAX - 1)
}

fn index_of(offset: usize, dims: [usize; 3]) -> VoxelIndex {
    let i = offset % dims[0];
    let rest = offset / dims[0];
    [i, rest % dims[1], rest / dims[1]]
}
