//! DICOM SEG out: a label volume of a DICOM series as a Segmentation object (binary, one
//! segment per label, named and coloured as in the viewer) that refers to the series' own
//! instances, for PACS and research pipelines. The tests read it back with highdicom.
//!
//! Frames: for each segment, one per slice the label appears on, bits packed LSB first
//! across frames. Segment numbers run 1, 2, … over the labels present, ascending.

use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use interseg_shared::color::label_color;
use interseg_shared::naming::{LabelNaming, fdi_tooth, label_name};

use super::dicom::SeriesReferences;

mod elements;
use elements::{code, dicom_lab, item, new_uid, put_ds, put_str, put_u16, sequence, to_u16};

const SEGMENTATION_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.66.4";
const EXPLICIT_VR_LITTLE_ENDIAN: &str = "1.2.840.10008.1.2.1";

/// Why a DICOM SEG could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SegError {
    #[error("the labels ({labels} voxels) do not match the series ({expected} voxels)")]
    Mismatch { labels: usize, expected: usize },
    #[error("the result holds no labels")]
    Empty,
    #[error("writing the DICOM SEG failed: {0}")]
    Write(String),
}

/// The DICOM SEG of `labels` (i fastest, `dims` = columns, rows, slices of `source`), with the
/// labels named under `naming`; the file's bytes.
pub fn dicom_seg(
    source: &SeriesReferences,
    labels: &[u8],
    dims: [usize; 3],
    naming: LabelNaming,
) -> Result<Vec<u8>, SegError> {
    let [cols, rows, slices] = dims;
    let expected = cols * rows * source.slices.len();
    if labels.len() != expected || slices != source.slices.len() {
        return Err(SegError::Mismatch {
            labels: labels.len(),
            expected,
        });
    }
    let plane = cols * rows;
    let present = super::mesh::labels_present(labels);
    if present.is_empty() {
        return Err(SegError::Empty);
    }
    let (frames, bits) = frames_and_bits(labels, plane, slices, &present);

    let mut seg = InMemDicomObject::new_empty();
    let instance_uid = new_uid();
    put_study(&mut seg, source);
    put_series_and_content(&mut seg, &instance_uid, source);
    seg.put(DataElement::new(
        tags::IMAGE_TYPE,
        VR::CS,
        PrimitiveValue::Strs(["DERIVED".to_owned(), "PRIMARY".to_owned()].into()),
    ));
    put_str(&mut seg, tags::SEGMENTATION_TYPE, VR::CS, "BINARY");
    put_str(&mut seg, tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "00");
    put_u16(&mut seg, tags::SAMPLES_PER_PIXEL, &[1]);
    put_str(
        &mut seg,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        "MONOCHROME2",
    );
    put_u16(&mut seg, tags::ROWS, &[to_u16(rows)?]);
    put_u16(&mut seg, tags::COLUMNS, &[to_u16(cols)?]);
    put_u16(&mut seg, tags::BITS_ALLOCATED, &[1]);
    put_u16(&mut seg, tags::BITS_STORED, &[1]);
    put_u16(&mut seg, tags::HIGH_BIT, &[0]);
    put_u16(&mut seg, tags::PIXEL_REPRESENTATION, &[0]);
    put_str(
        &mut seg,
        tags::NUMBER_OF_FRAMES,
        VR::IS,
        &frames.len().to_string(),
    );

    seg.put(sequence(
        tags::SEGMENT_SEQUENCE,
        present
            .iter()
            .enumerate()
            .map(|(n, &label)| segment_item(n + 1, label, naming))
            .collect(),
    ));
    seg.put(sequence(
        tags::REFERENCED_SERIES_SEQUENCE,
        vec![referenced_series(source)],
    ));
    put_dimension_organisation(&mut seg);
    seg.put(sequence(
        tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
        vec![shared_groups(source)],
    ));
    seg.put(sequence(
        tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
        frames
            .iter()
            .map(|&(segment, k)| frame_groups(source, segment, k))
            .collect(),
    ));
    seg.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::from(bits),
    ));

    let meta = FileMetaTableBuilder::new()
        .media_storage_sop_class_uid(SEGMENTATION_STORAGE)
        .media_storage_sop_instance_uid(instance_uid.as_str())
        .transfer_syntax(EXPLICIT_VR_LITTLE_ENDIAN);
    let file = seg
        .with_meta(meta)
        .map_err(|err| SegError::Write(err.to_string()))?;
    let mut out = Vec::new();
    file.write_all(&mut out)
        .map_err(|err| SegError::Write(err.to_string()))?;
    Ok(out)
}

