//! Small builders of DICOM elements and values for the SEG writer.

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::SegError;

pub(super) fn item(fill: impl FnOnce(&mut InMemDicomObject)) -> InMemDicomObject {
    let mut o = InMemDicomObject::new_empty();
    fill(&mut o);
    o
}

pub(super) fn sequence(tag: Tag, items: Vec<InMemDicomObject>) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
}

pub(super) fn code(value: &str, scheme: &str, meaning: &str) -> InMemDicomObject {
    item(|o| {
        put_str(o, tags::CODE_VALUE, VR::SH, value);
        put_str(o, tags::CODING_SCHEME_DESIGNATOR, VR::SH, scheme);
        put_str(o, tags::CODE_MEANING, VR::LO, meaning);
    })
}

pub(super) fn put_str(o: &mut InMemDicomObject, tag: Tag, vr: VR, value: &str) {
    o.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
}

pub(super) fn put_u16(o: &mut InMemDicomObject, tag: Tag, values: &[u16]) {
    o.put(DataElement::new(
        tag,
        VR::US,
        PrimitiveValue::U16(values.iter().copied().collect()),
    ));
}

/// Decimal strings, at most 16 characters each as DS allows.
pub(super) fn put_ds(o: &mut InMemDicomObject, tag: Tag, values: &[f64]) {
    let text: Vec<String> = values.iter().map(|&v| decimal_string(v)).collect();
    o.put(DataElement::new(
        tag,
        VR::DS,
        PrimitiveValue::Strs(text.into_iter().collect()),
    ));
}

pub(super) fn decimal_string(v: f64) -> String {
    let v = if v == 0.0 { 0.0 } else { v };
    for precision in (0..=10).rev() {
        let text = format!("{v:.precision$}");
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        };
        if text.len() <= 16 {
            return text;
        }
    }
    format!("{v:.3e}")
}

pub(super) fn to_u16(n: usize) -> Result<u16, SegError> {
    u16::try_from(n).map_err(|_| SegError::Write(format!("{n} rows or columns are too many")))
}

/// A UID under the `2.25` root: a random UUID as one decimal number.
pub(super) fn new_uid() -> String {
    format!("2.25.{}", uuid::Uuid::new_v4().as_u128())
}

/// sRGB as DICOM's scaled `CIELab` (D65): L in 0–65535 for 0–100, a and b for −128–127.
pub(super) fn dicom_lab([r, g, b]: [u8; 3]) -> [u16; 3] {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (linear(r), linear(g), linear(b));
    let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / 0.950_47;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
    let z = (0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b) / 1.088_83;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    let lab = [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)];
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=65535"
    )]
    let scale =
        |v: f64, lo: f64, span: f64| ((v - lo) / span * 65535.0).round().clamp(0.0, 65535.0) as u16;
    [
        scale(lab[0], 0.0, 100.0),
        scale(lab[1], -128.0, 255.0),
        scale(lab[2], -128.0, 255.0),
    ]
}
