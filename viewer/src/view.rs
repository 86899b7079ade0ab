//! What the user is looking at: layout, crosshair, zoom and pan per plane, window/level,
//! label display. Plain state, no drawing; [`SliceMapping`] turns it into screen geometry.

use std::collections::BTreeSet;

use egui::{Pos2, Rect, Vec2};

use crate::orientation::{Plane, PlaneAxes};
use crate::volume_data::VolumeData;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Axial, coronal and sagittal side by side, sharing the crosshair.
    Three,
    /// One plane filling the window.
    Single,
}

/// Zoom and pan of one plane's view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub zoom: f32,
    /// Offset of the image centre from the view centre, in points.
    pub pan: Vec2,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            pan: Vec2::ZERO,
        }
    }
}

/// Intensity window as centre and width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowLevel {
    pub center: f32,
    pub width: f32,
}

impl WindowLevel {
    pub fn from_range([low, high]: [f32; 2]) -> Self {
        Self {
            center: (low + high) / 2.0,
            width: (high - low).max(1e-3),
        }
    }

    pub fn low_high(self) -> [f32; 2] {
        [
            self.center - self.width / 2.0,
            self.center + self.width / 2.0,
        ]
    }
}

/// The window presets: name and (centre, width); `None` is the automatic window.
pub const PRESETS: [(&str, Option<(f32, f32)>); 4] = [
    ("CT bone", Some((500.0, 2000.0))),
    ("CT soft tissue", Some((40.0, 400.0))),
    ("CT brain", Some((40.0, 80.0))),
    ("MR / auto", None),
];

#[derive(Clone, Debug)]
pub struct ViewState {
    pub layout: Layout,
    /// The plane of the single layout, and the one the keyboard acts on.
    pub active: Plane,
    /// The crosshair, in continuous voxel coordinates (voxel n spans n..n+1).
    pub cursor: [f32; 3],
    pub cameras: [Camera; 3],
    pub window: WindowLevel,
    pub label_opacity: f32,
    pub hidden_labels: BTreeSet<u8>,
    /// The label the next include point goes to.
    pub current_label: u8,
    /// After each include point, move on to the next unused label (one object per click, as in
    /// the original system).
    pub new_object_per_click: bool,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            layout: Layout::Three,
            active: Plane::Axial,
            cursor: [0.0; 3],
            cameras: [Camera::default(); 3],
            window: WindowLevel::from_range([0.0, 1.0]),
            label_opacity: 0.5,
            hidden_labels: BTreeSet::new(),
            current_label: 1,
            new_object_per_click: true,
        }
    }
}

impl ViewState {
    /// Centres the crosshair and resets zoom and pan for a newly loaded volume.
    pub fn reset_for(&mut self, volume: &VolumeData) {
        self.cursor = volume.dims().map(|n| n as f32 / 2.0);
        self.cameras = [Camera::default(); 3];
    }

    pub fn camera(&self, plane: Plane) -> &Camera {
        &self.cameras[plane as usize]
    }

    pub fn camera_mut(&mut self, plane: Plane) -> &mut Camera {
        &mut self.cameras[plane as usize]
    }

    /// The slice shown along array axis `axis`.
    pub fn slice_index(&self, axis: usize, dims: [usize; 3]) -> usize {
        (self.cursor[axis].max(0.0) as usize).min(dims[axis].saturating_sub(1))
    }

    /// Moves the slice along `axis` by `steps`, staying inside the volume.
    pub fn step_slice(&mut self, axis: usize, steps: i32, dims: [usize; 3]) {
        let last = dims[axis].saturating_sub(1) as f32;
        let index = (self.slice_index(axis, dims) as f32 + steps as f32).clamp(0.0, last);
        self.cursor[axis] = index + 0.5;
    }

    pub fn label_visible(&self, label: u8) -> bool {
        !self.hidden_labels.contains(&label)
    }
}

/// Where a plane's slice lies on screen: the map between points in the view and voxels.
#[derive(Clone, Copy, Debug)]
pub struct SliceMapping {
    pub rect: Rect,
    pub axes: PlaneAxes,
    pub slice: usize,
    dims: [f32; 3],
    spacing: [f32; 3],
    /// Points per millimetre.
    scale: f32,
    /// Where the image centre is drawn.
    centre: Pos2,
}

impl SliceMapping {
    pub fn new(rect: Rect, plane: Plane, volume: &VolumeData, view: &ViewState) -> Self {
        let axes = volume.orientation.plane_axes(plane);
        let dims = volume.dims().map(|n| n as f32);
        let spacing = volume.spacing();
        let width_mm = dims[axes.across] * spacing[axes.across];
        let height_mm = dims[axes.down] * spacing[axes.down];
        let camera = view.camera(plane);
        let fit = (rect.width() / width_mm).min(rect.height() / height_mm);
        Self {
            rect,
            axes,
            slice: view.slice_index(axes.normal, volume.dims()),
            dims,
            spacing,
            scale: fit.max(1e-6) * camera.zoom,
            centre: rect.center() + camera.pan,
        }
    }

    /// Continuous voxel coordinates under a screen point (on the current slice).
    pub fn coords_at(&self, p: Pos2) -> [f32; 3] {
        let a = self.axes;
        let along = |offset: f32, axis: usize, forward: bool| {
            let voxels = offset / (self.scale * self.spacing[axis]);
            self.dims[axis] / 2.0 + if forward { voxels } else { -voxels }
        };
        let mut c = [0.0; 3];
        c[a.normal] = self.slice as f32 + 0.5;
        c[a.across] = along(p.x - self.centre.x, a.across, a.across_rightward);
        c[a.down] = along(p.y - self.centre.y, a.down, a.down_downward);
        c
    }

