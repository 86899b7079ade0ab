//! Applying the panels' commands, once per frame after the background events.

use super::ViewerApp;
use crate::command::Command;

impl ViewerApp {
    /// Applies what the panels asked for this frame, in order; whether there was any.
    pub(crate) fn apply_commands(&mut self) -> bool {
        let commands = self.commands.take();
        let any = !commands.is_empty();
        for command in commands {
            self.run(command);
        }
        any
    }

    /// Applies one command.
    pub fn run(&mut self, command: Command) {
        match command {
            Command::OpenSample => self.open_sample(),
            Command::OpenPath(path) => self.open_path(path),
            Command::PickOpen => self.net.pick_open(),
            Command::ConfirmUpload(replace) => self.confirm_upload(replace),
            Command::CancelTransfer => self.cancel_transfer(),
            Command::MarkPoint {
                voxel,
                axis,
                include,
            } => self.mark_point(voxel, axis, include),
            Command::MarkBox {
                a,
                b,
                axis,
                include,
            } => self.mark_box(a, b, axis, include),
            Command::RemovePrompt(id) => self.remove_prompt(id),
            Command::RemovePoint(number) => self.remove_legacy_point(number),
            Command::ClearPoints => self.clear_points(),
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::Segment => self.segment(),
            Command::CancelSegmentation => self.cancel_segmentation(),
            Command::SetLocked { label, locked } => self.set_locked(label, locked),
            Command::SetNaming(naming) => self.set_naming(naming),
            Command::SaveTo(path) => self.save_to(path),
            Command::SaveWithDialog => self.save_with_dialog(),
            Command::NewSession => self.new_session(),
            Command::OpenSession(id) => self.open_session(id),
            Command::ConnectTo { url, token } => self.connect_to(&url, &token),
            Command::RememberView => self.remember_view(),
        }
    }

    /// Puts the surfaces on the GPU again when labels were shown or hidden since.
    pub(crate) fn sync_surfaces(&mut self) {
        if self.surfaces_hidden != self.view.hidden_labels {
            let surfaces = std::sync::Arc::clone(&self.doc.surfaces);
            self.show_surfaces(surfaces);
        }
    }
}
