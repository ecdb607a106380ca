"""The core never imports Qt: everything it does works without a window."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import storykeeper.core

CORE = Path(storykeeper.core.__file__).parent


def test_core_source_never_names_pyside6() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in ("PySide6", "shiboken6")
            ]
    assert offenders == []


def test_importing_all_of_core_loads_no_qt() -> None:
    modules = sorted(
        "storykeeper.core." + str(p.relative_to(CORE).with_suffix("")).replace("/", ".")
        for p in CORE.rglob("*.py")
        if "migrations" not in p.parts and p.name != "__init__.py"
    )
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "import storykeeper.cli\n"
        + "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
