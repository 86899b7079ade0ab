//! The DICOM container: zip entries read within limits, files parsed with or without their
//! pixel data, pixel data decoded to native samples, text attributes.

use std::fs::File;
use std::io::{Cursor, Read};

use dicom_dictionary_std::tags;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, OpenFileOptions};
use dicom_pixeldata::PixelDecoder as _;

use super::super::loaded::{LoadError, LoadLimits};
use super::{NATIVE_SYNTAXES, check_nesting, max_entry_bytes};

pub(super) fn read_entry(
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
pub(super) fn parse(bytes: &[u8], with_pixels: bool) -> Result<DefaultDicomObject, String> {
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
pub(super) fn after_preamble(bytes: &[u8]) -> &[u8] {
    match bytes.get(128..132) {
        Some(b"DICM") => &bytes[128..],
        _ => bytes,
    }
}

pub(super) fn has_dicom_magic(bytes: &[u8]) -> bool {
    after_preamble(bytes).starts_with(b"DICM")
}

/// A text attribute without its padding; empty if absent.
pub(super) fn text(object: &DefaultDicomObject, tag: dicom_object::Tag) -> String {
    object
        .element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
        .unwrap_or_default()
}

pub(super) fn pixel_bytes(object: &DefaultDicomObject) -> Result<Vec<u8>, LoadError> {
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
