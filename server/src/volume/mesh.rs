//! A label's surface as a closed triangle mesh, in millimetres in the scanner's frame, for 3D
//! printing and planning (STL, OBJ). Naive surface nets (`fast-surface-nets`) over the label's
//! voxels, padded so the surface closes; optional Taubin smoothing, which does not shrink it.

use fast_surface_nets::ndshape::{RuntimeShape, Shape};
use fast_surface_nets::{SurfaceNetsBuffer, surface_nets};

/// Room around the label's box, outside it: the surface closes inside the sampled grid.
const PAD: usize = 2;
/// Taubin's two steps: smoothing (λ) and the inflation that undoes its shrinking (μ).
const LAMBDA: f64 = 0.5;
const MU: f64 = -0.53;

/// The world frame the vertices are given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// NIfTI's: x to the patient's right→left… as the file's affine gives it (RAS+).
    Ras,
    /// DICOM's and 3D Slicer's STL default: x and y negated (LPS+).
    Lps,
}

impl Frame {
    pub fn name(self) -> &'static str {
        match self {
            Self::Ras => "RAS",
            Self::Lps => "LPS",
        }
    }
}

/// Triangles over shared vertices, outward-facing (counter-clockwise seen from outside).
#[derive(Clone, Debug, Default)]
pub struct Mesh {
    pub vertices: Vec<[f64; 3]>,
    pub triangles: Vec<[u32; 3]>,
}

impl Mesh {
    /// The enclosed volume in mm³ (positive for an outward-facing closed mesh).
    pub fn volume(&self) -> f64 {
        self.triangles
            .iter()
            .map(|t| {
                let [a, b, c] = t.map(|i| self.vertices[i as usize]);
                dot(a, cross(b, c)) / 6.0
            })
            .sum()
    }
}

/// The surface of `label` in `labels` (a volume of `dims`, i fastest), through `world` (the
/// voxel-to-world affine, RAS), smoothed `smooth` times. `None` if the label has no voxel.
pub fn label_mesh(
    labels: &[u8],
    dims: [usize; 3],
    label: u8,
    world: &[[f64; 4]; 4],
    frame: Frame,
    smooth: usize,
) -> Option<Mesh> {
    let (lo, hi) = label_box(labels, dims, label)?;
    // The sampled grid: the box and PAD voxels around it, voxel (lo - PAD) at its origin.
    let size = [0, 1, 2].map(|a| hi[a] - lo[a] + 2 * PAD);
    let mut sdf = vec![1f32; size[0] * size[1] * size[2]];
    for k in lo[2]..hi[2] {
        for j in lo[1]..hi[1] {
            for i in lo[0]..hi[0] {
                if labels[i + dims[0] * (j + dims[1] * k)] == label {
                    let (x, y, z) = (i - lo[0] + PAD, j - lo[1] + PAD, k - lo[2] + PAD);
                    sdf[x + size[0] * (y + size[1] * z)] = -1.0;
                }
            }
        }
    }
    join_diagonals(&mut sdf, size);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a label's box is far smaller than 2^32 per axis"
    )]
    let shape = RuntimeShape::<u32, 3>::new(size.map(|s| s as u32));
    let mut buffer = SurfaceNetsBuffer::default();
    surface_nets(
        &sdf,
        &shape,
        [0; 3],
        shape.as_array().map(|s| s - 1),
        &mut buffer,
    );
    if buffer.indices.is_empty() {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "voxel indices are small")]
    let origin = [0, 1, 2].map(|a| lo[a] as f64 - PAD as f64);
    let sign = match frame {
        Frame::Ras => [1.0, 1.0, 1.0],
        Frame::Lps => [-1.0, -1.0, 1.0],
    };
    let vertices = buffer
        .positions
        .iter()
        .map(|p| {
            let v = [0, 1, 2].map(|a| f64::from(p[a]) + origin[a]);
            [0, 1, 2].map(|r| {
                sign[r]
                    * (world[r][0] * v[0] + world[r][1] * v[1] + world[r][2] * v[2] + world[r][3])
            })
        })
        .collect();
    let triangles = buffer
        .indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]])
        .collect();
    let mut mesh = Mesh {
        vertices,
        triangles,
    };
    // The affine (or the frame) may mirror space; face outward whatever it does.
    if mesh.volume() < 0.0 {
        for t in &mut mesh.triangles {
            t.swap(1, 2);
        }
    }
    taubin(&mut mesh, smooth);
    Some(mesh)
}

/// Most passes of [`join_diagonals`]; each one fills only what the last one left.
const MAX_JOIN_PASSES: usize = 8;

