//! What the panels ask the app to do. Drawing code only reads the document and pushes
//! commands; the app applies them once per frame, after the background events
//! (`ViewerApp::apply_commands`). The shape follows rerun's command sender.

use std::path::PathBuf;

use interseg_shared::ids::SessionId;
use interseg_shared::naming::LabelNaming;

/// One request from the user.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    OpenSample,
    /// Opens a file from this machine.
    OpenPath(PathBuf),
    /// Asks for a file to open in the platform's dialog.
    PickOpen,
    /// The answer to "replace the current volume?".
    ConfirmUpload(bool),
    CancelTransfer,
    /// A point on `voxel`, clicked in the view along `axis`.
    MarkPoint {
        voxel: [usize; 3],
        axis: usize,
        include: bool,
    },
    /// A box spanning voxels `a` and `b` on one slice along `axis`.
    MarkBox {
        a: [usize; 3],
        b: [usize; 3],
        axis: usize,
        include: bool,
    },
    /// Removes one of our prompts by its id.
    RemovePrompt(u64),
    /// Removes one of the original API's points by its number.
    RemovePoint(u16),
    ClearPoints,
    Undo,
    Redo,
    Segment,
    CancelSegmentation,
    SetLocked {
        label: u8,
        locked: bool,
    },
    SetNaming(LabelNaming),
    SaveTo(PathBuf),
    SaveWithDialog,
    NewSession,
    OpenSession(SessionId),
    /// Connects to the server at `url` (empty: the embedded one).
    ConnectTo {
        url: String,
        token: String,
    },
    /// Keeps window/level, layout and opacity for the next start.
    RememberView,
}

/// Where panels push their commands during a frame.
#[derive(Debug, Default)]
pub struct Commands(Vec<Command>);

impl Commands {
    pub fn send(&mut self, command: Command) {
        self.0.push(command);
    }

    /// The commands pushed so far, in order, leaving none.
    pub fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.0)
    }
}
