"""Running Debian's ``wrk`` (a compiled load generator, so the client does not eat the
server's CPU) and reading its figures: requests per second, latency percentiles, errors.

wrk prints p50/p75/p90/p99 only; a small Lua ``done`` hook writes the percentiles we want
(p50, p95, p99) and the error counts as one JSON line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INSTALL_WRK = Path(__file__).resolve().parent.parent / "scripts" / "install-wrk"
REPORT_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'PLUTO-WRK {"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
MARK = "PLUTO-WRK "
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured: throughput, latency percentiles in seconds, failures."""

    connections: int
    requests: int
    seconds: float
    errors: int
    non_2xx: int
    p50: float
    p95: float
    p99: float

    @property
    def per_second(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds

    @property
    def failures(self) -> int:
        """Socket errors, timeouts and answers other than 2xx or 3xx."""
        return self.errors + self.non_2xx


def wrk_binary() -> str:
    """The path of ``wrk``, installed from Debian's package when missing."""
    found = shutil.which("wrk")
    if found is None:
        subprocess.run([str(INSTALL_WRK)], check=True)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError(f"wrk is not installed; run {INSTALL_WRK} as root.")
    return found


def parse(output: str, connections: int) -> LoadResult:
    """The figures of the report line the Lua hook wrote."""
    line = next((ln for ln in output.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report:\n{output}")
    data = json.loads(line[len(MARK) :])
    micro = 1e-6
    return LoadResult(
        connections,
        int(data["requests"]),
        float(data["seconds"]),
        int(data["errors"]),
        int(data["non2xx"]),
        *(data[p] * micro for p in ("p50", "p95", "p99")),
    )


def run_wrk(url: str, token: str, connections: int, seconds: int, workdir: Path) -> LoadResult:
    """Load ``url`` with ``connections`` keep-alive connections for ``seconds`` (wrk takes
    whole seconds only)."""
    script = workdir / "pluto-report.lua"
    script.write_text(REPORT_SCRIPT)
    threads = 1 if connections == 1 else 2
    command = [
        *(wrk_binary(), "--threads", str(threads), "--connections", str(connections)),
        *("--duration", f"{seconds}s", "--timeout", f"{TIMEOUT_SECONDS}s"),
        *("--script", str(script), "--header", f"Authorization: Token {token}", url),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return parse(done.stdout, connections)
