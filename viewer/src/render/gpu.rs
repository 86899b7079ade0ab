//! GPU resources of the slice views: one pipeline, the volume (`R32Float`) and label (`R8Uint`)
//! textures, the label colour table, and a uniform buffer per view.

use eframe::egui_wgpu::{self, wgpu};

use crate::volume_data::VolumeData;

/// How many views can be drawn in one frame (one per plane).
pub const VIEW_SLOTS: usize = 3;

/// Uniforms of one view: origin, across, down, dims, window (each a vec4).
pub const PARAMS_FLOATS: usize = 20;

/// Largest single texture write.
const SLAB_BYTES: usize = 32 << 20;

/// Colour table: 256 RGBA entries.
pub const COLOR_FLOATS: usize = 256 * 4;

/// The volume cannot be put on this GPU.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error(
        "the volume ({dims:?} voxels) is larger than this GPU's 3D textures allow ({max} per side)"
    )]
    TooLarge { dims: [usize; 3], max: u32 },
    #[error("the labels have {got} voxels, the volume {want}")]
    LabelLength { got: usize, want: usize },
    #[error("no GPU renderer is available")]
    NoRenderer,
}

struct VolumeTextures {
    dims: [u32; 3],
    labels: wgpu::Texture,
    bind_groups: Vec<wgpu::BindGroup>,
}

/// Everything the paint callbacks need; lives in egui's `CallbackResources`.
pub struct SliceResources {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    params: Vec<wgpu::Buffer>,
    colors: wgpu::Buffer,
    volume: Option<VolumeTextures>,
}

impl SliceResources {
    pub(super) fn write_params(&self, queue: &wgpu::Queue, slot: usize, params: &[f32]) {
        if let Some(buffer) = self.params.get(slot) {
            queue.write_buffer(buffer, 0, bytemuck::cast_slice(params));
        }
    }

    pub(super) fn write_colors(&self, queue: &wgpu::Queue, colors: &[f32]) {
        queue.write_buffer(&self.colors, 0, bytemuck::cast_slice(colors));
    }

