#!/usr/bin/env python3
"""Checks a downloaded label volume against its input with nibabel, as a user's tools would.

    python3 tools/check_label_volume.py INPUT.nii[.gz] LABELS.nii.gz

Fails unless the labels are uint8 with the input's shape, affine, sform and qform (with their
codes) and zooms. Prints the label values present and each one's voxel count, as JSON.
"""
import json
import sys

import nibabel as nib
import numpy as np


def main() -> None:
    source, labels = nib.load(sys.argv[1]), nib.load(sys.argv[2])
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