/// The frames (segment number, slice) holding any voxel of their segment, in order, and their
/// pixels packed one bit each (LSB first, padded to whole 16-bit words).
fn frames_and_bits(
    labels: &[u8],
    plane: usize,
    slices: usize,
    present: &[u8],
) -> (Vec<(u16, usize)>, Vec<u8>) {
    let mut frames: Vec<(u16, usize)> = Vec::new();
    for (n, &label) in present.iter().enumerate() {
        let segment = u16::try_from(n + 1).unwrap_or(u16::MAX);
        for k in 0..slices {
            if labels[k * plane..(k + 1) * plane].contains(&label) {
                frames.push((segment, k));
            }
        }
    }
    let mut bits = vec![0u8; (frames.len() * plane).div_ceil(8).next_multiple_of(2)];
    for (f, &(segment, k)) in frames.iter().enumerate() {
        let label = present[usize::from(segment) - 1];
        for (p, &l) in labels[k * plane..(k + 1) * plane].iter().enumerate() {
            if l == label {
                let bit = f * plane + p;
                bits[bit / 8] |= 1 << (bit % 8);
            }
        }
    }

    (frames, bits)
}

/// The patient and study attributes, copied from the source series.
fn put_study(seg: &mut InMemDicomObject, source: &SeriesReferences) {
    for (tag, value) in &source.study {
        let vr = match *tag {
            tags::PATIENT_NAME | tags::REFERRING_PHYSICIAN_NAME => VR::PN,
            tags::PATIENT_BIRTH_DATE | tags::STUDY_DATE => VR::DA,
            tags::STUDY_TIME => VR::TM,
            tags::PATIENT_SEX => VR::CS,
            tags::STUDY_INSTANCE_UID => VR::UI,
            tags::PATIENT_ID => VR::LO,
            _ => VR::SH,
        };
        put_str(seg, *tag, vr, value);
    }
}

/// The SEG's own series, equipment and content attributes.
fn put_series_and_content(
    seg: &mut InMemDicomObject,
    instance_uid: &str,
    source: &SeriesReferences,
) {
    let now = chrono::Utc::now();
    put_str(seg, tags::SOP_CLASS_UID, VR::UI, SEGMENTATION_STORAGE);
    put_str(seg, tags::SOP_INSTANCE_UID, VR::UI, instance_uid);
    put_str(seg, tags::SERIES_INSTANCE_UID, VR::UI, &new_uid());
    put_str(
        seg,
        tags::FRAME_OF_REFERENCE_UID,
        VR::UI,
        &source.frame_of_reference_uid,
    );
    put_str(seg, tags::POSITION_REFERENCE_INDICATOR, VR::LO, "");
    put_str(seg, tags::MODALITY, VR::CS, "SEG");
    put_str(seg, tags::SERIES_NUMBER, VR::IS, "300");
    put_str(seg, tags::INSTANCE_NUMBER, VR::IS, "1");
    put_str(
        seg,
        tags::SERIES_DESCRIPTION,
        VR::LO,
        "interseg segmentation",
    );
    put_str(seg, tags::MANUFACTURER, VR::LO, "interseg");
    put_str(seg, tags::MANUFACTURER_MODEL_NAME, VR::LO, "interseg");
    put_str(seg, tags::DEVICE_SERIAL_NUMBER, VR::LO, "1");
    put_str(
        seg,
        tags::SOFTWARE_VERSIONS,
        VR::LO,
        env!("CARGO_PKG_VERSION"),
    );
    put_str(seg, tags::CONTENT_LABEL, VR::CS, "INTERSEG");
    put_str(
        seg,
        tags::CONTENT_DESCRIPTION,
        VR::LO,
        "Interactive segmentation",
    );
    put_str(seg, tags::CONTENT_CREATOR_NAME, VR::PN, "interseg");
    put_str(
        seg,
        tags::CONTENT_DATE,
        VR::DA,
        &now.format("%Y%m%d").to_string(),
    );
    put_str(
        seg,
        tags::CONTENT_TIME,
        VR::TM,
        &now.format("%H%M%S").to_string(),
    );
}

