//! Request and response bodies of the HTTP API, one module per resource.
//!
//! Field names follow the original system's JSON exactly; the original's `{z, y, x}` names
//! stand for the array indices (i, j, k).

pub mod health;
pub mod locks;
pub mod naming;
pub mod points;
pub mod prompts;
pub mod segmentation;
pub mod session;
pub mod slice;
pub mod status;
pub mod volume;

/// The header that carries the session id, both ways.
pub const SESSION_HEADER: &str = "X-Session-ID";
