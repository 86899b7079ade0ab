//! NIfTI-1 (`.nii`, `.nii.gz`, either byte order) into a [`Volume`] at its stored width.
//!
//! The header is parsed by the `nifti` crate; the voxels are read here, chunk by chunk and
//! straight into a vector of the stored type, so a volume is never held twice and a header
//! that claims more data than the file holds fails before a large allocation.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use interseg_shared::volume::{Scaling, Volume, Voxels, voxel_count};
use interseg_shared::voxel_type::VoxelType;
use nifti::{Endianness, NiftiHeader};

use super::loaded::{LoadError, LoadLimits, LoadedVolume};

pub mod geometry;

const NIFTI1_HEADER_BYTES: usize = 348;
const NIFTI2_HEADER_BYTES: i32 = 540;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Voxel data is read and converted this many bytes at a time.
const CHUNK_BYTES: usize = 1 << 20;
/// Without a trustworthy size, the voxel vector grows from this many elements at most.
const UNTRUSTED_RESERVE: usize = 1 << 22;

/// The stored voxel type of a NIfTI datatype code, if we accept it.
fn voxel_type_of(code: i16) -> Option<VoxelType> {
    Some(match code {
        2 => VoxelType::U8,
        256 => VoxelType::I8,
        4 => VoxelType::I16,
        512 => VoxelType::U16,
        8 => VoxelType::I32,
        768 => VoxelType::U32,
        16 => VoxelType::F32,
        64 => VoxelType::F64,
        _ => return None,
    })
}

/// Reads a NIfTI-1 file, gzipped or not.
pub fn load_nifti(path: &Path, limits: LoadLimits) -> Result<LoadedVolume, LoadError> {
    let mut file = File::open(path).map_err(LoadError::Io)?;
    let file_len = file.metadata().map_err(LoadError::Io)?.len();
    let mut magic = [0u8; 2];
    let is_gzip = file.read_exact(&mut magic).is_ok() && magic == GZIP_MAGIC;
    file.seek(SeekFrom::Start(0)).map_err(LoadError::Io)?;
    if is_gzip {
        let size_hint = gzip_size_hint(&mut file, file_len)?;
        let reader = BufReader::with_capacity(CHUNK_BYTES, MultiGzDecoder::new(file));
        read_nifti(reader, limits, size_hint, true)
    } else {
        let reader = BufReader::with_capacity(CHUNK_BYTES, file);
        read_nifti(reader, limits, Some(file_len), false)
    }
}

/// The uncompressed size from a gzip trailer (ISIZE, modulo 2^32): a hint, never trusted alone.
fn gzip_size_hint(file: &mut File, file_len: u64) -> Result<Option<u64>, LoadError> {
    if file_len < 18 {
        return Ok(None);
    }
    let mut trailer = [0u8; 4];
    file.seek(SeekFrom::End(-4)).map_err(LoadError::Io)?;
    file.read_exact(&mut trailer).map_err(LoadError::Io)?;
    file.seek(SeekFrom::Start(0)).map_err(LoadError::Io)?;
    Ok(Some(u64::from(u32::from_le_bytes(trailer))))
}

/// Maps a read error: a short or undecodable stream is the file's fault.
fn read_error(err: io::Error, compressed: bool) -> LoadError {
    match err.kind() {
        io::ErrorKind::UnexpectedEof if compressed => {
            LoadError::Corrupt("the gzip stream ends early (truncated file)".to_owned())
        }
        io::ErrorKind::UnexpectedEof => {
            LoadError::NotNifti("the file is shorter than a NIfTI header")
        }
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData if compressed => {
            LoadError::Corrupt(format!("the gzip stream is damaged ({err})"))
        }
        _ => LoadError::Io(err),
    }
}

