//! The interseg viewer: an eframe app that talks to an interseg server over HTTP only.
//! For now it hosts the embedded server and shows where it serves; the slice viewer itself is
//! built in the viewer issue.
//!
//! # Layout
//! - [`app`]: `ViewerApp`, the eframe application.
//! - [`client`]: the HTTP client (async; run off the UI thread).
//! - [`config`]: the local settings file (server, session per server, view preferences).
//! - [`embedded`]: the in-process server a desktop user gets when no server is configured.

pub mod app;
pub mod client;
pub mod config;
pub mod embedded;

pub use app::ViewerApp;
