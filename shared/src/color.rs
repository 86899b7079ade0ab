//! The label colour template of the original system (ITK-SNAP's dental template).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An 8-bit RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

const fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    Rgb { r, g, b }
}

/// Colours of labels 1 to 34, in order.
const TEMPLATE_COLORS: [Rgb; 34] = [
    rgb(255, 0, 0),
    rgb(0, 255, 0),
    rgb(0, 0, 255),
    rgb(255, 255, 0),
    rgb(0, 255, 255),
    rgb(255, 0, 255),
    rgb(255, 239, 213),
    rgb(255, 170, 0),
    rgb(172, 0, 129),
    rgb(0, 166, 0),
    rgb(169, 102, 205),
    rgb(0, 0, 128),
    rgb(0, 203, 203),
    rgb(94, 117, 29),
    rgb(255, 43, 192),
    rgb(106, 90, 205),
    rgb(221, 166, 169),
    rgb(122, 202, 233),
    rgb(165, 91, 42),
    rgb(150, 185, 100),
    rgb(219, 112, 214),
    rgb(218, 217, 112),
    rgb(215, 64, 235),
    rgb(255, 182, 193),
    rgb(60, 179, 113),
    rgb(182, 158, 255),
    rgb(255, 228, 196),
    rgb(218, 165, 32),
    rgb(0, 128, 128),
    rgb(188, 143, 143),
    rgb(255, 105, 180),
    rgb(255, 218, 185),
    rgb(222, 184, 135),
    rgb(127, 255, 0),
];

/// Labels past the template are drawn white.
pub const BEYOND_TEMPLATE: Rgb = rgb(255, 255, 255);

/// How many labels the template names.
pub const TEMPLATE_LEN: u16 = 34;

/// One entry of the template, as `/api/color_template` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TemplateEntry {
    pub idx: u16,
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub label: String,
}

/// The colour of a label (a point number); white past the template.
pub fn label_color(label: u16) -> Rgb {
    usize::from(label)
        .checked_sub(1)
        .and_then(|i| TEMPLATE_COLORS.get(i))
        .copied()
        .unwrap_or(BEYOND_TEMPLATE)
}

/// The name of a label: `#1`…`#32`, `Bridge`, `Implant`, then `#N`.
pub fn label_name(label: u16) -> String {
    match label {
        33 => "Bridge".to_owned(),
        34 => "Implant".to_owned(),
        n => format!("#{n}"),
    }
}

/// All 34 entries, in order.
pub fn template() -> Vec<TemplateEntry> {
    (1..=TEMPLATE_LEN)
        .map(|idx| {
            let Rgb { r, g, b } = label_color(idx);
            TemplateEntry {
                idx,
                r,
                g,
                b,
                label: label_name(idx),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matches_the_original() {
        let t = template();
        assert_eq!(t.len(), 34);
        assert_eq!(
            (t[0].r, t[0].g, t[0].b, t[0].label.as_str()),
            (255, 0, 0, "#1")
        );
        assert_eq!((t[8].r, t[8].g, t[8].b), (172, 0, 129));
        assert_eq!(t[32].label, "Bridge");
        assert_eq!(
            (t[33].r, t[33].g, t[33].b, t[33].label.as_str()),
            (127, 255, 0, "Implant")
        );
        assert_eq!(label_color(35), BEYOND_TEMPLATE);
        assert_eq!(label_color(0), BEYOND_TEMPLATE);
    }
}
