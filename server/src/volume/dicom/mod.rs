//! DICOM in: a `.zip` of a series (one slice per file) or a single `.dcm` (one or more frames),
//! uncompressed or compressed as JPEG 2000, JPEG or RLE (decoded by dicom-rs in pure Rust).
//!
//! Index order follows the pixel data: i runs along a row (columns), j down the rows, k across
//! slices sorted by position along the slice normal. The spatial header is synthesised from
//! `ImagePositionPatient`, `ImageOrientationPatient` and `PixelSpacing` (LPS turned into NIfTI's RAS),
//! so the label volume we write overlays the series in ITK-SNAP and 3D Slicer.
//!
//! A series is read in two passes: headers first (to validate, sort and check the voxel limit
//! before allocating), then pixel data straight into the volume.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex as _;
use dicom_object::DefaultDicomObject;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

mod assembly;
mod container;
mod geometry;
mod nesting;
mod references;

pub use references::{SeriesReferences, SliceReference, series_references};

use self::assembly::{VoxelAssembler, check_limit, finish};
use self::container::{has_dicom_magic, parse, pixel_bytes, read_entry, text};
use self::geometry::{
    has_duplicate_positions, orthonormal_orientation, slice_spacing, sort_slices,
};
use self::nesting::check_nesting;
use super::loaded::{LoadError, LoadLimits, LoadedVolume};

/// Files in a zip beyond this are refused (a guard against archives of junk).
const MAX_ZIP_ENTRIES: usize = 20_000;
/// One DICOM file larger than this is refused before it is read.
const MAX_ENTRY_BYTES: u64 = 1 << 30;
/// Room for a file's header (and a thumbnail or two) beside its pixels.
const ENTRY_HEADER_BYTES: u64 = 16 << 20;

/// The most one file of a series may inflate to: one image of at most the allowed voxels at
/// 32 bits, and its header; never more than [`MAX_ENTRY_BYTES`]. A small zip inflating to
/// gigabytes is stopped there, whatever it declares.
pub(super) fn max_entry_bytes(limits: LoadLimits) -> u64 {
    limits
        .max_voxels
        .saturating_mul(4)
        .saturating_add(ENTRY_HEADER_BYTES)
        .min(MAX_ENTRY_BYTES)
}
/// Uncompressed transfer syntaxes (implicit LE, explicit LE, explicit BE); the compressed ones
/// dicom-rs decodes (JPEG 2000, JPEG, RLE, deflate) are decoded to these samples first.
pub(super) const NATIVE_SYNTAXES: [&str; 3] = [
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
];

/// What one file says about its image, read without its pixel data.
#[derive(Clone, Debug)]
pub(super) struct ImageInfo {
    pub(super) rows: usize,
    pub(super) cols: usize,
    pub(super) frames: usize,
    pub(super) bits_allocated: u16,
    pub(super) signed: bool,
    pub(super) slope: f64,
    pub(super) intercept: f64,
    /// Row direction (along i) then column direction (along j), in LPS.
    pub(super) orientation: Option<[f64; 6]>,
    pub(super) position: Option<[f64; 3]>,
    /// (between rows, between columns) in mm.
    pub(super) pixel_spacing: [f64; 2],
    pub(super) slice_spacing: Option<f64>,
    pub(super) instance: i64,
    pub(super) series: String,
    /// `SOPClassUID` and `SOPInstanceUID`: how a DICOM SEG refers to this image.
    pub(super) sop_class: String,
    pub(super) sop_instance: String,
}

