//! The network engine: a promptable 3D network exported to ONNX (nnInteractive's input
//! convention), run through ONNX Runtime loaded at run time from a path the user gives
//! (`ort`'s `load-dynamic`: building never downloads anything).
//!
//! # The model contract
//! - One float32 input `[1, 8, D, H, W]` (a fixed patch size; a dynamic one runs at 128³),
//!   axes in the volume's (i, j, k) order. Channels, as nnInteractive orders them:
//!   0 the image (z-scored over the patch), 1 the previous result for this label,
//!   2 include boxes, 3 exclude boxes, 4 include points, 5 exclude points,
//!   6 include scribbles, 7 exclude scribbles.
//! - Points are drawn as balls of radius 4 voxels (nnInteractive's point radius); a box fills
//!   its rectangle on its slice.
//! - The first output holds logits `[1, C, D, H, W]`: with one channel, a voxel is the object
//!   where the logit is positive; with two, where channel 1 beats channel 0.
//! - Each label runs on one patch centred on its prompts; where labels overlap, the label
//!   listed first keeps the voxel.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;
use ort::environment::Environment;
use ort::ep::{CUDA, ExecutionProvider as _};
use ort::session::Session;
use ort::value::Tensor;

use super::engine::{Engine, EngineError, LabelPrompt, LabelVolume, RunControl, Scan};

const CHANNELS: usize = 8;
const CH_IMAGE: usize = 0;
const CH_PREVIOUS: usize = 1;
const CH_BOX_INCLUDE: usize = 2;
const CH_BOX_EXCLUDE: usize = 3;
const CH_POINT_INCLUDE: usize = 4;
const CH_POINT_EXCLUDE: usize = 5;
const POINT_RADIUS: i64 = 4;
const DYNAMIC_PATCH: usize = 128;

/// ONNX Runtime allows one environment per process and loads its library once; every engine
/// of the process shares this one (set once, never changed).
static RUNTIME: OnceLock<Result<Environment, String>> = OnceLock::new();

/// Where the engine's parts are.
#[derive(Clone, Debug)]
pub struct OnnxConfig {
    pub model: PathBuf,
    /// `libonnxruntime.so` (e.g. from `pip install onnxruntime`, in `onnxruntime/capi/`).
    pub runtime_library: PathBuf,
    pub threads: usize,
    /// Run on a CUDA GPU when ONNX Runtime can (falls back to the CPU otherwise).
    pub cuda: bool,
}

/// The engine could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    #[error("ONNX Runtime library not found at {}: install it (pip install onnxruntime==1.31.1) and give its libonnxruntime.so with --ort-lib", .0.display())]
    RuntimeMissing(PathBuf),
    #[error("model not found at {}", .0.display())]
    ModelMissing(PathBuf),
    #[error("ONNX Runtime could not start: {0}")]
    Runtime(String),
    #[error("the model could not be loaded: {0}")]
    Model(String),
    #[error("the model does not follow the contract (one [1, 8, D, H, W] float input): {0}")]
    Contract(String),
}

/// A loaded network.
pub struct OnnxEngine {
    /// `run` needs exclusive access; concurrent runs wait (the server bounds them anyway).
    session: Mutex<Session>,
    patch: [usize; 3],
    on_cuda: bool,
}

impl std::fmt::Debug for OnnxEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxEngine")
            .field("patch", &self.patch)
            .finish_non_exhaustive()
    }
}

impl OnnxEngine {
    /// Loads ONNX Runtime (once per process) and the model, and checks the model's input.
    pub fn load(config: &OnnxConfig) -> Result<Self, OnnxError> {
        // ort panics at the first call without a library: check it ourselves first.
        if !config.runtime_library.is_file() {
            return Err(OnnxError::RuntimeMissing(config.runtime_library.clone()));
        }
        if !config.model.is_file() {
            return Err(OnnxError::ModelMissing(config.model.clone()));
        }
        let environment = RUNTIME
            .get_or_init(|| start_runtime(&config.runtime_library))
            .clone()
            .map_err(OnnxError::Runtime)?;
        let (session, on_cuda) = open_session(
            &environment,
            &config.model,
            config.threads.max(1),
            config.cuda,
        )
        .map_err(|err| OnnxError::Model(err.to_string()))?;
        let patch = patch_of(&session)?;
        Ok(Self {
            session: Mutex::new(session),
            patch,
            on_cuda,
        })
    }

    /// The patch the model runs on.
    pub fn patch(&self) -> [usize; 3] {
        self.patch
    }

    /// Runs the model on one input (`[1, 8, patch]`, C order) and returns its first output
    /// and that output's channel count.
    pub fn infer(&self, input: Vec<f32>) -> Result<(Vec<f32>, usize), String> {
        let [d, h, w] = self.patch;
        let mut session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        run_model(&mut session, input, [d, h, w]).map_err(|err| err.to_string())
    }
}

