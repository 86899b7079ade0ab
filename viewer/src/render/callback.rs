//! One slice view's paint callback: writes the view's uniforms, then draws one triangle.

use eframe::egui_wgpu::{self, wgpu};

use super::gpu::{COLOR_FLOATS, PARAMS_FLOATS, SliceResources};

/// The paint callback that draws one slice into `rect` (`slot` tells the views of one frame
/// apart) with `params`, blending labels by `colors` (RGBA per label value, alpha 0 hidden).
pub fn slice_callback(
    slot: usize,
    rect: egui::Rect,
    params: SliceParams,
    colors: Box<[[f32; 4]; 256]>,
) -> egui::PaintCallback {
    egui_wgpu::Callback::new_paint_callback(
        rect,
        SliceCallback {
            slot,
            params,
            colors,
        },
    )
}

/// What the shader needs for one view.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceParams {
    /// Continuous voxel coordinates at the view's top-left.
    pub origin: [f32; 3],
    /// Their change across the view's width and down its height.
    pub across: [f32; 3],
    pub down: [f32; 3],
    pub dims: [usize; 3],
    /// Intensity window, low and high.
    pub window: [f32; 2],
    pub label_opacity: f32,
}

impl SliceParams {
    fn floats(&self) -> [f32; PARAMS_FLOATS] {
        let v = |a: [f32; 3]| [a[0], a[1], a[2], 0.0];
        let d = self.dims.map(|n| n as f32);
        let mut out = [0.0; PARAMS_FLOATS];
        out[0..4].copy_from_slice(&v(self.origin));
        out[4..8].copy_from_slice(&v(self.across));
        out[8..12].copy_from_slice(&v(self.down));
        out[12..16].copy_from_slice(&v(d));
        out[16..20].copy_from_slice(&[self.window[0], self.window[1], self.label_opacity, 0.0]);
        out
    }
}

/// Draws one view (`slot` tells the views of one frame apart).
pub struct SliceCallback {
    pub slot: usize,
    pub params: SliceParams,
    /// RGBA per label value, alpha 0 for hidden labels.
    pub colors: Box<[[f32; 4]; 256]>,
}

impl egui_wgpu::CallbackTrait for SliceCallback {
    fn prepare(
        &self,
        _device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(slice) = resources.get::<SliceResources>() {
            slice.write_params(queue, self.slot, &self.params.floats());
            let colors: &[f32] = bytemuck::cast_slice(&self.colors[..]);
            debug_assert_eq!(colors.len(), COLOR_FLOATS);
            slice.write_colors(queue, colors);
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        if let Some(slice) = resources.get::<SliceResources>() {
            slice.draw(pass, self.slot);
        }
    }
}
