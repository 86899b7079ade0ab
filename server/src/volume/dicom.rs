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
use std::io::{Cursor, Read};
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex as _;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, OpenFileOptions};
use dicom_pixeldata::PixelDecoder as _;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;
use interseg_shared::volume::{Scaling, Volume, Voxels};
use nalgebra::Matrix4;
use nifti::{NiftiHeader, XForm};

use super::dicom_nesting::check_nesting;
use super::load::{LoadError, LoadLimits, LoadedVolume};

/// Files in a zip beyond this are refused (a guard against archives of junk).
const MAX_ZIP_ENTRIES: usize = 20_000;
/// One DICOM file larger than this is refused before it is read.
const MAX_ENTRY_BYTES: u64 = 1 << 30;
/// Room for a file's header (and a thumbnail or two) beside its pixels.
const ENTRY_HEADER_BYTES: u64 = 16 << 20;

/// The most one file of a series may inflate to: one image of at most the allowed voxels at
/// 32 bits, and its header; never more than [`MAX_ENTRY_BYTES`]. A small zip inflating to
/// gigabytes is stopped there, whatever it declares.
fn max_entry_bytes(limits: LoadLimits) -> u64 {
    limits
        .max_voxels
        .saturating_mul(4)
        .saturating_add(ENTRY_HEADER_BYTES)
        .min(MAX_ENTRY_BYTES)
}
/// Uncompressed transfer syntaxes (implicit LE, explicit LE, explicit BE); the compressed ones
/// dicom-rs decodes (JPEG 2000, JPEG, RLE, deflate) are decoded to these samples first.
const NATIVE_SYNTAXES: [&str; 3] = [
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
];

/// What one file says about its image, read without its pixel data.
#[derive(Clone, Debug)]
struct ImageInfo {
    rows: usize,
    cols: usize,
    frames: usize,
    bits_allocated: u16,
    signed: bool,
    slope: f64,
    intercept: f64,
    /// Row direction (along i) then column direction (along j), in LPS.
    orientation: Option<[f64; 6]>,
    position: Option<[f64; 3]>,
    /// (between rows, between columns) in mm.
    pixel_spacing: [f64; 2],
    slice_spacing: Option<f64>,
    instance: i64,
    series: String,
    /// `SOPClassUID` and `SOPInstanceUID`: how a DICOM SEG refers to this image.
    sop_class: String,
    sop_instance: String,
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

fn read_entry(
    archive: &mut zip::ZipArchive<File>,
    index: usize,
    limits: LoadLimits,
) -> Result<Option<Vec<u8>>, LoadError> {
    let mut entry = archive
        .by_index(index)
        .map_err(|err| LoadError::Corrupt(format!("damaged zip entry ({err})")))?;
    let name = entry.name().to_owned();
    let hidden = name
        .split('/')
        .any(|part| part.starts_with('.') || part == "__MACOSX");
    if entry.is_dir() || hidden {
        return Ok(None);
    }
    let max = max_entry_bytes(limits);
    let too_large = || {
        LoadError::Dicom(format!(
            "{name} inflates to more than {max} bytes, more than one image within the server's voxel limit"
        ))
    };
    // The declared size first (cheap), then what it really inflates to (it may lie).
    if entry.size() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    (&mut entry)
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| LoadError::Corrupt(format!("damaged zip entry {name} ({err})")))?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(Some(bytes))
}

/// Parses a DICOM object (with or without its 128-byte preamble), stopping before the pixel
/// data unless `with_pixels`. The parser is third-party code fed untrusted bytes: a panic in it
/// becomes an error here rather than a failed request thread.
fn parse(bytes: &[u8], with_pixels: bool) -> Result<DefaultDicomObject, String> {
    // Both the nesting check and the parser start at the `DICM` magic.
    let bytes = after_preamble(bytes);
    // The parser recurses once per nested sequence: bound the depth before it runs.
    check_nesting(bytes, !with_pixels)
        .map_err(|err| format!("not a readable DICOM file ({err})"))?;
    let result = std::panic::catch_unwind(|| {
        let options = OpenFileOptions::new().read_preamble(ReadPreamble::Never);
        let options = if with_pixels {
            options
        } else {
            options.read_until(tags::PIXEL_DATA)
        };
        options.from_reader(Cursor::new(bytes))
    });
    match result {
        Ok(Ok(object)) => Ok(object),
        Ok(Err(err)) => Err(format!("not a readable DICOM file ({err})")),
        Err(_) => Err("not a readable DICOM file (the parser failed)".to_owned()),
    }
}

