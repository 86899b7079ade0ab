//! GPU side of the 3D view: the label surfaces in one vertex and index buffer, drawn with
//! depth into an offscreen target of the view's size, which a second pipeline copies into the
//! view's rectangle (egui's own pass has no depth buffer). Takes plain meshes and a camera.

use std::collections::BTreeSet;

use eframe::egui_wgpu::{self, wgpu};

use crate::surfaces::Surfaces;

/// Position, normal and colour: nine floats a vertex.
const VERTEX_FLOATS: usize = 9;
/// The clip matrix and the light direction.
const UNIFORM_FLOATS: usize = 20;
const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
/// The view's background.
const BACKGROUND: wgpu::Color = wgpu::Color {
    r: 0.02,
    g: 0.02,
    b: 0.025,
    a: 1.0,
};

struct Mesh {
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    count: u32,
}

struct Target {
    size: [u32; 2],
    color: wgpu::TextureView,
    depth: wgpu::TextureView,
    copy: wgpu::BindGroup,
}

/// Everything the 3D view's callback needs; lives in egui's `CallbackResources`.
pub struct SurfaceResources {
    mesh_pipeline: wgpu::RenderPipeline,
    copy_pipeline: wgpu::RenderPipeline,
    uniforms: wgpu::Buffer,
    uniform_group: wgpu::BindGroup,
    copy_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    format: wgpu::TextureFormat,
    mesh: Option<Mesh>,
    target: Option<Target>,
}

/// A handle to the window's GPU that replaces the surfaces drawn.
#[derive(Clone)]
pub struct SurfaceRenderer {
    state: egui_wgpu::RenderState,
}

impl SurfaceRenderer {
    /// Builds the pipelines and registers them with egui's renderer.
    pub fn new(state: &egui_wgpu::RenderState) -> Self {
        let device = &state.device;
        let format = state.target_format;
        let module = |label, source: &'static str| {
            device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            })
        };
        let mesh_shader = module(
            "surface",
            include_str!("../../../assets/shaders/surface.wgsl"),
        );
        let copy_shader = module(
            "surface copy",
            include_str!("../../../assets/shaders/surface_copy.wgsl"),
        );
        let uniform_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("surface uniforms"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            }],
        });
        let copy_layout = copy_layout(device);
        let layout = |label, group: &wgpu::BindGroupLayout| {
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(group)],
                immediate_size: 0,
            })
        };
        let mesh_pipeline = mesh_pipeline(
            device,
            &layout("surface", &uniform_layout),
            &mesh_shader,
            format,
        );
        let copy_pipeline = copy_pipeline(
            device,
            &layout("surface copy", &copy_layout),
            &copy_shader,
            format,
        );
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("surface uniforms"),
            size: (UNIFORM_FLOATS * 4) as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let uniform_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("surface uniforms"),
            layout: &uniform_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: uniforms.as_entire_binding(),
            }],
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("surface copy"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let resources = SurfaceResources {
            mesh_pipeline,
            copy_pipeline,
            uniforms,
            uniform_group,
            copy_layout,
            sampler,
            format,
            mesh: None,
            target: None,
        };
        state.renderer.write().callback_resources.insert(resources);
        Self {
            state: state.clone(),
        }
    }

    /// Replaces the surfaces drawn with those of `surfaces` not in `hidden`, each in its
    /// label's colour.
    pub fn upload(&self, surfaces: &Surfaces, hidden: &BTreeSet<u8>) {
        let mut vertices: Vec<f32> = Vec::new();
        let mut indices: Vec<u32> = Vec::new();
        for (&label, surface) in surfaces.labels.iter().filter(|(l, _)| !hidden.contains(l)) {
            let c = interseg_shared::color::label_color(u16::from(label));
            let color = [c.r, c.g, c.b].map(|x| f32::from(x) / 255.0);
            let Ok(base) = u32::try_from(vertices.len() / VERTEX_FLOATS) else {
                break;
            };
            for (p, n) in surface.positions.iter().zip(&surface.normals) {
                vertices.extend_from_slice(p);
                vertices.extend_from_slice(n);
                vertices.extend_from_slice(&color);
            }
            indices.extend(surface.triangles.iter().flatten().map(|&i| base + i));
        }
        let device = &self.state.device;
        let mesh = u32::try_from(indices.len())
            .ok()
            .filter(|&count| count > 0)
            .map(|count| {
                let buffer = |label, bytes: &[u8], usage| {
                    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some(label),
                        size: bytes.len() as u64,
                        usage: usage | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    });
                    self.state.queue.write_buffer(&buffer, 0, bytes);
                    buffer
                };
                Mesh {
                    vertices: buffer(
                        "surface vertices",
                        bytemuck::cast_slice(&vertices),
                        wgpu::BufferUsages::VERTEX,
                    ),
                    indices: buffer(
                        "surface indices",
                        bytemuck::cast_slice(&indices),
                        wgpu::BufferUsages::INDEX,
                    ),
                    count,
                }
            });
        if let Some(resources) = self
            .state
            .renderer
            .write()
            .callback_resources
            .get_mut::<SurfaceResources>()
        {
            resources.mesh = mesh;
        }
    }
}

