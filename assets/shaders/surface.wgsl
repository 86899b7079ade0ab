// The 3D view: label surfaces lit by a headlight (two-sided), drawn into an offscreen colour
// and depth target (`surface_copy.wgsl` puts it on screen).

struct Uniforms {
    clip_from_world: mat4x4<f32>,
    // xyz: the direction the light travels (the camera's forward).
    light: vec4<f32>,
};

@group(0) @binding(0) var<uniform> u: Uniforms;

struct Surface {
    @builtin(position) clip: vec4<f32>,
    @location(0) normal: vec3<f32>,
    @location(1) color: vec3<f32>,
};

@vertex
fn vs_mesh(
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) color: vec3<f32>,
) -> Surface {
    var out: Surface;
    out.clip = u.clip_from_world * vec4<f32>(position, 1.0);
    out.normal = normal;
    out.color = color;
    return out;
}

@fragment
fn fs_mesh(in: Surface) -> @location(0) vec4<f32> {
    let n = normalize(in.normal);
    let diffuse = abs(dot(n, normalize(u.light.xyz)));
    let shade = 0.25 + 0.75 * diffuse;
    return vec4<f32>(in.color * shade, 1.0);
}

