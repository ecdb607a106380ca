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


PACKAGE = CORE.parent
GUI = PACKAGE / "gui"
OPS = GUI / "ops"
#: A GUI module past this has more than one responsibility: split it.
GUI_MODULE_LINES = 500
#: A constructor past this builds more than one thing: give the parts their own widgets.
CONSTRUCTOR_LINES = 150


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_nothing_imports_the_module_that_starts_the_window_but_the_entry_point() -> None:
    importers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "storykeeper.gui.run" in _imports(path)
    )
    assert importers == ["__main__.py"]


def test_no_gui_module_is_longer_than_about_500_lines() -> None:
    long = {
        str(path.relative_to(GUI)): lines
        for path in GUI.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > GUI_MODULE_LINES
    }
    assert long == {}


def test_no_gui_constructor_is_longer_than_150_lines() -> None:
    long = {}
    for path in GUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        size = (item.end_lineno or item.lineno) - item.lineno + 1
                        if size > CONSTRUCTOR_LINES:
                            long[f"{path.relative_to(GUI)}:{node.name}"] = size
    assert long == {}


def test_the_windows_database_work_lives_in_gui_ops() -> None:
    """No page, dialog or widget defines a function of a Session: that work is in gui/ops/,
    where it is tested without a window."""
    offenders = []
    for path in GUI.rglob("*.py"):
        if OPS in path.parents or path.name == "tasks.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.Lambda):
                params = [a.arg for a in node.args.args + node.args.kwonlyargs]
                if "session" in params:
                    name = getattr(node, "name", "<lambda>")
                    offenders.append(f"{path.relative_to(GUI)}:{node.lineno} {name}")
    assert offenders == []


def test_gui_ops_never_touches_qt() -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in OPS.rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in ("PySide6", "shiboken6")
    ]
    assert offenders == []


def _from_ops(node: ast.expr, ops_names: set[str]) -> bool:
    """Whether ``node`` is a function from gui/ops (or a partial of one)."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
        "partial",
    ):
        return bool(node.args) and _from_ops(node.args[0], ops_names)
    root = node
    while isinstance(root, ast.Attribute):
        root = root.value
    return isinstance(root, ast.Name) and root.id in ops_names


def test_every_read_and_write_the_window_hands_the_task_runner_comes_from_gui_ops() -> None:
    offenders = []
    for path in GUI.rglob("*.py"):
        if OPS in path.parents or path.name == "tasks.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ops_names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("storykeeper.gui.ops")
            for alias in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("read", "write", "write_own")
                and ast.unparse(node.func.value).endswith("tasks")
                and node.args
                and not _from_ops(node.args[0], ops_names)
            ):
                offenders.append(f"{path.relative_to(GUI)}:{node.lineno}")
    assert offenders == []
