//! Drawing slices on the GPU: the volume and its labels live in two 3D textures; a WGSL shader
//! (`assets/shaders/slice.wgsl`) run in an egui paint callback cuts the slice, applies
//! window/level and blends the label colours. Scrolling only changes a few uniforms.
//!
//! - [`gpu`]: the pipeline and textures, kept in egui's callback resources.
//! - [`callback`]: the per-view paint callback.
//! - [`surface_gpu`]: the 3D view's surfaces, drawn with depth offscreen and copied into view.

pub mod callback;
pub mod gpu;
pub mod surface_gpu;

pub use callback::{SliceCallback, SliceParams, slice_callback};
pub use gpu::{GpuError, SliceRenderer};
pub use surface_gpu::{SurfaceCallback, SurfaceRenderer};
