#!/usr/bin/env python3
"""Reads a binary STL with trimesh and prints what it found.

    python3 tools/check_stl.py MESH.stl

Prints JSON: whether the mesh is watertight (every edge shared by exactly two faces, consistently
wound), its enclosed volume in mm³, its bounding box [[min x, y, z], [max x, y, z]] and its
triangle count.
"""
import json
import sys

import trimesh


def main() -> None:
    mesh = trimesh.load(sys.argv[1], file_type="stl", process=True)
    print(json.dumps({
        "watertight": bool(mesh.is_watertight),
        "winding_consistent": bool(mesh.is_winding_consistent),
        "volume": float(mesh.volume),
        "bounds": mesh.bounds.tolist(),
        "triangles": int(len(mesh.faces)),
    }))


if __name__ == "__main__":
    main()
