"""A run's QC report: MultiQC's HTML page over every tool's output of the run.

MultiQC finds fastp's JSON reports, salmon's quantification folders, bowtie2's and samtools'
logs and MACS2's peak files under the run's scratch folder by itself; the page it writes
carries its scripts and styles inline, so Pluto serves it as one file, shown in a sandboxed
frame on the experiment page.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from pluto.server.pipelines.tools import ToolFailed, run_tool, tool_version

REPORT_NAME = "qc_report.html"
# The page is shown in a frame sandboxed without the page's origin, where reading web storage
# or cookies throws; MultiQC keeps its display settings there and stops at the first refusal.
# This keeps them in memory instead, for as long as the frame is open.
STORAGE_SHIM = """<script>(function () {
  try { window.localStorage.getItem("pluto"); return; } catch (refused) { /* sandboxed */ }
  function memory() {
    var held = {};
    var has = function (k) { return Object.prototype.hasOwnProperty.call(held, k); };
    return {
      getItem: function (k) { return has(k) ? held[k] : null; },
      setItem: function (k, v) { held[k] = String(v); },
      removeItem: function (k) { delete held[k]; },
      clear: function () { held = {}; },
      key: function (i) { return Object.keys(held)[i] || null; },
      get length() { return Object.keys(held).length; }
    };
  }
  Object.defineProperty(window, "localStorage", { value: memory(), configurable: true });
  Object.defineProperty(window, "sessionStorage", { value: memory(), configurable: true });
  var cookies = "";
  Object.defineProperty(document, "cookie", {
    get: function () { return cookies; },
    set: function (value) { cookies = String(value).split(";")[0]; },
    configurable: true
  });
})();</script>"""
HEAD = re.compile(rb"<head[^>]*>", re.IGNORECASE)


def multiqc_binary() -> str:
    """The ``multiqc`` installed with Pluto (beside its Python), else the one on ``PATH``."""
    beside = Path(sys.executable).parent / "multiqc"
    return str(beside) if beside.exists() else "multiqc"


def multiqc_version() -> str:
    """``"multiqc 1.35"``, for the methods text."""
    return tool_version(multiqc_binary()).replace(multiqc_binary(), "multiqc", 1)


def build_report(outputs: Path, title: str, log: Callable[[str], None]) -> Path:
    """MultiQC's report of every tool's output under ``outputs``: the HTML file's path."""
    report_folder = outputs / "multiqc"
    args: list[str | Path] = [multiqc_binary(), "--title", title, "--outdir", report_folder]
    # No version check and no AI toolbox: a report is made offline, and shows nothing that
    # calls out of the lab's network.
    args += ["--filename", REPORT_NAME, "--force", "--no-data-dir", "--no-ai"]
    args += ["--no-version-check", outputs]
    run_tool(args, "making the QC report", log, outputs)
    report = report_folder / REPORT_NAME
    if not report.exists():
        raise ToolFailed("MultiQC found no tool output to report on.", details={"tool": "multiqc"})
    add_storage_shim(report)
    return report


def add_storage_shim(report: Path) -> None:
    """Put :data:`STORAGE_SHIM` first in the page's head, before MultiQC's own scripts."""
    page = report.read_bytes()
    head = HEAD.search(page)
    at = head.end() if head else 0
    report.write_bytes(page[:at] + STORAGE_SHIM.encode() + page[at:])
