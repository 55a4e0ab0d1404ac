"""Issue 5: the whole demo assay table read five ways in one run, with each way's memory.

``pluto.read`` (Arrow pages), ``pluto.read`` forced to JSON pages, the PyPI ``plutobio``
client, the help page's plain ``requests`` loop over JSON pages, and ``pandas.read_parquet``
of the table's Parquet file (fetched once through ``download/?format=parquet``: the local
limit). Every way must give the same DataFrame; that is checked before anything is timed.
Times are medians of rounds in turns in this process; memory is read in a new process per
way (``python -m bench.read_ways``), after its imports and at its peak.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import partial
from pathlib import Path

import pandas as pd
import requests

from bench.harness import Context, Row, Target, benchmark
from bench.read_ways import WAYS, Source, command
from bench.rows import MB, faster_row, info_row, megabytes, memory_row, slower_row
from bench.server import RunningServer
from bench.tables import DEMO_EXPERIMENT, checked, table_url
from bench.timing import interleaved_medians

REPO = Path(__file__).resolve().parents[1]
CLIENT_WAYS = ("sdk_arrow", "sdk_json", "plutobio")
FASTER_THAN_LOOP = Target(3, "x faster", at_most=False)
NEAR_LOCAL = Target(5, "x")
Memory = dict[str, dict[str, int]]


def fetch_parquet(server: RunningServer, path: Path) -> Path:
    """The table's Parquet file through its signed download URL, saved to ``path``."""
    url = f"{table_url(server, DEMO_EXPERIMENT)}download/"
    answer = checked(server.session().get(url, params={"format": "parquet"})).json()
    path.write_bytes(checked(requests.get(answer["url"])).content)
    return path


def check_same_frames(source: Source) -> pd.DataFrame:
    """Fail unless every way reads the same table as the local file; that table."""
    local = WAYS["local"].read(source)
    for name, way in WAYS.items():
        frame = way.read(source).reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(frame, local, check_dtype=False)
        except AssertionError as difference:
            raise RuntimeError(f"{way.label} ({name}) read a different table.") from difference
    return local


def memory_of_ways(source: Source, rows: int) -> Memory:
    """Each way's memory, measured in its own process (all started at once), each of which
    must have read all ``rows`` rows."""
    env = {**os.environ, "PLUTO_API_TOKEN": source.token}
    started = {
        name: subprocess.Popen(
            command(name, source), cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
        )
        for name in WAYS
    }
    measured: Memory = {}
    for name, process in started.items():
        output, _ = process.communicate(timeout=300)
        if process.returncode != 0:
            raise RuntimeError(f"Measuring the memory of {name} failed ({process.returncode}).")
        measured[name] = json.loads(output.strip().splitlines()[-1])
        if measured[name]["rows"] != rows:
            raise RuntimeError(f"{name} read {measured[name]['rows']} rows, not {rows}.")
    return measured


@benchmark("sdk_reads", "the whole demo assay table read five ways (issue 5)")
def sdk_reads(context: Context) -> list[Row]:
    """Time the five ways in turns, and read each one's memory in a process of its own."""
    server = context.server
    scratch = context.workdir / "reads"
    scratch.mkdir(exist_ok=True)
    parquet = fetch_parquet(server, context.workdir / f"{DEMO_EXPERIMENT}-assay.parquet")
    source = Source(server.url, server.token, parquet, scratch)
    table = check_same_frames(source)
    rounds = 3 if context.quick else 9
    timed = interleaved_medians([partial(way.read, source) for way in WAYS.values()], rounds, 1)
    seconds = dict(zip(WAYS, timed, strict=True))
    size = f"{len(table):,} x {len(table.columns)}, {megabytes(frame_bytes(table))} in pandas"
    return [
        info_row("the demo assay table", size),
        *time_rows(seconds, rounds),
        *memory_rows(memory_of_ways(source, len(table))),
    ]


def frame_bytes(frame: pd.DataFrame) -> int:
    """A DataFrame's memory, strings included."""
    return int(frame.memory_usage(deep=True).sum())


def time_rows(seconds: dict[str, float], rounds: int) -> list[Row]:
    """Each client way against the plain loop and the local read; the loop against local."""
    loop, local = WAYS["requests_loop"].label, WAYS["local"].label
    rows = []
    for name in CLIENT_WAYS:
        figure = f"{WAYS[name].label} (median of {rounds})"
        fast, near = (FASTER_THAN_LOOP, NEAR_LOCAL) if name == "sdk_arrow" else (None, None)
        rows += [
            faster_row(figure, seconds[name], loop, seconds["requests_loop"], fast),
            slower_row(figure, seconds[name], local, seconds["local"], near),
        ]
    loop_figure = f"{loop} (median of {rounds})"
    return [*rows, slower_row(loop_figure, seconds["requests_loop"], local, seconds["local"])]


def memory_rows(memory: Memory) -> list[Row]:
    """Each way's peak memory, beside its memory after the imports it needs."""
    return [
        memory_row(
            f"peak memory (VmHWM), {WAYS[name].label}",
            measured["peak"],
            f"after imports: {megabytes(measured['after_imports'])}",
            f"+{(measured['peak'] - measured['after_imports']) / MB:,.0f} MB",
        )
        for name, measured in memory.items()
    ]
