"""Every snippet of docs/scripts.md runs against a live demo server, and prints what it shows.

Fenced blocks tagged ``r``, ``python``, ``sh`` or ``bash`` are run; any other tag (such as
``text``) is for reading only. The snippets of one language run in order in one process, as
a reader pasting them into one R console, one Python session or one shell would. The server's
address and the token are filled in as a reader would: ``http://127.0.0.1:8000`` becomes the
live server's URL and ``<your-api-token>`` its token (both are also in ``PLUTO_API_URL`` and
``PLUTO_API_TOKEN``). Lines starting with ``#>`` are the output the guide promises: each must
appear, as a whole line, in what the snippet prints (stdout or stderr).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_demo import REPO, LiveDemo, live_demo, rscript

pytestmark = pytest.mark.live

GUIDE = REPO / "docs" / "scripts.md"
DOCS_URL = "http://127.0.0.1:8000"
TOKEN_PLACEHOLDER = "<your-api-token>"
RUNNABLE = {"r": "r", "python": "python", "sh": "sh", "bash": "sh"}
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
MARKER = "@@ snippet {}"
END = "@@ end"
SESSION_TIMEOUT = 180


@dataclass(frozen=True)
class Snippet:
    """A fenced block of the guide."""

    language: str
    code: str
    line: int
    number: int = 0

    @property
    def expected(self) -> list[str]:
        """The ``#>`` lines: what the snippet must print."""
        return [
            normalised(line.strip()[2:])
            for line in self.code.splitlines()
            if line.strip().startswith("#>")
        ]

    @property
    def name(self) -> str:
        """A test id such as ``r-line-52``."""
        return f"{self.language}-line-{self.line}"


def normalised(line: str) -> str:
    """A line with its runs of spaces made single, to compare output loosely on spacing."""
    return " ".join(line.split())


def fenced_blocks(text: str) -> list[tuple[str, str, int]]:
    """``(tag, code, line number)`` of every fenced block."""
    return [
        (match.group(1).strip(), match.group(2), text.count("\n", 0, match.start()) + 1)
        for match in FENCE.finditer(text)
    ]


def guide_snippets() -> list[Snippet]:
    """The runnable snippets of the guide, numbered in order within each language."""
    snippets: list[Snippet] = []
    counts: dict[str, int] = {}
    for tag, code, line in fenced_blocks(GUIDE.read_text(encoding="utf-8")):
        language = RUNNABLE.get(tag.lower())
        if language is None:
            continue
        counts[language] = counts.get(language, 0) + 1
        snippets.append(Snippet(language, code, line, counts[language]))
    return snippets


SNIPPETS = guide_snippets()


def with_markers(language: str, snippets: list[Snippet]) -> str:
    """One script of all the snippets, announcing each on stdout and stderr.

    Each marker starts on a line of its own, even after output without a final newline.
    """
    announce = {
        "r": 'cat("\\n{0}\\n"); message("\\n{0}")',
        "python": 'print("\\n{0}", flush=True); print("\\n{0}", file=__import__("sys").stderr)',
        "sh": 'printf "\\n{0}\\n"; printf "\\n{0}\\n" >&2',
    }[language]
    parts = []
    for snippet in snippets:
        parts.append(announce.format(MARKER.format(snippet.number)))
        parts.append(snippet.code)
    parts.append(announce.format(END))
    return "\n".join(parts) + "\n"


def command(language: str, script: Path) -> list[str]:
    """How to run a script of ``language``."""
    if language == "r":
        return [rscript(), "--vanilla", str(script)]
    if language == "python":
        return [sys.executable, "-u", str(script)]
    return ["bash", "-e", "-o", "pipefail", str(script)]


@dataclass
class Session:
    """One language's snippets, run together: the exit code and each snippet's output."""

    returncode: int
    stdout: str
    stderr: str

    def output_of(self, number: int) -> list[str] | None:
        """The lines snippet ``number`` printed, or None when it never started."""
        lines: list[str] = []
        for stream in (self.stdout, self.stderr):
            part = section(stream, MARKER.format(number))
            if part is None:
                return None
            lines.extend(normalised(line) for line in part.splitlines())
        return lines

    def finished(self, number: int, last: int) -> bool:
        """Whether snippet ``number`` ran to its end without an error."""
        following = END if number == last else MARKER.format(number + 1)
        return following in self.stdout.splitlines()


def section(stream: str, marker: str) -> str | None:
    """What a stream holds between ``marker`` and the next marker line."""
    lines = stream.splitlines()
    if marker not in lines:
        return None
    rest = lines[lines.index(marker) + 1 :]
    ends = [i for i, line in enumerate(rest) if line.startswith("@@ ")]
    return "\n".join(rest[: ends[0]] if ends else rest)


def filled_in(code: str, demo: LiveDemo) -> str:
    """A snippet with the live server's URL and token where the guide has placeholders."""
    return code.replace(DOCS_URL, demo.url).replace(TOKEN_PLACEHOLDER, demo.token)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """The demo server, shared by the module's tests."""
    with live_demo(tmp_path_factory.mktemp("docs-demo")) as server:
        yield server


@pytest.fixture(scope="module")
def session_of(
    demo: LiveDemo, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Session]:
    """Run a language's snippets once, on first use, in a folder of their own."""
    done: dict[str, Session] = {}

    def run(language: str) -> Session:
        if language not in done:
            work = tmp_path_factory.mktemp(f"docs-{language}")
            snippets = [
                Snippet(s.language, filled_in(s.code, demo), s.line, s.number)
                for s in SNIPPETS
                if s.language == language
            ]
            script = work / f"snippets.{language}"
            script.write_text(with_markers(language, snippets), encoding="utf-8")
            finished = subprocess.run(
                command(language, script),
                env=demo.client_env(work),
                cwd=work,
                capture_output=True,
                text=True,
                timeout=SESSION_TIMEOUT,
            )
            done[language] = Session(finished.returncode, finished.stdout, finished.stderr)
        return done[language]

    return run


def test_the_guide_has_snippets_of_every_kind_and_no_untagged_block() -> None:
    tags = [tag for tag, _, _ in fenced_blocks(GUIDE.read_text(encoding="utf-8"))]

    assert {s.language for s in SNIPPETS} == {"r", "python", "sh"}
    assert "" not in tags, "tag every fenced block: r, python, sh, or text for output"
    assert any(DOCS_URL in s.code for s in SNIPPETS)
    assert any(TOKEN_PLACEHOLDER in s.code for s in SNIPPETS)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.name for s in SNIPPETS])
def test_snippet_runs_and_prints_what_the_guide_shows(
    snippet: Snippet, session_of: Callable[[str], Session]
) -> None:
    session = session_of(snippet.language)
    last = max(s.number for s in SNIPPETS if s.language == snippet.language)
    output = session.output_of(snippet.number)
    context = f"docs/scripts.md line {snippet.line}:\n{session.stdout}\n{session.stderr}"

    assert output is not None, f"an earlier {snippet.language} snippet failed; {context}"
    assert session.finished(snippet.number, last), f"the snippet failed; {context}"
    missing = [line for line in snippet.expected if line not in output]
    assert not missing, f"{missing} not printed; {context}"
    if snippet.number == last:
        assert session.returncode == 0, context
