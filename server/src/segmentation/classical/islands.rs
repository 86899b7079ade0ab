//! A label is the object its include clicks are on: parts of it that no click's part touches
//! (what an exclusion cut off from the clicks, specks the competition or the edge refinement
//! left) are not the object, and go. Parts touch through faces, as ITK's and scipy's connected
//! components count by default: a voxel meeting the object only at an edge or a corner is a
//! speck.

use interseg_shared::geometry::VoxelIndex;

use super::region::index_of;

/// Clears the voxels of `label` in the box `lo..hi` of `labels` that are not face-connected to
/// one of `clicks`. Does nothing unless every click lies in the box and holds the label: a
/// click the label does not hold (taken by a locked label, a box's centre in a ring's hole), or
/// one outside the box, would leave its part unreachable.
pub fn drop_unclicked_parts(
    labels: &mut [u8],
    dims: [usize; 3],
    label: u8,
    lo: VoxelIndex,
    hi: VoxelIndex,
    clicks: &[usize],
) {
    if clicks.is_empty() || clicks.iter().any(|&c| labels.get(c) != Some(&label)) {
        return;
    }
    let size = [0, 1, 2].map(|a| hi[a].saturating_sub(lo[a]));
    let strides = [1, size[0], size[0] * size[1]];
    let offset = |l: usize| {
        let v = index_of(l, size);
        (lo[0] + v[0]) + dims[0] * ((lo[1] + v[1]) + dims[1] * (lo[2] + v[2]))
    };
    let mut starts = Vec::new();
    for &c in clicks {
        let v = index_of(c, dims);
        if !(0..3).all(|a| v[a] >= lo[a] && v[a] < hi[a]) {
            return;
        }
        starts.push((v[0] - lo[0]) + strides[1] * (v[1] - lo[1]) + strides[2] * (v[2] - lo[2]));
    }
    let member: Vec<bool> = (0..size[0] * size[1] * size[2])
        .map(|l| labels[offset(l)] == label)
        .collect();
    let reached = flood(&member, size, &starts);
    for (l, (&m, &r)) in member.iter().zip(&reached).enumerate() {
        if m && !r {
            labels[offset(l)] = 0;
        }
    }
}

/// The cells of `member` face-connected to `starts`.
fn flood(member: &[bool], size: [usize; 3], starts: &[usize]) -> Vec<bool> {
    let mut reached = vec![false; member.len()];
    let mut stack: Vec<usize> = Vec::new();
    for &s in starts {
        if member[s] && !reached[s] {
            reached[s] = true;
            stack.push(s);
        }
    }
    let strides = [1, size[0], size[0] * size[1]];
    while let Some(l) = stack.pop() {
        let v = index_of(l, size);
        let mut visit = |d: [isize; 3]| {
            let mut n = 0;
            for a in 0..3 {
                match v[a].checked_add_signed(d[a]) {
                    Some(x) if x < size[a] => n += x * strides[a],
                    _ => return,
                }
            }
            if member[n] && !reached[n] {
                reached[n] = true;
                stack.push(n);
            }
        };
        for a in 0..3 {
            for step in [-1, 1] {
                let mut d = [0; 3];
                d[a] = step;
                visit(d);
            }
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_away_from_the_clicks_go_and_faces_hold_them() {
        let dims = [8, 3, 3];
        let at = |i: usize, j: usize, k: usize| i + 8 * (j + 3 * k);
        let mut labels = vec![0u8; 8 * 3 * 3];
        // The clicked part (an L through faces), a voxel touching it only at a corner, a part
        // apart from both.
        labels[at(0, 0, 0)] = 2;
        labels[at(1, 0, 0)] = 2;
        labels[at(1, 1, 0)] = 2;
        labels[at(2, 2, 1)] = 2;
        labels[at(5, 1, 1)] = 2;
        labels[at(6, 1, 1)] = 3;
        drop_unclicked_parts(&mut labels, dims, 2, [0, 0, 0], [8, 3, 3], &[at(0, 0, 0)]);
        assert_eq!(labels[at(1, 0, 0)], 2);
        assert_eq!(labels[at(1, 1, 0)], 2);
        assert_eq!(labels[at(2, 2, 1)], 0, "a corner touch is a speck");
        assert_eq!(labels[at(5, 1, 1)], 0);
        assert_eq!(labels[at(6, 1, 1)], 3, "another label is not touched");
    }

    #[test]
    fn nothing_goes_when_a_click_is_not_the_label() {
        let dims = [4, 1, 1];
        let mut labels = vec![2, 0, 0, 2];
        drop_unclicked_parts(&mut labels, dims, 2, [0, 0, 0], [4, 1, 1], &[0, 2]);
        assert_eq!(labels, vec![2, 0, 0, 2]);
        // A click outside the box: its part may reach into the box from outside.
        drop_unclicked_parts(&mut labels, dims, 2, [1, 0, 0], [4, 1, 1], &[0]);
        assert_eq!(labels, vec![2, 0, 0, 2]);
    }
}