fn start_runtime(library: &Path) -> Result<Environment, String> {
    let builder = ort::init_from(library).map_err(|err| err.to_string())?;
    builder
        .with_name("interseg")
        .build()
        .map_err(|err| err.to_string())
}

/// Opens the model; with `cuda`, on the GPU when ONNX Runtime can (says whether it did).
fn open_session(
    environment: &Environment,
    model: &Path,
    threads: usize,
    cuda: bool,
) -> ort::Result<(Session, bool)> {
    let mut builder = Session::builder(environment)?
        .with_intra_threads(threads)
        .map_err(ort::Error::<()>::from)?;
    let on_cuda = cuda
        && match CUDA::default().register(&mut builder) {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!("CUDA is not usable ({err}); the network runs on the CPU");
                false
            }
        };
    Ok((builder.commit_from_file(model)?, on_cuda))
}

fn run_model(
    session: &mut Session,
    input: Vec<f32>,
    [d, h, w]: [usize; 3],
) -> ort::Result<(Vec<f32>, usize)> {
    let tensor = Tensor::from_array(([1usize, CHANNELS, d, h, w], input))?;
    let outputs = session.run(ort::inputs![tensor])?;
    let (shape, values) = outputs[0].try_extract_tensor::<f32>()?;
    let channels = shape
        .get(1)
        .copied()
        .and_then(|c| usize::try_from(c).ok())
        .unwrap_or(1);
    Ok((values.to_vec(), channels))
}

/// The patch size from the model's input shape.
fn patch_of(session: &Session) -> Result<[usize; 3], OnnxError> {
    let [input] = session.inputs() else {
        return Err(OnnxError::Contract(format!(
            "{} inputs",
            session.inputs().len()
        )));
    };
    let shape = input
        .dtype()
        .tensor_shape()
        .ok_or_else(|| OnnxError::Contract("the input is not a tensor".to_owned()))?;
    let dims: Vec<i64> = shape.iter().copied().collect();
    if dims.len() != 5 || dims[1] != CHANNELS as i64 {
        return Err(OnnxError::Contract(format!("input shape {dims:?}")));
    }
    let size = |d: i64| {
        usize::try_from(d)
            .ok()
            .filter(|&d| d > 0)
            .unwrap_or(DYNAMIC_PATCH)
    };
    Ok([size(dims[2]), size(dims[3]), size(dims[4])])
}

impl Engine for OnnxEngine {
    fn name(&self) -> &'static str {
        "onnx"
    }

    fn is_nninteractive(&self) -> bool {
        true
    }

    fn uses_cuda(&self) -> bool {
        self.on_cuda
    }

    fn segment(
        &self,
        scan: Scan<'_>,
        prompts: &[LabelPrompt],
        previous: Option<&LabelVolume>,
        control: &RunControl,
    ) -> Result<LabelVolume, EngineError> {
        let volume = scan.volume;
        let dims = volume.dims();
        let mut labels = vec![0u8; dims[0] * dims[1] * dims[2]];
        let mut any = false;
        for (done, prompt) in prompts.iter().enumerate() {
            control.report(done as f32 / prompts.len().max(1) as f32);
            if control.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            let Some(patch) = PatchInput::build(volume, prompt, previous, self.patch)? else {
                continue;
            };
            any = true;
            let (output, channels) = self.infer(patch.values).map_err(EngineError::Model)?;
            paste(
                &mut labels,
                dims,
                prompt.label,
                patch.origin,
                self.patch,
                &output,
                channels,
            );
        }
        if !any {
            return Err(EngineError::NoPrompts);
        }
        Ok(LabelVolume { dims, labels })
    }
}

/// One label's model input: the patch's corner in the volume (may be negative: padding) and
/// its values.
struct PatchInput {
    origin: [i64; 3],
    values: Vec<f32>,
}