/// Voxels that touch only along an edge (two inside on one diagonal of a 2×2 square, two
/// outside on the other) would give the surface an edge shared by four triangles, which
/// printers' slicers reject as not watertight: one of the outside pair is taken in.
fn join_diagonals(sdf: &mut [f32], size: [usize; 3]) {
    let inside = |v: f32| v < 0.0;
    let strides = [1, size[0], size[0] * size[1]];
    for _ in 0..MAX_JOIN_PASSES {
        let mut joined = false;
        // Squares in the plane of axes (a, b), with their corner at (i, j, k).
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            for k in 0..size[2] {
                for j in 0..size[1] {
                    for i in 0..size[0] {
                        let at = [i, j, k];
                        if at[a] + 1 >= size[a] || at[b] + 1 >= size[b] {
                            continue;
                        }
                        let o = i + size[0] * (j + size[1] * k);
                        let corners = [
                            o,
                            o + strides[a],
                            o + strides[b],
                            o + strides[a] + strides[b],
                        ];
                        let [p, q, r, t] = corners.map(|c| inside(sdf[c]));
                        if p == t && q == r && p != q {
                            // Fill one of the outside pair.
                            let fill = if p { corners[1] } else { corners[0] };
                            sdf[fill] = -1.0;
                            joined = true;
                        }
                    }
                }
            }
        }
        if !joined {
            break;
        }
    }
}

/// The labels present in `labels`, ascending, without 0.
pub fn labels_present(labels: &[u8]) -> Vec<u8> {
    let mut seen = [false; 256];
    for &l in labels {
        seen[usize::from(l)] = true;
    }
    (1..=255u8).filter(|&l| seen[usize::from(l)]).collect()
}

/// The box `lo..hi` of the label's voxels.
fn label_box(labels: &[u8], dims: [usize; 3], label: u8) -> Option<([usize; 3], [usize; 3])> {
    let mut lo = dims;
    let mut hi = [0; 3];
    for (o, _) in labels.iter().enumerate().filter(|&(_, &l)| l == label) {
        let v = [
            o % dims[0],
            (o / dims[0]) % dims[1],
            o / (dims[0] * dims[1]),
        ];
        for a in 0..3 {
            lo[a] = lo[a].min(v[a]);
            hi[a] = hi[a].max(v[a] + 1);
        }
    }
    (hi[0] > 0).then_some((lo, hi))
}

/// Taubin's λ|μ smoothing: each pass moves vertices towards their neighbours' mean, then
/// slightly away, so the surface loses its voxel steps but not its volume.
fn taubin(mesh: &mut Mesh, passes: usize) {
    if passes == 0 {
        return;
    }
    let n = mesh.vertices.len();
    let mut neighbours: Vec<Vec<u32>> = vec![Vec::new(); n];
    for t in &mesh.triangles {
        for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
            neighbours[a as usize].push(b);
            neighbours[b as usize].push(a);
        }
    }
    for list in &mut neighbours {
        list.sort_unstable();
        list.dedup();
    }
    let mut next = mesh.vertices.clone();
    for _ in 0..passes {
        for factor in [LAMBDA, MU] {
            for (v, list) in neighbours.iter().enumerate() {
                if list.is_empty() {
                    continue;
                }
                let mut mean = [0.0; 3];
                for &w in list {
                    for (sum, x) in mean.iter_mut().zip(mesh.vertices[w as usize]) {
                        *sum += x;
                    }
                }
                #[expect(clippy::cast_precision_loss, reason = "a handful of neighbours")]
                let count = list.len() as f64;
                let here = mesh.vertices[v];
                next[v] = [0, 1, 2].map(|a| here[a] + factor * (mean[a] / count - here[a]));
            }
            std::mem::swap(&mut mesh.vertices, &mut next);
        }
    }
}

/// Binary STL: an 80-byte header, the triangle count, and per triangle its unit normal, three
/// vertices (f32, mm) and a zero attribute.
pub fn to_stl(mesh: &Mesh, header: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(84 + 50 * mesh.triangles.len());
    let mut head = [b' '; 80];
    for (slot, byte) in head.iter_mut().zip(header.bytes()) {
        *slot = byte;
    }
    out.extend_from_slice(&head);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "STL counts in u32; a label's surface is far below that"
    )]
    out.extend_from_slice(&(mesh.triangles.len() as u32).to_le_bytes());
    for t in &mesh.triangles {
        let [a, b, c] = t.map(|i| mesh.vertices[i as usize]);
        let normal = unit(cross(sub(b, a), sub(c, a)));
        for v in [normal, a, b, c] {
            for x in v {
                #[expect(clippy::cast_possible_truncation, reason = "STL stores f32")]
                out.extend_from_slice(&(x as f32).to_le_bytes());
            }
        }
        out.extend_from_slice(&0u16.to_le_bytes());
    }
    out
}

