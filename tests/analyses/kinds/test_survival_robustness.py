"""Whatever sample table and parameters come, the survival kind either answers with a clean
table and JSON-ready numbers or refuses with an AnalysisInputError naming a parameter; it
never fails any other way (which the API would show as a 500)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute.inputs import no_progress
from pluto.server.analyses.compute.parameters import ParameterProblems, validated
from pluto.server.analyses.compute.survival import COLUMNS
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.kind import FrameInputs
from pluto.server.analyses.kinds.survival import KIND

CASES = 300
BAD_CELLS: dict[str, list[Any]] = {
    "t": ["x", -1.0, None, float("inf")],
    "e": [2, "maybe", None, "dead"],
    "g": [None, 1],
    "n": ["high", None],
    "c": [None],
}


def random_samples(rng: np.random.Generator, named_events: bool) -> pd.DataFrame:
    """Mostly readable follow-up with ties and censoring; now and then a bad cell."""
    size = int(rng.integers(2, 40))
    event = rng.random(size) < rng.uniform(0.1, 0.9)
    tied = rng.random() < 0.5
    frame = pd.DataFrame(
        {
            "t": rng.integers(0, 8, size) if tied else rng.exponential(5, size),
            "e": np.where(event, "dead", "alive") if named_events else event.astype(int),
            "g": rng.choice(["a", "b", "c"][: int(rng.integers(1, 4))], size),
            "n": np.round(rng.normal(0, 1, size), int(rng.integers(0, 3))),
            "c": rng.choice(["x", "y", "z"][: int(rng.integers(1, 4))], size),
            "same": "k",
        },
        index=pd.Index([f"S{i}" for i in range(size)], name="sample_id"),
    ).astype(object)
    frame["copy"] = frame["n"]
    for _ in range(int(rng.poisson(0.3))):
        column = str(rng.choice(list(BAD_CELLS)))
        options = BAD_CELLS[column]
        row, place = int(rng.integers(size)), frame.columns.get_loc(column)
        frame.iloc[row, place] = options[int(rng.integers(len(options)))]
    return frame


def random_parameters(rng: np.random.Generator, named_events: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {"time_column": "t", "event_column": "e"}
    if named_events:
        raw |= {"event_values": ["dead"], "censored_values": ["alive"]}
    grouping = rng.choice(["none", "column", "values", "gene"])
    if grouping == "column":
        raw["group_column"] = "g"
    elif grouping == "values":
        raw |= {"group_column": "g", "group_values": ["a", "b"]}
    elif grouping == "gene":
        raw |= {"gene": str(rng.choice(["G1", "G2", "G9"])), "expression_quantile": 0.4}
    pool = ["n", "c", "same", "copy"]
    count = int(rng.choice([0, 1, 2], p=[0.4, 0.4, 0.2]))
    raw["covariates"] = [str(c) for c in rng.choice(pool, size=count, replace=False)]
    return raw


def random_counts(rng: np.random.Generator, samples: pd.DataFrame) -> pd.DataFrame:
    values = rng.poisson(rng.choice([0.2, 5.0, 50.0]), size=(3, len(samples)))
    return pd.DataFrame(values, index=["G1", "G2", "G3"], columns=samples.index)


@pytest.mark.parametrize("seed", range(CASES))
def test_the_kind_answers_or_refuses_naming_a_parameter(seed: int) -> None:
    rng = np.random.default_rng(seed)
    named_events = bool(rng.random() < 0.3)
    samples = random_samples(rng, named_events)
    inputs = FrameInputs(samples=samples, counts=random_counts(rng, samples))
    try:
        params = validated(SurvivalParameters, random_parameters(rng, named_events))
        KIND.check(params, inputs)
        result = KIND.run(params, inputs, no_progress)
    except ParameterProblems:
        return
    except AnalysisInputError as error:
        assert error.field in SurvivalParameters.model_fields, error
        assert error.message.endswith((".", "?")), error.message
        return
    assert tuple(result.table.columns) == COLUMNS and not result.table.isna().any().any()
    json.dumps({**result.summary, "display": result.display}, allow_nan=False)
