"""A process's memory, read from ``/proc/<pid>/status`` (Linux)."""

from __future__ import annotations

from pathlib import Path

KIB = 1024
# Writing "5" to clear_refs resets the peak resident size (VmHWM) to the current one.
RESET_PEAK = "5"


def status_bytes(pid: int, field: str) -> int:
    """One ``kB`` field of ``/proc/<pid>/status`` (such as ``VmRSS``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0]) * KIB
    raise KeyError(f"/proc/{pid}/status has no {field} line.")


def resident_bytes(pid: int) -> int:
    """The memory the process holds now (VmRSS)."""
    return status_bytes(pid, "VmRSS")


def peak_bytes(pid: int) -> int:
    """The most memory the process has held since it started or its peak was reset (VmHWM)."""
    return status_bytes(pid, "VmHWM")


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current size; False where the kernel refuses."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text(RESET_PEAK)
    except OSError:
        return False
    return True