/// Frames are indexed by segment number, then position.
fn put_dimension_organisation(seg: &mut InMemDicomObject) {
    let organisation = new_uid();
    seg.put(sequence(
        tags::DIMENSION_ORGANIZATION_SEQUENCE,
        vec![item(|o| {
            put_str(o, tags::DIMENSION_ORGANIZATION_UID, VR::UI, &organisation);
        })],
    ));
    seg.put(sequence(
        tags::DIMENSION_INDEX_SEQUENCE,
        vec![
            dimension(
                &organisation,
                tags::REFERENCED_SEGMENT_NUMBER,
                tags::SEGMENT_IDENTIFICATION_SEQUENCE,
                "Referenced Segment Number",
            ),
            dimension(
                &organisation,
                tags::IMAGE_POSITION_PATIENT,
                tags::PLANE_POSITION_SEQUENCE,
                "Image Position Patient",
            ),
        ],
    ));
}

/// One segment: its number, name, colour and what it is.
fn segment_item(number: usize, label: u8, naming: LabelNaming) -> InMemDicomObject {
    let tooth = naming != LabelNaming::Numbers && fdi_tooth(label).is_some();
    item(|o| {
        put_u16(
            o,
            tags::SEGMENT_NUMBER,
            &[u16::try_from(number).unwrap_or(u16::MAX)],
        );
        put_str(o, tags::SEGMENT_LABEL, VR::LO, &label_name(label, naming));
        put_str(
            o,
            tags::SEGMENT_DESCRIPTION,
            VR::ST,
            &format!("label value {label}"),
        );
        put_str(o, tags::SEGMENT_ALGORITHM_TYPE, VR::CS, "SEMIAUTOMATIC");
        put_str(o, tags::SEGMENT_ALGORITHM_NAME, VR::LO, "interseg");
        o.put(sequence(
            tags::SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE,
            vec![code("123037004", "SCT", "Anatomical Structure")],
        ));
        let kind = if tooth {
            code("38199008", "SCT", "Tooth")
        } else {
            code("91723000", "SCT", "Anatomical Structure")
        };
        o.put(sequence(
            tags::SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE,
            vec![kind],
        ));
        let c = label_color(u16::from(label));
        put_u16(
            o,
            tags::RECOMMENDED_DISPLAY_CIE_LAB_VALUE,
            &dicom_lab([c.r, c.g, c.b]),
        );
    })
}

fn referenced_series(source: &SeriesReferences) -> InMemDicomObject {
    let mut instances: Vec<(&str, &str)> = source
        .slices
        .iter()
        .map(|s| (s.sop_class.as_str(), s.sop_instance.as_str()))
        .collect();
    instances.dedup();
    item(|o| {
        put_str(o, tags::SERIES_INSTANCE_UID, VR::UI, &source.series_uid);
        o.put(sequence(
            tags::REFERENCED_INSTANCE_SEQUENCE,
            instances
                .iter()
                .map(|&(class, instance)| {
                    item(|r| {
                        put_str(r, tags::REFERENCED_SOP_CLASS_UID, VR::UI, class);
                        put_str(r, tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, instance);
                    })
                })
                .collect(),
        ));
    })
}

fn dimension(organisation: &str, index: Tag, group: Tag, what: &str) -> InMemDicomObject {
    item(|o| {
        put_str(o, tags::DIMENSION_ORGANIZATION_UID, VR::UI, organisation);
        o.put(DataElement::new(
            tags::DIMENSION_INDEX_POINTER,
            VR::AT,
            PrimitiveValue::Tags([index][..].into()),
        ));
        o.put(DataElement::new(
            tags::FUNCTIONAL_GROUP_POINTER,
            VR::AT,
            PrimitiveValue::Tags([group][..].into()),
        ));
        put_str(o, tags::DIMENSION_DESCRIPTION_LABEL, VR::LO, what);
    })
}

