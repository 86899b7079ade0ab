#!/usr/bin/env python3
"""Writes the DICOM fixtures of assets/dicom/ with pydicom, and what the server must read.

- series.zip: a 6-slice oblique CT series (10 columns x 12 rows, int16, rescale intercept
  -1024), files named and numbered against their spatial order, plus a text file and a folder.
- multiframe.dcm: the same volume as one multi-frame file.
- refuse_compressed.zip: the series labelled with a compressed transfer syntax.
- refuse_no_images.zip: a zip with no DICOM in it.
expected.json: the volume in the server's index order (i = column, j = row, k = slice along
the normal), its data_range, normalised slices, and the RAS affine of the series.

    python3 tools/make_dicom_fixtures.py assets/dicom
"""
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

COLS, ROWS, SLICES = 10, 12, 6
BETWEEN_ROWS, BETWEEN_COLS, SLICE_STEP = 0.7, 0.6, 1.25
TILT = np.deg2rad(10.0)
ROW_DIR = np.array([1.0, 0.0, 0.0])  # along a row: increasing column index
COL_DIR = np.array([0.0, np.cos(TILT), -np.sin(TILT)])  # down a column: increasing row index
NORMAL = np.cross(ROW_DIR, COL_DIR)
ORIGIN = np.array([-30.0, 12.5, 80.0])
INTERCEPT = -1024.0


def raw_volume() -> np.ndarray:
    """Stored values indexed [k, row, col]."""
    rng = np.random.default_rng(7)
    vol = rng.integers(0, 400, size=(SLICES, ROWS, COLS)).astype(np.int16)
    vol[2:5, 4:9, 3:7] += 1500  # a bright block
    return vol


def base_dataset(series_uid, study_uid, frame_uid) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = CTImageStorage
    ds.Modality = "CT"
    ds.PatientName = "Phantom^Fixture"
    ds.PatientID = "0"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = frame_uid
    ds.Rows, ds.Columns = ROWS, COLS
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.RescaleSlope, ds.RescaleIntercept = 1, INTERCEPT
    ds.PixelSpacing = [BETWEEN_ROWS, BETWEEN_COLS]
    ds.SliceThickness = SLICE_STEP
    ds.ImageOrientationPatient = [float(x) for x in (*ROW_DIR, *COL_DIR)]
    return ds


def to_bytes(ds: Dataset, syntax=ExplicitVRLittleEndian) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = syntax
    ds.file_meta = meta
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def uid(name: str) -> str:
    """A UID derived from a name, so the fixtures come out the same on every run."""
    return generate_uid(entropy_srcs=["interseg fixture", name])


def series_files(vol: np.ndarray) -> list:
    uids = (uid("series"), uid("study"), uid("frame"))
    files = []
    for k in range(SLICES):
        ds = base_dataset(*uids)
        ds.SOPInstanceUID = uid(f"slice {k}")
        # Instance numbers run against the spatial order: sorting must use positions.
        ds.InstanceNumber = SLICES - k
        ds.ImagePositionPatient = [float(x) for x in ORIGIN + k * SLICE_STEP * NORMAL]
        ds.PixelData = vol[k].tobytes()
        files.append((f"IM{(k * 37) % 101:04d}", to_bytes(ds)))
    return files


def write_zip(path: Path, files, extra=True) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if extra:
            z.writestr("series/", b"")
            z.writestr("series/README.txt", b"not an image\n")
        for name, data in sorted(files, key=lambda f: f[0]):
            info = zipfile.ZipInfo(f"series/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def expected_for(vol: np.ndarray) -> dict:
    scaled = vol.astype(np.float64) + INTERCEPT
    ijk = np.transpose(scaled, (2, 1, 0))  # [col, row, k]
    slices = {}
    for axis in range(3):
        out = []
        for index in range(ijk.shape[axis]):
            s = np.take(ijk, index, axis=axis)
            lo, hi = s.min(), s.max()
            out.append((np.floor((s - lo) / (hi - lo) * 255).astype(int) if hi > lo else np.zeros(s.shape, int)).tolist())
        slices[str(axis)] = out
    lps = np.eye(4)
    lps[:3, 0] = ROW_DIR * BETWEEN_COLS
    lps[:3, 1] = COL_DIR * BETWEEN_ROWS
    lps[:3, 2] = NORMAL * SLICE_STEP
    lps[:3, 3] = ORIGIN
    ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
    return {
        "shape": list(ijk.shape),
        "data_range": [float(ijk.min()), float(ijk.max())],
        "slices": slices,
        "affine": ras.tolist(),
        "zooms": [BETWEEN_COLS, BETWEEN_ROWS, SLICE_STEP],
    }


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/dicom")
    out.mkdir(parents=True, exist_ok=True)
    vol = raw_volume()
    files = series_files(vol)
    write_zip(out / "series.zip", files)

    ds = base_dataset(uid("mf series"), uid("study"), uid("mf frame"))
    ds.SOPInstanceUID = uid("multiframe")
    ds.NumberOfFrames = SLICES
    ds.SpacingBetweenSlices = SLICE_STEP
    ds.ImagePositionPatient = [float(x) for x in ORIGIN]
    ds.PixelData = vol.tobytes()
    (out / "multiframe.dcm").write_bytes(to_bytes(ds))

    # Same length UID swap: explicit LE (…1.2.1) becomes RLE lossless (…1.2.5).
    compressed = [(n, d.replace(b"1.2.840.10008.1.2.1\x00", b"1.2.840.10008.1.2.5\x00")) for n, d in files]
    write_zip(out / "refuse_compressed.zip", compressed)
    with zipfile.ZipFile(out / "refuse_no_images.zip", "w") as z:
        z.writestr("notes.txt", b"no images here\n")

    expected = expected_for(vol)
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote the DICOM fixtures to {out}")


if __name__ == "__main__":
    main()