/// The file from its `DICM` magic on: past the 128-byte preamble when there is one.
fn after_preamble(bytes: &[u8]) -> &[u8] {
    match bytes.get(128..132) {
        Some(b"DICM") => &bytes[128..],
        _ => bytes,
    }
}

fn has_dicom_magic(bytes: &[u8]) -> bool {
    after_preamble(bytes).starts_with(b"DICM")
}

fn image_info(object: &DefaultDicomObject) -> Result<ImageInfo, LoadError> {
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

/// A text attribute without its padding; empty if absent.
fn text(object: &DefaultDicomObject, tag: dicom_object::Tag) -> String {
    object
        .element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
        .unwrap_or_default()
}

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

fn pixel_bytes(object: &DefaultDicomObject) -> Result<Vec<u8>, LoadError> {
    let syntax = object
        .meta()
        .transfer_syntax()
        .trim_end_matches(['\0', ' ']);
    if !NATIVE_SYNTAXES.contains(&syntax) {
        // JPEG 2000, JPEG (baseline, extended, lossless), RLE, deflate: decoded by dicom-rs in
        // pure Rust to native little-endian samples of the declared width.
        // The decoders panic on some malformed streams (RLE data that is not RLE): a bad
        // upload must get a clear refusal, never a server error.
        let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            object.decode_pixel_data().map(|d| d.data().to_vec())
        }))
        .map_err(|_| {
            LoadError::Dicom(
                "cannot decode the compressed pixel data: it does not match its transfer syntax"
                    .to_owned(),
            )
        })?
        .map_err(|err| {
            LoadError::Dicom(format!("cannot decode the compressed pixel data ({err})"))
        })?;
        return Ok(decoded);
    }
    let element = object
        .element(tags::PIXEL_DATA)
        .map_err(|_err| LoadError::Dicom("the image has no pixel data".to_owned()))?;
    element
        .to_bytes()
        .map(|b| b.into_owned())
        .map_err(|err| LoadError::Dicom(format!("unreadable pixel data ({err})")))
}

/// Orders slices along the normal of their orientation, or by instance number without one.
fn sort_slices(slices: &mut [(usize, ImageInfo)]) {
    let normal = slices
        .first()
        .and_then(|(_, i)| i.orientation)
        .map(slice_normal);
    let key = |info: &ImageInfo| match (normal, info.position) {
        (Some(n), Some(p)) => p[0] * n[0] + p[1] * n[1] + p[2] * n[2],
        _ => info.instance as f64,
    };
    slices.sort_by(|a, b| {
        key(&a.1)
            .total_cmp(&key(&b.1))
            .then(a.1.instance.cmp(&b.1.instance))
    });
}

/// The two direction cosines, normalised, if they are finite, non-zero and far from parallel;
/// anything else would give a singular affine.
fn orthonormal_orientation(o: [f64; 6]) -> Option<[f64; 6]> {
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let (a, b) = (norm(&o[..3]), norm(&o[3..]));
    if !(a.is_finite() && b.is_finite() && a > 1e-6 && b > 1e-6) {
        return None;
    }
    let unit = [o[0] / a, o[1] / a, o[2] / a, o[3] / b, o[4] / b, o[5] / b];
    (norm(&slice_normal(unit)) > 0.5).then_some(unit)
}

