//! The simulated user of nnInteractive's and `ToothFairy3`'s interactive evaluations: the first
//! click on the voxel deepest inside the target, each next one on the voxel deepest inside the
//! largest connected error region, an include click where the target was missed and an
//! exclude click where something else was labelled.

use std::collections::VecDeque;

/// A click the simulated user makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Click {
    pub voxel: [usize; 3],
    pub include: bool,
}

/// A binary mask over a volume's voxels (i fastest).
#[derive(Clone, Debug)]
pub struct Mask {
    pub dims: [usize; 3],
    pub voxels: Vec<bool>,
}

impl Mask {
    pub fn count(&self) -> usize {
        self.voxels.iter().filter(|&&v| v).count()
    }

    fn index(&self, offset: usize) -> [usize; 3] {
        let [ni, nj, _] = self.dims;
        [offset % ni, (offset / ni) % nj, offset / (ni * nj)]
    }
}

/// Dice of `found` against `truth` (1 when both are empty).
pub fn dice(found: &[bool], truth: &[bool]) -> f64 {
    let (mut both, mut a, mut b) = (0usize, 0usize, 0usize);
    for (&f, &t) in found.iter().zip(truth) {
        both += usize::from(f && t);
        a += usize::from(f);
        b += usize::from(t);
    }
    if a + b == 0 {
        1.0
    } else {
        2.0 * both as f64 / (a + b) as f64
    }
}

/// The first click: the voxel deepest inside `truth` (ties: the lowest offset).
pub fn first_click(truth: &Mask, spacing_mm: [f64; 3]) -> Option<Click> {
    deepest(truth, &truth.voxels, spacing_mm).map(|voxel| Click {
        voxel,
        include: true,
    })
}

/// The next corrective click for `found` against `truth`, or `None` if they agree.
pub fn next_click(truth: &Mask, found: &[bool], spacing_mm: [f64; 3]) -> Option<Click> {
    let missed: Vec<bool> = truth
        .voxels
        .iter()
        .zip(found)
        .map(|(&t, &f)| t && !f)
        .collect();
    let extra: Vec<bool> = truth
        .voxels
        .iter()
        .zip(found)
        .map(|(&t, &f)| f && !t)
        .collect();
    let (missed_size, missed_region) = largest_component(truth.dims, &missed);
    let (extra_size, extra_region) = largest_component(truth.dims, &extra);
    let (region, include) = match (missed_size, extra_size) {
        (0, 0) => return None,
        (m, e) if m >= e => (missed_region, true),
        _ => (extra_region, false),
    };
    deepest(truth, &region, spacing_mm).map(|voxel| Click { voxel, include })
}

/// The voxel of `region` farthest (in mm) from anything outside it, the volume's border
/// counting as outside.
fn deepest(shape: &Mask, region: &[bool], spacing_mm: [f64; 3]) -> Option<[usize; 3]> {
    let distances = squared_distance_inside(shape.dims, region, spacing_mm);
    let (best, _) = distances
        .iter()
        .enumerate()
        .filter(|&(o, _)| region[o])
        .fold((None, -1.0), |(best, top), (o, &d)| {
            if d > top { (Some(o), d) } else { (best, top) }
        });
    best.map(|o| shape.index(o))
}

/// The largest 6-connected component of `mask`: its size and its voxels.
fn largest_component(dims: [usize; 3], mask: &[bool]) -> (usize, Vec<bool>) {
    let [ni, nj, nk] = dims;
    let mut component = vec![0u32; mask.len()];
    let (mut best_id, mut best_size, mut next_id) = (0u32, 0usize, 0u32);
    let mut queue = VecDeque::new();
    for start in 0..mask.len() {
        if !mask[start] || component[start] != 0 {
            continue;
        }
        next_id += 1;
        component[start] = next_id;
        queue.push_back(start);
        let mut size = 0;
        while let Some(o) = queue.pop_front() {
            size += 1;
            let (i, j, k) = (o % ni, (o / ni) % nj, o / (ni * nj));
            let steps = [
                (i > 0).then(|| o - 1),
                (i + 1 < ni).then(|| o + 1),
                (j > 0).then(|| o - ni),
                (j + 1 < nj).then(|| o + ni),
                (k > 0).then(|| o - ni * nj),
                (k + 1 < nk).then(|| o + ni * nj),
            ];
            for n in steps.into_iter().flatten() {
                if mask[n] && component[n] == 0 {
                    component[n] = next_id;
                    queue.push_back(n);
                }
            }
        }
        if size > best_size {
            (best_id, best_size) = (next_id, size);
        }
    }
    let region = component.iter().map(|&c| c != 0 && c == best_id).collect();
    (best_size, region)
}

