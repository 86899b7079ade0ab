"""Writes the crash inputs of assets/regressions/ that are easier to make than to keep by hand.

nested-sequences-2000.dcm: a 41 KB DICOM file of 2000 nested undefined-length sequences
(SQ (0008,1140), each holding one undefined-length item). It once overflowed a server thread's
stack and aborted the process. nested-sequences-2000.zip: the same file zipped (336 bytes).
Standard library only, so it runs anywhere: python3 tools/make_regression_inputs.py
"""
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


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    data = nested_dicom(2000)
    (OUT / "nested-sequences-2000.dcm").write_bytes(data)
    with zipfile.ZipFile(OUT / "nested-sequences-2000.zip", "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("series/IM0001.dcm", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)


if __name__ == "__main__":
    main()
