"""Writes the malformed-input corpus of assets/regressions/: inputs that once misbehaved and
the kinds an adversary tries. Every one must be refused with a 4xx and a detail, quickly, in
bounded memory, with the server still up (tests/tests/regression_corpus.rs).

- nested-sequences-2000.dcm: 2000 nested undefined-length sequences (SQ (0008,1140)). It once
  overflowed a server thread's stack and aborted the process; .zip: the same, zipped.
- nifti-truncated.nii, nifti-truncated.nii.gz: a valid header whose voxels stop short.
- nifti-bitflipped.nii.gz: a gzip stream with flipped bits in its deflate data.
- nifti-gzip-bomb.nii.gz: a header claiming 2048^3 int16 voxels over 64 MiB of zeros (65 KB).
- nifti-absurd-*.nii: negative, zero and 8-dimensional sizes, an unknown data type, a voxel
  offset far past the end. (A NaN or zero spacing is not here: like nibabel, the server takes
  such a file, and its engines use 1 mm.)
- zip-bomb.zip: one entry inflating to 256 MiB of zeros (260 KB on the wire).
- zip-slip.zip: entries named ../../outside.dcm and /etc/passwd.dcm.
- not-a-volume.nii.gz: a gzip of text.
Standard library only, so it runs anywhere: python3 tools/make_regression_inputs.py
"""
import gzip
import struct
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assets" / "regressions"


def element(tag, vr, value):
    if len(value) % 2:
        value += b"\0"
    group, elem = tag
    head = struct.pack("<HH", group, elem) + vr
    if vr == b"OB":
        return head + b"\0\0" + struct.pack("<I", len(value)) + value
    return head + struct.pack("<H", len(value)) + value


def nested_dicom(depth):
    meta = b"".join([
        element((2, 1), b"OB", b"\0\1"),
        element((2, 2), b"UI", b"1.2.840.10008.5.1.4.1.1.2"),
        element((2, 3), b"UI", b"1.2.3.4"),
        element((2, 0x10), b"UI", b"1.2.840.10008.1.2.1"),
        element((2, 0x12), b"UI", b"1.2.3.4.5"),
    ])
    out = b"\0" * 128 + b"DICM"
    out += struct.pack("<HH", 2, 0) + b"UL" + struct.pack("<HI", 4, len(meta)) + meta
    level = struct.pack("<HH", 0x0008, 0x1140) + b"SQ\0\0" + b"\xff\xff\xff\xff"
    level += struct.pack("<HH", 0xFFFE, 0xE000) + b"\xff\xff\xff\xff"
    return out + level * depth


def nifti(dims, datatype=4, bitpix=16, vox_offset=352.0, pixdim=(1.0, 1.0, 1.0), ndim=None):
    """A NIfTI-1 single-file header (352 bytes with its extension flag)."""
    dim = [ndim if ndim is not None else len(dims)] + list(dims) + [1] * (7 - len(dims))
    header = struct.pack("<i", 348)
    header += b"\0" * 36
    header += struct.pack("<8h", *dim)
    header += b"\0" * 14  # intent_p1..3, intent_code
    header += struct.pack("<hh", datatype, bitpix)
    header += struct.pack("<h", 0)  # slice_start
    header += struct.pack("<8f", 1.0, *pixdim, 1.0, 1.0, 1.0, 1.0)
    header += struct.pack("<f", vox_offset)
    header += struct.pack("<ff", 1.0, 0.0)  # scl_slope, scl_inter
    header += b"\0" * (344 - len(header))
    header += b"n+1\0"
    assert len(header) == 348, len(header)
    return header + b"\0\0\0\0"


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def stored_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # Noise-like voxels, so that the gzip stream is long enough to cut and damage.
    seed, voxels = 12345, bytearray()
    for _ in range(16 * 16 * 8 * 2):
        seed = (seed * 1103515245 + 12345) % (1 << 31)
        voxels.append(seed >> 23)
    volume = nifti((16, 16, 8)) + bytes(voxels)
    (OUT / "nifti-truncated.nii").write_bytes(volume[: len(volume) // 2])
    (OUT / "nifti-truncated.nii.gz").write_bytes(gz(volume)[: len(gz(volume)) // 2])
    flipped = bytearray(gz(volume))
    for at in range(20, len(flipped) - 8, 7):
        flipped[at] ^= 0x5A
    (OUT / "nifti-bitflipped.nii.gz").write_bytes(bytes(flipped))
    (OUT / "nifti-gzip-bomb.nii.gz").write_bytes(gz(nifti((2048, 2048, 2048)) + bytes(64 << 20)))
    absurd = {
        "negative-size": nifti((16, -16, 8)),
        "zero-size": nifti((16, 0, 8)),
        "eight-dimensions": nifti((2, 2, 2, 2, 2, 2, 2), ndim=8),
        "unknown-type": nifti((16, 16, 8), datatype=1234, bitpix=16),
        "offset-past-end": nifti((16, 16, 8), vox_offset=1e12),
    }
    for name, header in absurd.items():
        (OUT / f"nifti-absurd-{name}.nii").write_bytes(header + bytes(16 * 16 * 8 * 2))
    stored_zip(OUT / "zip-bomb.zip", [("series/IM0001.dcm", bytes(256 << 20))])
    stored_zip(OUT / "zip-slip.zip", [("../../outside.dcm", b"DICM" * 64), ("/etc/passwd.dcm", b"x" * 64)])
    (OUT / "not-a-volume.nii.gz").write_bytes(gz(b"this is not a volume\n" * 100))
    data = nested_dicom(2000)
    (OUT / "nested-sequences-2000.dcm").write_bytes(data)
    with zipfile.ZipFile(OUT / "nested-sequences-2000.zip", "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("series/IM0001.dcm", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)


if __name__ == "__main__":
    main()