/// Squared Euclidean distance (mm²) from each voxel inside `region` to the nearest voxel
/// outside it or beyond the volume's border (Felzenszwalb and Huttenlocher's exact transform,
/// one axis at a time).
fn squared_distance_inside(dims: [usize; 3], region: &[bool], spacing_mm: [f64; 3]) -> Vec<f64> {
    let mut d: Vec<f64> = region
        .iter()
        .map(|&inside| if inside { f64::INFINITY } else { 0.0 })
        .collect();
    let strides = [1, dims[0], dims[0] * dims[1]];
    for axis in 0..3 {
        let n = dims[axis];
        let (a, b) = match axis {
            0 => (1, 2),
            1 => (0, 2),
            _ => (0, 1),
        };
        let mut line = vec![0.0; n + 2];
        let mut out = vec![0.0; n + 2];
        for u in 0..dims[a] {
            for v in 0..dims[b] {
                let base = u * strides[a] + v * strides[b];
                // The border: one outside voxel beyond each end.
                line[0] = 0.0;
                line[n + 1] = 0.0;
                for x in 0..n {
                    line[x + 1] = d[base + x * strides[axis]];
                }
                distance_1d(&line, spacing_mm[axis], &mut out);
                for x in 0..n {
                    d[base + x * strides[axis]] = out[x + 1];
                }
            }
        }
    }
    d
}

/// The lower envelope of parabolas: `out[q] = min_p f[p] + (s (q - p))²`, over the finite
/// `f[p]` (all infinite: infinite).
fn distance_1d(f: &[f64], spacing: f64, out: &mut [f64]) {
    let s2 = spacing * spacing;
    let key = |p: usize| f[p] + s2 * (p * p) as f64;
    // The parabolas of the envelope, and where each starts to be the lowest.
    let mut sites: Vec<usize> = Vec::with_capacity(f.len());
    let mut starts: Vec<f64> = Vec::with_capacity(f.len());
    for q in (0..f.len()).filter(|&q| f[q].is_finite()) {
        let mut start = f64::NEG_INFINITY;
        while let Some(&p) = sites.last() {
            start = (key(q) - key(p)) / (2.0 * s2 * (q - p) as f64);
            if start > *starts.last().unwrap_or(&f64::NEG_INFINITY) {
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
        if sites.is_empty() {
            *slot = f64::INFINITY;
            continue;
        }
        while k + 1 < sites.len() && starts[k + 1] <= q as f64 {
            k += 1;
        }
        let dq = q as f64 - sites[k] as f64;
        *slot = s2 * dq * dq + f[sites[k]];
    }
}

#[cfg(test)]
#[allow(
    clippy::needless_range_loop,
    reason = "brute force over indices reads plainest"
)]
mod tests {
    use super::*;

    fn ball(dims: [usize; 3], c: [f64; 3], r: f64) -> Mask {
        let mut voxels = Vec::new();
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    let d2: f64 = [i, j, k]
                        .iter()
                        .zip(c)
                        .map(|(&x, c)| (x as f64 - c).powi(2))
                        .sum();
                    voxels.push(d2 <= r * r);
                }
            }
        }
        Mask { dims, voxels }
    }

    #[test]
    fn distances_match_brute_force() {
        let m = ball([9, 8, 7], [4.0, 3.5, 3.0], 3.2);
        let spacing = [1.0, 2.0, 0.5];
        let d = squared_distance_inside(m.dims, &m.voxels, spacing);
        let dims = m.dims;
        for o in 0..m.voxels.len() {
            let p = m.index(o);
            let mut best = f64::INFINITY;
            // Outside voxels, including a one-voxel frame beyond the border.
            for k in -1..=dims[2] as i64 {
                for j in -1..=dims[1] as i64 {
                    for i in -1..=dims[0] as i64 {
                        let inside_volume = i >= 0
                            && j >= 0
                            && k >= 0
                            && (i as usize) < dims[0]
                            && (j as usize) < dims[1]
                            && (k as usize) < dims[2];
                        if inside_volume
                            && m.voxels[i as usize + dims[0] * (j as usize + dims[1] * k as usize)]
                        {
                            continue;
                        }
                        let q = [i, j, k];
                        let d2: f64 = (0..3)
                            .map(|a| ((q[a] - p[a] as i64) as f64 * spacing[a]).powi(2))
                            .sum();
                        best = best.min(d2);
                    }
                }
            }
            let expected = if m.voxels[o] { best } else { 0.0 };
            assert!(
                (d[o] - expected).abs() < 1e-9,
                "{p:?}: {} vs {expected}",
                d[o]
            );
        }
    }

    #[test]
    fn clicks_follow_the_protocol() {
        let truth = ball([21, 21, 21], [10.0, 10.0, 10.0], 6.0);
        let first = first_click(&truth, [1.0; 3]).unwrap();
        assert_eq!(
            first,
            Click {
                voxel: [10, 10, 10],
                include: true
            }
        );
        // Nothing found yet: the next click is again the centre, an include.
        let none = vec![false; truth.voxels.len()];
        assert_eq!(next_click(&truth, &none, [1.0; 3]), Some(first));
        // Everything found and a blob beside it: an exclude in the blob.
        let mut found = truth.voxels.clone();
        let blob = ball([21, 21, 21], [18.0, 10.0, 10.0], 2.0);
        for (f, b) in found.iter_mut().zip(&blob.voxels) {
            *f |= *b;
        }
        let click = next_click(&truth, &found, [1.0; 3]).unwrap();
        assert!(!click.include);
        assert!(!truth.voxels[click.voxel[0] + 21 * (click.voxel[1] + 21 * click.voxel[2])]);
        assert_eq!(next_click(&truth, &truth.voxels, [1.0; 3]), None);
        assert!(
            (dice(&found, &truth.voxels)
                - 2.0 * truth.count() as f64
                    / (found.iter().filter(|&&f| f).count() + truth.count()) as f64)
                .abs()
                < 1e-12
        );
    }
}