/// Orientation and voxel size, the same for every frame.
fn shared_groups(source: &SeriesReferences) -> InMemDicomObject {
    item(|o| {
        o.put(sequence(
            tags::PLANE_ORIENTATION_SEQUENCE,
            vec![item(|p| {
                put_ds(p, tags::IMAGE_ORIENTATION_PATIENT, &source.orientation);
            })],
        ));
        o.put(sequence(
            tags::PIXEL_MEASURES_SEQUENCE,
            vec![item(|p| {
                put_ds(p, tags::PIXEL_SPACING, &source.pixel_spacing);
                put_ds(p, tags::SLICE_THICKNESS, &[source.slice_spacing]);
                put_ds(p, tags::SPACING_BETWEEN_SLICES, &[source.slice_spacing]);
            })],
        ));
    })
}

/// A frame's segment, slice position and source image.
fn frame_groups(source: &SeriesReferences, segment: u16, k: usize) -> InMemDicomObject {
    let slice = &source.slices[k];
    item(|o| {
        o.put(sequence(
            tags::DERIVATION_IMAGE_SEQUENCE,
            vec![item(|d| {
                d.put(sequence(
                    tags::SOURCE_IMAGE_SEQUENCE,
                    vec![item(|s| {
                        put_str(s, tags::REFERENCED_SOP_CLASS_UID, VR::UI, &slice.sop_class);
                        put_str(
                            s,
                            tags::REFERENCED_SOP_INSTANCE_UID,
                            VR::UI,
                            &slice.sop_instance,
                        );
                        // Same grid as the source: its pixels index the segmentation's.
                        put_str(s, tags::SPATIAL_LOCATIONS_PRESERVED, VR::CS, "YES");
                        if let Some(frame) = slice.frame {
                            put_str(s, tags::REFERENCED_FRAME_NUMBER, VR::IS, &frame.to_string());
                        }
                        s.put(sequence(
                            tags::PURPOSE_OF_REFERENCE_CODE_SEQUENCE,
                            vec![code(
                                "121322",
                                "DCM",
                                "Source image for image processing operation",
                            )],
                        ));
                    })],
                ));
                d.put(sequence(
                    tags::DERIVATION_CODE_SEQUENCE,
                    vec![code("113076", "DCM", "Segmentation")],
                ));
            })],
        ));
        o.put(sequence(
            tags::FRAME_CONTENT_SEQUENCE,
            vec![item(|f| {
                let slice_index = u32::try_from(k + 1).unwrap_or(u32::MAX);
                f.put(DataElement::new(
                    tags::DIMENSION_INDEX_VALUES,
                    VR::UL,
                    PrimitiveValue::U32([u32::from(segment), slice_index].into()),
                ));
            })],
        ));
        o.put(sequence(
            tags::PLANE_POSITION_SEQUENCE,
            vec![item(|p| {
                put_ds(p, tags::IMAGE_POSITION_PATIENT, &slice.position);
            })],
        ));
        o.put(sequence(
            tags::SEGMENT_IDENTIFICATION_SEQUENCE,
            vec![item(|s| {
                put_u16(s, tags::REFERENCED_SEGMENT_NUMBER, &[segment]);
            })],
        ));
    })
}

#[cfg(test)]
mod tests {
    use super::elements::decimal_string;
    use super::*;

    #[test]
    fn colours_become_scaled_lab() {
        // White is L 100, a = b = 0; black is L 0.
        assert_eq!(dicom_lab([255, 255, 255]), [65535, 32896, 32896]);
        assert_eq!(dicom_lab([0, 0, 0])[0], 0);
        // Pure red has a large positive a.
        assert!(dicom_lab([255, 0, 0])[1] > 50000);
    }

    #[test]
    fn decimal_strings_fit_sixteen_characters() {
        assert_eq!(decimal_string(0.5), "0.5");
        assert_eq!(decimal_string(-0.0), "0");
        assert_eq!(decimal_string(-123.456_789_012_345), "-123.4567890123");
        assert!(decimal_string(1.0e20).len() <= 16);
    }
}
