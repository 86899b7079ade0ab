//! Stage three of a click's region: where its boundary is sharpest. The band and its necks
//! can still hold the clicked object together with neighbours of the same intensity (a
//! non-contrast vessel against muscle, a faint lesion in its tissue). A geodesic flood from
//! the click fills the region in order of its cost (length, more across edges and through
//! voxels unlike the click), and every prefix of that flood is a candidate object. Each is
//! scored by the mean contrast across its boundary, lowered by that mean's uncertainty, so
//! a few faces cannot win by chance: inside one tissue the boundary cuts through noise, at
//! the object's edge it lies on an edge, and once the flood leaks the boundary is mostly noise
//! again, and stays so as the flood goes on. The flood is cut at such a peak; a region
//! without one (the band found the object alone) is kept whole.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::region::{Region, face_neighbours};
use super::seed_model::{SeedModel, smoothed};
use crate::segmentation::engine::{EngineError, RunControl};

/// A face's contrast counts at most this many sigmas: one very bright neighbour (bone beside
/// a vessel) must not outweigh a boundary that is an edge everywhere.
const MAX_FACE_SIGMAS: f32 = 8.0;
/// The score is the boundary's mean contrast less this many standard errors of it.
const CONFIDENCE: f32 = 2.0;
/// Of a peak the flood left, the largest prefix within this fraction of it is kept.
const NEAR_PEAK: f32 = 0.95;
/// Scores falling below this fraction of their peak mean the flood has left the object.
const DROP: f32 = 0.9;
/// The tight cut keeps the flood up to where its score first came this near its peak: the
/// object ends where its boundary became sharp, not where a leak happens to keep it sharp.
const ONSET: f32 = 0.9;
/// The tight cut also takes a drop the flood ended in (the region ran out before the drop
/// could persist), once the flood grew this much past the peak.
const ENDED_GROWTH: f32 = 1.2;
/// A drop counts once the flood has grown to this many tenths of the peak's size below it.
const PERSIST_TENTHS: usize = 15;
/// A peak is an edge only this many sigmas high, and this many times the lowest score before.
const MIN_PEAK_SIGMAS: f32 = 1.5;
const PEAK_OVER_FLOOR: f32 = 1.5;
/// Extra cost of a step, per sigma of intensity change across it.
const EDGE_WEIGHT: f32 = 1.0;
/// Extra cost of a step, per sigma that the voxel entered lies from the click's intensity.
const UNLIKE_WEIGHT: f32 = 2.0;
/// Regions smaller than this are taken whole.
const MIN_VOXELS: usize = 27;
const CANCEL_CHECK_EVERY: usize = 1 << 16;

/// The flood from a click over its region, and the score of each of its prefixes.
#[derive(Debug)]
pub struct Flood {
    /// Volume offsets in the order the flood took them.
    pub order: Vec<usize>,
    scores: Vec<f32>,
}

impl Flood {
    /// How many voxels to keep of the flood's first `limit` (all if `None`): the part with
    /// the sharpest boundary.
    pub fn keep(&self, limit: Option<usize>) -> usize {
        let scores = &self.scores[..limit.unwrap_or(self.scores.len()).min(self.scores.len())];
        chosen_prefix(scores, Cut::Widest).unwrap_or(scores.len())
    }

    /// How many voxels to keep for an include click: the tight cut (see [`ONSET`] and
    /// [`ENDED_GROWTH`]).
    pub fn keep_tight(&self) -> usize {
        chosen_prefix(&self.scores, Cut::Tightest).unwrap_or(self.scores.len())
    }

    /// The region of the flood's first `count` voxels.
    pub fn prefix(&self, dims: [usize; 3], count: usize) -> Region {
        Region::from_offsets(dims, &self.order[..count.min(self.order.len())])
    }
}

