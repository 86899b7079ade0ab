#!/usr/bin/env python3
"""A client written for the original system, following its API (shared/API.md) with
`requests`: the flow its React front end and scripts ran. It must work against interseg
unchanged.

    python3 tools/legacy_client.py http://127.0.0.1:8000 volume.nii.gz

Exits non-zero with a message at the first answer that differs from the contract.
"""
import gzip
import sys

import requests


def check(cond, what):
    if not cond:
        sys.exit(f"legacy client: {what}")


def main() -> None:
    base, path = sys.argv[1].rstrip("/"), sys.argv[2]
    s = requests.Session()

    # The old front end created its session first and kept the id.
    r = s.post(f"{base}/api/session")
    check(r.status_code == 200, f"create session: {r.status_code}")
    sid = r.json()["session_id"]
    s.headers["X-Session-ID"] = sid

    with open(path, "rb") as f:
        r = s.post(f"{base}/api/upload", files={"file": (path.rsplit("/", 1)[-1], f, "application/octet-stream")})
    check(r.status_code == 200, f"upload: {r.status_code} {r.text}")
    up = r.json()
    check(up["session_id"] == sid and up["file_type"] == "nifti", f"upload answer {up}")
    shape = up["shape"]
    lo, hi = up["data_range"]
    check(len(shape) == 3 and lo <= hi, f"shape/data_range {up}")

    # Scroll the default view (axis 2) to the middle and click its centre.
    k = shape[2] // 2
    r = s.get(f"{base}/api/slice/2/{k}")
    check(r.status_code == 200, f"slice: {r.status_code}")
    sl = r.json()
    check(sl["axis"] == 2 and sl["slice_index"] == k and sl["max_slices"] == shape[2], f"slice meta {sl.keys()}")
    rows, cols = len(sl["slice_data"]), len(sl["slice_data"][0])
    check((rows, cols) == (shape[0], shape[1]), f"slice size {(rows, cols)} for shape {shape}")
    check(all(0 <= v <= 255 for row in sl["slice_data"] for v in row), "slice values out of 0..255")

    r = s.post(f"{base}/api/mark_point", json={"axis": 2, "slice_index": k, "point": {"x": cols // 2, "y": rows // 2}})
    check(r.status_code == 200 and r.json()["point_number"] == 1, f"mark_point: {r.text}")
    r = s.get(f"{base}/api/points")
    pts = r.json()
    check(pts["total_points"] == 1 and pts["points_3d"] == [{"z": rows // 2, "y": cols // 2, "x": k}], f"points {pts}")
    check(f"2_{k}" in pts["points_2d"], f"points_2d keys {list(pts['points_2d'])}")

    r = s.get(f"{base}/api/slice/2/{k}")
    check(r.json()["marked_points"][0]["point_number"] == 1, "marked point not on its slice")

    r = s.post(f"{base}/api/run_segmentation")
    check(r.status_code == 200, f"run_segmentation: {r.status_code} {r.text}")
    seg = r.json()
    check(seg["status"] == "success" and 1 in seg["unique_labels"], f"segmentation answer {seg}")

    r = s.get(f"{base}/api/download/segmentation")
    check(r.status_code == 200 and "attachment" in r.headers.get("content-disposition", ""), "download segmentation")
    raw = gzip.decompress(r.content)
    check(raw[344:347] == b"n+1", "downloaded segmentation is not NIfTI-1")
    r = s.get(f"{base}/api/download/labels")
    check(r.status_code == 200 and r.text.splitlines()[1] == "# ITK-SnAP Label Description File", "download labels")

    st = s.get(f"{base}/api/status").json()
    check(st["file_uploaded"] and st["segmentation_files_exist"] and st["total_points"] == 1, f"status {st}")
    check(st["current_axis"] == 2 and st["current_slice"] == k, f"status view {st}")
    tpl = s.get(f"{base}/api/color_template").json()
    check(len(tpl["color_template"]) == 34, "colour template")

    r = s.delete(f"{base}/api/remove_point/1")
    check(r.status_code == 200 and r.json()["total_points"] == 0, f"remove_point {r.text}")
    r = s.delete(f"{base}/api/points")
    check(r.status_code == 200, "clear points")
    r = s.get(f"{base}/api/sessions")
    check(r.status_code == 200 and len(r.json()["sessions"]) >= 1, "sessions")
    r = s.delete(f"{base}/api/session/{sid}")
    check(r.status_code == 200, f"delete session {r.status_code}")
    r = s.get(f"{base}/api/status")
    check(r.status_code == 404 and "detail" in r.json(), "deleted session still answers")

    # Without the header, a session is made on the fly (the original's compatibility rule).
    r = requests.get(f"{base}/api/status")
    check(r.status_code == 200 and r.headers.get("X-Session-ID") == r.json()["session_id"], "auto session")
    print("legacy client: all checks passed")


if __name__ == "__main__":
    main()
