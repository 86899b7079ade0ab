// The 3D view's offscreen picture copied into the view's rectangle.

@group(0) @binding(0) var picture: texture_2d<f32>;
@group(0) @binding(1) var picture_sampler: sampler;

struct Copy {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

// One triangle covering the viewport.
@vertex
fn vs_copy(@builtin(vertex_index) index: u32) -> Copy {
    let x = f32((index << 1u) & 2u);
    let y = f32(index & 2u);
    var out: Copy;
    out.clip = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    out.uv = vec2<f32>(x, y);
    return out;
}

@fragment
fn fs_copy(in: Copy) -> @location(0) vec4<f32> {
    return textureSample(picture, picture_sampler, in.uv);
}
