"""The pieces every benchmark shares: targets, result rows, the registry and the run context.

A benchmark is a function from a :class:`Context` to a list of :class:`Row`; each row is a
figure printed beside the comparison it is measured against, with the ratio of the two
(both measured in the same run, so the machine's noise affects them alike) and, when the
figure has one, its target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.server import RunningServer

# A figure "clearly" misses only beyond this factor past its target: shared machines are
# noisy, and ``--check`` should catch regressions, not jitter.
CLEAR_MISS_FACTOR = 1.25


@dataclass(frozen=True)
class Target:
    """A bound for a figure: at most (or at least) ``bound``, in ``unit``."""

    bound: float
    unit: str
    at_most: bool = True

    def label(self) -> str:
        """The target as printed, such as ``<= 3x`` or ``< 150 ms``."""
        sign = "<=" if self.at_most else ">="
        return f"{sign} {self.bound:g}{self.unit}"

    def met(self, value: float) -> bool:
        """Whether ``value`` respects the bound."""
        return value <= self.bound if self.at_most else value >= self.bound

    def clearly_missed(self, value: float) -> bool:
        """Whether ``value`` misses the bound by more than the noise allowance."""
        if self.at_most:
            return value > self.bound * CLEAR_MISS_FACTOR
        return value < self.bound / CLEAR_MISS_FACTOR


@dataclass(frozen=True)
class Row:
    """One printed figure: its value, what it is compared with, the ratio and the target."""

    figure: str
    value: str
    comparison: str = ""
    ratio: str = ""
    target: Target | None = None
    checked: float | None = None  # the number held against the target

    def status(self) -> str:
        """``met``, ``missed`` or empty when the figure has no target."""
        if self.target is None or self.checked is None:
            return ""
        return "met" if self.target.met(self.checked) else "missed"

    def clearly_missed(self) -> bool:
        """Whether this row's target is missed beyond the noise allowance."""
        if self.target is None or self.checked is None:
            return False
        return self.target.clearly_missed(self.checked)


@dataclass(frozen=True)
class Context:
    """What a benchmark runs against: the shared server, the size mode and a scratch folder."""

    server: RunningServer
    quick: bool
    workdir: Path


BenchmarkFunction = Callable[[Context], list[Row]]


@dataclass(frozen=True)
class Benchmark:
    """A registered benchmark: its name on the command line, its title and its function."""

    name: str
    title: str
    run: BenchmarkFunction


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, title: str) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
    """Register the decorated function as the benchmark ``name``."""

    def register(function: BenchmarkFunction) -> BenchmarkFunction:
        REGISTRY[name] = Benchmark(name, title, function)
        return function

    return register
