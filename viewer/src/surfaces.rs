//! The 3D view's CPU side: one surface per label of the latest result (surface nets, the
//! server's mesh code, in scanner millimetres through the volume's affine), rebuilt off the UI
//! thread only for the labels whose voxels changed; an orbiting camera around the volume; and
//! picking, a ray from the camera through the label volume to the first visible label.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use interseg_server::volume::mesh::{Frame, label_mesh, labels_present};
use nalgebra::{Matrix4, Point3, Vector3, Vector4};

/// One label's surface, ready to draw: triangles over vertices with smooth normals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSurface {
    pub positions: Vec<[f32; 3]>,
    pub normals: Vec<[f32; 3]>,
    pub triangles: Vec<[u32; 3]>,
    /// A digest of the label's voxels: equal digests, same surface.
    key: u64,
}

/// Every label's surface, and the geometry they live in.
#[derive(Clone, Debug, Default)]
pub struct Surfaces {
    pub labels: BTreeMap<u8, Arc<LabelSurface>>,
    /// How many were made anew (the rest were kept from before).
    pub rebuilt: usize,
}

/// Smoothing steps: a little, so voxel stairs do not dominate the shading.
const SMOOTH: usize = 4;

/// The surfaces of `labels` (a volume of `dims`, i fastest, world through `affine`), reusing
/// those of `before` whose label's voxels did not change. Blocking.
pub fn build(
    labels: &[u8],
    dims: [usize; 3],
    affine: &[[f64; 4]; 4],
    before: &Surfaces,
) -> Surfaces {
    let mut digests: BTreeMap<u8, std::collections::hash_map::DefaultHasher> = BTreeMap::new();
    for (offset, &label) in labels.iter().enumerate() {
        if label != 0 {
            offset.hash(digests.entry(label).or_default());
        }
    }
    let mut out = Surfaces::default();
    for label in labels_present(labels) {
        let key = digests.get(&label).map_or(0, Hasher::finish);
        if let Some(kept) = before.labels.get(&label).filter(|s| s.key == key) {
            out.labels.insert(label, Arc::clone(kept));
            continue;
        }
        let Some(mesh) = label_mesh(labels, dims, label, affine, Frame::Ras, SMOOTH) else {
            continue;
        };
        #[expect(clippy::cast_possible_truncation, reason = "drawn in f32")]
        let positions: Vec<[f32; 3]> = mesh.vertices.iter().map(|v| v.map(|x| x as f32)).collect();
        let normals = vertex_normals(&positions, &mesh.triangles);
        out.labels.insert(
            label,
            Arc::new(LabelSurface {
                positions,
                normals,
                triangles: mesh.triangles,
                key,
            }),
        );
        out.rebuilt += 1;
    }
    out
}

/// Per vertex, the area-weighted mean of its triangles' normals.
fn vertex_normals(positions: &[[f32; 3]], triangles: &[[u32; 3]]) -> Vec<[f32; 3]> {
    let mut sums = vec![Vector3::<f32>::zeros(); positions.len()];
    for t in triangles {
        let [a, b, c] = t.map(|i| Vector3::from(positions[i as usize]));
        let n = (b - a).cross(&(c - a));
        for &i in t {
            sums[i as usize] += n;
        }
    }
    sums.into_iter()
        .map(|n| n.try_normalize(1e-12).unwrap_or_else(Vector3::z).into())
        .collect()
}

/// An orbit around the volume's centre: where the camera looks from, and how close.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Orbit {
    /// Around the superior axis, radians; 0 looks from the patient's front (anterior).
    pub yaw: f32,
    /// Above (+) or below the axial plane, radians.
    pub pitch: f32,
    /// Distance in units of the volume's radius.
    pub distance: f32,
}

impl Default for Orbit {
    fn default() -> Self {
        Self {
            yaw: 0.0,
            pitch: 0.35,
            distance: 3.2,
        }
    }
}

const FOV_Y: f32 = 0.6;

impl Orbit {
    /// Turns by a drag of `dx`, `dy` points.
    pub fn drag(&mut self, dx: f32, dy: f32) {
        self.yaw -= dx * 0.01;
        self.pitch = (self.pitch + dy * 0.01).clamp(-1.5, 1.5);
    }