    pub(super) fn draw(&self, pass: &mut wgpu::RenderPass<'static>, slot: usize) {
        let Some(bind_group) = self
            .volume
            .as_ref()
            .and_then(|volume| volume.bind_groups.get(slot))
        else {
            return;
        };
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// A handle to the GPU the window renders with; creates and replaces the textures.
#[derive(Clone)]
pub struct SliceRenderer {
    state: egui_wgpu::RenderState,
}

impl SliceRenderer {
    /// Builds the pipeline and registers it with egui's renderer.
    pub fn new(state: &egui_wgpu::RenderState) -> Self {
        let device = &state.device;
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("slice"),
            source: wgpu::ShaderSource::Wgsl(
                include_str!("../../../assets/shaders/slice.wgsl").into(),
            ),
        });
        let uniform = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let texture = |binding, sample_type| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type,
                view_dimension: wgpu::TextureViewDimension::D3,
                multisampled: false,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("slice"),
            entries: &[
                uniform(0),
                texture(1, wgpu::TextureSampleType::Float { filterable: false }),
                texture(2, wgpu::TextureSampleType::Uint),
                uniform(3),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("slice"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("slice"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_main"),
                compilation_options: wgpu::PipelineCompilationOptions::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &shader,
                entry_point: Some("fs_main"),
                compilation_options: wgpu::PipelineCompilationOptions::default(),
                targets: &[Some(state.target_format.into())],
            }),
            multiview_mask: None,
            cache: None,
        });
        let buffer = |label, floats: usize| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: (floats * 4) as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let resources = SliceResources {
            pipeline,
            layout,
            params: (0..VIEW_SLOTS)
                .map(|_| buffer("slice params", PARAMS_FLOATS))
                .collect(),
            colors: buffer("label colours", COLOR_FLOATS),
            volume: None,
        };
        state.renderer.write().callback_resources.insert(resources);
        Self {
            state: state.clone(),
        }
    }

    /// Puts a volume on the GPU as physical values (converted a slab at a time, so no second
    /// whole copy is made), with empty labels.
    pub fn upload_volume(&self, volume: &VolumeData) -> Result<(), GpuError> {
        let dims = volume.dims();
        let device = &self.state.device;
        let max = device.limits().max_texture_dimension_3d;
        let Ok(size) = dims
            .map(u32::try_from)
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
        else {
            return Err(GpuError::TooLarge { dims, max });
        };
        let size = [size[0], size[1], size[2]];
        if size.iter().any(|&n| n == 0 || n > max) {
            return Err(GpuError::TooLarge { dims, max });
        }
        let volume_texture = self.texture("volume", size, wgpu::TextureFormat::R32Float);
        let slab = slab_depth(dims, 4);
        for k0 in (0..dims[2]).step_by(slab) {
            let k1 = (k0 + slab).min(dims[2]);
            let values = volume.slab_f32(k0, k1);
            self.write_slab(&volume_texture, size, 4, k0, bytemuck::cast_slice(&values));
        }
        let labels = self.texture("labels", size, wgpu::TextureFormat::R8Uint);
        let zeros = vec![0u8; dims.iter().product()];
        self.write(&labels, size, 1, &zeros);
        let mut renderer = self.state.renderer.write();
        let Some(resources) = renderer.callback_resources.get_mut::<SliceResources>() else {
            return Err(GpuError::NoRenderer);
        };
        let volume_view = volume_texture.create_view(&wgpu::TextureViewDescriptor::default());
        let labels_view = labels.create_view(&wgpu::TextureViewDescriptor::default());
        let bind_groups = resources
            .params
            .iter()
            .map(|params| {
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("slice"),
                    layout: &resources.layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: params.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: wgpu::BindingResource::TextureView(&volume_view),
                        },
                        wgpu::BindGroupEntry {
                            binding: 2,
                            resource: wgpu::BindingResource::TextureView(&labels_view),
                        },
                        wgpu::BindGroupEntry {
                            binding: 3,
                            resource: resources.colors.as_entire_binding(),
                        },
                    ],
                })
            })
            .collect();
        resources.volume = Some(VolumeTextures {
            dims: size,
            labels,
            bind_groups,
        });
        Ok(())
    }

    /// Replaces the labels (one byte per voxel, i fastest); `None` clears them.
    pub fn upload_labels(&self, labels: Option<&[u8]>) -> Result<(), GpuError> {
        let renderer = self.state.renderer.read();
        let Some(volume) = renderer
            .callback_resources
            .get::<SliceResources>()
            .and_then(|r| r.volume.as_ref())
        else {
            return Err(GpuError::NoRenderer);
        };
        let want = volume.dims.iter().map(|&n| n as usize).product::<usize>();
        let zeros;
        let bytes = match labels {
            Some(bytes) => bytes,
            None => {
                zeros = vec![0u8; want];
                &zeros
            }
        };
        if bytes.len() != want {
            return Err(GpuError::LabelLength {
                got: bytes.len(),
                want,
            });
        }
        self.write(&volume.labels, volume.dims, 1, bytes);
        Ok(())
    }

    fn texture(
        &self,
        label: &str,
        [w, h, d]: [u32; 3],
        format: wgpu::TextureFormat,
    ) -> wgpu::Texture {
        self.state.device.create_texture(&wgpu::TextureDescriptor {
            label: Some(label),
            size: wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: d,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D3,
            format,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        })
    }

    /// Writes the texture in slabs of whole slices: one staging buffer for a 500 MB volume
    /// would pass the device's buffer size limit.
    fn write(&self, texture: &wgpu::Texture, size: [u32; 3], texel: u32, bytes: &[u8]) {
        let dims = size.map(|n| n as usize);
        let slab = slab_depth(dims, texel as usize);
        let slab_bytes = slab * dims[0] * dims[1] * texel as usize;
        for (n, chunk) in bytes.chunks(slab_bytes.max(1)).enumerate() {
            self.write_slab(texture, size, texel, n * slab, chunk);
        }
    }

    /// Writes whole slices from slice `k0` on.
    fn write_slab(
        &self,
        texture: &wgpu::Texture,
        [w, h, _]: [u32; 3],
        texel: u32,
        k0: usize,
        bytes: &[u8],
    ) {
        let slice_bytes = (w * h * texel) as usize;
        let depth = (bytes.len() / slice_bytes.max(1)) as u32;
        self.state.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture,
                mip_level: 0,
                origin: wgpu::Origin3d {
                    x: 0,
                    y: 0,
                    z: k0 as u32,
                },
                aspect: wgpu::TextureAspect::All,
            },
            bytes,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(w * texel),
                rows_per_image: Some(h),
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: depth,
            },
        );
    }
}

/// How many slices of `dims` at `texel` bytes fit in one write.
fn slab_depth(dims: [usize; 3], texel: usize) -> usize {
    (SLAB_BYTES / (dims[0] * dims[1] * texel).max(1)).max(1)
}
