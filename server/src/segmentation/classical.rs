//! The built-in engine: each include point grows the connected region of similar intensity
//! around it, with a threshold chosen from the point's neighbourhood (Otsu's method on the
//! smallest window that holds two well-separated intensity classes). Growth stays inside a
//! box around the point, so a click can never flood the volume. Labels are grown in priority
//! order and never take a voxel that an earlier label holds or an exclude point marks.

use std::collections::VecDeque;

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::engine::{CancelFlag, Engine, EngineError, LabelPrompt, LabelVolume};

/// Half-widths of the windows tried, smallest first, when choosing a threshold.
const STATS_RADII: [usize; 4] = [6, 12, 24, 48];
/// Two classes count as separate when their means lie this many pooled deviations apart.
/// A single noisy class split in two by Otsu gives about 2.7.
const MIN_SEPARATION: f64 = 4.0;
const HISTOGRAM_BINS: usize = 256;

/// Region growing from each include point, bounded in extent.
#[derive(Clone, Debug)]
pub struct ClassicalEngine {
    /// Growth stays within this many voxels of its seed along each axis.
    pub max_radius: usize,
}

impl Default for ClassicalEngine {
    fn default() -> Self {
        Self { max_radius: 96 }
    }
}

impl Engine for ClassicalEngine {
    fn name(&self) -> &'static str {
        "classical"
    }

    fn segment(
        &self,
        volume: &Volume,
        prompts: &[LabelPrompt],
        _previous: Option<&LabelVolume>,
        cancel: &CancelFlag,
    ) -> Result<LabelVolume, EngineError> {
        if prompts.iter().all(|p| p.include.is_empty()) {
            return Err(EngineError::NoPrompts);
        }
        let dims = volume.dims();
        let mut result = LabelVolume::empty(dims);
        let mut blocked = vec![false; result.labels.len()];
        for point in prompts
            .iter()
            .flat_map(|p| p.include.iter().chain(&p.exclude))
        {
            volume
                .offset(*point)
                .ok_or(EngineError::PromptOutside(*point))?;
        }
        for point in prompts.iter().flat_map(|p| &p.exclude) {
            if let Some(offset) = volume.offset(*point) {
                blocked[offset] = true;
            }
        }
        for prompt in prompts {
            for &seed in &prompt.include {
                if cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
                self.grow(volume, seed, prompt.label, &mut result, &blocked);
            }
        }
        Ok(result)
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
enum Acceptance {
    AtLeast(f32),
    Below(f32),
    Within { center: f32, tolerance: f32 },
}

impl Acceptance {
    #[inline]
    fn accepts(self, v: f32) -> bool {
        match self {
            Acceptance::AtLeast(t) => v >= t,
            Acceptance::Below(t) => v < t,
            Acceptance::Within { center, tolerance } => (v - center).abs() <= tolerance,
        }
    }
}

impl ClassicalEngine {
    fn grow(
        &self,
        volume: &Volume,
        seed: VoxelIndex,
        label: u8,
        result: &mut LabelVolume,
        blocked: &[bool],
    ) {
        let region = Region::around(volume, seed, self.max_radius);
        let seed_local = [0, 1, 2].map(|a| seed[a] - region.lo[a]);
        let acceptance = choose_acceptance(&region, seed_local);
        let [ni, nj, _] = volume.dims();
        let global = |[i, j, k]: [usize; 3]| {
            (region.lo[0] + i) + ni * ((region.lo[1] + j) + nj * (region.lo[2] + k))
        };
        let is_free = |p: [usize; 3], result: &LabelVolume| {
            let g = global(p);
            result.labels[g] == 0 && !blocked[g]
        };
        let mut visited = vec![false; region.values.len()];
        let mut queue = VecDeque::new();
        // Start from the seed, or from its nearest accepted neighbour when noise put the
        // clicked voxel itself on the other side of the threshold.
        let start = std::iter::once(seed_local)
            .chain(neighbours26(seed_local, region.size))
            .find(|&p| acceptance.accepts(region.values[region.local(p)]) && is_free(p, result));
        let Some(start) = start else { return };
        visited[region.local(start)] = true;
        queue.push_back(start);
        while let Some(p) = queue.pop_front() {
            result.labels[global(p)] = label;
            for n in neighbours6(p, region.size) {
                let local = region.local(n);
                if visited[local] {
                    continue;
                }
                visited[local] = true;
                if acceptance.accepts(region.values[local]) && is_free(n, result) {
                    queue.push_back(n);
                }
            }
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

fn neighbours6(p: [usize; 3], size: [usize; 3]) -> impl Iterator<Item = [usize; 3]> {
    (0..3).flat_map(move |axis| {
        let down = (p[axis] > 0).then(|| {
            let mut n = p;
            n[axis] -= 1;
            n
        });
        let up = (p[axis] + 1 < size[axis]).then(|| {
            let mut n = p;
            n[axis] += 1;
            n
        });
        down.into_iter().chain(up)
    })
}

fn neighbours26(p: [usize; 3], size: [usize; 3]) -> impl Iterator<Item = [usize; 3]> {
    let offsets = (0..27).map(|n| [n % 3, (n / 3) % 3, n / 9]);
    offsets.filter(|&o| o != [1, 1, 1]).filter_map(move |o| {
        let mut n = [0; 3];
        for a in 0..3 {
            n[a] = (p[a] + o[a]).checked_sub(1)?;
            if n[a] >= size[a] {
                return None;
            }
        }
        Some(n)
    })
}

#[cfg(test)]
mod tests {
    use interseg_shared::volume::{Scaling, Voxels};

    use super::*;

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
        }
    }

    #[test]
    fn finds_a_bright_ball_whole() {
        let dims = [48, 40, 36];
        let (c, r) = ([20.0, 18.0, 16.0], 9.0);
        let vol = balls(dims, &[(c, r)]);
        let result = ClassicalEngine::default()
            .segment(
                &vol,
                &[prompt(1, [22, 18, 16])],
                None,
                &CancelFlag::default(),
            )
            .unwrap();
        assert_eq!(count(&result, 1), ball_voxels(dims, c, r));
        assert_eq!(result.unique_labels(), vec![0, 1]);
    }

    #[test]
    fn separate_balls_get_separate_labels_and_earlier_wins() {
        let dims = [60, 30, 30];
        let vol = balls(
            dims,
            &[([15.0, 15.0, 15.0], 6.0), ([45.0, 15.0, 15.0], 6.0)],
        );
        let engine = ClassicalEngine::default();
        let cancel = CancelFlag::default();
        let result = engine
            .segment(
                &vol,
                &[prompt(1, [15, 15, 15]), prompt(2, [45, 15, 15])],
                None,
                &cancel,
            )
            .unwrap();
        assert_eq!(count(&result, 1), count(&result, 2));
        assert!(count(&result, 1) > 800);
        // Two points in the same ball: the earlier keeps it all.
        let result = engine
            .segment(
                &vol,
                &[prompt(3, [15, 15, 15]), prompt(4, [16, 15, 15])],
                None,
                &cancel,
            )
            .unwrap();
        assert_eq!(result.unique_labels(), vec![0, 3]);
    }

    #[test]
    fn growth_is_bounded() {
        let dims = [64, 64, 64];
        let vol = Volume::new(dims, Voxels::U8(vec![7; 64 * 64 * 64]), Scaling::IDENTITY).unwrap();
        let engine = ClassicalEngine { max_radius: 10 };
        let result = engine
            .segment(
                &vol,
                &[prompt(1, [32, 32, 32])],
                None,
                &CancelFlag::default(),
            )
            .unwrap();
        assert_eq!(count(&result, 1), 21 * 21 * 21);
    }

    #[test]
    fn is_deterministic_and_honours_cancel() {
        let dims = [32, 32, 32];
        let vol = balls(dims, &[([16.0, 16.0, 16.0], 7.0)]);
        let engine = ClassicalEngine::default();
        let prompts = [prompt(1, [16, 16, 16])];
        let a = engine
            .segment(&vol, &prompts, None, &CancelFlag::default())
            .unwrap();
        let b = engine
            .segment(&vol, &prompts, None, &CancelFlag::default())
            .unwrap();
        assert_eq!(a, b);
        let cancel = CancelFlag::default();
        cancel.cancel();
        assert!(matches!(
            engine.segment(&vol, &prompts, None, &cancel),
            Err(EngineError::Cancelled)
        ));
    }

    #[test]
    fn rejects_prompts_outside() {
        let vol = balls([8, 8, 8], &[]);
        let err = ClassicalEngine::default()
            .segment(&vol, &[prompt(1, [8, 0, 0])], None, &CancelFlag::default())
            .unwrap_err();
        assert!(matches!(err, EngineError::PromptOutside(_)));
    }
}