fn slice_normal(o: [f64; 6]) -> [f64; 3] {
    [
        o[1] * o[5] - o[2] * o[4],
        o[2] * o[3] - o[0] * o[5],
        o[0] * o[4] - o[1] * o[3],
    ]
}

fn has_duplicate_positions(slices: &[(usize, ImageInfo)]) -> bool {
    slices
        .windows(2)
        .any(|pair| match (pair[0].1.position, pair[1].1.position) {
            (Some(a), Some(b)) => (0..3).map(|n| (a[n] - b[n]).abs()).sum::<f64>() < 1e-6,
            _ => false,
        })
}

/// The distance between consecutive slices: from their positions when known.
fn slice_spacing(infos: &[ImageInfo]) -> f64 {
    let (Some(first), Some(last)) = (infos.first(), infos.last()) else {
        return 1.0;
    };
    if let (Some(a), Some(b)) = (first.position, last.position)
        && infos.len() > 1
    {
        let d =
            ((0..3).map(|n| (b[n] - a[n]).powi(2)).sum::<f64>()).sqrt() / (infos.len() - 1) as f64;
        if d > 0.0 && d.is_finite() {
            return d;
        }
    }
    first.slice_spacing.unwrap_or(1.0)
}

fn check_limit(dims: [usize; 3], limits: LoadLimits) -> Result<(), LoadError> {
    let voxels = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .unwrap_or(u64::MAX);
    if voxels > limits.max_voxels {
        return Err(LoadError::TooManyVoxels {
            voxels,
            max: limits.max_voxels,
        });
    }
    Ok(())
}

/// Collects the slices' pixels into one vector of the stored type; with slices of different
/// rescale values, into f32 with each slice's rescale applied.
struct VoxelAssembler {
    bits: u16,
    signed: bool,
    per_slice_scaling: Option<Vec<(f64, f64)>>,
    slice_voxels: usize,
    out: Voxels,
    slice: usize,
}

impl VoxelAssembler {
    fn new(first: &ImageInfo, dims: [usize; 3], infos: &[ImageInfo]) -> Self {
        let uniform = infos
            .iter()
            .all(|i| (i.slope, i.intercept) == (first.slope, first.intercept));
        let n = dims[0] * dims[1] * dims[2];
        let out = if !uniform {
            Voxels::F32(Vec::with_capacity(n))
        } else {
            match (first.bits_allocated, first.signed) {
                (8, false) => Voxels::U8(Vec::with_capacity(n)),
                (8, true) => Voxels::I8(Vec::with_capacity(n)),
                (16, false) => Voxels::U16(Vec::with_capacity(n)),
                (16, true) => Voxels::I16(Vec::with_capacity(n)),
                (_, false) => Voxels::U32(Vec::with_capacity(n)),
                (_, true) => Voxels::I32(Vec::with_capacity(n)),
            }
        };
        Self {
            bits: first.bits_allocated,
            signed: first.signed,
            per_slice_scaling: (!uniform)
                .then(|| infos.iter().map(|i| (i.slope, i.intercept)).collect()),
            slice_voxels: dims[0] * dims[1],
            out,
            slice: 0,
        }
    }

