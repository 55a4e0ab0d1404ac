"""Repeated ids are found exactly, with bounded memory, however many rows a table has.

``RepeatedIds`` is driven here with a tiny in-memory allowance, so that its spill to disk
(past 200 rows) and its second-level split (past 20 rows in one partition) run on a few
thousand rows; the HTTP tests show the same over
a real upload past the real allowance.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pytest

from pluto.server.lab.models import Experiment
from pluto.server.tables.duplicates import IN_MEMORY_ROWS, Repeat, RepeatedIds
from tests.conftest import Caller
from tests.tables.conftest import put_table


def expected_repeats(ids: list[str | None]) -> list[Repeat]:
    """Every repeat of an earlier id, worked out the plain way."""
    first: dict[str, int] = {}
    repeats = []
    for row, value in enumerate(ids):
        if not value:
            continue
        if value in first:
            repeats.append(Repeat(row, first[value]))
        else:
            first[value] = row
    return repeats


def random_ids(count: int, distinct: int, seed: int) -> list[str | None]:
    """Ids drawn from ``distinct`` values, with a few missing and empty ones."""
    chance = random.Random(seed)
    pool = [None, "", *(f"id{n}" for n in range(distinct))]
    return [chance.choice(pool) for _ in range(count)]


@pytest.mark.parametrize(
    ("in_memory_rows", "block_rows"),
    [(IN_MEMORY_ROWS, 5_000), (200, 333), (20, 5_000)],
)
def test_every_repeat_is_counted_and_the_first_ones_shown_with_their_first_row(
    tmp_path: Path, in_memory_rows: int, block_rows: int
) -> None:
    ids = random_ids(5_000, 3_000, seed=in_memory_rows + block_rows)
    expected = expected_repeats(ids)

    with RepeatedIds(tmp_path / "ids", in_memory_rows=in_memory_rows) as repeated:
        for start in range(0, len(ids), block_rows):
            repeated.add(pa.array(ids[start : start + block_rows], pa.string()))
        found = repeated.repeats()
        values = [repeated.value(repeat.row) for repeat in found.examples]

    assert found.count == len(expected)
    assert found.examples == expected[:5]
    assert values == [ids[repeat.row] for repeat in expected[:5]]


def test_an_id_repeated_in_every_row_spills_one_row_per_block(tmp_path: Path) -> None:
    with RepeatedIds(tmp_path / "ids", in_memory_rows=10) as repeated:
        for _ in range(50):
            repeated.add(pa.array(["same"] * 1_000, pa.string()))
        found = repeated.repeats()

    assert found.count == 49_999
    assert found.examples == [Repeat(row, 0) for row in range(1, 6)]
    assert not (tmp_path / "ids" / "spill").exists() or all(
        path.stat().st_size < 10_000 for path in (tmp_path / "ids" / "spill").rglob("*.arrow")
    )


def test_unique_ids_repeat_nothing(tmp_path: Path) -> None:
    with RepeatedIds(tmp_path / "ids", in_memory_rows=100) as repeated:
        repeated.add(pa.array([f"G{n}" for n in range(3_000)], pa.string()))
        found = repeated.repeats()

    assert (found.count, found.examples) == (0, [])


def test_a_repeat_after_more_rows_than_memory_holds_is_found_over_http(
    ada: Caller, experiment: Experiment
) -> None:
    rows = IN_MEMORY_ROWS + 50_000
    body = b"sample_id\n" + b"".join(b"S%d\n" % n for n in range(rows)) + b"S7\n"

    answer = put_table(ada, experiment, "sample", body)

    assert answer.status == 400
    (problem,) = answer.data["details"]["problems"]
    assert (problem["kind"], problem["row"], problem["value"]) == ("duplicate_id", rows + 2, "S7")
    assert "first on line 9" in problem["message"]
