//! Exact Euclidean distance transforms in millimetres (Felzenszwalb and Huttenlocher, one axis
//! at a time), for the depth of a voxel inside a region.

use rayon::prelude::*;

/// Distance (mm) from each voxel of a `dims` grid to the nearest voxel where `inside` is
/// false, or beyond the grid's border; 0 outside.
pub fn depth_mm(dims: [usize; 3], inside: &[bool], spacing_mm: [f64; 3]) -> Vec<f64> {
    let [ni, nj, nk] = dims;
    let slab = ni * nj;
    let start = |is_in: bool| if is_in { f64::INFINITY } else { 0.0 };
    if slab == 0 || nk == 0 {
        return inside.iter().map(|&is_in| start(is_in)).collect();
    }
    // The pass along k first, in parallel over j: each plane of constant j is gathered
    // (k-major), transformed along k, then scattered into the slabs.
    let planes: Vec<Vec<f64>> = (0..nj)
        .into_par_iter()
        .map_init(Lines::default, |lines, j| {
            let mut plane: Vec<f64> = (0..nk)
                .flat_map(|k| &inside[(j + nj * k) * ni..(j + nj * k + 1) * ni])
                .map(|&is_in| start(is_in))
                .collect();
            for i in 0..ni {
                lines.transform(&mut plane, i, ni, nk, spacing_mm[2]);
            }
            plane
        })
        .collect();
    let mut d = vec![0.0; slab * nk];
    // The passes along i and j stay within a slab of constant k: slabs go in parallel.
    d.par_chunks_mut(slab)
        .enumerate()
        .for_each_init(Lines::default, |lines, (k, slab)| {
            for (j, row) in slab.chunks_mut(ni).enumerate() {
                row.copy_from_slice(&planes[j][k * ni..(k + 1) * ni]);
            }
            for j in 0..nj {
                lines.transform(slab, j * ni, 1, ni, spacing_mm[0]);
            }
            for i in 0..ni {
                lines.transform(slab, i, ni, nj, spacing_mm[1]);
            }
            // Square roots here, while the slab is in cache.
            for d in slab.iter_mut() {
                *d = d.sqrt();
            }
        });
    d
}

/// Buffers for one line at a time, kept across lines.
#[derive(Default)]
struct Lines {
    line: Vec<f64>,
    out: Vec<f64>,
    sites: Vec<usize>,
    starts: Vec<f64>,
}

impl Lines {
    /// Transforms the `n` values of `d` at `base`, `base + stride`, … in place.
    fn transform(&mut self, d: &mut [f64], base: usize, stride: usize, n: usize, spacing: f64) {
        // A line with nothing inside stays all zero.
        if (0..n).all(|x| d[base + x * stride] == 0.0) {
            return;
        }
        // One outside voxel beyond each end of a line: the border.
        self.line.clear();
        self.line.push(0.0);
        self.line.extend((0..n).map(|x| d[base + x * stride]));
        self.line.push(0.0);
        self.out.resize(n + 2, 0.0);
        lower_envelope(
            &self.line,
            spacing,
            &mut self.out,
            &mut self.sites,
            &mut self.starts,
        );
        for x in 0..n {
            d[base + x * stride] = self.out[x + 1];
        }
    }
}

/// `out[q] = min_p f[p] + (s (q - p))²` over the finite `f[p]` (none finite: infinite).
/// `sites` and `starts` are scratch space.
fn lower_envelope(
    f: &[f64],
    spacing: f64,
    out: &mut [f64],
    sites: &mut Vec<usize>,
    starts: &mut Vec<f64>,
) {
    let s2 = spacing * spacing;
    let key = |p: usize| f[p] + s2 * (p * p) as f64;
    // The parabolas of the envelope, and where each starts to be the lowest.
    sites.clear();
    starts.clear();
    for q in (0..f.len()).filter(|&q| f[q].is_finite()) {
        let mut start = f64::NEG_INFINITY;
        while let Some(&p) = sites.last() {
            start = (key(q) - key(p)) / (2.0 * s2 * (q - p) as f64);
            if start > starts.last().copied().unwrap_or(f64::NEG_INFINITY) {
                break;
            }
            sites.pop();
            starts.pop();
            start = f64::NEG_INFINITY;
        }
        sites.push(q);
        starts.push(start);
    }
    let mut k = 0;
    for (q, slot) in out.iter_mut().enumerate() {
        let Some(&site) = sites.get(k) else {
            *slot = f64::INFINITY;
            continue;
        };
        let mut site = site;
        while k + 1 < sites.len() && starts[k + 1] <= q as f64 {
            k += 1;
            site = sites[k];
        }
        let dq = q as f64 - site as f64;
        *slot = s2 * dq * dq + f[site];
    }
}

#[cfg(test)]
#[allow(
    clippy::needless_range_loop,
    reason = "brute force over indices reads plainest"
)]
mod tests {
    use super::*;

    #[test]
    fn matches_brute_force_with_anisotropic_spacing() {
        let dims = [9, 8, 7];
        let spacing = [1.0, 2.0, 0.5];
        let mut inside = vec![false; 9 * 8 * 7];
        for k in 0..7 {
            for j in 0..8 {
                for i in 0..9 {
                    let d2 = (i as f64 - 4.0).powi(2)
                        + (j as f64 - 3.5).powi(2)
                        + (k as f64 - 3.0).powi(2);
                    inside[i + 9 * (j + 8 * k)] = d2 <= 3.2 * 3.2 && (i, j) != (5, 3);
                }
            }
        }
        let d = depth_mm(dims, &inside, spacing);
        for k in 0..7i64 {
            for j in 0..8i64 {
                for i in 0..9i64 {
                    let o = (i + 9 * (j + 8 * k)) as usize;
                    let mut best = f64::INFINITY;
                    for z in -1..=7i64 {
                        for y in -1..=8i64 {
                            for x in -1..=9i64 {
                                let in_grid = (0..9).contains(&x)
                                    && (0..8).contains(&y)
                                    && (0..7).contains(&z);
                                if in_grid && inside[(x + 9 * (y + 8 * z)) as usize] {
                                    continue;
                                }
                                let d2 = ((x - i) as f64 * spacing[0]).powi(2)
                                    + ((y - j) as f64 * spacing[1]).powi(2)
                                    + ((z - k) as f64 * spacing[2]).powi(2);
                                best = best.min(d2);
                            }
                        }
                    }
                    let expected = if inside[o] { best.sqrt() } else { 0.0 };
                    assert!(
                        (d[o] - expected).abs() < 1e-9,
                        "{i},{j},{k}: {} vs {expected}",
                        d[o]
                    );
                }
            }
        }
    }
}