    /// Moves closer (positive `steps`) or away.
    pub fn zoom(&mut self, steps: f32) {
        self.distance = (self.distance * (-steps * 0.1).exp()).clamp(1.2, 20.0);
    }

    /// Clip from world for a view of `aspect` (width / height) around a volume whose world box
    /// has centre `centre` and radius `radius` (wgpu's clip space: z from 0 to 1).
    pub fn clip_from_world(&self, aspect: f32, centre: [f32; 3], radius: f32) -> Matrix4<f32> {
        let radius = radius.max(1e-3);
        let (eye, target) = self.eye(centre, radius);
        let view = Matrix4::look_at_rh(&eye, &target, &Vector3::z());
        let distance = self.distance * radius;
        let near = (distance - 1.8 * radius).max(radius * 0.01);
        let far = distance + 1.8 * radius;
        let projection =
            nalgebra::Perspective3::new(aspect.max(1e-3), FOV_Y, near, far).to_homogeneous();
        // OpenGL's clip z (−1…1) to wgpu's (0…1).
        let depth = Matrix4::new(
            1.0, 0.0, 0.0, 0.0, //
            0.0, 1.0, 0.0, 0.0, //
            0.0, 0.0, 0.5, 0.5, //
            0.0, 0.0, 0.0, 1.0,
        );
        depth * projection * view
    }

    /// The direction the camera looks in (world), for a headlight.
    pub fn forward(&self) -> [f32; 3] {
        let (eye, target) = self.eye([0.0; 3], 1.0);
        (target - eye).normalize().into()
    }

    fn eye(&self, centre: [f32; 3], radius: f32) -> (Point3<f32>, Point3<f32>) {
        let target = Point3::from(centre);
        // RAS: anterior is +y, superior +z.
        let direction = Vector3::new(
            self.yaw.sin() * self.pitch.cos(),
            self.yaw.cos() * self.pitch.cos(),
            self.pitch.sin(),
        );
        (target + direction * self.distance * radius, target)
    }
}

/// Where world point `world` lands in the view `clip_from_world`: −1…1 across, y up (`None`
/// behind the camera).
pub fn project(clip_from_world: &Matrix4<f32>, world: [f32; 3]) -> Option<[f32; 2]> {
    let p = clip_from_world * Vector4::new(world[0], world[1], world[2], 1.0);
    (p.w > 1e-6).then(|| [p.x / p.w, p.y / p.w])
}

/// The world box of a volume: its centre and the radius of the sphere around it.
pub fn world_bounds(dims: [usize; 3], affine: &[[f64; 4]; 4]) -> ([f32; 3], f32) {
    let world = |v: [f64; 3]| {
        [0, 1, 2]
            .map(|r| affine[r][0] * v[0] + affine[r][1] * v[1] + affine[r][2] * v[2] + affine[r][3])
    };
    let hi = dims.map(|n| n as f64 - 1.0);
    let (a, b) = (world([0.0; 3]), world(hi));
    #[expect(clippy::cast_possible_truncation, reason = "drawn in f32")]
    let centre = [0, 1, 2].map(|r| ((a[r] + b[r]) / 2.0) as f32);
    let mut radius: f64 = 0.0;
    for corner in 0..8 {
        let v = [0, 1, 2].map(|axis| {
            if corner >> axis & 1 == 1 {
                hi[axis]
            } else {
                0.0
            }
        });
        let w = world(v);
        let d: f64 = (0..3).map(|r| (w[r] - f64::from(centre[r])).powi(2)).sum();
        radius = radius.max(d.sqrt());
    }
    #[expect(clippy::cast_possible_truncation, reason = "drawn in f32")]
    let radius = radius as f32;
    (centre, radius)
}

