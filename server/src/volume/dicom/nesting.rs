//! A bound on how deeply a DICOM file nests its sequences, checked before the file is parsed.
//!
//! dicom-object builds nested sequences by recursion, one stack frame chain per level, so a
//! small file of a few thousand nested undefined-length sequences overflows a thread's stack
//! and aborts the whole process. Real files nest a handful of levels (structured reports a
//! few dozen at most). dicom-parser's token reader is iterative: walking its tokens first
//! measures the depth without recursion, with the same decoder the object parser then uses.

use dicom_encoding::Codec;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::FileMetaTable;
use dicom_parser::dataset::read::{DataSetReaderOptions, ValueReadStrategy};
use dicom_parser::dataset::{DataSetReader, DataToken};
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

/// Deeper nesting than this is refused. Far above real files, far below the stack's limit.
pub const MAX_SEQUENCE_DEPTH: usize = 64;

/// Why a file was refused before parsing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NestingError {
    #[error("its sequences nest more than {MAX_SEQUENCE_DEPTH} levels deep")]
    TooDeep,
    #[error("{0}")]
    Unreadable(String),
}

/// Checks the nesting of `bytes`, a DICOM file from its `DICM` magic on (no preamble).
/// `until_pixels` stops at the top-level pixel data, as a header-only parse does.
pub fn check_nesting(bytes: &[u8], until_pixels: bool) -> Result<(), NestingError> {
    let unreadable = |err: &dyn std::fmt::Display| NestingError::Unreadable(err.to_string());
    let mut source = bytes;
    let meta = FileMetaTable::from_reader(&mut source).map_err(|e| unreadable(&e))?;
    let uid = meta.transfer_syntax();
    let Some(syntax) = TransferSyntaxRegistry.get(uid) else {
        // The object parser refuses it with its own words; nothing recursive runs.
        return Ok(());
    };
    let options = DataSetReaderOptions::default().value_read(ValueReadStrategy::Raw);
    match syntax.codec() {
        Codec::Dataset(Some(adapter)) => {
            let reader = adapter.adapt_reader(Box::new(source));
            let tokens = DataSetReader::new_with_ts_options(reader, syntax, options)
                .map_err(|e| unreadable(&e))?;
            walk(tokens, until_pixels)
        }
        // Refused by the object parser before it builds anything.
        Codec::Dataset(None) => Ok(()),
        Codec::None | Codec::EncapsulatedPixelData(..) => {
            let tokens = DataSetReader::new_with_ts_options(source, syntax, options)
                .map_err(|e| unreadable(&e))?;
            walk(tokens, until_pixels)
        }
    }
}

fn walk<E: std::fmt::Display>(
    tokens: impl Iterator<Item = Result<DataToken, E>>,
    until_pixels: bool,
) -> Result<(), NestingError> {
    let mut depth = 0_usize;
    for token in tokens {
        // A broken stream is the object parser's to report; its depth so far was fine.
        let Ok(token) = token else {
            return Ok(());
        };
        match token {
            DataToken::SequenceStart { .. } | DataToken::PixelSequenceStart => {
                if until_pixels && depth == 0 && matches!(token, DataToken::PixelSequenceStart) {
                    return Ok(());
                }
                depth += 1;
                if depth > MAX_SEQUENCE_DEPTH {
                    return Err(NestingError::TooDeep);
                }
            }
            DataToken::SequenceEnd => depth = depth.saturating_sub(1),
            DataToken::ElementHeader(header)
                if until_pixels
                    && depth == 0
                    && header.tag == dicom_dictionary_std::tags::PIXEL_DATA =>
            {
                return Ok(());
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file meta group (explicit VR little endian) followed by `depth` nested
    /// undefined-length sequences, each holding one undefined-length item.
    pub(crate) fn nested_file(depth: usize) -> Vec<u8> {
        let mut meta_elements = Vec::new();
        let mut element = |tag: [u8; 4], vr: &[u8; 2], value: &[u8]| {
            let mut v = value.to_vec();
            if v.len() % 2 == 1 {
                v.push(0);
            }
            meta_elements.extend_from_slice(&tag);
            meta_elements.extend_from_slice(vr);
            if vr == b"OB" {
                meta_elements.extend_from_slice(&[0, 0]);
                meta_elements.extend_from_slice(&u32::try_from(v.len()).unwrap().to_le_bytes());
            } else {
                meta_elements.extend_from_slice(&u16::try_from(v.len()).unwrap().to_le_bytes());
            }
            meta_elements.extend_from_slice(&v);
        };
        element([2, 0, 1, 0], b"OB", &[0, 1]);
        element([2, 0, 2, 0], b"UI", b"1.2.840.10008.5.1.4.1.1.2");
        element([2, 0, 3, 0], b"UI", b"1.2.3.4");
        element([2, 0, 0x10, 0], b"UI", b"1.2.840.10008.1.2.1");
        element([2, 0, 0x12, 0], b"UI", b"1.2.3.4.5");
        let mut out = b"DICM".to_vec();
        out.extend_from_slice(&[2, 0, 0, 0, b'U', b'L', 4, 0]);
        out.extend_from_slice(&u32::try_from(meta_elements.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&meta_elements);
        for _ in 0..depth {
            // (0008,1140) SQ, undefined length; then an item of undefined length.
            out.extend_from_slice(&[
                0x08, 0, 0x40, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
            ]);
            out.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }
        out
    }

    #[test]
    fn shallow_nesting_passes_and_deep_nesting_is_refused() {
        assert_eq!(check_nesting(&nested_file(3), false), Ok(()));
        assert_eq!(
            check_nesting(&nested_file(MAX_SEQUENCE_DEPTH), true),
            Ok(())
        );
        assert_eq!(
            check_nesting(&nested_file(MAX_SEQUENCE_DEPTH + 1), false),
            Err(NestingError::TooDeep)
        );
        // The crash input's depth, checked on a thread with a small stack: no recursion here.
        let deep = nested_file(100_000);
        let answer = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || check_nesting(&deep, true))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(answer, Err(NestingError::TooDeep));
    }

    #[test]
    fn not_dicom_is_unreadable() {
        assert!(matches!(
            check_nesting(b"not dicom at all", false),
            Err(NestingError::Unreadable(_))
        ));
    }
}
