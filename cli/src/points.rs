//! Points on the command line: `I,J,K` (voxel indices of the NIfTI array) with an optional
//! `@LABEL`.

use std::str::FromStr;

/// One point given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointArg {
    pub voxel: [i64; 3],
    /// The object it belongs to, if given (`@LABEL`).
    pub label: Option<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PointError {
    #[error("'{0}': a point is I,J,K (voxel indices), optionally @LABEL")]
    Shape(String),
    #[error("'{0}': the label must be 1 to 255")]
    Label(String),
}

impl FromStr for PointArg {
    type Err = PointError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (coords, label) = match text.split_once('@') {
            Some((coords, label)) => {
                let label: u8 = label
                    .trim()
                    .parse()
                    .ok()
                    .filter(|&l| l > 0)
                    .ok_or_else(|| PointError::Label(text.to_owned()))?;
                (coords, Some(label))
            }
            None => (text, None),
        };
        let parts: Vec<i64> = coords
            .split(',')
            .map(|p| p.trim().parse::<i64>())
            .collect::<Result<_, _>>()
            .map_err(|_| PointError::Shape(text.to_owned()))?;
        let voxel: [i64; 3] = parts
            .try_into()
            .map_err(|_| PointError::Shape(text.to_owned()))?;
        Ok(Self { voxel, label })
    }
}

/// The label of each include point: its own `@LABEL`, else the next number not yet taken, so
/// that `--point a --point b` are objects 1 and 2 (one click per object, as in the viewer).
pub fn number_objects(points: &[PointArg]) -> Vec<u8> {
    let mut taken: Vec<u8> = points.iter().filter_map(|p| p.label).collect();
    let mut next = 1u8;
    points
        .iter()
        .map(|p| {
            p.label.unwrap_or_else(|| {
                while taken.contains(&next) {
                    next = next.saturating_add(1);
                }
                taken.push(next);
                next
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_points_and_labels() {
        assert_eq!(
            "120,88,40".parse(),
            Ok(PointArg {
                voxel: [120, 88, 40],
                label: None
            })
        );
        assert_eq!(
            " 1, 2 ,3@7".parse(),
            Ok(PointArg {
                voxel: [1, 2, 3],
                label: Some(7)
            })
        );
        assert!(matches!(
            "1,2".parse::<PointArg>(),
            Err(PointError::Shape(_))
        ));
        assert!(matches!(
            "1,2,x".parse::<PointArg>(),
            Err(PointError::Shape(_))
        ));
        assert!(matches!(
            "1,2,3@0".parse::<PointArg>(),
            Err(PointError::Label(_))
        ));
        assert!(matches!(
            "1,2,3@300".parse::<PointArg>(),
            Err(PointError::Label(_))
        ));
    }

    #[test]
    fn unlabelled_points_are_numbered_around_given_labels() {
        let p = |label| PointArg {
            voxel: [0, 0, 0],
            label,
        };
        assert_eq!(number_objects(&[p(None), p(None)]), vec![1, 2]);
        assert_eq!(
            number_objects(&[p(None), p(Some(1)), p(None)]),
            vec![2, 1, 3]
        );
        assert_eq!(number_objects(&[p(Some(5)), p(Some(5))]), vec![5, 5]);
    }
}