/// Reads and checks the NIfTI-1 header.
fn read_header<R: Read>(reader: &mut R, compressed: bool) -> Result<NiftiHeader, LoadError> {
    let mut raw_header = [0u8; NIFTI1_HEADER_BYTES];
    let got = read_fully(reader, &mut raw_header).map_err(|err| read_error(err, compressed))?;
    if got < NIFTI1_HEADER_BYTES {
        return Err(LoadError::NotNifti(
            "the file is shorter than a NIfTI header",
        ));
    }
    let sizeof_hdr = [raw_header[0], raw_header[1], raw_header[2], raw_header[3]];
    let (le, be) = (
        i32::from_le_bytes(sizeof_hdr),
        i32::from_be_bytes(sizeof_hdr),
    );
    if le == NIFTI2_HEADER_BYTES || be == NIFTI2_HEADER_BYTES {
        return Err(LoadError::Nifti2);
    }
    if le != 348 && be != 348 {
        return Err(LoadError::NotNifti("the header size field is not 348"));
    }
    let header = NiftiHeader::from_reader(&raw_header[..])
        .map_err(|_err| LoadError::NotNifti("the header's magic is not \"n+1\""))?;
    if &header.magic == b"ni1\0" {
        return Err(LoadError::SplitFile);
    }
    Ok(header)
}

/// Whether the file's size (exact for a plain file, gzip's ISIZE otherwise) vouches for the
/// data, so all of it may be reserved at once; a plain file too short for it is refused.
fn size_vouches(
    size_hint: Option<u64>,
    compressed: bool,
    data_offset: u64,
    data_bytes: u64,
) -> Result<bool, LoadError> {
    Ok(match size_hint {
        // A plain file's size is exact: refuse a short one before allocating.
        Some(len) if !compressed => {
            let actual = len.saturating_sub(data_offset);
            if actual < data_bytes {
                return Err(LoadError::Truncated {
                    expected: data_bytes,
                    actual,
                });
            }
            true
        }
        // ISIZE is modulo 2^32, so it only vouches for smaller files.
        Some(isize) => data_offset + data_bytes < (1 << 32) && isize >= data_offset + data_bytes,
        None => false,
    })
}

fn read_nifti<R: Read>(
    mut reader: R,
    limits: LoadLimits,
    size_hint: Option<u64>,
    compressed: bool,
) -> Result<LoadedVolume, LoadError> {
    let header = read_header(&mut reader, compressed)?;
    let dims = volume_dims(&header)?;
    let stored =
        voxel_type_of(header.datatype).ok_or(LoadError::UnsupportedDatatype(header.datatype))?;
    let scaling = scaling_of(&header)?;

    let voxels =
        voxel_count(dims).ok_or_else(|| LoadError::InvalidDims(format!("{dims:?} overflows")))?;
    let voxels_u64 = voxels as u64;
    if voxels_u64 > limits.max_voxels {
        return Err(LoadError::TooManyVoxels {
            voxels: voxels_u64,
            max: limits.max_voxels,
        });
    }
    let data_offset = data_offset(&header)?;
    let data_bytes = voxels_u64 * stored.width() as u64;
    let trusted = size_vouches(size_hint, compressed, data_offset, data_bytes)?;

    skip_bytes(
        &mut reader,
        data_offset - NIFTI1_HEADER_BYTES as u64,
        compressed,
    )?;
    let reserve = if trusted {
        voxels
    } else {
        voxels.min(UNTRUSTED_RESERVE)
    };
    let mut data = DataReader {
        reader,
        endianness: header.endianness,
        expected_bytes: data_bytes,
        compressed,
    };
    let voxels = match stored {
        VoxelType::U8 => Voxels::U8(data.read_all(voxels, reserve, |b: &[u8; 1]| b[0])?),
        VoxelType::I8 => {
            Voxels::I8(data.read_all(voxels, reserve, |b: &[u8; 1]| i8::from_le_bytes(*b))?)
        }
        VoxelType::I16 => {
            Voxels::I16(data.read_all(voxels, reserve, |b: &[u8; 2]| i16::from_le_bytes(*b))?)
        }
        VoxelType::U16 => {
            Voxels::U16(data.read_all(voxels, reserve, |b: &[u8; 2]| u16::from_le_bytes(*b))?)
        }
        VoxelType::I32 => {
            Voxels::I32(data.read_all(voxels, reserve, |b: &[u8; 4]| i32::from_le_bytes(*b))?)
        }
        VoxelType::U32 => {
            Voxels::U32(data.read_all(voxels, reserve, |b: &[u8; 4]| u32::from_le_bytes(*b))?)
        }
        VoxelType::F32 => {
            Voxels::F32(data.read_all(voxels, reserve, |b: &[u8; 4]| f32::from_le_bytes(*b))?)
        }
        VoxelType::F64 => {
            Voxels::F64(data.read_all(voxels, reserve, |b: &[u8; 8]| f64::from_le_bytes(*b))?)
        }
    };
    let volume =
        Volume::new(dims, voxels, scaling).map_err(|err| LoadError::Corrupt(err.to_string()))?;
    let data_range = volume.data_range();
    Ok(LoadedVolume {
        volume,
        header,
        data_range,
    })
}

