//! What a DICOM SEG of a stored series refers to: its study, frame of reference and slices.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

use super::super::loaded::{LoadError, LoadLimits};
use super::container::{parse, read_entry, text};
use super::geometry::{slice_normal, slice_spacing, sort_slices};
use super::{ImageInfo, image_info};

/// Patient and study attributes a derived object (a DICOM SEG) copies from its source.
const STUDY_TAGS: [dicom_object::Tag; 10] = [
    tags::PATIENT_NAME,
    tags::PATIENT_ID,
    tags::PATIENT_BIRTH_DATE,
    tags::PATIENT_SEX,
    tags::STUDY_INSTANCE_UID,
    tags::STUDY_DATE,
    tags::STUDY_TIME,
    tags::STUDY_ID,
    tags::ACCESSION_NUMBER,
    tags::REFERRING_PHYSICIAN_NAME,
];

/// What a DICOM SEG of a stored series needs from it: its patient, study and frame of
/// reference, and each slice's instance in the volume's k order.
#[derive(Clone, Debug)]
pub struct SeriesReferences {
    /// [`STUDY_TAGS`] as the source has them (absent ones empty).
    pub study: Vec<(dicom_object::Tag, String)>,
    pub series_uid: String,
    pub frame_of_reference_uid: String,
    /// Row then column direction cosines (LPS).
    pub orientation: [f64; 6],
    /// (between rows, between columns) in mm.
    pub pixel_spacing: [f64; 2],
    pub slice_spacing: f64,
    /// One per slice k.
    pub slices: Vec<SliceReference>,
}

/// One slice's source image.
#[derive(Clone, Debug)]
pub struct SliceReference {
    pub sop_class: String,
    pub sop_instance: String,
    /// The frame (from 1) of a multi-frame source; `None` for one image per file.
    pub frame: Option<usize>,
    /// `ImagePositionPatient` of the slice (LPS, mm).
    pub position: [f64; 3],
}

/// The references of a stored DICOM upload (a zip of a series or one file), in the order
/// its loader put the slices. Blocking.
pub fn series_references(path: &Path, zipped: bool) -> Result<SeriesReferences, LoadError> {
    let limits = LoadLimits {
        max_voxels: u64::MAX,
    };
    let mut objects: Vec<(DefaultDicomObject, ImageInfo)> = Vec::new();
    if zipped {
        let file = File::open(path).map_err(LoadError::Io)?;
        let mut archive = zip::ZipArchive::new(file)
            .map_err(|err| LoadError::Corrupt(format!("not a readable zip archive ({err})")))?;
        for index in 0..archive.len() {
            let Some(bytes) = read_entry(&mut archive, index, limits)? else {
                continue;
            };
            let Ok(object) = parse(&bytes, false) else {
                continue;
            };
            if let Ok(info) = image_info(&object) {
                objects.push((object, info));
            }
        }
    } else {
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(LoadError::Io)?;
        let object = parse(&bytes, false).map_err(LoadError::Dicom)?;
        let info = image_info(&object)?;
        objects.push((object, info));
    }
    // The loader's order: the same sort over (position in the list, info).
    let mut order: Vec<(usize, ImageInfo)> = objects
        .iter()
        .enumerate()
        .map(|(n, (_, info))| (n, info.clone()))
        .collect();
    sort_slices(&mut order);
    let Some((first_at, first)) = order.first().cloned() else {
        return Err(LoadError::Dicom(
            "the upload holds no DICOM images".to_owned(),
        ));
    };
    let object = &objects[first_at].0;
    let orientation = first
        .orientation
        .ok_or_else(|| LoadError::Dicom("the images have no ImageOrientationPatient".to_owned()))?;
    let missing_position = || LoadError::Dicom("an image has no ImagePositionPatient".to_owned());
    let slices = if first.frames > 1 {
        // One multi-frame file: frames evenly spaced along the slice normal.
        let origin = first.position.ok_or_else(missing_position)?;
        let normal = slice_normal(orientation);
        let step = first.slice_spacing.unwrap_or(1.0);
        (0..first.frames)
            .map(|f| {
                #[expect(clippy::cast_precision_loss, reason = "frame counts are small")]
                let along = step * f as f64;
                SliceReference {
                    sop_class: first.sop_class.clone(),
                    sop_instance: first.sop_instance.clone(),
                    frame: Some(f + 1),
                    position: [0, 1, 2].map(|a| origin[a] + along * normal[a]),
                }
            })
            .collect()
    } else {
        order
            .iter()
            .map(|(_, info)| {
                Ok(SliceReference {
                    sop_class: info.sop_class.clone(),
                    sop_instance: info.sop_instance.clone(),
                    frame: None,
                    position: info.position.ok_or_else(missing_position)?,
                })
            })
            .collect::<Result<_, LoadError>>()?
    };
    let infos: Vec<ImageInfo> = order.into_iter().map(|(_, info)| info).collect();
    let slice_spacing = if first.frames > 1 {
        first.slice_spacing.unwrap_or(1.0)
    } else {
        slice_spacing(&infos)
    };
    Ok(SeriesReferences {
        study: STUDY_TAGS.iter().map(|&t| (t, text(object, t))).collect(),
        series_uid: first.series.clone(),
        frame_of_reference_uid: text(object, tags::FRAME_OF_REFERENCE_UID),
        orientation,
        pixel_spacing: first.pixel_spacing,
        slice_spacing,
        slices,
    })
}
