"""The tests' own layout: shared helpers live in helper modules, not in tests or conftests.

Importing a test module from another runs its module code twice under two names and ties one
test file to another's private names; a conftest is for fixtures, which pytest hands out by
name, never by import.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str) -> list[str]:
    """Every module the source imports, as written (a relative import keeps its dots)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            # "from tests.gui import test_window" names the module as an imported name.
            found.extend([base, *(f"{base.rstrip('.')}.{alias.name}" for alias in node.names)])
    return found


def is_test_module_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_test_file_imports_a_test_module_or_a_conftest() -> None:
    offending = [
        f"{path.relative_to(TESTS)} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        if "fixtures" not in path.relative_to(TESTS).parts
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if is_test_module_or_conftest(module)
    ]
    assert offending == [], "\n".join(
        ["Move what they share into a helper module (e.g. tests/gui/answering.py):", *offending]
    )


def test_the_check_sees_every_way_of_importing_one() -> None:
    source = (
        "from tests.gui.test_window import mnemonics\n"
        "from tests.gui import test_window\n"
        "import tests.core.test_bundle_reader\n"
        "from .test_bundle_reader import rewrite\n"
        "from . import conftest\n"
        "def later():\n"
        "    from tests.gui.conftest import when_dialog_opens\n"
        "from tests.gui.answering import when_dialog_opens\n"
        "from tests import factories\n"
        "import pytest\n"
    )
    assert [m for m in imported_modules(source) if is_test_module_or_conftest(m)] == [
        "tests.gui.test_window",
        "tests.gui.test_window",
        "tests.core.test_bundle_reader",
        ".test_bundle_reader",
        ".conftest",
        "tests.gui.conftest",
    ]


#: pytest's ways of skipping, spelt in pieces so that this file, which looks for them, does not
#: itself read as a test that skips to a search of the sources.
SKIP = "sk" + "ip"
SKIPPING = (SKIP, f"{SKIP}if", f"importor{SKIP}")


def skips(source: str) -> list[int]:
    """Lines that skip a test: any attribute named as pytest's skipping ones (``SKIPPING``), as
    a call or a mark."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in SKIPPING:
            found.append(node.lineno)
    return sorted(found)


def test_no_test_skips_a_missing_component_it_fails_instead() -> None:
    """A test of a real component (a tool, a server, a sound device) that skips where the
    component is missing proves nothing and looks green: it fails with what to install."""
    offenders = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in TESTS.rglob("*.py")
        for line in skips(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_skip_check_sees_every_way_of_skipping() -> None:
    source = (
        "import pytest\n"
        f"pytest.{SKIP}('no age')\n"
        f"pytest.importor{SKIP}('psycopg')\n"
        f"@pytest.mark.{SKIP}\n"
        "def test_a(): ...\n"
        f"@pytest.mark.{SKIP}if(True, reason='x')\n"
        "def test_b(): ...\n"
    )
    assert skips(source) == [2, 3, 4, 6]
