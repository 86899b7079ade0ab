//! What the panels own: the text fields and toggles they edit, what the pointer is over, a
//! box being drawn, where the views were drawn, and the status line's message. The app reads
//! it (a field's path, where a view was) and writes the message.

use crate::orientation::Plane;
use crate::slice_mapping::SliceMapping;

/// A line in the status area: what just happened, or what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// Text fields and toggles of the panels.
#[derive(Clone, Debug)]
pub struct Fields {
    pub open_path: String,
    pub save_path: String,
    /// Save every label's surface (STL) with the result.
    pub save_meshes: bool,
    pub server_url: String,
    pub token: String,
    pub session_id: String,
    pub server_window: bool,
    /// Segment after every change of the prompts.
    pub auto_segment: bool,
}

impl Default for Fields {
    fn default() -> Self {
        Self {
            open_path: String::new(),
            save_path: String::new(),
            save_meshes: false,
            server_url: String::new(),
            token: String::new(),
            session_id: String::new(),
            server_window: false,
            auto_segment: true,
        }
    }
}

/// What the pointer is over: the status line shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hover {
    pub voxel: [usize; 3],
    pub value: f32,
    /// Scanner coordinates of the voxel's centre.
    pub world_mm: [f64; 3],
    pub label: u8,
}

/// A box being drawn (Ctrl+drag) in one plane's view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoxDrag {
    pub plane: Plane,
    pub start: [usize; 3],
    pub end: [usize; 3],
    pub include: bool,
}

/// The panels' own state.
#[derive(Debug, Default)]
pub struct UiState {
    pub fields: Fields,
    pub message: Option<Message>,
    pub hover: Option<Hover>,
    pub box_drag: Option<BoxDrag>,
    /// Where each plane's view was drawn last frame (for tests and shortcuts).
    pub view_rects: Vec<(Plane, SliceMapping)>,
    /// The 3D view's rectangle and camera in the last frame.
    pub surface_view: Option<(egui::Rect, nalgebra::Matrix4<f32>)>,
}

impl UiState {
    pub fn say(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            is_error: false,
        });
    }

    pub fn complain(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::warn!("{text}");
        self.message = Some(Message {
            text,
            is_error: true,
        });
    }
}

/// The server the window talks to, as the top bar and server window show it.
#[derive(Clone, Debug)]
pub struct ServerInfo {
    pub url: String,
    /// This viewer runs a built-in server.
    pub has_embedded: bool,
    /// The built-in server is the one in use.
    pub uses_embedded: bool,
}
