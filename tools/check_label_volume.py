#!/usr/bin/env python3
"""Checks a downloaded label volume against its input with nibabel, as a user's tools would.

    python3 tools/check_label_volume.py INPUT.nii[.gz] LABELS.nii.gz
    python3 tools/check_label_volume.py EXPECTED.json LABELS.nii.gz   (a DICOM input's geometry)

Fails unless the labels are uint8 with the input's shape, affine, sform and qform (with their
codes) and zooms. Prints the label values present and each one's voxel count, as JSON.
"""
import json
import sys

import nibabel as nib
import numpy as np


def check_against_geometry(expected_path: str, labels) -> None:
    """For a DICOM input: the shape, affine and zooms it must have, from the fixture's JSON."""
    with open(expected_path) as f:
        want = json.load(f)
    assert list(labels.shape) == want["shape"], (labels.shape, want["shape"])
    assert np.allclose(labels.affine, np.array(want["affine"]), atol=1e-4), (labels.affine, want["affine"])
    assert np.allclose(labels.header.get_zooms()[:3], want["zooms"], atol=1e-5)
    for form in ("sform", "qform"):
        affine, code = getattr(labels, f"get_{form}")(coded=True)
        assert code == 1 and np.allclose(affine, np.array(want["affine"]), atol=1e-4), (form, code, affine)


def main() -> None:
    labels = nib.load(sys.argv[2])
    if sys.argv[1].endswith(".json"):
        assert labels.get_data_dtype() == np.uint8, labels.get_data_dtype()
        check_against_geometry(sys.argv[1], labels)
        data = np.asanyarray(labels.dataobj)
        values, counts = np.unique(data, return_counts=True)
        print(json.dumps({str(int(v)): int(c) for v, c in zip(values, counts)}))
        return
    source = nib.load(sys.argv[1])
    assert labels.get_data_dtype() == np.uint8, labels.get_data_dtype()
    assert labels.shape == source.shape[:3], (labels.shape, source.shape)
    assert np.allclose(labels.affine, source.affine, atol=1e-6), (labels.affine, source.affine)
    for form in ("sform", "qform"):
        got, got_code = getattr(labels, f"get_{form}")(coded=True)
        want, want_code = getattr(source, f"get_{form}")(coded=True)
        assert got_code == want_code, (form, got_code, want_code)
        if want is not None:
            assert np.allclose(got, want, atol=1e-6), (form, got, want)
    assert np.allclose(labels.header.get_zooms()[:3], source.header.get_zooms()[:3])
    data = np.asanyarray(labels.dataobj)
    values, counts = np.unique(data, return_counts=True)
    print(json.dumps({str(int(v)): int(c) for v, c in zip(values, counts)}))


if __name__ == "__main__":
    main()
