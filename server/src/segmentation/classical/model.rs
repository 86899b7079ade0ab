//! What an object looks like: the intensity rule and centre learned around its include
//! points.

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

/// Half-width of the window an object's intensity rule is learned from.
const STATS_RADIUS: usize = 32;
/// Two classes count as separate when the histogram between their peaks dips below this
/// fraction of the lower peak; one noisy population split in two has no dip at all.
const MAX_VALLEY: f64 = 0.5;
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
        let region = Region::around(volume, first, STATS_RADIUS);
        let seed_local = [0, 1, 2].map(|a| first[a] - region.lo[a]);
        let acceptance = choose_acceptance(&region, seed_local);
        // The first click defines the object; later ones (corrections, often near an edge)
        // extend where it grows from without dragging its typical intensity towards the edge.
        let mut near = Region::around(volume, first, 1).values;
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

    /// The model of what the user excluded from this object: grown inside the object's
    /// intensity band, but cheaply only through voxels that look like the excluded spot.
    pub fn exclusion(&self, volume: &Volume, excluded: &[VoxelIndex]) -> Self {
        let mut near: Vec<f32> = excluded
            .iter()
            .flat_map(|&p| Region::around(volume, p, 1).values)
            .collect();
        Self {
            center: if near.is_empty() {
                self.center
            } else {
                median(&mut near)
            },
            ..*self
        }
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

/// Picks the intensity rule for the object under `seed` from its neighbourhood: the tightest
/// well-separated split on the far side of the seed's intensity from its surroundings (a
/// lower bound for a bright object, an upper bound for a dark one), found by splitting the
/// window's histogram again and again (Otsu) on the seed's side. Enamel above dentin does not
/// cut a tooth, but dense bone just below it is kept out.
fn choose_acceptance(region: &Region, seed: [usize; 3]) -> Acceptance {
    let mut near = region.window(seed, 1);
    let seed_level = median(&mut near);
    let mut values = region.window(seed, STATS_RADIUS);
    if let Some(histogram) = Histogram::new(&values) {
        let bright = seed_level >= median(&mut values);
        let min_class = histogram.total / 50;
        let mut range = 0..HISTOGRAM_BINS;
        let mut bound = None;
        for _ in 0..HISTOGRAM_BINS {
            let Some(split) = histogram.otsu(range.clone()) else {
                break;
            };
            if split.valley > MAX_VALLEY || split.smaller_class < min_class.max(1) {
                break;
            }
            let threshold = histogram.value_at(split.bin);
            let seed_above = seed_level >= threshold;
            if seed_above == bright {
                bound = Some(threshold);
            }
            range = if seed_above {
                split.bin..range.end
            } else {
                range.start..split.bin
            };
        }
        if let Some(threshold) = bound {
            return if bright {
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

/// A histogram with the sums Otsu's method needs.
struct Histogram {
    lo: f64,
    /// Bins per intensity unit.
    scale: f64,
    counts: [u64; HISTOGRAM_BINS],
    sums: [f64; HISTOGRAM_BINS],
    total: u64,
}

/// Otsu's split of a bin range: the first bin of the upper class, and how well it separates.
struct Split {
    bin: usize,
    /// The histogram's lowest point between the two classes' peaks, relative to the lower
    /// peak: near 1 when the split cuts one population in two, near 0 between two.
    valley: f64,
    smaller_class: u64,
}

impl Histogram {
    fn new(values: &[f32]) -> Option<Self> {
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
        let mut h = Self {
            lo: f64::from(lo),
            scale,
            counts: [0; HISTOGRAM_BINS],
            sums: [0.0; HISTOGRAM_BINS],
            total: 0,
        };
        for &v in values.iter().filter(|v| v.is_finite()) {
            let v = f64::from(v);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "in 0..BINS"
            )]
            let bin = (((v - h.lo) * scale) as usize).min(HISTOGRAM_BINS - 1);
            h.counts[bin] += 1;
            h.sums[bin] += v;
            h.total += 1;
        }
        Some(h)
    }

    /// The intensity where `bin` starts.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a threshold between f32 values"
    )]
    fn value_at(&self, bin: usize) -> f32 {
        (self.lo + bin as f64 / self.scale) as f32
    }

    fn class_count(&self, range: std::ops::Range<usize>) -> u64 {
        self.counts[range].iter().sum()
    }

    /// Counts smoothed over five bins, so noise in the histogram makes no false valleys.
    fn smoothed(&self) -> [f64; HISTOGRAM_BINS] {
        let mut out = [0.0; HISTOGRAM_BINS];
        for (b, slot) in out.iter_mut().enumerate() {
            let (mut sum, mut weight) = (0.0, 0.0);
            for (offset, w) in [(-2i64, 1.0), (-1, 2.0), (0, 3.0), (1, 2.0), (2, 1.0)] {
                if let Some(&c) = usize::try_from(b as i64 + offset)
                    .ok()
                    .and_then(|i| self.counts.get(i))
                {
                    sum += w * c as f64;
                    weight += w;
                }
            }
            *slot = sum / weight;
        }
        out
    }

    /// Otsu's split of `range` (maximal between-class variance), if it has two classes.
    fn otsu(&self, range: std::ops::Range<usize>) -> Option<Split> {
        let total = self.class_count(range.clone());
        let total_sum: f64 = self.sums[range.clone()].iter().sum();
        let (mut n0, mut s0) = (0u64, 0f64);
        // The best split, and the last bin of an equally good run (an empty gap between two
        // classes scores the same all along it; its middle is the fairest threshold).
        let mut best: Option<(f64, usize, usize)> = None;
        for bin in range.start..range.end.saturating_sub(1) {
            n0 += self.counts[bin];
            s0 += self.sums[bin];
            let n1 = total - n0;
            if n0 == 0 || n1 == 0 {
                continue;
            }
            let (w0, w1) = (n0 as f64, n1 as f64);
            let (m0, m1) = (s0 / w0, (total_sum - s0) / w1);
            let between = w0 * w1 * (m0 - m1) * (m0 - m1);
            match &mut best {
                Some((b, _, run_end)) if between == *b && *run_end == bin => *run_end = bin + 1,
                Some((b, _, _)) if between <= *b => {}
                _ => best = Some((between, bin + 1, bin + 1)),
            }
        }
        let (_, first, last) = best?;
        let bin = (first + last) / 2;
        let (n0, n1) = (
            self.class_count(range.start..bin),
            self.class_count(bin..range.end),
        );
        let smoothed = self.smoothed();
        // Peaks are looked for past the smoothing's reach of the split, so that one class's
        // spill-over is not taken for the other's peak.
        let peak = |r: std::ops::Range<usize>| {
            r.map(|b| (smoothed[b], b))
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .unwrap_or((0.0, bin))
        };
        let ((low_peak, low_at), (high_peak, high_at)) = (
            peak(range.start..bin.saturating_sub(2).max(range.start + 1)),
            peak((bin + 2).min(range.end - 1)..range.end),
        );
        let floor = (low_at..=high_at)
            .map(|b| smoothed[b])
            .fold(f64::INFINITY, f64::min);
        let valley = floor / low_peak.min(high_peak).max(f64::MIN_POSITIVE);
        Some(Split {
            bin,
            valley,
            smaller_class: n0.min(n1),
        })
    }
}

fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}
