// Cuts one slice out of the volume's 3D texture, applies window/level and blends the label
// colours. One triangle covers the view's viewport; the fragment's position in the view maps
// to continuous voxel coordinates through `origin + u * across + v * down`, which carries the
// plane, zoom, pan, voxel spacing and orientation, all worked out on the CPU.

struct Params {
    origin: vec4<f32>,
    across: vec4<f32>,
    down: vec4<f32>,
    dims: vec4<f32>,
    // low, high, label opacity, unused
    window: vec4<f32>,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var volume: texture_3d<f32>;
@group(0) @binding(2) var labels: texture_3d<u32>;
// Colour and opacity of each label value (alpha 0 hides it).
@group(0) @binding(3) var<uniform> colors: array<vec4<f32>, 256>;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOut {
    let xy = vec2<f32>(f32((index << 1u) & 2u), f32(index & 2u));
    var out: VertexOut;
    out.position = vec4<f32>(xy * 2.0 - 1.0, 0.0, 1.0);
    // uv runs from the view's top-left (0, 0) to its bottom-right (1, 1).
    out.uv = vec2<f32>(xy.x, 1.0 - xy.y);
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let p = params.origin.xyz + in.uv.x * params.across.xyz + in.uv.y * params.down.xyz;
    if (any(p < vec3<f32>(0.0)) || any(p >= params.dims.xyz)) {
        return vec4<f32>(0.0, 0.0, 0.0, 1.0);
    }
    let voxel = vec3<i32>(floor(p));
    let value = textureLoad(volume, voxel, 0).r;
    let low = params.window.x;
    let high = params.window.y;
    let grey = clamp((value - low) / max(high - low, 1e-6), 0.0, 1.0);
    var rgb = vec3<f32>(grey);
    let label = textureLoad(labels, voxel, 0).r;
    if (label > 0u) {
        let color = colors[label];
        rgb = mix(rgb, color.rgb, color.a * params.window.z);
    }
    return vec4<f32>(rgb, 1.0);
}
