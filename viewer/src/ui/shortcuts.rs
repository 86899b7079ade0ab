//! Keyboard shortcuts, active when no text field has the keyboard.

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::app::ViewerApp;
use crate::orientation::Plane;

const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
const REDO: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);

pub fn handle(app: &mut ViewerApp, ctx: &egui::Context) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    // The longer shortcut first: Ctrl+Shift+Z must not also count as Ctrl+Z.
    let (redo, undo) = ctx.input_mut(|i| {
        let redo = i.consume_shortcut(&REDO) || i.consume_shortcut(&REDO_Y);
        (redo, i.consume_shortcut(&UNDO))
    });
    if redo {
        app.redo();
    }
    if undo {
        app.undo();
    }
    let Some(volume) = app.doc.volume.clone() else {
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
        let axis = volume.orientation.plane_axes(app.view.active).normal;
        app.view.step_slice(axis, step, volume.dims());
    }
    if switch != 0 {
        let planes = Plane::ALL;
        let at = planes
            .iter()
            .position(|&p| p == app.view.active)
            .unwrap_or(0) as i32;
        let next = (at + switch).rem_euclid(planes.len() as i32) as usize;
        app.view.active = planes[next];
    }
    if segment {
        app.segment();
    }
}
