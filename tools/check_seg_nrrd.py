#!/usr/bin/env python3
"""Reads a .seg.nrrd with slicerio (3D Slicer's own reader for it) and prints what it found.

    python3 tools/check_seg_nrrd.py SEGMENTATION.seg.nrrd

Prints JSON: the segments (name, label value, layer, colour), the voxel count of each label
value, the shape, the IJK-to-LPS matrix, and every voxel's label value, i fastest.
"""
import json
import sys

import numpy as np
import slicerio


def main() -> None:
    seg = slicerio.read_segmentation(sys.argv[1])
    voxels = np.asarray(seg["voxels"])
    values, counts = np.unique(voxels, return_counts=True)
    print(json.dumps({
        "segments": [
            {
                "name": s["name"],
                "label_value": int(s["labelValue"]),
                "layer": int(s["layer"]),
                "color": [float(c) for c in s["color"]],
            }
            for s in seg["segments"]
        ],
        "counts": {str(int(v)): int(c) for v, c in zip(values, counts) if v != 0},
        "shape": list(voxels.shape),
        "ijk_to_lps": np.asarray(seg["ijkToLPS"]).tolist(),
        "voxels": voxels.flatten(order="F").astype(int).tolist(),
    }))


if __name__ == "__main__":
    main()
