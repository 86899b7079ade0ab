#!/usr/bin/env python3
"""Reads a DICOM SEG with highdicom against its source series and prints what it found.

    python3 tools/check_dicom_seg.py SEG.dcm SERIES.zip

The series' images are put in slice order along their normal (as the server reads them);
highdicom gives each one's pixels by its SOP instance UID. Prints JSON: the segments (number,
label, description, algorithm type), the combined segment-number volume as nested lists
[slice][row][column], the referenced series UID and whether every frame refers to an image of
the series.
"""
import io
import json
import sys
import zipfile

import highdicom as hd
import numpy as np
import pydicom


def series_in_order(path):
    images = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith("/"):
                continue
            try:
                ds = pydicom.dcmread(io.BytesIO(z.read(name)), stop_before_pixels=True)
            except Exception:
                continue
            if "ImagePositionPatient" in ds:
                images.append(ds)
    o = np.asarray(images[0].ImageOrientationPatient, float)
    normal = np.cross(o[:3], o[3:])
    images.sort(key=lambda ds: float(np.dot(normal, np.asarray(ds.ImagePositionPatient, float))))
    return images


def main() -> None:
    seg = hd.seg.segread(sys.argv[1])
    images = series_in_order(sys.argv[2])
    uids = [ds.SOPInstanceUID for ds in images]
    pixels = seg.get_pixels_by_source_instance(
        source_sop_instance_uids=uids,
        combine_segments=True,
    )
    referenced = {
        item.ReferencedSOPInstanceUID
        for series in seg.ReferencedSeriesSequence
        for item in series.ReferencedInstanceSequence
    }
    print(json.dumps({
        "segments": [
            {
                "number": int(s.SegmentNumber),
                "label": str(s.SegmentLabel),
                "description": str(s.get("SegmentDescription", "")),
                "algorithm_type": str(s.SegmentAlgorithmType),
            }
            for s in seg.SegmentSequence
        ],
        "pixels": np.asarray(pixels).astype(int).tolist(),
        "referenced_series": [str(s.SeriesInstanceUID) for s in seg.ReferencedSeriesSequence],
        "series": str(images[0].SeriesInstanceUID),
        "all_referenced": referenced == set(uids),
        "study_matches": str(seg.StudyInstanceUID) == str(images[0].StudyInstanceUID),
    }))


if __name__ == "__main__":
    main()