    /// The voxel under a screen point, if the point is on the image.
    pub fn voxel_at(&self, p: Pos2) -> Option<[usize; 3]> {
        let c = self.coords_at(p);
        let inside = (0..3).all(|a| c[a] >= 0.0 && c[a] < self.dims[a]);
        inside.then(|| c.map(|x| x as usize))
    }

    /// The voxel under a screen point, or the nearest one on the slice when it is off the image.
    pub fn clamped_voxel_at(&self, p: Pos2) -> [usize; 3] {
        let c = self.coords_at(p);
        [0, 1, 2].map(|a| c[a].clamp(0.0, (self.dims[a] - 1.0).max(0.0)) as usize)
    }

    /// The screen rectangle covering the voxels from `a` to `b` (inclusive, in-plane part).
    pub fn screen_rect_of(&self, a: [usize; 3], b: [usize; 3]) -> Rect {
        let lo = [0, 1, 2].map(|n| a[n].min(b[n]) as f32);
        let hi = [0, 1, 2].map(|n| a[n].max(b[n]) as f32 + 1.0);
        Rect::from_two_pos(self.screen_of(lo), self.screen_of(hi))
    }

    /// The screen point of continuous voxel coordinates (their in-plane part).
    pub fn screen_of(&self, c: [f32; 3]) -> Pos2 {
        let a = self.axes;
        let offset = |axis: usize, forward: bool| {
            let d = (c[axis] - self.dims[axis] / 2.0) * self.spacing[axis] * self.scale;
            if forward { d } else { -d }
        };
        Pos2::new(
            self.centre.x + offset(a.across, a.across_rightward),
            self.centre.y + offset(a.down, a.down_downward),
        )
    }

    /// The screen point of a voxel's centre.
    pub fn screen_of_voxel(&self, v: [usize; 3]) -> Pos2 {
        self.screen_of(v.map(|x| x as f32 + 0.5))
    }

    /// The screen size of one voxel (across, down), in points.
    pub fn voxel_size(&self) -> Vec2 {
        Vec2::new(
            self.spacing[self.axes.across] * self.scale,
            self.spacing[self.axes.down] * self.scale,
        )
    }

    /// For the shader: voxel coordinates at the view's top-left, and their change across the
    /// view's full width and height.
    pub fn shader_frame(&self) -> ([f32; 3], [f32; 3], [f32; 3]) {
        let origin = self.coords_at(self.rect.left_top());
        let right = self.coords_at(self.rect.right_top());
        let bottom = self.coords_at(self.rect.left_bottom());
        let minus = |p: [f32; 3], q: [f32; 3]| [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
        (origin, minus(right, origin), minus(bottom, origin))
    }
}

#[cfg(test)]
mod tests {
    use interseg_shared::api::volume::VolumeInfo;

    use super::*;

    fn volume(spacing: [f64; 3]) -> VolumeData {
        let info = VolumeInfo {
            shape: [20, 10, 4],
            dtype: "uint8".to_owned(),
            scl_slope: 1.0,
            scl_inter: 0.0,
            data_range: [0.0, 0.0],
            spacing_mm: spacing,
            affine: [
                [spacing[0], 0.0, 0.0, 0.0],
                [0.0, spacing[1], 0.0, 0.0],
                [0.0, 0.0, spacing[2], 0.0],
                [0.0, 0.0, 0.0, 1.0],
            ],
        };
        VolumeData::decode(info, &[0; 800]).unwrap()
    }

    #[test]
    fn screen_and_voxels_map_both_ways_at_any_zoom_and_pan() {
        let volume = volume([1.0, 2.0, 3.0]);
        let mut view = ViewState::default();
        view.reset_for(&volume);
        let rect = Rect::from_min_size(Pos2::new(10.0, 20.0), Vec2::new(300.0, 200.0));
        for (zoom, pan) in [(1.0, Vec2::ZERO), (3.5, Vec2::new(-40.0, 25.0))] {
            view.cameras[Plane::Coronal as usize] = Camera { zoom, pan };
            let mapping = SliceMapping::new(rect, Plane::Coronal, &volume, &view);
            assert_eq!(mapping.slice, 5);
            for voxel in [[0, 5, 0], [19, 5, 3], [7, 5, 2]] {
                let at = mapping.screen_of_voxel(voxel);
                if rect.contains(at) {
                    assert_eq!(mapping.voxel_at(at), Some(voxel), "zoom {zoom}");
                }
            }
            // Coronal: i across, k down; 3 mm slices against 1 mm columns.
            let size = mapping.voxel_size();
            assert!((size.y / size.x - 3.0).abs() < 1e-4, "{size:?}");
        }
    }

    #[test]
    fn slices_stay_inside_the_volume() {
        let volume = volume([1.0; 3]);
        let mut view = ViewState::default();
        view.reset_for(&volume);
        view.step_slice(2, 10, volume.dims());
        assert_eq!(view.slice_index(2, volume.dims()), 3);
        view.step_slice(2, -10, volume.dims());
        assert_eq!(view.slice_index(2, volume.dims()), 0);
    }
}