/// A zip of a DICOM series.
pub fn load_dicom_zip(path: &Path, limits: LoadLimits) -> Result<LoadedVolume, LoadError> {
    let file = File::open(path).map_err(LoadError::Io)?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|err| LoadError::Corrupt(format!("not a readable zip archive ({err})")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(LoadError::Dicom(format!(
            "the archive holds {} files, more than {MAX_ZIP_ENTRIES}",
            archive.len()
        )));
    }
    // Pass 1: headers.
    let mut slices: Vec<(usize, ImageInfo)> = Vec::new();
    // Why the first DICOM file that was not a usable image was skipped.
    let mut first_refusal: Option<LoadError> = None;
    for index in 0..archive.len() {
        let Some(bytes) = read_entry(&mut archive, index, limits)? else {
            continue;
        };
        // Files that are not DICOM at all (DICOMDIR aside: notes, thumbnails) are skipped; a
        // broken DICOM file is remembered, so the answer says what was wrong with it.
        let object = match parse(&bytes, false) {
            Ok(object) => object,
            Err(err) => {
                if has_dicom_magic(&bytes) {
                    first_refusal.get_or_insert(LoadError::Dicom(err));
                }
                continue;
            }
        };
        match image_info(&object) {
            Ok(info) => slices.push((index, info)),
            Err(err) => {
                first_refusal.get_or_insert(err);
            }
        }
    }
    if slices.is_empty() {
        return Err(first_refusal
            .unwrap_or_else(|| LoadError::Dicom("the archive holds no DICOM images".to_owned())));
    }
    let first = slices[0].1.clone();
    for (_, info) in &slices {
        if (
            info.rows,
            info.cols,
            info.bits_allocated,
            info.signed,
            info.frames,
        ) != (
            first.rows,
            first.cols,
            first.bits_allocated,
            first.signed,
            1,
        ) {
            return Err(LoadError::Dicom(
                "the images differ in size or pixel format (or are multi-frame); upload one series at a time".to_owned(),
            ));
        }
    }
    if slices.iter().any(|(_, info)| info.series != first.series) {
        return Err(LoadError::Dicom(
            "the archive holds more than one series; upload one series at a time".to_owned(),
        ));
    }
    sort_slices(&mut slices);
    if has_duplicate_positions(&slices) {
        return Err(LoadError::Dicom(
            "two images share a slice position; upload one series at a time".to_owned(),
        ));
    }
    let dims = [first.cols, first.rows, slices.len()];
    check_limit(dims, limits)?;

    // Pass 2: pixel data, slice by slice, into the volume.
    let infos: Vec<ImageInfo> = slices.iter().map(|(_, info)| info.clone()).collect();
    let mut reader = VoxelAssembler::new(&first, dims, &infos);
    for (index, _) in &slices {
        let bytes = read_entry(&mut archive, *index, limits)?
            .ok_or_else(|| LoadError::Dicom("an image vanished".to_owned()))?;
        let object = parse(&bytes, true).map_err(LoadError::Dicom)?;
        reader.push(&pixel_bytes(&object)?, 1)?;
    }
    let spacing = slice_spacing(&infos);
    finish(
        reader.finish()?,
        &first,
        dims,
        spacing,
        infos.first().and_then(|i| i.position),
        infos.last().and_then(|i| i.position),
    )
}

/// A single DICOM file; a multi-frame file becomes a volume of its frames.
pub fn load_dicom_file(path: &Path, limits: LoadLimits) -> Result<LoadedVolume, LoadError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(LoadError::Io)?;
    let header = parse(&bytes, false).map_err(LoadError::Dicom)?;
    let info = image_info(&header)?;
    let dims = [info.cols, info.rows, info.frames];
    check_limit(dims, limits)?;
    let object = parse(&bytes, true).map_err(LoadError::Dicom)?;
    let mut reader = VoxelAssembler::new(&info, dims, std::slice::from_ref(&info));
    reader.push(&pixel_bytes(&object)?, info.frames)?;
    let spacing = info.slice_spacing.unwrap_or(1.0);
    finish(reader.finish()?, &info, dims, spacing, info.position, None)
}

