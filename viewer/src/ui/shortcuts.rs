//! Keyboard shortcuts, active when no text field has the keyboard.

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::command::{Command, Commands};
use crate::document::Document;
use crate::orientation::Plane;
use crate::view::ViewState;

const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
const REDO: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);

pub fn handle(ctx: &egui::Context, doc: &Document, view: &mut ViewState, commands: &mut Commands) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    // The longer shortcut first: Ctrl+Shift+Z must not also count as Ctrl+Z.
    let (redo, undo) = ctx.input_mut(|i| {
        let redo = i.consume_shortcut(&REDO) || i.consume_shortcut(&REDO_Y);
        (redo, i.consume_shortcut(&UNDO))
    });
    if redo {
        commands.send(Command::Redo);
    }
    if undo {
        commands.send(Command::Undo);
    }
    let Some(volume) = &doc.volume else {
        return;
    };
    let (step, switch, segment) = ctx.input(|i| {
        let no_mods = i.modifiers.is_none();
        let pressed = |keys: &[Key]| keys.iter().filter(|&&k| i.key_pressed(k)).count() as i32;
        let step = if no_mods {
            pressed(&[Key::D, Key::ArrowRight, Key::ArrowUp])
                - pressed(&[Key::A, Key::ArrowLeft, Key::ArrowDown])
        } else {
            0
        };
        let switch = if no_mods {
            pressed(&[Key::W]) - pressed(&[Key::S])
        } else {
            0
        };
        (step, switch, no_mods && i.key_pressed(Key::Enter))
    });
    if step != 0 {
        let axis = volume.orientation.plane_axes(view.active).normal;
        view.step_slice(axis, step, volume.dims());
    }
    if switch != 0 {
        let planes = Plane::ALL;
        let at = planes.iter().position(|&p| p == view.active).unwrap_or(0) as i32;
        let next = (at + switch).rem_euclid(planes.len() as i32) as usize;
        view.active = planes[next];
    }
    if segment {
        commands.send(Command::Segment);
    }
}
