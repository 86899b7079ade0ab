//! What the user is looking at: layout, crosshair, zoom and pan per plane, window/level,
//! label display. Plain state, no egui types; `slice_mapping` turns it into screen geometry.

use std::collections::BTreeSet;

use crate::orientation::Plane;
use crate::volume_data::VolumeData;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Axial, coronal and sagittal side by side, sharing the crosshair.
    Three,
    /// One plane filling the window.
    Single,
    /// The 3D view filling the window.
    Surfaces,
}

/// Zoom and pan of one plane's view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub zoom: f32,
    /// Offset of the image centre from the view centre, in points.
    pub pan: [f32; 2],
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            pan: [0.0; 2],
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
    /// The 3D view's camera.
    pub orbit: crate::surfaces::Orbit,
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
            orbit: crate::surfaces::Orbit::default(),
        }
    }
}

impl ViewState {
    /// Centres the crosshair and resets zoom and pan for a newly loaded volume.
    pub fn reset_for(&mut self, volume: &VolumeData) {
        self.cursor = volume.dims().map(|n| n as f32 / 2.0);
        self.cameras = [Camera::default(); 3];
        self.orbit = crate::surfaces::Orbit::default();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_stay_inside_the_volume() {
        let volume = VolumeData::zeros_for_tests([20, 10, 4], [1.0; 3]);
        let mut view = ViewState::default();
        view.reset_for(&volume);
        view.step_slice(2, 10, volume.dims());
        assert_eq!(view.slice_index(2, volume.dims()), 3);
        view.step_slice(2, -10, volume.dims());
        assert_eq!(view.slice_index(2, volume.dims()), 0);
    }
}