pub(super) fn image_info(object: &DefaultDicomObject) -> Result<ImageInfo, LoadError> {
    let syntax = object
        .meta()
        .transfer_syntax()
        .trim_end_matches(['\0', ' ']);
    if !NATIVE_SYNTAXES.contains(&syntax) {
        match TransferSyntaxRegistry.get(syntax) {
            Some(ts) if ts.can_decode_all() => {}
            Some(ts) => {
                return Err(LoadError::Dicom(format!(
                    "compressed DICOM in {} ({syntax}) is not supported; export the series uncompressed, \
                     or as JPEG 2000, JPEG or RLE",
                    ts.name()
                )));
            }
            None => {
                return Err(LoadError::Dicom(format!(
                    "unknown DICOM transfer syntax {syntax}; export the series uncompressed"
                )));
            }
        }
    }
    let int = |tag| -> Option<i64> {
        object
            .element_opt(tag)
            .ok()
            .flatten()
            .and_then(|e| e.to_int::<i64>().ok())
    };
    let float = |tag| -> Option<f64> {
        object
            .element_opt(tag)
            .ok()
            .flatten()
            .and_then(|e| e.to_float64().ok())
    };
    let floats = |tag| -> Option<Vec<f64>> {
        object
            .element_opt(tag)
            .ok()
            .flatten()
            .and_then(|e| e.to_multi_float64().ok())
    };
    let missing = |what: &str| LoadError::Dicom(format!("the image has no {what}"));
    let positive = |v: i64| usize::try_from(v).ok().filter(|&v| v > 0);
    let rows = int(tags::ROWS)
        .and_then(positive)
        .ok_or_else(|| missing("Rows"))?;
    let cols = int(tags::COLUMNS)
        .and_then(positive)
        .ok_or_else(|| missing("Columns"))?;
    let samples = int(tags::SAMPLES_PER_PIXEL).unwrap_or(1);
    if samples != 1 {
        return Err(LoadError::Dicom(
            "colour DICOM images are not supported".to_owned(),
        ));
    }
    let bits_allocated = int(tags::BITS_ALLOCATED)
        .and_then(|b| u16::try_from(b).ok())
        .filter(|b| [8, 16, 32].contains(b))
        .ok_or_else(|| LoadError::Dicom("BitsAllocated must be 8, 16 or 32".to_owned()))?;
    let orientation = floats(tags::IMAGE_ORIENTATION_PATIENT)
        .and_then(|v| <[f64; 6]>::try_from(v).ok())
        .and_then(orthonormal_orientation);
    let position = floats(tags::IMAGE_POSITION_PATIENT)
        .and_then(|v| <[f64; 3]>::try_from(v).ok())
        .filter(|v| v.iter().all(|x| x.is_finite()));
    let pixel_spacing = floats(tags::PIXEL_SPACING)
        .and_then(|v| <[f64; 2]>::try_from(v).ok())
        .filter(|v| v.iter().all(|x| x.is_finite() && *x > 0.0))
        .unwrap_or([1.0, 1.0]);
    let slice_spacing = float(tags::SPACING_BETWEEN_SLICES)
        .or_else(|| float(tags::SLICE_THICKNESS))
        .filter(|s| s.is_finite() && *s > 0.0);
    let slope = float(tags::RESCALE_SLOPE)
        .filter(|s| s.is_finite() && *s != 0.0)
        .unwrap_or(1.0);
    let intercept = float(tags::RESCALE_INTERCEPT)
        .filter(|s| s.is_finite())
        .unwrap_or(0.0);
    Ok(ImageInfo {
        rows,
        cols,
        frames: int(tags::NUMBER_OF_FRAMES).and_then(positive).unwrap_or(1),
        bits_allocated,
        signed: int(tags::PIXEL_REPRESENTATION) == Some(1),
        slope,
        intercept,
        orientation,
        position,
        pixel_spacing,
        slice_spacing,
        instance: int(tags::INSTANCE_NUMBER).unwrap_or(0),
        series: text(object, tags::SERIES_INSTANCE_UID),
        sop_class: text(object, tags::SOP_CLASS_UID),
        sop_instance: text(object, tags::SOP_INSTANCE_UID),
    })
}
