//! Segmentation engines: synchronous code, free of axum and tokio, called from a blocking
//! thread. [`engine`] holds the interface; one module per engine implements it.

pub mod classical;
pub mod engine;
pub mod locks;
pub mod onnx;

pub use engine::{Engine, EngineError, LabelPrompt, LabelVolume, PromptBox, RunControl, Scan};
