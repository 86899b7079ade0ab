#!/usr/bin/env python3
"""Writes the NIfTI fixtures of assets/nibabel/ with nibabel, and what nibabel reads back.

For every datatype the server accepts, in both byte orders, scaled and unscaled, plain and
gzipped, it writes a small volume and records in expected.json what nibabel's get_fdata()
gives: the shape, data_range and every slice normalised as the API does. It also writes the
files the server must refuse. Run it from the repository root:

    python3 tools/make_nifti_fixtures.py assets/nibabel
"""
import gzip
import json
import struct
import sys
from pathlib import Path

import nibabel as nib
import numpy as np

SHAPE = (5, 6, 7)
DTYPES = ["uint8", "int8", "int16", "uint16", "int32", "uint32", "float32", "float64"]
# (slope, inter) written into the header after nibabel saved the raw values.
SCALINGS = {"raw": None, "scaled": (2.5, -10.0)}
AFFINE = np.array(
    [
        [-0.8, 0.1, 0.0, 40.5],
        [0.05, 0.9, -0.2, -30.25],
        [0.0, 0.15, 1.5, 12.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
)


def raw_values(dtype: str) -> np.ndarray:
    """A deterministic volume using much of the type's range, with a few extremes."""
    rng = np.random.default_rng(DTYPES.index(dtype))
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    if info is not None:
        lo, hi = max(info.min, -30000), min(info.max, 60000)
        data = rng.integers(lo, hi, size=SHAPE, endpoint=True).astype(dtype)
        data.flat[0] = info.min
        data.flat[-1] = info.max
    else:
        data = (rng.standard_normal(SHAPE) * 1000).astype(dtype)
    # One constant slice (normalises to all zeros).
    data[:, :, 3] = data.flat[1]
    return data


def patch_scaling(path: Path, endian: str, slope: float, inter: float) -> None:
    raw = bytearray(path.read_bytes())
    raw[112:120] = struct.pack(endian + "ff", slope, inter)
    path.write_bytes(bytes(raw))


def normalised_slices(data: np.ndarray) -> dict:
    out = {}
    for axis in range(3):
        slices = []
        for index in range(data.shape[axis]):
            s = np.take(data, index, axis=axis)
            lo, hi = np.nanmin(s), np.nanmax(s)
            if hi > lo:
                slices.append(np.floor((s - lo) / (hi - lo) * 255).astype(int).tolist())
            else:
                slices.append(np.zeros(s.shape, dtype=int).tolist())
        out[str(axis)] = slices
    return out


def describe(path: Path) -> dict:
    img = nib.load(str(path))
    data = img.get_fdata()
    data = data.reshape(data.shape[:3])
    return {
        "shape": list(data.shape[:3]),
        "data_range": [float(np.nanmin(data)), float(np.nanmax(data))],
        "slices": normalised_slices(data),
        "affine": img.affine.tolist(),
        "value_at_1_2_3": float(data[1, 2, 3]),
    }


def write_volume(out: Path, name: str, data: np.ndarray, endian: str, scaling, gz: bool) -> Path:
    header = nib.Nifti1Header(endianness=endian)
    img = nib.Nifti1Image(data, AFFINE, header=header)
    # A header passed in brings its own datatype: store the array's.
    img.set_data_dtype(data.dtype.newbyteorder("="))
    img.set_qform(AFFINE, code=1)
    img.set_sform(AFFINE, code=2)
    plain = out / f"{name}.nii"
    nib.save(img, str(plain))
    if scaling is not None:
        patch_scaling(plain, endian, *scaling)
    if not gz:
        return plain
    zipped = out / f"{name}.nii.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    plain.unlink()
    return zipped


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/nibabel")
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    for dtype in DTYPES:
        for endian, order in (("<", "le"), (">", "be")):
            for scale_name, scaling in SCALINGS.items():
                gz = order == "le"
                name = f"{dtype}_{order}_{scale_name}"
                data = raw_values(dtype).astype(np.dtype(dtype).newbyteorder(endian))
                path = write_volume(out, name, data, endian, scaling, gz)
                with open(path, "rb") as f:
                    head = f.read(2)
                expected[path.name] = {"dtype": dtype, "endian": order, **describe(path)}
                stored = nib.load(str(path))
                assert stored.get_data_dtype().newbyteorder("=") == np.dtype(dtype), (name, stored.get_data_dtype())
                assert stored.header.endianness == endian, name
                # nibabel moves the scaling from the loaded header to the data proxy.
                assert (stored.dataobj.slope, stored.dataobj.inter) == (scaling or (1.0, 0.0)), name
                assert (head == b"\x1f\x8b") == gz

    # A 4D image holding one volume is accepted; several volumes are refused.
    one = raw_values("int16")[..., np.newaxis]
    nib.save(nib.Nifti1Image(one, AFFINE), str(out / "int16_4d_single.nii.gz"))
    expected["int16_4d_single.nii.gz"] = {"dtype": "int16", "endian": "le", **describe(out / "int16_4d_single.nii.gz")}
    several = np.stack([raw_values("int16")] * 3, axis=-1)
    nib.save(nib.Nifti1Image(several, AFFINE), str(out / "refuse_4d_three_volumes.nii.gz"))

    # scl_slope 0 means "no scaling" to nibabel.
    path = write_volume(out, "int16_le_slope0", raw_values("int16"), "<", (0.0, 55.0), True)
    expected[path.name] = {"dtype": "int16", "endian": "le", **describe(path)}

    # Files to refuse.
    nib.save(nib.Nifti2Image(raw_values("int16"), AFFINE), str(out / "refuse_nifti2.nii"))
    nib.save(nib.Nifti1Image(raw_values("int16").astype(np.complex64), AFFINE), str(out / "refuse_complex64.nii"))
    good = (out / "int16_be_raw.nii").read_bytes()
    (out / "refuse_truncated.nii").write_bytes(good[: len(good) - 100])
    (out / "refuse_truncated.nii.gz").write_bytes(gzip.compress(good, mtime=0)[:-40])
    huge = bytearray(good)
    huge[42:48] = struct.pack(">hhh", 32000, 32000, 32000)  # dim[1..3]: far more voxels than the file holds
    (out / "refuse_claims_huge.nii").write_bytes(bytes(huge))
    more = bytearray(good)
    more[42:48] = struct.pack(">hhh", 200, 200, 200)  # under the voxel limit, beyond the file
    (out / "refuse_claims_more.nii").write_bytes(bytes(more))
    (out / "refuse_claims_more.nii.gz").write_bytes(gzip.compress(bytes(more), mtime=0))
    (out / "refuse_not_nifti.nii").write_bytes(b"this is not a nifti file at all\n" * 20)
    (out / "refuse_short.nii.gz").write_bytes(gzip.compress(b"tiny", mtime=0))

    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(expected)} readable fixtures and the refusals to {out}")


if __name__ == "__main__":
    main()
