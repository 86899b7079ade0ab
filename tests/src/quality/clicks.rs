//! The simulated user of nnInteractive's and `ToothFairy3`'s interactive evaluations: the first
//! click on the voxel deepest inside the target, each next one on the voxel deepest inside the
//! largest connected error region, an include click where the target was missed and an
//! exclude click where something else was labelled.

use std::collections::VecDeque;

use interseg_server::segmentation::classical::distance::depth_mm;

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
    let distances = depth_mm(shape.dims, region, spacing_mm);
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

#[cfg(test)]
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
