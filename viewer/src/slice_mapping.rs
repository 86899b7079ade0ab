//! Where a plane's slice lies on screen: the transforms between points in a view (`ui`) and
//! voxel coordinates, with zoom, pan, voxel spacing and orientation.

use egui::{Pos2, Rect, Vec2};

use crate::orientation::{Plane, PlaneAxes};
use crate::view::ViewState;
use crate::volume_data::VolumeData;

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
            centre: rect.center() + Vec2::from(camera.pan),
        }
    }

    /// Continuous voxel coordinates under a screen point (on the current slice).
    pub fn voxel_coords_from_ui(&self, p: Pos2) -> [f32; 3] {
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
    pub fn voxel_from_ui(&self, p: Pos2) -> Option<[usize; 3]> {
        let c = self.voxel_coords_from_ui(p);
        let inside = (0..3).all(|a| c[a] >= 0.0 && c[a] < self.dims[a]);
        inside.then(|| c.map(|x| x as usize))
    }

    /// The voxel under a screen point, or the nearest one on the slice when it is off the image.
    pub fn clamped_voxel_from_ui(&self, p: Pos2) -> [usize; 3] {
        let c = self.voxel_coords_from_ui(p);
        [0, 1, 2].map(|a| c[a].clamp(0.0, (self.dims[a] - 1.0).max(0.0)) as usize)
    }

    /// The screen rectangle covering the voxels from `a` to `b` (inclusive, in-plane part).
    pub fn ui_rect_from_voxels(&self, a: [usize; 3], b: [usize; 3]) -> Rect {
        let lo = [0, 1, 2].map(|n| a[n].min(b[n]) as f32);
        let hi = [0, 1, 2].map(|n| a[n].max(b[n]) as f32 + 1.0);
        Rect::from_two_pos(self.ui_from_voxel_coords(lo), self.ui_from_voxel_coords(hi))
    }

    /// The screen point of continuous voxel coordinates (their in-plane part).
    pub fn ui_from_voxel_coords(&self, c: [f32; 3]) -> Pos2 {
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
    pub fn ui_from_voxel(&self, v: [usize; 3]) -> Pos2 {
        self.ui_from_voxel_coords(v.map(|x| x as f32 + 0.5))
    }

    /// The screen size of one voxel (across, down), in points.
    pub fn voxel_size_ui(&self) -> Vec2 {
        Vec2::new(
            self.spacing[self.axes.across] * self.scale,
            self.spacing[self.axes.down] * self.scale,
        )
    }

    /// For the shader: voxel coordinates at the view's top-left, and their change across the
    /// view's full width and height.
    pub fn shader_frame(&self) -> ([f32; 3], [f32; 3], [f32; 3]) {
        let origin = self.voxel_coords_from_ui(self.rect.left_top());
        let right = self.voxel_coords_from_ui(self.rect.right_top());
        let bottom = self.voxel_coords_from_ui(self.rect.left_bottom());
        let minus = |p: [f32; 3], q: [f32; 3]| [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
        (origin, minus(right, origin), minus(bottom, origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Camera;

    #[test]
    fn screen_and_voxels_map_both_ways_at_any_zoom_and_pan() {
        let volume = VolumeData::zeros_for_tests([20, 10, 4], [1.0, 2.0, 3.0]);
        let mut view = ViewState::default();
        view.reset_for(&volume);
        let rect = Rect::from_min_size(Pos2::new(10.0, 20.0), Vec2::new(300.0, 200.0));
        for (zoom, pan) in [(1.0, [0.0; 2]), (3.5, [-40.0, 25.0])] {
            view.cameras[Plane::Coronal as usize] = Camera { zoom, pan };
            let mapping = SliceMapping::new(rect, Plane::Coronal, &volume, &view);
            assert_eq!(mapping.slice, 5);
            for voxel in [[0, 5, 0], [19, 5, 3], [7, 5, 2]] {
                let at = mapping.ui_from_voxel(voxel);
                if rect.contains(at) {
                    assert_eq!(mapping.voxel_from_ui(at), Some(voxel), "zoom {zoom}");
                }
            }
            // Coronal: i across, k down; 3 mm slices against 1 mm columns.
            let size = mapping.voxel_size_ui();
            assert!((size.y / size.x - 3.0).abs() < 1e-4, "{size:?}");
        }
    }
}