impl SurfaceResources {
    /// Draws the surfaces as `clip_from_world` sees them into a target of `size` pixels.
    pub(super) fn render(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        size: [u32; 2],
        uniforms: &[f32; UNIFORM_FLOATS],
    ) {
        let size = size.map(|n| n.clamp(1, 8192));
        if self.target.as_ref().is_none_or(|t| t.size != size) {
            self.target = Some(self.new_target(device, size));
        }
        queue.write_buffer(&self.uniforms, 0, bytemuck::cast_slice(uniforms));
        let Some(target) = &self.target else {
            return;
        };
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("surfaces"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &target.color,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(BACKGROUND),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &target.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Discard,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if let Some(mesh) = &self.mesh {
            pass.set_pipeline(&self.mesh_pipeline);
            pass.set_bind_group(0, &self.uniform_group, &[]);
            pass.set_vertex_buffer(0, mesh.vertices.slice(..));
            pass.set_index_buffer(mesh.indices.slice(..), wgpu::IndexFormat::Uint32);
            pass.draw_indexed(0..mesh.count, 0, 0..1);
        }
    }

    /// Copies the last picture into the callback's rectangle.
    pub(super) fn copy(&self, pass: &mut wgpu::RenderPass<'static>) {
        if let Some(target) = &self.target {
            pass.set_pipeline(&self.copy_pipeline);
            pass.set_bind_group(0, &target.copy, &[]);
            pass.draw(0..3, 0..1);
        }
    }

    fn new_target(&self, device: &wgpu::Device, [width, height]: [u32; 2]) -> Target {
        let texture = |label, format, usage| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size: wgpu::Extent3d {
                        width,
                        height,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        };
        let color = texture(
            "surface picture",
            self.format,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let depth = texture(
            "surface depth",
            DEPTH_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT,
        );
        let copy = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("surface copy"),
            layout: &self.copy_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&color),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        });
        Target {
            size: [width, height],
            color,
            depth,
            copy,
        }
    }
}

/// The 3D view's paint callback: the camera for this frame and the picture's size in pixels.
pub struct SurfaceCallback {
    pub clip_from_world: [f32; 16],
    /// The direction light travels (the camera's forward), world.
    pub light: [f32; 3],
    pub size_px: [u32; 2],
}

impl egui_wgpu::CallbackTrait for SurfaceCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(surfaces) = resources.get_mut::<SurfaceResources>() {
            let mut uniforms = [0.0; UNIFORM_FLOATS];
            uniforms[..16].copy_from_slice(&self.clip_from_world);
            uniforms[16..19].copy_from_slice(&self.light);
            surfaces.render(device, queue, encoder, self.size_px, &uniforms);
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        if let Some(surfaces) = resources.get::<SurfaceResources>() {
            surfaces.copy(pass);
        }
    }
}

/// The pipeline that draws the meshes, lit, with depth, into the offscreen target.
fn mesh_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::PipelineLayout,
    shader: &wgpu::ShaderModule,
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    let attributes = wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3, 2 => Float32x3];
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("surface"),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_mesh"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            buffers: &[Some(wgpu::VertexBufferLayout {
                array_stride: (VERTEX_FLOATS * 4) as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &attributes,
            })],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: Some(wgpu::DepthStencilState {
            format: DEPTH_FORMAT,
            depth_write_enabled: Some(true),
            depth_compare: Some(wgpu::CompareFunction::Less),
            stencil: wgpu::StencilState::default(),
            bias: wgpu::DepthBiasState::default(),
        }),
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some("fs_mesh"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            targets: &[Some(format.into())],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// The pipeline that copies the offscreen target into the view.
fn copy_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::PipelineLayout,
    shader: &wgpu::ShaderModule,
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("surface copy"),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_copy"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some("fs_copy"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            targets: &[Some(format.into())],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// The copy pass's inputs: the offscreen colour target and its sampler.
fn copy_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("surface copy"),
        entries: &[
            wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable: true },
                    view_dimension: wgpu::TextureViewDimension::D2,
                    multisampled: false,
                },
                count: None,
            },
            wgpu::BindGroupLayoutEntry {
                binding: 1,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                count: None,
            },
        ],
    })
}
