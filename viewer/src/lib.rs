//! The interseg viewer: an eframe app that talks to an interseg server over HTTP only, and
//! draws slices itself from the volume it fetched once.
//!
//! # Layout
//! - [`app`]: `ViewerApp`, the eframe application: state, events, actions.
//! - [`client`]: the HTTP client (async; run off the UI thread).
//! - [`net`]: the background runtime and the events it reports.
//! - [`document`]: the session as the viewer knows it (volume, prompts, result, job).
//! - [`view`]: layout, crosshair, zoom, window/level.
//! - [`slice_mapping`]: the transforms between a view's points and voxels.
//! - [`orientation`]: anatomical planes from the affine.
//! - [`volume_data`]: the volume's values on the CPU.
//! - [`render`]: the GPU textures, shader and paint callback.
//! - [`ui`]: the panels.
//! - [`config`]: the local settings file (server, session per server, view preferences).
//! - [`embedded`]: the in-process server a desktop user gets when no server is configured.
//! - [`sample`]: the bundled sample volume.

pub mod app;
pub mod client;
pub mod command;
pub mod config;
pub mod document;
pub mod embedded;
pub mod gpu_bridge;
pub mod net;
pub mod orientation;
pub mod render;
pub mod sample;
pub mod slice_mapping;
pub mod surfaces;
pub mod ui;
pub mod view;
pub mod volume_data;

pub use app::ViewerApp;
