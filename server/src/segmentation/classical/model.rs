//! What an object looks like: the intensity rule and centre learned around its include
//! points.

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

/// Half-widths of the windows tried, smallest first, when choosing a threshold.
const STATS_RADII: [usize; 4] = [6, 12, 24, 48];
/// Two classes count as separate when their means lie this many pooled deviations apart.
/// A single noisy class split in two by Otsu gives about 2.7.
const MIN_SEPARATION: f64 = 4.0;
const HISTOGRAM_BINS: usize = 256;

/// An object's intensity model: which voxels may belong to it, and how typical a voxel is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelModel {
    pub acceptance: Acceptance,
    /// The object's typical intensity (median around its include points).
    pub center: f32,
    /// The intensity distance from `center` to the object's boundary: deviations are measured
    /// in this unit.
    pub contrast: f32,
}

impl LabelModel {
    /// Learns the model from the neighbourhoods of `seeds` (at least one).
    pub fn learn(volume: &Volume, seeds: &[VoxelIndex]) -> Option<Self> {
        let first = *seeds.first()?;
        let region = Region::around(volume, first, STATS_RADII[STATS_RADII.len() - 1]);
        let seed_local = [0, 1, 2].map(|a| first[a] - region.lo[a]);
        let acceptance = choose_acceptance(&region, seed_local);
        let mut near: Vec<f32> = seeds
            .iter()
            .flat_map(|&s| {
                let r = Region::around(volume, s, 1);
                r.values
            })
            .collect();
        let center = median(&mut near);
        let contrast = match acceptance {
            Acceptance::AtLeast(t) | Acceptance::Below(t) => (center - t).abs(),
            Acceptance::Within { tolerance, .. } => tolerance,
        };
        Some(Self {
            acceptance,
            center,
            contrast: contrast.max(f32::EPSILON),
        })
    }

    /// How far `v` lies from the object's typical intensity, in units of its contrast.
    #[inline]
    pub fn deviation(&self, v: f32) -> f32 {
        ((v - self.center) / self.contrast).abs()
    }
}

/// A box of the volume copied out as f32, with the means to index it.
struct Region {
    lo: VoxelIndex,
    size: [usize; 3],
    values: Vec<f32>,
}

impl Region {
    fn around(volume: &Volume, center: VoxelIndex, radius: usize) -> Self {
        let lo = center.map(|c| c.saturating_sub(radius));
        let hi = center.map(|c| c.saturating_add(radius + 1));
        let (lo, hi, values) = volume.region_f32(lo, hi);
        let size = [0, 1, 2].map(|a| hi[a] - lo[a]);
        Self { lo, size, values }
    }

    #[inline]
    fn local(&self, [i, j, k]: [usize; 3]) -> usize {
        i + self.size[0] * (j + self.size[1] * k)
    }

    /// Values within `radius` of local position `c`.
    fn window(&self, c: [usize; 3], radius: usize) -> Vec<f32> {
        let lo = c.map(|x| x.saturating_sub(radius));
        let hi = [0, 1, 2].map(|a| (c[a] + radius + 1).min(self.size[a]));
        let mut out = Vec::with_capacity((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]));
        for k in lo[2]..hi[2] {
            for j in lo[1]..hi[1] {
                let start = self.local([lo[0], j, k]);
                out.extend_from_slice(&self.values[start..start + hi[0] - lo[0]]);
            }
        }
        out
    }
}

/// Which intensities belong to the seed's object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Acceptance {
    AtLeast(f32),
    Below(f32),
    Within { center: f32, tolerance: f32 },
}

impl Acceptance {
    #[inline]
    pub fn accepts(self, v: f32) -> bool {
        match self {
            Acceptance::AtLeast(t) => v >= t,
            Acceptance::Below(t) => v < t,
            Acceptance::Within { center, tolerance } => (v - center).abs() <= tolerance,
        }
    }
}

/// Picks the intensity rule for the object under `seed` from its neighbourhood.
fn choose_acceptance(region: &Region, seed: [usize; 3]) -> Acceptance {
    let mut near = region.window(seed, 1);
    let seed_level = median(&mut near);
    for radius in STATS_RADII {
        let values = region.window(seed, radius);
        if let Some(threshold) = separating_threshold(&values) {
            return if seed_level >= threshold {
                Acceptance::AtLeast(threshold)
            } else {
                Acceptance::Below(threshold)
            };
        }
    }
    // No clear second class nearby: accept what is close to the seed's own intensity.
    let mut local = region.window(seed, 2);
    let center = median(&mut local);
    let mut deviations: Vec<f32> = local.iter().map(|v| (v - center).abs()).collect();
    let sigma = 1.4826 * median(&mut deviations);
    let tolerance = (3.0 * sigma).max(center.abs() * 1e-6).max(f32::EPSILON);
    Acceptance::Within { center, tolerance }
}

/// Otsu's threshold over `values`, if it splits them into two well-separated classes.
fn separating_threshold(values: &[f32]) -> Option<f32> {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let scale = (HISTOGRAM_BINS - 1) as f64 / f64::from(hi - lo);
    let mut histogram = [0u64; HISTOGRAM_BINS];
    let mut sums = [0f64; HISTOGRAM_BINS];
    let mut sq_sums = [0f64; HISTOGRAM_BINS];
    for &v in values.iter().filter(|v| v.is_finite()) {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "in 0..BINS"
        )]
        let bin = ((f64::from(v - lo)) * scale) as usize;
        let bin = bin.min(HISTOGRAM_BINS - 1);
        histogram[bin] += 1;
        sums[bin] += f64::from(v);
        sq_sums[bin] += f64::from(v) * f64::from(v);
    }
    let total: u64 = histogram.iter().sum();
    let total_sum: f64 = sums.iter().sum();
    let (mut n0, mut s0) = (0u64, 0f64);
    let mut best: Option<(f64, usize)> = None;
    for bin in 0..HISTOGRAM_BINS - 1 {
        n0 += histogram[bin];
        s0 += sums[bin];
        let n1 = total - n0;
        if n0 == 0 || n1 == 0 {
            continue;
        }
        let (w0, w1) = (n0 as f64, n1 as f64);
        let (m0, m1) = (s0 / w0, (total_sum - s0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if best.is_none_or(|(b, _)| between > b) {
            best = Some((between, bin));
        }
    }
    let (_, bin) = best?;
    // Class statistics at the chosen split.
    let split = bin + 1;
    let stats = |range: std::ops::Range<usize>| {
        let n: u64 = histogram[range.clone()].iter().sum();
        let s: f64 = sums[range.clone()].iter().sum();
        let q: f64 = sq_sums[range].iter().sum();
        let mean = s / n as f64;
        (n, mean, (q / n as f64 - mean * mean).max(0.0))
    };
    let (n0, m0, v0) = stats(0..split);
    let (n1, m1, v1) = stats(split..HISTOGRAM_BINS);
    if n0 == 0 || n1 == 0 {
        return None;
    }
    let pooled = ((v0 + v1) / 2.0).sqrt();
    let separated = pooled == 0.0 || (m1 - m0).abs() / pooled >= MIN_SEPARATION;
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a threshold between f32 values"
    )]
    let threshold = (f64::from(lo) + split as f64 / scale) as f32;
    separated.then_some(threshold)
}

fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}