/// The voxel of the first visible label (not in `hidden`) on the ray through `ndc` (−1…1,
/// y up) of the view `clip_from_world`, in `labels` of `dims` with `affine`.
pub fn pick(
    ndc: [f32; 2],
    clip_from_world: &Matrix4<f32>,
    labels: &[u8],
    dims: [usize; 3],
    affine: &[[f64; 4]; 4],
    hidden: &BTreeSet<u8>,
) -> Option<[usize; 3]> {
    let world_from_clip = clip_from_world.try_inverse()?;
    let unproject = |z: f32| {
        let p = world_from_clip * Vector4::new(ndc[0], ndc[1], z, 1.0);
        (p.w.abs() > 1e-12).then(|| Vector3::new(p.x / p.w, p.y / p.w, p.z / p.w))
    };
    let (near, far) = (unproject(0.0)?, unproject(1.0)?);
    let a = Matrix4::from_fn(|r, c| affine[r][c]);
    let voxel_from_world = a.try_inverse()?;
    let to_voxel = |w: Vector3<f32>| {
        let v =
            voxel_from_world * Vector4::new(f64::from(w.x), f64::from(w.y), f64::from(w.z), 1.0);
        Vector3::new(v.x, v.y, v.z)
    };
    let (from, to) = (to_voxel(near), to_voxel(far));
    let length = (to - from).norm();
    if !length.is_finite() || length == 0.0 {
        return None;
    }
    // Quarter-voxel steps: no voxel is stepped over.
    let steps = (length * 4.0).ceil().min(1e7);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "bounded above"
    )]
    let count = steps as usize;
    for n in 0..=count {
        #[expect(clippy::cast_precision_loss, reason = "step counts are small")]
        let p = from + (to - from) * (n as f64 / steps);
        // Voxel centres sit at integers: voxel n spans n − 0.5 … n + 0.5.
        let v = [p.x, p.y, p.z].map(|x| (x + 0.5).floor());
        if (0..3).any(|a| v[a] < 0.0 || v[a] >= dims[a] as f64) {
            continue;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked range"
        )]
        let voxel = v.map(|x| x as usize);
        let label = labels[voxel[0] + dims[0] * (voxel[1] + dims[1] * voxel[2])];
        if label != 0 && !hidden.contains(&label) {
            return Some(voxel);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDENTITY: [[f64; 4]; 4] = [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ];

    /// Two cubes of 4³ voxels in a 16³ volume: label 1 near the origin, label 2 far.
    fn two_cubes() -> (Vec<u8>, [usize; 3]) {
        let dims = [16, 16, 16];
        let mut labels = vec![0u8; 16 * 16 * 16];
        for k in 6..10 {
            for j in 6..10 {
                for i in 2..6 {
                    labels[i + 16 * (j + 16 * k)] = 1;
                    labels[(i + 8) + 16 * (j + 16 * k)] = 2;
                }
            }
        }
        (labels, dims)
    }

    #[test]
    fn only_changed_labels_are_rebuilt() {
        let (mut labels, dims) = two_cubes();
        let first = build(&labels, dims, &IDENTITY, &Surfaces::default());
        assert_eq!((first.labels.len(), first.rebuilt), (2, 2));
        labels[3 + 16 * (6 + 16 * 5)] = 2;
        let second = build(&labels, dims, &IDENTITY, &first);
        assert_eq!(second.rebuilt, 1, "label 1 is kept");
        assert!(Arc::ptr_eq(&first.labels[&1], &second.labels[&1]));
        assert_ne!(first.labels[&2], second.labels[&2]);
    }

    /// The label the ray through the view's centre hits first, looking along x from `yaw`.
    fn hit_from(yaw: f32, hidden: &BTreeSet<u8>) -> Option<u8> {
        let (labels, dims) = two_cubes();
        let (centre, radius) = world_bounds(dims, &IDENTITY);
        let orbit = Orbit {
            yaw,
            pitch: 0.0,
            distance: 3.0,
        };
        let clip = orbit.clip_from_world(1.0, centre, radius);
        pick([0.0, 0.0], &clip, &labels, dims, &IDENTITY, hidden)
            .map(|v| labels[v[0] + 16 * (v[1] + 16 * v[2])])
    }

    #[test]
    fn a_ray_through_the_middle_of_the_view_hits_the_nearer_label() {
        use std::f32::consts::FRAC_PI_2;
        // Looking along +x from the left (−x side) of the volume: label 1 comes first.
        assert_eq!(hit_from(-FRAC_PI_2, &BTreeSet::new()), Some(1));
        // With label 1 hidden, the ray goes on to label 2.
        assert_eq!(hit_from(-FRAC_PI_2, &BTreeSet::from([1])), Some(2));
        // From the other side, label 2 first.
        assert_eq!(hit_from(FRAC_PI_2, &BTreeSet::new()), Some(2));
    }
}
