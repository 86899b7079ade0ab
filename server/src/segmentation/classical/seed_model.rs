//! What one click says about its object's appearance: its typical intensity, the noise around
//! it, and whether it stands out brighter than everything around it (bone, contrast).
//! Intensities are lightly smoothed (the median of a voxel and its six neighbours), so that
//! single noisy voxels neither stop growth nor hole the result.

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::region::face_neighbours;

/// The appearance model of one click.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeedModel {
    /// The smoothed intensity typical at the click.
    pub center: f32,
    /// The spread of smoothed intensities around the click (robust), never zero.
    pub sigma: f32,
    /// Far brighter than its surroundings: voxels brighter still belong to it more readily.
    pub bright: bool,
}

/// Clicks farther above their surroundings than this many sigmas are on bright objects.
const BRIGHT_SIGMAS: f32 = 3.0;
/// The surroundings: this far around the click, in mm (at most `MAX_SURROUND` voxels).
const SURROUND_MM: f64 = 20.0;
const MAX_SURROUND: usize = 16;

impl SeedModel {
    /// Learns the model at `seed`, in a scan whose noise is `scan_noise` (see [`scan_stats`]).
    /// Blocking, small: a few thousand voxels.
    pub fn learn(volume: &Volume, spacing_mm: [f64; 3], seed: VoxelIndex, scan_noise: f32) -> Self {
        let near: Vec<f32> = window(volume, seed, [1; 3])
            .into_iter()
            .map(|v| smoothed(volume, v))
            .collect();
        let center = median(&mut near.clone());
        // Noise from differences between neighbouring voxels: a click beside an edge sees the
        // edge in only a few of them, so its noise is not taken for the edge's contrast.
        let dims = volume.dims();
        let mut steps: Vec<f32> = window(volume, seed, [2; 3])
            .into_iter()
            .flat_map(|v| {
                let here = value(volume, v);
                (0..3).filter_map(move |a| {
                    let mut w = v;
                    w[a] += 1;
                    (w[a] < dims[a]).then(|| (value(volume, w) - here).abs())
                })
            })
            .collect();
        let mad_sigma = 1.4826 * median(&mut steps) / std::f32::consts::SQRT_2;
        let radius = spacing_mm.map(|s| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "small positive"
            )]
            let r = (SURROUND_MM / s).round() as usize;
            r.clamp(2, MAX_SURROUND)
        });
        let mut surround: Vec<f32> = strided_window(volume, seed, radius)
            .into_iter()
            .map(|v| value(volume, v))
            .collect();
        let surround_median = median(&mut surround);
        let [p5, p75, p95] = percentiles(&mut surround, [5, 75, 95]);
        // Flat neighbourhoods (synthetic images, padding) still need a unit of intensity.
        // Texture and partial volume around a click can look like noise; the scan's own noise
        // bounds it, so that a click on a textured spot does not get a band that takes all.
        let mad_sigma = mad_sigma.min(MAX_NOISE_RATIO * scan_noise);
        let sigma = mad_sigma
            .max(0.01 * (p95 - p5))
            .max(center.abs() * 1e-4)
            .max(f32::EPSILON);
        Self {
            center,
            sigma,
            // Above most of what is around it, and by far: bone, teeth, contrast.
            bright: center - surround_median > BRIGHT_SIGMAS * sigma && center > p75,
        }
    }

    /// How unlike the object a smoothed intensity is, in intensity units.
    #[inline]
    pub fn deviation(&self, v: f32) -> f32 {
        let d = v - self.center;
        if self.bright && d > 0.0 {
            d * 0.25
        } else {
            d.abs()
        }
    }
}

/// A click's noise may be at most this many times the scan's.
const MAX_NOISE_RATIO: f32 = 2.0;

/// What the engine reads off the whole scan once.
#[derive(Clone, Copy, Debug)]
pub struct ScanStats {
    /// The robust spread of differences between neighbouring voxels over a sample of the
    /// volume (raw values: smoothed neighbours share voxels, and their differences would
    /// understate it). Edges are few among neighbours, so they barely count.
    pub noise: f32,
    /// Whether intensities are CT's Hounsfield units: some of the sample is air.
    pub hounsfield: bool,
}

/// Air in Hounsfield units is near -1000; nothing else in a scan is this dark.
const AIR_HU: f32 = -900.0;
/// At least this fraction of a CT's voxels is air (around the body, in the lungs, padding).
const MIN_AIR: f32 = 0.01;

/// The scan's statistics, from a sample of its voxels.
pub fn scan_stats(volume: &Volume) -> ScanStats {
    let dims = volume.dims();
    let n = dims.iter().product::<usize>();
    let samples = 20_000.min(n);
    let mut steps = Vec::with_capacity(samples * 3);
    let mut air = 0usize;
    for s in 0..samples {
        let v = super::region::index_of((s * 2_654_435_761) % n.max(1), dims);
        let here = value(volume, v);
        air += usize::from(here <= AIR_HU);
        for a in 0..3 {
            let mut w = v;
            w[a] += 1;
            if w[a] < dims[a] {
                steps.push((value(volume, w) - here).abs());
            }
        }
    }
    // Flat padding (air outside a scan) gives zero steps: only moving ones tell the noise.
    steps.retain(|&d| d > 0.0);
    #[expect(clippy::cast_precision_loss, reason = "a fraction")]
    let air_fraction = air as f32 / samples.max(1) as f32;
    ScanStats {
        noise: (1.4826 * median(&mut steps) / std::f32::consts::SQRT_2).max(f32::EPSILON),
        hounsfield: air_fraction >= MIN_AIR,
    }
}

