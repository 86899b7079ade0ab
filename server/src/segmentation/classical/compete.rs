//! The final say: every label grows from its include clicks, and each label's exclude clicks
//! grow as "not this label", all at once in order of geodesic cost, each confined to the voxels
//! its label's clicks found. A step costs its length in mm, more when it crosses an intensity
//! edge, so fronts meet at edges: touching objects split along their seam, and an exclude
//! click takes back what lies on its side of the nearest edge.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use interseg_shared::geometry::VoxelIndex;

use super::cache::Footprint;
use super::region::{Region, face_neighbours, index_of};
use super::seed_model::value;
use crate::segmentation::engine::{EngineError, RunControl, Scan};

/// Extra cost of crossing an edge, per sigma of intensity step.
const EDGE_WEIGHT: f32 = 1.0;
const CANCEL_CHECK_EVERY: usize = 1 << 16;

/// One competitor: a label, or the exclude clicks of a label.
#[derive(Clone)]
pub struct Grower {
    /// The label written; 0 for exclusions.
    pub label: u8,
    /// For exclusions: the label they hold back (other labels may still take their voxels).
    pub against: Option<u8>,
    pub seeds: Vec<VoxelIndex>,
    /// Where it may grow.
    pub allowed: Arc<Region>,
    /// The intensity unit of edges for this grower.
    pub sigma: f32,
}

/// What the competition decided.
#[derive(Debug)]
pub struct Outcome {
    /// `(offset, label)` for every voxel a label took, in offset order.
    pub labelled: Vec<(usize, u8)>,
    /// `(label, offset)` for every voxel an exclusion held back from its label: later passes
    /// must not give it back.
    pub held_back: Vec<(u8, usize)>,
}

/// Runs the competition. Voxels of locked labels (`scan.fixed`) are walls: nobody takes them.
pub fn compete(
    scan: Scan<'_>,
    growers: &[Grower],
    control: &RunControl,
) -> Result<Outcome, EngineError> {
    let (volume, spacing_mm) = (scan.volume, scan.spacing_mm);
    let dims = volume.dims();
    // Owners are kept over the box that holds every grower's region and seeds: far smaller
    // than the volume, so the race's random lookups stay in cache.
    let (lo, hi) = growers
        .iter()
        .flat_map(|g| {
            g.seeds
                .iter()
                .map(|&s| (s, s.map(|x| x + 1)))
                .chain((g.allowed.len() > 0).then_some((g.allowed.lo, g.allowed.hi)))
        })
        .fold((dims, [0; 3]), |(lo, hi), (l, h)| {
            (
                [0, 1, 2].map(|a| lo[a].min(l[a])),
                [0, 1, 2].map(|a| hi[a].max(h[a]).min(dims[a])),
            )
        });
    let size = [0, 1, 2].map(|a| hi[a].saturating_sub(lo[a]));
    let cell =
        |v: VoxelIndex| (v[0] - lo[0]) + size[0] * ((v[1] - lo[1]) + size[1] * (v[2] - lo[2]));
    // 0 = nobody yet; otherwise 1 + the grower's index.
    let mut owner = vec![0u16; size[0] * size[1] * size[2]];
    let mut held_back = Vec::new();
    let mut heap: BinaryHeap<Reverse<(u32, u16, usize)>> = BinaryHeap::new();
    for (rank, grower) in growers.iter().enumerate() {
        for &seed in &grower.seeds {
            if let Some(offset) = volume.offset(seed).filter(|&o| !scan.is_fixed(o)) {
                heap.push(Reverse((0, rank_u16(rank), offset)));
            }
        }
    }
    // Whether grower `rank` may take a voxel held by `holder` (1 + rank, or 0).
    let may_take = |rank: usize, holder: u16| -> bool {
        let Some(held_by) = usize::from(holder).checked_sub(1) else {
            return true;
        };
        let (taker, holder) = (&growers[rank], &growers[held_by]);
        taker.against.is_none() && holder.against.is_some_and(|against| against != taker.label)
    };
    let mut settled = 0usize;
    while let Some(Reverse((cost_bits, rank, offset))) = heap.pop() {
        let r = usize::from(rank);
        let at = index_of(offset, dims);
        if !may_take(r, owner[cell(at)]) {
            continue;
        }
        owner[cell(at)] = rank + 1;
        let grower = &growers[r];
        if let Some(against) = grower.against {
            held_back.push((against, offset));
        }
        settled += 1;
        if settled.is_multiple_of(CANCEL_CHECK_EVERY) && control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let cost = f32::from_bits(cost_bits);
        let here = value(volume, at);
        for (axis, w) in face_neighbours(at, dims) {
            if !grower.allowed.contains(w) {
                continue;
            }
            let next = w[0] + dims[0] * (w[1] + dims[1] * w[2]);
            if !may_take(r, owner[cell(w)]) || scan.is_fixed(next) {
                continue;
            }
            let edge = (value(volume, w) - here).abs() / grower.sigma;
            #[expect(clippy::cast_possible_truncation, reason = "engines work in f32")]
            let length = spacing_mm[axis] as f32;
            let step = length * (1.0 + EDGE_WEIGHT * edge.min(50.0));
            heap.push(Reverse(((cost + step).to_bits(), rank, next)));
        }
    }
    let label_at = |v: VoxelIndex| {
        usize::from(owner[cell(v)])
            .checked_sub(1)
            .map_or(0, |g| growers[g].label)
    };
    // A voxel an exclusion held first and a label took later is the label's.
    held_back.retain(|&(_, o)| label_at(index_of(o, dims)) == 0);
    held_back.sort_unstable();
    held_back.dedup();
    let mut labelled = Vec::new();
    for k in lo[2]..hi[2] {
        for j in lo[1]..hi[1] {
            for i in lo[0]..hi[0] {
                let label = label_at([i, j, k]);
                if label != 0 {
                    labelled.push((i + dims[0] * (j + dims[1] * k), label));
                }
            }
        }
    }
    Ok(Outcome {
        labelled,
        held_back,
    })
}

impl Footprint for Outcome {
    fn footprint(&self) -> usize {
        (self.labelled.len() + self.held_back.len()) * std::mem::size_of::<(usize, u8)>()
    }
}

fn rank_u16(rank: usize) -> u16 {
    // The engine caps growers far below u16::MAX (255 labels plus their exclusions).
    u16::try_from(rank).unwrap_or(u16::MAX - 1)
}
