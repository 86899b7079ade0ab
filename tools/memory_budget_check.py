#!/usr/bin/env python3
"""Fills a running server with sessions of one volume and reports its resident memory
against the volume bytes, then checks that every session still answers with its volume.

    python3 tools/memory_budget_check.py URL VOLUME.nii.gz SESSIONS SERVER_PID

Prints JSON: peak and final RSS (MiB), the server's loaded_volume_bytes gauge, and how many
sessions answered a slice afterwards.
"""
import json
import sys

import requests


def rss_mib(pid: str, field: str = "VmRSS") -> float:
    """Resident memory now, or (VmHWM) at its peak since the process started."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def loaded_bytes(url: str) -> int:
    text = requests.get(f"{url}/metrics", timeout=60).text
    for line in text.splitlines():
        if line.startswith("interseg_loaded_volume_bytes "):
            return int(float(line.split()[1]))
    raise RuntimeError("no loaded_volume_bytes")


def main() -> None:
    url, volume, count, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    with open(volume, "rb") as f:
        data = f.read()
    sessions = []
    for _ in range(count):
        sid = requests.post(f"{url}/api/session", timeout=60).json()["session_id"]
        r = requests.post(f"{url}/api/upload", headers={"X-Session-ID": sid},
                          files={"file": ("scan.nii.gz", data)}, timeout=600)
        r.raise_for_status()
        sessions.append(sid)
    answered = 0
    for sid in sessions:
        r = requests.get(f"{url}/api/slice/2/150", headers={"X-Session-ID": sid}, timeout=600)
        answered += r.status_code == 200
    print(json.dumps({
        "sessions": count,
        # The kernel's high-water mark: sampling between requests misses a decode's peak.
        "peak_rss_mib": round(rss_mib(pid, "VmHWM"), 1),
        "final_rss_mib": round(rss_mib(pid), 1),
        "loaded_volume_mib": round(loaded_bytes(url) / 2**20, 1),
        "answered": answered,
    }))


if __name__ == "__main__":
    main()
