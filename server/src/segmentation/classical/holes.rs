//! Holes closed slice by slice: unlabelled voxels that a label encloses on an axial slice (a
//! vessel inside the liver, a kidney's sinus) belong to it, as a reader drawing its outline
//! would have it. Voxels of other labels are never taken.

use interseg_shared::geometry::VoxelIndex;
use rayon::prelude::*;

use super::region::Region;

/// Fills the holes of `label` in `labels` on every axial slice of the box `lo..hi`, except
/// voxels `kept_out` (held back by the user's exclude clicks).
pub fn fill_holes(
    labels: &mut [u8],
    dims: [usize; 3],
    label: u8,
    lo: VoxelIndex,
    hi: VoxelIndex,
    kept_out: &dyn Fn(usize) -> bool,
) {
    let (w, h) = (hi[0].saturating_sub(lo[0]), hi[1].saturating_sub(lo[1]));
    if w < 3 || h < 3 {
        return;
    }
    let at = |i: usize, j: usize, k: usize| (lo[0] + i) + dims[0] * ((lo[1] + j) + dims[1] * k);
    let mut outside = vec![false; w * h];
    let mut stack = Vec::new();
    for k in lo[2]..hi[2] {
        outside.fill(false);
        // Everything not of the label that the box's edge reaches is outside.
        for i in 0..w {
            stack.push((i, 0));
            stack.push((i, h - 1));
        }
        for j in 0..h {
            stack.push((0, j));
            stack.push((w - 1, j));
        }
        while let Some((i, j)) = stack.pop() {
            let cell = i + w * j;
            if outside[cell] || labels[at(i, j, k)] == label {
                continue;
            }
            outside[cell] = true;
            if i > 0 {
                stack.push((i - 1, j));
            }
            if i + 1 < w {
                stack.push((i + 1, j));
            }
            if j > 0 {
                stack.push((i, j - 1));
            }
            if j + 1 < h {
                stack.push((i, j + 1));
            }
        }
        for j in 0..h {
            for i in 0..w {
                let o = at(i, j, k);
                if !outside[i + w * j] && labels[o] == 0 && !kept_out(o) {
                    labels[o] = label;
                }
            }
        }
    }
}

/// `region` with its small holes filled, slice by slice: gaps of at most `max_area` voxels
/// that it encloses on an axial slice (noise that left both the voxel and its neighbours
/// outside the band), which would otherwise make the region look thin where it is not.
pub fn fill_small_holes(region: &Region, max_area: usize) -> Region {
    let size = region.size();
    let (w, h) = (size[0], size[1]);
    let mut bits = region.bits().to_vec();
    if w * h > 0 {
        // Slices are independent: they go in parallel.
        bits.par_chunks_mut(w * h)
            .for_each_init(SliceScratch::default, |scratch, slice| {
                fill_small_holes_in_slice(slice, w, h, max_area, scratch);
            });
    }
    Region::from_bits(region.dims, region.lo, region.hi, bits)
}

/// Buffers for one slice at a time, kept across slices.
#[derive(Default)]
struct SliceScratch {
    visited: Vec<bool>,
    component: Vec<usize>,
    stack: Vec<usize>,
}

/// [`fill_small_holes`] on one axial slice of `w` × `h` cells.
fn fill_small_holes_in_slice(
    slice: &mut [bool],
    w: usize,
    h: usize,
    max_area: usize,
    scratch: &mut SliceScratch,
) {
    let SliceScratch {
        visited,
        component,
        stack,
    } = scratch;
    visited.clear();
    visited.resize(w * h, false);
    for start in 0..w * h {
        if slice[start] || visited[start] {
            continue;
        }
        // One 4-connected gap: filled if small and not open to the box's edge.
        component.clear();
        let mut open = false;
        visited[start] = true;
        stack.push(start);
        while let Some(c) = stack.pop() {
            component.push(c);
            let (i, j) = (c % w, c / w);
            open |= i == 0 || j == 0 || i + 1 == w || j + 1 == h;
            let mut visit = |n: usize| {
                if !slice[n] && !visited[n] {
                    visited[n] = true;
                    stack.push(n);
                }
            };
            if i > 0 {
                visit(c - 1);
            }
            if i + 1 < w {
                visit(c + 1);
            }
            if j > 0 {
                visit(c - w);
            }
            if j + 1 < h {
                visit(c + w);
            }
        }
        if !open && component.len() <= max_area {
            for &c in &*component {
                slice[c] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_is_filled_and_an_open_cup_is_not() {
        let dims = [7, 7, 2];
        let mut labels = vec![0u8; 7 * 7 * 2];
        for k in 0..2 {
            for j in 1..6 {
                for i in 1..6 {
                    let edge = i == 1 || i == 5 || j == 1 || j == 5;
                    // Slice 1's ring is open at the top.
                    if edge && !(k == 1 && j == 1 && i == 3) {
                        labels[i + 7 * (j + 7 * k)] = 4;
                    }
                }
            }
        }
        labels[3 + 7 * 3] = 9; // another label inside (slice 0) stays
        fill_holes(&mut labels, dims, 4, [0, 0, 0], [7, 7, 2], &|_| false);
        assert_eq!(labels[2 + 7 * 2], 4);
        assert_eq!(labels[3 + 7 * 3], 9);
        assert_eq!(labels[2 + 7 * (2 + 7)], 0);
    }
}
