"""Building result rows: units, ratios and the targets they are held against."""

from __future__ import annotations

from bench.harness import Row, Target

MB = 1024 * 1024


def ms(seconds: float) -> str:
    """A duration in milliseconds (in seconds from one second up)."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def megabytes(size: float) -> str:
    """A size in bytes as mebibytes (one decimal below 100 MB)."""
    amount = size / MB
    return f"{amount:,.1f} MB" if amount < 100 else f"{amount:,.0f} MB"


def slower_row(
    figure: str, seconds: float, against: str, against_seconds: float, target: Target | None = None
) -> Row:
    """``figure`` against a baseline, as ``figure / baseline`` (``2.0x`` takes twice as long)."""
    ratio = seconds / against_seconds
    return Row(
        figure,
        ms(seconds),
        f"{against}: {ms(against_seconds)}",
        f"{ratio:.2f}x",
        target,
        ratio if target else None,
    )


def faster_row(
    figure: str, seconds: float, against: str, against_seconds: float, target: Target | None = None
) -> Row:
    """``figure`` against a slower baseline, as ``baseline / figure`` (``10x faster``)."""
    speedup = against_seconds / seconds
    return Row(
        figure,
        ms(seconds),
        f"{against}: {ms(against_seconds)}",
        f"{speedup:.1f}x faster",
        target,
        speedup if target else None,
    )


def time_row(
    figure: str, seconds: float, against: str, against_seconds: float, target: Target
) -> Row:
    """A duration with an absolute target, shown beside a baseline for scale."""
    return Row(
        figure,
        ms(seconds),
        f"{against}: {ms(against_seconds)}",
        f"{seconds / against_seconds:.2f}x",
        target,
        seconds * 1000,
    )


def memory_row(
    figure: str, size: float, comparison: str = "", ratio: str = "", target: Target | None = None
) -> Row:
    """A memory figure in MB, held against a target in MB when there is one."""
    return Row(figure, megabytes(size), comparison, ratio, target, size / MB if target else None)


def info_row(figure: str, value: str, comparison: str = "") -> Row:
    """A figure that gives context and has no target."""
    return Row(figure, value, comparison)
