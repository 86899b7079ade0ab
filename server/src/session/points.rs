//! The points of a session and the original system's numbering rules.

use serde::{Deserialize, Serialize};

/// Label values are 8-bit, so point numbers stop here.
pub const MAX_POINT_NUMBER: u16 = 255;

/// Where a point was clicked: the view (axis, slice) and the position in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClickView {
    pub axis: usize,
    pub slice_index: usize,
    /// Column.
    pub x: usize,
    /// Row.
    pub y: usize,
}

/// One marked point: its number (its label), its voxel and the view it was clicked on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    pub number: u16,
    /// (i, j, k).
    pub voxel: [usize; 3],
    pub view: ClickView,
}

/// The points in the order they were marked, and the number of the last one marked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointSet {
    points: Vec<Point>,
    last_marked: u16,
}

/// Why a point could not be marked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MarkError {
    #[error("point_number must be between 1 and {MAX_POINT_NUMBER}, got {0}")]
    NumberOutOfRange(i64),
    #[error("all {MAX_POINT_NUMBER} point numbers are in use; remove a point first")]
    NumbersExhausted,
}

impl PointSet {
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Marks a point and returns its number.
    ///
    /// Without `requested`, a click on a voxel that already has a point returns that point's
    /// number; otherwise the point gets the number after the last one marked, skipping numbers
    /// in use. With `requested`, the point of that number moves here (or is created).
    pub fn mark(
        &mut self,
        voxel: [usize; 3],
        view: ClickView,
        requested: Option<i64>,
    ) -> Result<u16, MarkError> {
        let number = match requested {
            Some(n) => u16::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_POINT_NUMBER).contains(n))
                .ok_or(MarkError::NumberOutOfRange(n))?,
            None => {
                if let Some(existing) = self.points.iter().find(|p| p.voxel == voxel) {
                    return Ok(existing.number);
                }
                self.next_free_number().ok_or(MarkError::NumbersExhausted)?
            }
        };
        let point = Point {
            number,
            voxel,
            view,
        };
        match self.points.iter_mut().find(|p| p.number == number) {
            // A moved point keeps its place in the marking order, and so its priority.
            Some(existing) => *existing = point,
            None => self.points.push(point),
        }
        self.last_marked = number;
        Ok(number)
    }

    /// Removes the point with this number; false if there is none.
    pub fn remove(&mut self, number: u16) -> bool {
        let before = self.points.len();
        self.points.retain(|p| p.number != number);
        self.points.len() != before
    }

    /// Removes every point; numbering restarts at 1.
    pub fn clear(&mut self) {
        self.points.clear();
        self.last_marked = 0;
    }

    fn next_free_number(&self) -> Option<u16> {
        let in_use = |n: u16| self.points.iter().any(|p| p.number == n);
        // Search upwards from the last number, then wrap around to the low free ones.
        (self.last_marked + 1..=MAX_POINT_NUMBER)
            .chain(1..=self.last_marked.min(MAX_POINT_NUMBER))
            .find(|&n| !in_use(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(x: usize) -> ClickView {
        ClickView {
            axis: 2,
            slice_index: 0,
            x,
            y: 0,
        }
    }

    #[test]
    fn numbers_follow_the_last_marked_and_skip_used_ones() {
        let mut set = PointSet::default();
        assert_eq!(set.mark([0, 0, 0], view(0), None), Ok(1));
        assert_eq!(set.mark([0, 1, 0], view(1), None), Ok(2));
        // Re-place point 1 elsewhere: the next new point must not reuse 2.
        assert_eq!(set.mark([0, 5, 0], view(5), Some(1)), Ok(1));
        assert_eq!(set.mark([0, 6, 0], view(6), None), Ok(2 + 1));
        assert_eq!(set.len(), 3);
        // Explicit 5, then the next is 6.
        assert_eq!(set.mark([0, 7, 0], view(7), Some(5)), Ok(5));
        assert_eq!(set.mark([0, 8, 0], view(8), None), Ok(6));
    }

    #[test]
    fn clicking_a_marked_voxel_returns_its_number() {
        let mut set = PointSet::default();
        set.mark([1, 2, 3], view(0), None).unwrap();
        set.mark([1, 2, 4], view(0), None).unwrap();
        assert_eq!(set.mark([1, 2, 3], view(0), None), Ok(1));
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn moving_keeps_the_marking_order() {
        let mut set = PointSet::default();
        set.mark([0, 0, 0], view(0), None).unwrap();
        set.mark([0, 1, 0], view(1), None).unwrap();
        set.mark([0, 9, 0], view(9), Some(1)).unwrap();
        let numbers: Vec<u16> = set.points().iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(set.points()[0].voxel, [0, 9, 0]);
    }

    #[test]
    fn clear_restarts_at_one_and_remove_reports_missing() {
        let mut set = PointSet::default();
        set.mark([0, 0, 0], view(0), None).unwrap();
        set.mark([0, 1, 0], view(1), None).unwrap();
        assert!(set.remove(2));
        assert!(!set.remove(2));
        set.clear();
        assert_eq!(set.mark([0, 3, 0], view(3), None), Ok(1));
    }

    #[test]
    fn numbers_are_bounded_by_the_label_range() {
        let mut set = PointSet::default();
        assert_eq!(
            set.mark([0, 0, 0], view(0), Some(0)),
            Err(MarkError::NumberOutOfRange(0))
        );
        assert_eq!(
            set.mark([0, 0, 0], view(0), Some(256)),
            Err(MarkError::NumberOutOfRange(256))
        );
        set.mark([0, 0, 0], view(0), Some(255)).unwrap();
        // After 255 the search wraps to the lowest free number.
        assert_eq!(set.mark([0, 1, 0], view(1), None), Ok(1));
        for x in 2..255 {
            set.mark([0, x, 0], view(x), None).unwrap();
        }
        assert_eq!(set.len(), 255);
        assert_eq!(
            set.mark([1, 1, 1], view(1), None),
            Err(MarkError::NumbersExhausted)
        );
    }
}