impl PatchInput {
    fn build(
        volume: &Volume,
        prompt: &LabelPrompt,
        previous: Option<&LabelVolume>,
        patch: [usize; 3],
    ) -> Result<Option<Self>, EngineError> {
        let dims = volume.dims();
        let mut clicks: Vec<VoxelIndex> = prompt.include.clone();
        clicks.extend(
            prompt
                .boxes
                .iter()
                .filter(|b| b.include)
                .flat_map(|b| [b.lo, b.hi]),
        );
        if clicks.is_empty() {
            return Ok(None);
        }
        clicks.extend(prompt.exclude.iter().copied());
        for m in &clicks {
            volume.offset(*m).ok_or(EngineError::PromptOutside(*m))?;
        }
        // Centre the patch on the prompts' bounding box, as nnInteractive does.
        let wide = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        let origin = [0, 1, 2].map(|a| {
            let lo = clicks.iter().map(|m| m[a]).min().unwrap_or(0);
            let hi = clicks.iter().map(|m| m[a]).max().unwrap_or(0);
            wide((lo + hi) / 2) - wide(patch[a] / 2)
        });
        let n = patch[0] * patch[1] * patch[2];
        let mut values = vec![0f32; CHANNELS * n];
        let at = |c: usize, p: [usize; 3]| c * n + (p[0] * patch[1] + p[1]) * patch[2] + p[2];
        let to_volume = |p: [usize; 3]| -> Option<VoxelIndex> {
            let v = [0, 1, 2].map(|a| origin[a] + wide(p[a]));
            let v = [0, 1, 2].map(|a| usize::try_from(v[a]).ok().filter(|&x| x < dims[a]));
            Some([v[0]?, v[1]?, v[2]?])
        };
        // The image, z-scored over the part of the patch inside the volume.
        let mut image = Vec::with_capacity(n);
        for p0 in 0..patch[0] {
            for p1 in 0..patch[1] {
                for p2 in 0..patch[2] {
                    let p = [p0, p1, p2];
                    if let Some(v) = to_volume(p).and_then(|v| volume.value(v)) {
                        image.push((at(CH_IMAGE, p), v));
                        if let Some(prev) = previous.and_then(|r| {
                            volume.offset(to_volume(p)?).and_then(|o| r.labels.get(o))
                        }) && *prev == prompt.label
                        {
                            values[at(CH_PREVIOUS, p)] = 1.0;
                        }
                    }
                }
            }
        }
        let count = image.len().max(1) as f64;
        let mean = image.iter().map(|(_, v)| v).sum::<f64>() / count;
        let std = (image.iter().map(|(_, v)| (v - mean).powi(2)).sum::<f64>() / count)
            .sqrt()
            .max(1e-8);
        #[expect(clippy::cast_possible_truncation, reason = "the model takes f32")]
        for (index, v) in image {
            values[index] = ((v - mean) / std) as f32;
        }
        let local = |v: VoxelIndex| [0, 1, 2].map(|a| wide(v[a]) - origin[a]);
        let inside = |p: [i64; 3]| (0..3).all(|a| p[a] >= 0 && p[a] < wide(patch[a]));
        let as_patch = |p: [i64; 3]| p.map(|x| usize::try_from(x).unwrap_or(0));
        let ball = |channel: usize, center: VoxelIndex, values: &mut Vec<f32>| {
            let c = local(center);
            for d0 in -POINT_RADIUS..=POINT_RADIUS {
                for d1 in -POINT_RADIUS..=POINT_RADIUS {
                    for d2 in -POINT_RADIUS..=POINT_RADIUS {
                        let p = [c[0] + d0, c[1] + d1, c[2] + d2];
                        if d0 * d0 + d1 * d1 + d2 * d2 <= POINT_RADIUS * POINT_RADIUS && inside(p) {
                            values[at(channel, as_patch(p))] = 1.0;
                        }
                    }
                }
            }
        };
        for &p in &prompt.include {
            ball(CH_POINT_INCLUDE, p, &mut values);
        }
        for &p in &prompt.exclude {
            ball(CH_POINT_EXCLUDE, p, &mut values);
        }
        for drawn in &prompt.boxes {
            let channel = if drawn.include {
                CH_BOX_INCLUDE
            } else {
                CH_BOX_EXCLUDE
            };
            let (lo, hi) = (local(drawn.lo), local(drawn.hi));
            for p0 in lo[0]..=hi[0] {
                for p1 in lo[1]..=hi[1] {
                    for p2 in lo[2]..=hi[2] {
                        if inside([p0, p1, p2]) {
                            values[at(channel, as_patch([p0, p1, p2]))] = 1.0;
                        }
                    }
                }
            }
        }
        Ok(Some(Self { origin, values }))
    }
}

/// Writes `label` where the output says "object", into voxels no earlier label holds.
fn paste(
    labels: &mut [u8],
    dims: [usize; 3],
    label: u8,
    origin: [i64; 3],
    patch: [usize; 3],
    output: &[f32],
    channels: usize,
) {
    let n = patch[0] * patch[1] * patch[2];
    for p0 in 0..patch[0] {
        for p1 in 0..patch[1] {
            for p2 in 0..patch[2] {
                let local = (p0 * patch[1] + p1) * patch[2] + p2;
                let is_object = if channels >= 2 {
                    output.get(n + local) > output.get(local)
                } else {
                    output.get(local).is_some_and(|&l| l > 0.0)
                };
                if !is_object {
                    continue;
                }
                let v = [p0, p1, p2];
                let Some(voxel) = [0, 1, 2]
                    .map(|a| {
                        usize::try_from(origin[a] + i64::try_from(v[a]).unwrap_or(0))
                            .ok()
                            .filter(|&x| x < dims[a])
                    })
                    .into_iter()
                    .collect::<Option<Vec<usize>>>()
                else {
                    continue;
                };
                let offset = voxel[0] + dims[0] * (voxel[1] + dims[1] * voxel[2]);
                if labels[offset] == 0 {
                    labels[offset] = label;
                }
            }
        }
    }
}
