"""Five ways to read the whole demo assay table into a pandas DataFrame, and their memory.

Each way imports what it needs when it is first called, so that
``python -m bench.read_ways WAY URL PARQUET FOLDER`` (with ``PLUTO_API_TOKEN`` set) can
read the process's memory after the imports, read the table once, and print both with the
peak (``VmHWM``) as one JSON line: the memory a script needs to read the table that way.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.memory import peak_bytes, resident_bytes

if TYPE_CHECKING:
    import pandas as pd

EXPERIMENT = "PLX140206"
PAGE_SIZE = 10_000  # as in the help page's example
URL_VARIABLE = "PLUTO_API_URL"


@dataclass(frozen=True)
class Source:
    """Where the table is: the server, a token, the stored file and a scratch folder."""

    url: str
    token: str
    parquet: Path
    folder: Path


def sdk_arrow(source: Source) -> pd.DataFrame:
    """``pluto.read``: Arrow pages, four at a time."""
    import pluto

    return pluto.read(
        EXPERIMENT, "assay", url=source.url, token=source.token, quiet=True, cache=False
    )


def sdk_json(source: Source) -> pd.DataFrame:
    """``pluto.read`` forced to JSON pages: what ``pluto.read`` does, with ``arrow=False``."""
    import pluto

    with pluto.Client(source.url, source.token, cache=False, arrow=False) as client:
        return client.read(EXPERIMENT, "assay", quiet=True)


@contextmanager
def api_url(url: str) -> Iterator[None]:
    """``PLUTO_API_URL`` set to ``url`` for the duration (the ``plutobio`` client reads it)."""
    before = os.environ.get(URL_VARIABLE)
    os.environ[URL_VARIABLE] = url
    try:
        yield
    finally:
        if before is None:
            del os.environ[URL_VARIABLE]
        else:
            os.environ[URL_VARIABLE] = before


def plutobio_client(source: Source) -> pd.DataFrame:
    """The PyPI ``plutobio`` client, into a new folder each time: it keeps the CSV it
    downloads and would otherwise read that file again."""
    from plutobio import PlutoClient

    with api_url(source.url), tempfile.TemporaryDirectory(dir=source.folder) as folder:
        frame: pd.DataFrame = PlutoClient(source.token).get_assay_data(
            EXPERIMENT, folder_path=folder
        )
        return frame


def page_frame(page: dict[str, Any]) -> pd.DataFrame:
    """One page as a DataFrame, as the help page's example builds it."""
    import pandas as pd

    items = page["items"]
    if items and isinstance(items[0], list):
        return pd.DataFrame(dict(zip(page["headers"], items, strict=True)))
    return pd.DataFrame(items, columns=page["headers"])


def requests_loop(source: Source) -> pd.DataFrame:
    """The help page's Python example: ``requests.get`` page after page, then ``concat``."""
    import pandas as pd
    import requests

    headers = {"Authorization": f"Token {source.token}"}
    frames: list[pd.DataFrame] = []
    offset = 0
    while True:
        response = requests.get(
            f"{source.url}/lab/experiments/{EXPERIMENT}/assay-data/",
            headers=headers,
            params={"limit": PAGE_SIZE, "offset": offset},
            timeout=60,
        )
        response.raise_for_status()
        page = response.json()
        frames.append(page_frame(page))
        offset += len(frames[-1])
        if len(frames[-1]) == 0 or offset >= page["count"]:
            return pd.concat(frames, ignore_index=True)


def local_parquet(source: Source) -> pd.DataFrame:
    """``pandas.read_parquet`` of the stored file: the local limit."""
    import pandas as pd

    return pd.read_parquet(source.parquet)


@dataclass(frozen=True)
class Way:
    """One way to read the table: its label, the call and the modules it imports."""

    label: str
    read: Callable[[Source], pd.DataFrame]
    modules: tuple[str, ...]


# ``import pluto`` loads the client's modules when first used; import them up front.
SDK_MODULES = ("pluto", "pluto.client.client", "pyarrow.ipc")
WAYS = {
    "sdk_arrow": Way("pluto.read (Arrow pages)", sdk_arrow, SDK_MODULES),
    "sdk_json": Way("pluto.read forced to JSON pages", sdk_json, SDK_MODULES),
    "plutobio": Way("plutobio PlutoClient.get_assay_data", plutobio_client, ("plutobio", "pandas")),
    "requests_loop": Way(
        "requests loop over JSON pages (help page)", requests_loop, ("requests", "pandas")
    ),
    "local": Way("local pandas.read_parquet", local_parquet, ("pandas", "pyarrow.parquet")),
}


def command(name: str, source: Source) -> list[str]:
    """The command that measures one way's memory (the token goes in the environment)."""
    return [sys.executable, "-m", "bench.read_ways", name, source.url, str(source.parquet)]


def measure(name: str, source: Source) -> dict[str, int]:
    """In this process: import the way's modules, read the table once; memory and shape."""
    way = WAYS[name]
    for module in way.modules:
        importlib.import_module(module)
    after_imports = resident_bytes(os.getpid())
    frame = way.read(source)
    return {
        "after_imports": after_imports,
        "peak": peak_bytes(os.getpid()),
        "rows": len(frame),
        "columns": len(frame.columns),
    }


def main(argv: list[str]) -> int:
    """``python -m bench.read_ways WAY URL PARQUET``: print one way's memory as JSON."""
    name, url, parquet = argv[1:4]
    with tempfile.TemporaryDirectory(prefix="pluto-bench-read-") as folder:
        source = Source(url, os.environ["PLUTO_API_TOKEN"], Path(parquet), Path(folder))
        print(json.dumps(measure(name, source)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