/// The intensity at `v` (0 outside the volume).
#[inline]
pub fn value(volume: &Volume, v: VoxelIndex) -> f32 {
    #[expect(clippy::cast_possible_truncation, reason = "engines work in f32")]
    volume.value(v).map_or(0.0, |x| x as f32)
}

/// The median of `v` and its face neighbours inside the volume: noise goes, edges stay where
/// they are (a mean would pull edge voxels towards the other side).
#[inline]
pub fn smoothed(volume: &Volume, v: VoxelIndex) -> f32 {
    let dims = volume.dims();
    // Nearly every voxel has all six neighbours: read them in one go.
    if (0..3).all(|a| v[a] > 0 && v[a] + 1 < dims[a]) {
        let o = v[0] + dims[0] * (v[1] + dims[1] * v[2]);
        let (row, slab) = (dims[0], dims[0] * dims[1]);
        let at = [o, o - 1, o + 1, o - row, o + row, o - slab, o + slab];
        #[expect(clippy::cast_possible_truncation, reason = "engines work in f32")]
        if let Some(values) = volume.values_at_offsets(at) {
            return median_of_7(values.map(|x| x as f32));
        }
    }
    let mut values = [0f32; 7];
    values[0] = value(volume, v);
    let mut n = 1;
    for (_, w) in face_neighbours(v, dims) {
        values[n] = value(volume, w);
        n += 1;
    }
    if n == 7 {
        return median_of_7(values);
    }
    let values = &mut values[..n];
    values.sort_unstable_by(f32::total_cmp);
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// The median of seven values by a fixed exchange network (Devillard's `opt_med7`): this runs
/// for nearly every voxel a flood reaches, where a general sort costs several times more.
#[inline]
fn median_of_7(mut p: [f32; 7]) -> f32 {
    const PAIRS: [(usize, usize); 13] = [
        (0, 5),
        (0, 3),
        (1, 6),
        (2, 4),
        (0, 1),
        (3, 5),
        (2, 6),
        (2, 3),
        (3, 6),
        (4, 5),
        (1, 4),
        (1, 3),
        (3, 4),
    ];
    for (a, b) in PAIRS {
        let (lo, hi) = (p[a].min(p[b]), p[a].max(p[b]));
        p[a] = lo;
        p[b] = hi;
    }
    p[3]
}

/// The voxels within `radius` of `c` (per axis) inside the volume.
fn window(volume: &Volume, c: VoxelIndex, radius: [usize; 3]) -> Vec<VoxelIndex> {
    strided(volume, c, radius, 1)
}

/// Like [`window`], but at most about 9 samples per axis.
fn strided_window(volume: &Volume, c: VoxelIndex, radius: [usize; 3]) -> Vec<VoxelIndex> {
    let step = radius.iter().max().map_or(1, |r| (r / 4).max(1));
    strided(volume, c, radius, step)
}

fn strided(volume: &Volume, c: VoxelIndex, radius: [usize; 3], step: usize) -> Vec<VoxelIndex> {
    let dims = volume.dims();
    let lo = [0, 1, 2].map(|a| c[a].saturating_sub(radius[a]));
    let hi = [0, 1, 2].map(|a| (c[a] + radius[a] + 1).min(dims[a]));
    let mut out = Vec::new();
    for k in (lo[2]..hi[2]).step_by(step) {
        for j in (lo[1]..hi[1]).step_by(step) {
            for i in (lo[0]..hi[0]).step_by(step) {
                out.push([i, j, k]);
            }
        }
    }
    out
}

pub fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}

fn percentiles<const N: usize>(values: &mut [f32], at: [usize; N]) -> [f32; N] {
    if values.is_empty() {
        return [0.0; N];
    }
    values.sort_by(f32::total_cmp);
    at.map(|p| values[(values.len() - 1) * p / 100])
}

#[cfg(test)]
mod tests {
    use super::median_of_7;

    #[test]
    fn median_of_7_matches_a_sort_for_every_order() {
        // Every permutation of seven distinct values (and of some with repeats).
        for values in [
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            [3.0, 3.0, 1.0, 9.0, 9.0, -2.0, 3.5],
        ] {
            let mut sorted = values;
            sorted.sort_by(f32::total_cmp);
            let mut order: Vec<usize> = (0..7).collect();
            permutations(&mut order, 0, &mut |o| {
                let p = [0, 1, 2, 3, 4, 5, 6].map(|k| values[o[k]]);
                assert_eq!(median_of_7(p).to_bits(), sorted[3].to_bits(), "{p:?}");
            });
        }
    }

    fn permutations(order: &mut Vec<usize>, k: usize, visit: &mut impl FnMut(&[usize])) {
        if k == order.len() {
            visit(order);
            return;
        }
        for i in k..order.len() {
            order.swap(k, i);
            permutations(order, k + 1, visit);
            order.swap(k, i);
        }
    }
}
