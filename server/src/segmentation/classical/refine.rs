//! Boundary refinement. A single threshold cannot place an object's edge right everywhere: a
//! tooth's edge against soft tissue and against bone lie at different intensities. Blurred by
//! the scanner, an edge is best placed where the intensity is halfway between the object's
//! local level and its surroundings' local level; this pass moves each boundary voxel to that
//! side, a few times over (so never more than a few voxels from where growth stopped).

use interseg_shared::volume::Volume;

/// Half-width of the window the local levels are taken from.
const WINDOW: usize = 2;
const PASSES: usize = 2;

/// Refines the boundary of `label` in `labels`, never taking voxels of another label.
pub fn refine_boundary(
    volume: &Volume,
    labels: &mut [u8],
    label: u8,
    lo: [usize; 3],
    hi: [usize; 3],
) {
    let dims = volume.dims();
    let strides = [1, dims[0], dims[0] * dims[1]];
    let value = |o: usize| volume.value_at_offset(o).unwrap_or(0.0);
    for _ in 0..PASSES {
        // Decide every boundary voxel from the same state, then apply: order-independent.
        let mut changes = Vec::new();
        for k in lo[2].max(1)..hi[2].min(dims[2] - 1) {
            for j in lo[1].max(1)..hi[1].min(dims[1] - 1) {
                for i in lo[0].max(1)..hi[0].min(dims[0] - 1) {
                    let o = i + dims[0] * (j + dims[1] * k);
                    let inside = labels[o] == label;
                    if !inside && labels[o] != 0 {
                        continue;
                    }
                    let on_boundary = (0..3).any(|a| {
                        let (down, up) = (o - strides[a], o + strides[a]);
                        (labels[down] == label) != inside || (labels[up] == label) != inside
                    });
                    if !on_boundary {
                        continue;
                    }
                    let Some((object, surroundings)) =
                        local_levels(volume, labels, label, [i, j, k])
                    else {
                        continue;
                    };
                    let v = value(o);
                    let midpoint = (object + surroundings) / 2.0;
                    let belongs = if object > surroundings {
                        v >= midpoint
                    } else {
                        v <= midpoint
                    };
                    if belongs != inside {
                        changes.push((o, belongs));
                    }
                }
            }
        }
        if changes.is_empty() {
            break;
        }
        for (o, belongs) in changes {
            labels[o] = if belongs { label } else { 0 };
        }
    }
}

/// Median intensity of the object's voxels and of the unlabelled voxels around `center`.
fn local_levels(
    volume: &Volume,
    labels: &[u8],
    label: u8,
    center: [usize; 3],
) -> Option<(f64, f64)> {
    let dims = volume.dims();
    let (mut object, mut surroundings) = (Vec::with_capacity(64), Vec::with_capacity(64));
    for k in center[2].saturating_sub(WINDOW)..(center[2] + WINDOW + 1).min(dims[2]) {
        for j in center[1].saturating_sub(WINDOW)..(center[1] + WINDOW + 1).min(dims[1]) {
            for i in center[0].saturating_sub(WINDOW)..(center[0] + WINDOW + 1).min(dims[0]) {
                let o = i + dims[0] * (j + dims[1] * k);
                let Some(v) = volume.value_at_offset(o) else {
                    continue;
                };
                match labels[o] {
                    l if l == label => object.push(v),
                    0 => surroundings.push(v),
                    _ => {}
                }
            }
        }
    }
    if object.len() < 4 || surroundings.len() < 4 {
        return None;
    }
    Some((median(&mut object), median(&mut surroundings)))
}

fn median(values: &mut [f64]) -> f64 {
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    *m
}