/// Wavefront OBJ: vertices and 1-based faces, one named object.
pub fn to_obj(mesh: &Mesh, name: &str, comment: &str) -> String {
    use std::fmt::Write as _;
    let mut out = format!("# {comment}\no {name}\n");
    for v in &mesh.vertices {
        // Writing to a String cannot fail.
        writeln!(out, "v {:.4} {:.4} {:.4}", v[0], v[1], v[2]).ok();
    }
    for t in &mesh.triangles {
        writeln!(out, "f {} {} {}", t[0] + 1, t[1] + 1, t[2] + 1).ok();
    }
    out
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let n = dot(v, v).sqrt();
    if n > 0.0 { v.map(|x| x / n) } else { v }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn ball(dims: [usize; 3], c: [f64; 3], r: f64) -> Vec<u8> {
        let mut labels = vec![0u8; dims[0] * dims[1] * dims[2]];
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    let d2 = (i as f64 - c[0]).powi(2)
                        + (j as f64 - c[1]).powi(2)
                        + (k as f64 - c[2]).powi(2);
                    if d2 <= r * r {
                        labels[i + dims[0] * (j + dims[1] * k)] = 3;
                    }
                }
            }
        }
        labels
    }

    /// Every edge is shared by an even number of triangles, used once each way when manifold.
    fn is_closed(mesh: &Mesh) -> bool {
        let mut edges: HashMap<(u32, u32), i64> = HashMap::new();
        for t in &mesh.triangles {
            for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
                *edges.entry((a.min(b), a.max(b))).or_default() += if a < b { 1 } else { -1 };
            }
        }
        edges.values().all(|&balance| balance == 0)
    }

    #[test]
    fn a_ball_becomes_a_closed_outward_surface_of_its_volume_in_world_mm() {
        let dims = [30, 30, 20];
        let labels = ball(dims, [14.0, 15.0, 9.0], 7.0);
        // 0.5 × 0.5 × 2 mm voxels, x mirrored, origin shifted.
        let world = [
            [-0.5, 0.0, 0.0, 100.0],
            [0.0, 0.5, 0.0, -20.0],
            [0.0, 0.0, 2.0, 5.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        let voxels = labels.iter().filter(|&&l| l == 3).count() as f64;
        let mesh = label_mesh(&labels, dims, 3, &world, Frame::Ras, 0).unwrap();
        assert!(is_closed(&mesh));
        let expected = voxels * 0.5 * 0.5 * 2.0;
        assert!(
            (mesh.volume() - expected).abs() < 0.1 * expected,
            "{} vs {expected}",
            mesh.volume()
        );
        // The centre lands where the affine puts the ball's centre.
        let n = mesh.vertices.len() as f64;
        let centre = [0, 1, 2].map(|a| mesh.vertices.iter().map(|v| v[a]).sum::<f64>() / n);
        let want = [100.0 - 0.5 * 14.0, -20.0 + 0.5 * 15.0, 5.0 + 2.0 * 9.0];
        for a in 0..3 {
            assert!((centre[a] - want[a]).abs() < 0.5, "{centre:?} vs {want:?}");
        }
        // Smoothing keeps it closed and keeps its volume.
        let smooth = label_mesh(&labels, dims, 3, &world, Frame::Ras, 10).unwrap();
        assert!(is_closed(&smooth));
        assert!((smooth.volume() - mesh.volume()).abs() < 0.05 * mesh.volume());
        // LPS mirrors x and y and still faces outward.
        let lps = label_mesh(&labels, dims, 3, &world, Frame::Lps, 0).unwrap();
        assert!((lps.volume() - mesh.volume()).abs() < 1e-6 * mesh.volume());
        assert!(label_mesh(&labels, dims, 4, &world, Frame::Ras, 0).is_none());
    }

    /// Every edge of the welded mesh is shared by exactly two triangles.
    fn is_manifold(mesh: &Mesh) -> bool {
        let mut edges: HashMap<(u32, u32), usize> = HashMap::new();
        for t in &mesh.triangles {
            for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
                *edges.entry((a.min(b), a.max(b))).or_default() += 1;
            }
        }
        edges.values().all(|&n| n == 2)
    }

    #[test]
    fn voxels_touching_along_an_edge_still_give_a_manifold_surface() {
        let dims = [8, 8, 6];
        let mut labels = vec![0u8; 8 * 8 * 6];
        for k in 1..5 {
            labels[2 + 8 * (2 + 8 * k)] = 1;
            labels[3 + 8 * (3 + 8 * k)] = 1;
        }
        let identity = [
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        let mesh = label_mesh(&labels, dims, 1, &identity, Frame::Ras, 0).unwrap();
        assert!(is_closed(&mesh));
        assert!(is_manifold(&mesh));
    }

    #[test]
    fn stl_and_obj_hold_the_triangles() {
        let dims = [12, 12, 12];
        let labels = ball(dims, [6.0, 6.0, 6.0], 3.0);
        let identity = [
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        let mesh = label_mesh(&labels, dims, 3, &identity, Frame::Ras, 0).unwrap();
        let stl = to_stl(&mesh, "interseg label 3");
        assert_eq!(stl.len(), 84 + 50 * mesh.triangles.len());
        assert_eq!(
            u32::from_le_bytes([stl[80], stl[81], stl[82], stl[83]]) as usize,
            mesh.triangles.len()
        );
        assert!(stl.starts_with(b"interseg label 3"));
        let obj = to_obj(&mesh, "label_3", "mm, RAS");
        assert_eq!(
            obj.lines().filter(|l| l.starts_with("v ")).count(),
            mesh.vertices.len()
        );
        assert_eq!(
            obj.lines().filter(|l| l.starts_with("f ")).count(),
            mesh.triangles.len()
        );
        assert_eq!(labels_present(&labels), vec![3]);
    }
}
