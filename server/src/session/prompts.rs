//! Our own prompts: include and exclude points and boxes per label, kept in order, with undo
//! and redo over every change.

use serde::{Deserialize, Serialize};

use super::points::ClickView;

/// How many changes can be undone.
pub const UNDO_DEPTH: usize = 200;

/// A rectangle on one slice, in that slice's (row, column) coordinates, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliceRect {
    pub axis: usize,
    pub slice_index: usize,
    pub row_min: usize,
    pub row_max: usize,
    pub col_min: usize,
    pub col_max: usize,
}

/// What a prompt marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromptShape {
    Point {
        voxel: [usize; 3],
        view: ClickView,
    },
    Box {
        rect: SliceRect,
        lo: [usize; 3],
        hi: [usize; 3],
    },
}

/// One prompt: a shape that belongs (or does not belong) to a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: u64,
    pub label: u8,
    pub include: bool,
    pub shape: PromptShape,
}

/// The prompts in the order given, and the states undo and redo return to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptLog {
    prompts: Vec<Prompt>,
    undo: Vec<Vec<Prompt>>,
    redo: Vec<Vec<Prompt>>,
    next_id: u64,
}

impl PromptLog {
    pub fn prompts(&self) -> &[Prompt] {
        &self.prompts
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Adds a prompt; returns its id.
    pub fn add(&mut self, label: u8, include: bool, shape: PromptShape) -> u64 {
        self.checkpoint();
        self.next_id += 1;
        let id = self.next_id;
        self.prompts.push(Prompt {
            id,
            label,
            include,
            shape,
        });
        id
    }

    /// Removes a prompt; false if there is none with this id.
    pub fn remove(&mut self, id: u64) -> bool {
        if !self.prompts.iter().any(|p| p.id == id) {
            return false;
        }
        self.checkpoint();
        self.prompts.retain(|p| p.id != id);
        true
    }

    /// Removes every prompt (undoable).
    pub fn clear(&mut self) {
        if self.prompts.is_empty() {
            return;
        }
        self.checkpoint();
        self.prompts.clear();
    }

    /// Forgets everything, history included (a new volume).
    pub fn reset(&mut self) {
        *self = Self {
            next_id: self.next_id,
            ..Self::default()
        };
    }

    pub fn undo(&mut self) -> bool {
        let Some(previous) = self.undo.pop() else {
            return false;
        };
        self.redo
            .push(std::mem::replace(&mut self.prompts, previous));
        true
    }

    pub fn redo(&mut self) -> bool {
        let Some(next) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.prompts, next));
        true
    }

    /// Records the present state before a change; a new change drops the redo history.
    fn checkpoint(&mut self) {
        self.undo.push(self.prompts.clone());
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: usize) -> PromptShape {
        PromptShape::Point {
            voxel: [x, 0, 0],
            view: ClickView {
                axis: 2,
                slice_index: 0,
                x: 0,
                y: x,
            },
        }
    }

    #[test]
    fn undo_and_redo_walk_the_history() {
        let mut log = PromptLog::default();
        let a = log.add(1, true, point(1));
        let b = log.add(1, false, point(2));
        assert!(log.remove(a));
        assert_eq!(log.prompts().len(), 1);
        assert!(log.undo());
        assert_eq!(
            log.prompts().iter().map(|p| p.id).collect::<Vec<_>>(),
            [a, b]
        );
        assert!(log.undo());
        assert!(log.undo());
        assert!(log.prompts().is_empty());
        assert!(!log.undo());
        assert!(log.redo() && log.redo());
        assert_eq!(log.prompts().len(), 2);
        // A new change drops what could have been redone.
        log.add(2, true, point(3));
        assert!(!log.can_redo());
        assert!(!log.remove(999));
    }

    #[test]
    fn history_is_bounded_and_ids_never_repeat() {
        let mut log = PromptLog::default();
        for n in 0..UNDO_DEPTH + 50 {
            log.add(1, true, point(n));
        }
        let mut undone = 0;
        while log.undo() {
            undone += 1;
        }
        assert_eq!(undone, UNDO_DEPTH);
        let last = log.add(1, true, point(0));
        log.reset();
        assert!(log.prompts().is_empty() && !log.can_undo());
        assert!(log.add(1, true, point(0)) > last);
    }
}