    /// Appends `frames` slices of little-endian pixel data.
    fn push(&mut self, bytes: &[u8], frames: usize) -> Result<(), LoadError> {
        let width = usize::from(self.bits / 8);
        let need = self.slice_voxels * frames * width;
        let Some(bytes) = bytes.get(..need) else {
            return Err(LoadError::Truncated {
                expected: need as u64,
                actual: bytes.len() as u64,
            });
        };
        let raw = bytes
            .chunks_exact(width)
            .map(|b| match (width, self.signed) {
                (1, false) => f64::from(b[0]),
                (1, true) => f64::from(b[0] as i8),
                (2, false) => f64::from(u16::from_le_bytes([b[0], b[1]])),
                (2, true) => f64::from(i16::from_le_bytes([b[0], b[1]])),
                (_, false) => f64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                (_, true) => f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            });
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "values come from the stored type"
        )]
        match &mut self.out {
            Voxels::U8(v) => v.extend(raw.map(|x| x as u8)),
            Voxels::I8(v) => v.extend(raw.map(|x| x as i8)),
            Voxels::U16(v) => v.extend(raw.map(|x| x as u16)),
            Voxels::I16(v) => v.extend(raw.map(|x| x as i16)),
            Voxels::U32(v) => v.extend(raw.map(|x| x as u32)),
            Voxels::I32(v) => v.extend(raw.map(|x| x as i32)),
            Voxels::F32(v) => {
                let (slope, inter) = self
                    .per_slice_scaling
                    .as_ref()
                    .and_then(|s| s.get(self.slice))
                    .copied()
                    .unwrap_or((1.0, 0.0));
                v.extend(raw.map(|x| (x * slope + inter) as f32));
            }
            Voxels::F64(v) => v.extend(raw),
        }
        self.slice += frames;
        Ok(())
    }

    fn finish(self) -> Result<(Voxels, bool), LoadError> {
        Ok((self.out, self.per_slice_scaling.is_none()))
    }
}

/// Builds the volume and its NIfTI header (sform and qform, scanner space, RAS).
fn finish(
    (voxels, uniform): (Voxels, bool),
    first: &ImageInfo,
    dims: [usize; 3],
    slice_spacing: f64,
    first_position: Option<[f64; 3]>,
    last_position: Option<[f64; 3]>,
) -> Result<LoadedVolume, LoadError> {
    let scaling = if uniform {
        Scaling {
            slope: first.slope,
            inter: first.intercept,
        }
    } else {
        Scaling::IDENTITY
    };
    let volume =
        Volume::new(dims, voxels, scaling).map_err(|err| LoadError::Dicom(err.to_string()))?;
    let header = nifti_header(first, dims, slice_spacing, first_position, last_position);
    let data_range = volume.data_range();
    Ok(LoadedVolume {
        volume,
        header,
        data_range,
    })
}

/// The voxel-to-world affine in LPS, then flipped to RAS as NIfTI wants it.
fn nifti_header(
    first: &ImageInfo,
    dims: [usize; 3],
    slice_spacing: f64,
    first_position: Option<[f64; 3]>,
    last_position: Option<[f64; 3]>,
) -> NiftiHeader {
    let o = first.orientation.unwrap_or([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    let (row_dir, col_dir) = ([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
    let [between_rows, between_cols] = first.pixel_spacing;
    let origin = first_position.unwrap_or([0.0; 3]);
    let slice_step = match (first_position, last_position) {
        (Some(a), Some(b)) if dims[2] > 1 => {
            [0, 1, 2].map(|n| (b[n] - a[n]) / (dims[2] - 1) as f64)
        }
        _ => slice_normal(o).map(|n| n * slice_spacing),
    };
    let mut affine = Matrix4::<f64>::identity();
    for r in 0..3 {
        // LPS → RAS flips the first two world axes.
        let flip = if r < 2 { -1.0 } else { 1.0 };
        affine[(r, 0)] = flip * row_dir[r] * between_cols;
        affine[(r, 1)] = flip * col_dir[r] * between_rows;
        affine[(r, 2)] = flip * slice_step[r];
        affine[(r, 3)] = flip * origin[r];
    }
    let mut header = NiftiHeader {
        dim: [3, 1, 1, 1, 1, 1, 1, 1],
        xyzt_units: 2, // mm
        ..NiftiHeader::default()
    };
    for (n, &d) in dims.iter().enumerate() {
        header.dim[n + 1] = u16::try_from(d).unwrap_or(u16::MAX);
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "NIfTI stores spacing as f32"
    )]
    {
        header.pixdim = [
            1.0,
            between_cols as f32,
            between_rows as f32,
            slice_spacing as f32,
            1.0,
            0.0,
            0.0,
            0.0,
        ];
    }
    header.set_sform(&affine, XForm::ScannerAnat);
    header.set_qform(&affine, XForm::ScannerAnat);
    header
}