/// (I, J, K) from the header; a 4th and higher dimension must be 1.
fn volume_dims(header: &NiftiHeader) -> Result<[usize; 3], LoadError> {
    let ndim = usize::from(header.dim[0]);
    if !(1..=7).contains(&ndim) {
        return Err(LoadError::InvalidDims(format!(
            "dim[0] is {}",
            header.dim[0]
        )));
    }
    let mut dims = [1usize; 7];
    for (axis, slot) in dims.iter_mut().enumerate().take(ndim) {
        // dim is a signed 16-bit field; anything past i16::MAX was negative in the file.
        let d = header.dim[axis + 1];
        if d == 0 || d > 0x7fff {
            return Err(LoadError::InvalidDims(format!(
                "dimension {} is {}",
                axis + 1,
                i32::from(d as i16)
            )));
        }
        *slot = usize::from(d);
    }
    let extra: u64 = dims[3..].iter().map(|&d| d as u64).product();
    if extra > 1 {
        return Err(LoadError::MultiVolume(extra));
    }
    Ok([dims[0], dims[1], dims[2]])
}

/// The scaling nibabel applies: none when `scl_slope` is 0 or not finite.
fn scaling_of(header: &NiftiHeader) -> Result<Scaling, LoadError> {
    let slope = header.scl_slope;
    if slope == 0.0 || !slope.is_finite() {
        return Ok(Scaling::IDENTITY);
    }
    if !header.scl_inter.is_finite() {
        return Err(LoadError::InvalidIntercept(header.scl_inter));
    }
    Ok(Scaling {
        slope: f64::from(slope),
        inter: f64::from(header.scl_inter),
    })
}

/// Where the voxels start: `vox_offset`, but never inside the header and its extension flag.
fn data_offset(header: &NiftiHeader) -> Result<u64, LoadError> {
    let offset = header.vox_offset;
    if !(0.0..=1.0e9).contains(&offset) || offset.fract() != 0.0 {
        return Err(LoadError::Corrupt(format!("vox_offset is {offset}")));
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above"
    )]
    let offset = offset as u64;
    // nibabel reads a single-file image from at least byte 352.
    Ok(offset.max(352))
}

fn skip_bytes<R: Read>(reader: &mut R, n: u64, compressed: bool) -> Result<(), LoadError> {
    let copied = io::copy(&mut reader.take(n), &mut io::sink())
        .map_err(|err| read_error(err, compressed))?;
    if copied < n {
        return Err(LoadError::Truncated {
            expected: n,
            actual: copied,
        });
    }
    Ok(())
}

/// Reads the voxel block, converting each element from the file's byte order.
struct DataReader<R> {
    reader: R,
    endianness: Endianness,
    expected_bytes: u64,
    compressed: bool,
}

impl<R: Read> DataReader<R> {
    /// `decode_le` turns `size_of::<T>()` little-endian bytes into a `T`.
    fn read_all<T, const N: usize>(
        &mut self,
        count: usize,
        reserve: usize,
        decode_le: impl Fn(&[u8; N]) -> T,
    ) -> Result<Vec<T>, LoadError> {
        let mut out = Vec::with_capacity(reserve);
        let mut chunk = vec![0u8; CHUNK_BYTES - CHUNK_BYTES % N];
        let swap = self.endianness == Endianness::Big;
        let mut done_bytes = 0u64;
        while out.len() < count {
            let want = ((count - out.len()) * N).min(chunk.len());
            let buf = &mut chunk[..want];
            let got = read_fully(&mut self.reader, buf)
                .map_err(|err| read_error(err, self.compressed))?;
            done_bytes += got as u64;
            if got < want {
                return Err(LoadError::Truncated {
                    expected: self.expected_bytes,
                    actual: done_bytes,
                });
            }
            out.extend(buf.chunks_exact(N).map(|bytes| {
                let mut b = [0u8; N];
                b.copy_from_slice(bytes);
                if swap {
                    b.reverse();
                }
                decode_le(&b)
            }));
        }
        Ok(out)
    }
}

/// Like `read_exact`, but reports how much was read when the stream ends early.
fn read_fully<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}
