//! Names of labels. By default the original system's (`#1`, …, `Bridge`, `Implant`). For
//! dental work, the convention of the `ToothFairy` datasets: a tooth's label value is its FDI
//! number (11–48, deciduous 51–85), and 1–10 are the jaws, canals, sinuses, pharynx, bridge,
//! crown and implant. Teeth are then named by FDI numbers (most of the world) or Universal
//! numbers (the US: 1–32, deciduous A–T).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a session names its labels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LabelNaming {
    /// `#1`, `#2`, … (the original system's template names).
    #[default]
    Numbers,
    /// Label values are FDI tooth numbers, and teeth are named by them: `Tooth 36`.
    Fdi,
    /// Label values are FDI tooth numbers; teeth are named by Universal numbers: `Tooth 19`.
    Universal,
}

/// The non-tooth labels of the convention of the `ToothFairy` datasets.
const STRUCTURES: [&str; 10] = [
    "Lower jaw",
    "Upper jaw",
    "Left inferior alveolar canal",
    "Right inferior alveolar canal",
    "Left maxillary sinus",
    "Right maxillary sinus",
    "Pharynx",
    "Bridge",
    "Crown",
    "Implant",
];

const QUADRANTS: [&str; 4] = ["upper right", "upper left", "lower left", "lower right"];
const PERMANENT: [&str; 8] = [
    "central incisor",
    "lateral incisor",
    "canine",
    "first premolar",
    "second premolar",
    "first molar",
    "second molar",
    "third molar",
];
const DECIDUOUS: [&str; 5] = [
    "central incisor",
    "lateral incisor",
    "canine",
    "first molar",
    "second molar",
];

/// A tooth by its FDI number: quadrant (0–3, as [`QUADRANTS`]), position (1 = central
/// incisor) and whether it is deciduous; `None` for a number that is no tooth.
pub fn fdi_tooth(label: u8) -> Option<(usize, usize, bool)> {
    let (quadrant, position) = (usize::from(label / 10), usize::from(label % 10));
    match quadrant {
        1..=4 if (1..=8).contains(&position) => Some((quadrant - 1, position, false)),
        5..=8 if (1..=5).contains(&position) => Some((quadrant - 5, position, true)),
        _ => None,
    }
}

/// The Universal number of an FDI tooth: 1–32 for permanent teeth (from the upper right third
/// molar round to the lower right one), A–T for deciduous ones.
fn universal(quadrant: usize, position: usize, deciduous: bool) -> String {
    if deciduous {
        // A–E upper right (from the back), F–J upper left, K–O lower left (from the back),
        // P–T lower right.
        let index = match quadrant {
            0 => 5 - position,
            1 => 4 + position,
            2 => 15 - position,
            _ => 14 + position,
        };
        char::from(b'A' + u8::try_from(index).unwrap_or(0)).to_string()
    } else {
        let number = match quadrant {
            0 => 9 - position,
            1 => 8 + position,
            2 => 25 - position,
            _ => 24 + position,
        };
        number.to_string()
    }
}

/// The name of `label` under `naming`.
pub fn label_name(label: u8, naming: LabelNaming) -> String {
    if naming == LabelNaming::Numbers {
        return crate::color::label_name(u16::from(label));
    }
    if let Some((quadrant, position, deciduous)) = fdi_tooth(label) {
        let kind = if deciduous {
            DECIDUOUS[position - 1]
        } else {
            PERMANENT[position - 1]
        };
        let number = match naming {
            LabelNaming::Universal => universal(quadrant, position, deciduous),
            _ => label.to_string(),
        };
        let age = if deciduous { " (deciduous)" } else { "" };
        return format!("Tooth {number}: {} {kind}{age}", QUADRANTS[quadrant]);
    }
    match usize::from(label) {
        n @ 1..=10 => STRUCTURES[n - 1].to_owned(),
        _ => format!("#{label}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdi_names_teeth_by_quadrant_and_position() {
        let fdi = |l| label_name(l, LabelNaming::Fdi);
        assert_eq!(fdi(11), "Tooth 11: upper right central incisor");
        assert_eq!(fdi(28), "Tooth 28: upper left third molar");
        assert_eq!(fdi(36), "Tooth 36: lower left first molar");
        assert_eq!(fdi(43), "Tooth 43: lower right canine");
        assert_eq!(fdi(55), "Tooth 55: upper right second molar (deciduous)");
        assert_eq!(fdi(1), "Lower jaw");
        assert_eq!(fdi(3), "Left inferior alveolar canal");
        assert_eq!(fdi(10), "Implant");
        assert_eq!(fdi(19), "#19", "no ninth tooth");
        assert_eq!(fdi(56), "#56", "no sixth deciduous tooth");
        assert_eq!(fdi(99), "#99");
    }

    #[test]
    fn universal_numbers_run_from_the_upper_right_third_molar() {
        let us = |l| label_name(l, LabelNaming::Universal);
        assert_eq!(us(18), "Tooth 1: upper right third molar");
        assert_eq!(us(11), "Tooth 8: upper right central incisor");
        assert_eq!(us(21), "Tooth 9: upper left central incisor");
        assert_eq!(us(28), "Tooth 16: upper left third molar");
        assert_eq!(us(38), "Tooth 17: lower left third molar");
        assert_eq!(us(36), "Tooth 19: lower left first molar");
        assert_eq!(us(31), "Tooth 24: lower left central incisor");
        assert_eq!(us(41), "Tooth 25: lower right central incisor");
        assert_eq!(us(48), "Tooth 32: lower right third molar");
        assert_eq!(us(55), "Tooth A: upper right second molar (deciduous)");
        assert_eq!(us(51), "Tooth E: upper right central incisor (deciduous)");
        assert_eq!(us(61), "Tooth F: upper left central incisor (deciduous)");
        assert_eq!(us(75), "Tooth K: lower left second molar (deciduous)");
        assert_eq!(us(85), "Tooth T: lower right second molar (deciduous)");
        assert_eq!(us(2), "Upper jaw");
    }

    #[test]
    fn numbers_keep_the_original_names() {
        assert_eq!(label_name(1, LabelNaming::Numbers), "#1");
        assert_eq!(label_name(33, LabelNaming::Numbers), "Bridge");
    }
}
