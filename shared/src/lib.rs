//! Types both sides of interseg agree on: the HTTP API's request and response bodies,
//! session ids, the label colour template, and the in-memory volume model.
//!
//! # Layout
//! - [`ids`]: the `SessionId` newtype.
//! - [`api`]: request/response bodies of the HTTP API, one module per resource.
//! - [`error`]: the error body every failed request answers with.
//! - [`color`]: the 34-entry label colour template.
//! - [`geometry`]: axes, voxel indices and the slice-to-volume index mapping.
//! - [`volume`]: a 3D volume kept at its stored voxel width, and slicing it.

pub mod api;
pub mod color;
pub mod error;
pub mod geometry;
pub mod ids;
pub mod naming;
pub mod volume;
pub mod voxel_type;
