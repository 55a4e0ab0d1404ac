"""``import pluto``: light, Django-free, and every public name documented."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pluto


def test_import_pluto_loads_no_django() -> None:
    code = "import pluto, sys; assert not any(m.startswith('django') for m in sys.modules)"

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


def test_reading_needs_only_the_sdk_dependencies() -> None:
    code = (
        "import pluto, sys; pluto.Client, pluto.read; "
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    loaded = set(eval(result.stdout))
    assert "django" not in loaded and "pluto" in loaded
    assert {"pandas", "pyarrow", "requests", "tqdm"} <= loaded


def test_the_public_names_are_there() -> None:
    for name in ("read", "Client", "PlutoError", "NotFound", "AuthenticationError", "Project"):
        assert name in pluto.__all__
        assert getattr(pluto, name) is not None
    assert pluto.__version__


def test_every_public_function_class_and_method_has_a_docstring() -> None:
    missing = [
        name
        for name in pluto.__all__
        if not name.startswith("_") and not inspect.getdoc(getattr(pluto, name))
    ]
    missing += [
        f"Client.{name}"
        for name, member in inspect.getmembers(pluto.Client, inspect.isfunction)
        if not name.startswith("_") and not inspect.getdoc(member)
    ]

    assert missing == []


def test_read_stays_the_function_after_its_module_is_imported() -> None:
    script = (
        "import pluto, pluto.client.reading, pluto.client; "
        "assert callable(pluto.read) and callable(pluto.client.read), (pluto.read,)"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert completed.returncode == 0, completed.stderr