/// The flood from `click` over `region`; `None` where the region is too small to cut.
pub fn sharpest_flood(
    volume: &Volume,
    spacing_mm: [f64; 3],
    region: &Region,
    click: VoxelIndex,
    model: &SeedModel,
    control: &RunControl,
) -> Result<Option<Flood>, EngineError> {
    if region.len() < MIN_VOXELS || !region.contains(click) {
        return Ok(None);
    }
    let dims = volume.dims();
    // The grid: the region's box and one voxel around it, where boundary faces lie.
    let lo = region.lo.map(|x| x.saturating_sub(1));
    let hi = [0, 1, 2].map(|a| (region.hi[a] + 1).min(dims[a]));
    let size = [0, 1, 2].map(|a| hi[a] - lo[a]);
    let at = |v: VoxelIndex| (v[0] - lo[0]) + size[0] * ((v[1] - lo[1]) + size[1] * (v[2] - lo[2]));
    let cells = size[0] * size[1] * size[2];
    // The heap holds (cost, cell) packed in a u64: cells must fit in 32 bits.
    if u32::try_from(cells).is_err() {
        return Ok(None);
    }
    let voxel = |i: usize| {
        let (x, rest) = (i % size[0], i / size[0]);
        [lo[0] + x, lo[1] + rest % size[1], lo[2] + rest / size[1]]
    };
    let pack = |cost: f32, i: usize| (u64::from(cost.to_bits()) << 32) | i as u64;
    // Smoothed intensities, computed once each, as the flood reaches them.
    let mut intensity = vec![f32::NAN; cells];
    let mut smooth = |v: VoxelIndex| -> f32 {
        let i = at(v);
        if intensity[i].is_nan() {
            intensity[i] = smoothed(volume, v);
        }
        intensity[i]
    };
    let sigma = model.sigma;
    let mut cost = vec![f32::INFINITY; cells];
    let mut settled = vec![false; cells];
    let mut heap = BinaryHeap::new();
    cost[at(click)] = 0.0;
    heap.push(Reverse(pack(0.0, at(click))));
    let mut order: Vec<VoxelIndex> = Vec::with_capacity(region.len());
    // Running sums over the prefix's boundary faces: contrast, its square, and their count.
    let (mut sum, mut sum_sq, mut faces) = (0f64, 0f64, 0f64);
    let mut scores: Vec<f32> = Vec::with_capacity(region.len());
    while let Some(Reverse(packed)) = heap.pop() {
        #[expect(clippy::cast_possible_truncation, reason = "unpacking")]
        let (bits, i) = (
            (packed >> 32) as u32,
            (packed & u64::from(u32::MAX)) as usize,
        );
        let v = voxel(i);
        if settled[i] {
            continue;
        }
        settled[i] = true;
        order.push(v);
        if order.len().is_multiple_of(CANCEL_CHECK_EVERY) && control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let here = smooth(v);
        let d = f32::from_bits(bits);
        for (axis, w) in face_neighbours(v, dims) {
            let there = smooth(w);
            let contrast = f64::from(((there - here).abs() / sigma).min(MAX_FACE_SIGMAS));
            if settled[at(w)] {
                sum -= contrast;
                sum_sq -= contrast * contrast;
                faces -= 1.0;
                continue;
            }
            sum += contrast;
            sum_sq += contrast * contrast;
            faces += 1.0;
            if region.contains(w) {
                #[expect(clippy::cast_possible_truncation, reason = "engines work in f32")]
                let length = spacing_mm[axis] as f32;
                let unlike = model.deviation(there) / sigma;
                let step = length
                    * (1.0
                        + EDGE_WEIGHT * ((there - here).abs() / sigma).min(50.0)
                        + UNLIKE_WEIGHT * unlike.min(50.0));
                let next = d + step;
                let j = at(w);
                if next < cost[j] {
                    cost[j] = next;
                    heap.push(Reverse(pack(next, j)));
                }
            }
        }
        let score = prefix_score(order.len(), sum, sum_sq, faces);
        scores.push(score);
    }
    trace_scores(&scores);
    let order = order
        .into_iter()
        .map(|v| v[0] + dims[0] * (v[1] + dims[1] * v[2]))
        .collect();
    Ok(Some(Flood { order, scores }))
}

/// A prefix's score: its boundary's mean contrast less `CONFIDENCE` standard errors.
fn prefix_score(len: usize, sum: f64, sum_sq: f64, faces: f64) -> f32 {
    if len < MIN_VOXELS || faces < 1.0 {
        return f32::NEG_INFINITY;
    }
    let mean = sum / faces;
    let variance = (sum_sq / faces - mean * mean).max(0.0);
    #[expect(clippy::cast_possible_truncation, reason = "a score")]
    let score = (mean - f64::from(CONFIDENCE) * (variance / faces).sqrt()) as f32;
    score
}

/// Logs the score curve at a few prefix sizes.
fn trace_scores(scores: &[f32]) {
    if tracing::enabled!(tracing::Level::TRACE) {
        let mut k = MIN_VOXELS;
        let mut curve = Vec::new();
        while k < scores.len() {
            curve.push((k, scores[k - 1]));
            k = k * 5 / 4 + 1;
        }
        tracing::trace!(?curve, "scores");
    }
}

/// Which prefix of a peak to keep.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// The largest prefix scoring nearly as well as the peak.
    Widest,
    /// The smallest prefix scoring nearly as well ([`ONSET`]), and a drop the flood ended in.
    Tightest,
}

/// How many voxels of the flood to keep, given each prefix's score: the first peak that the
/// scores are still well below once the flood is 1.5 times its size (the flood left
/// the object there, into tissue alike), else all; of that peak, the prefix `cut` says.
fn chosen_prefix(scores: &[f32], cut: Cut) -> Option<usize> {
    let mut peak = f32::NEG_INFINITY;
    let mut floor = f32::INFINITY;
    let mut peak_end = 0;
    let kept = |peak: f32, peak_end: usize| match cut {
        Cut::Widest => peak_end,
        Cut::Tightest => scores[..peak_end]
            .iter()
            .position(|&s| s >= ONSET * peak)
            .map_or(peak_end, |k| k + 1),
    };
    for (k, &score) in scores.iter().enumerate() {
        if score == f32::NEG_INFINITY {
            continue;
        }
        floor = floor.min(score);
        peak = peak.max(score);
        if score >= NEAR_PEAK * peak {
            peak_end = k + 1;
        }
        // Only a peak well above the noise inside the object is an edge.
        let edge = peak >= MIN_PEAK_SIGMAS && peak >= PEAK_OVER_FLOOR * floor;
        if edge && score < DROP * peak && 10 * (k + 1) >= PERSIST_TENTHS * peak_end {
            return Some(kept(peak, peak_end));
        }
    }
    let edge = peak >= MIN_PEAK_SIGMAS && peak >= PEAK_OVER_FLOOR * floor;
    #[expect(clippy::cast_precision_loss, reason = "a ratio of sizes")]
    let ended_in_drop = scores.last().is_some_and(|&last| last < DROP * peak)
        && scores.len() as f32 >= ENDED_GROWTH * peak_end as f32;
    (cut == Cut::Tightest && edge && ended_in_drop).then(|| kept(peak, peak_end))
}
