"""The seams where the program meets the operating system, pinned so that the Windows and
macOS builds (packaging/ci/desktop-installers.yml runs this file there) keep working though
this project's machines run Linux: where the files are (platformdirs, in paths.py only), how
files are locked (filelock), which modules exist everywhere, and how files and folders are
synced (a folder cannot be opened on Windows, and a file opened for reading cannot be synced
there: FlushFileBuffers needs write access)."""

from __future__ import annotations

import ast
from pathlib import Path

import platformdirs
import pytest

from storykeeper import APP_NAME
from storykeeper.paths import DATA_DIR_ENV, resolve_paths

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "storykeeper"
#: Modules that exist on one family of systems only.
PLATFORM_ONLY = {
    "fcntl",
    "termios",
    "tty",
    "pty",
    "pwd",
    "grp",
    "resource",
    "posix",
    "msvcrt",
    "winreg",
    "winsound",
    "_winapi",
    "nt",
    "readline",
}


def sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def imported_modules(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_paths_asks_platformdirs() -> None:
    users = [
        path.relative_to(ROOT).as_posix()
        for path, tree in sources()
        if "platformdirs" in imported_modules(tree)
    ]
    assert users == ["storykeeper/paths.py"]


def test_the_data_and_log_folders_are_the_platforms_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no --data-dir and no STORYKEEPER_DATA_DIR, the folders are the ones this system
    keeps per-user data and logs in (~/.local/share on Linux, %LOCALAPPDATA% on Windows,
    ~/Library on macOS): never a path written for one system."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    paths = resolve_paths(None)
    assert paths.data_dir == Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    assert paths.log_dir == Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def _unguarded_platform_imports(tree: ast.Module) -> list[str]:
    """Imports of a one-system module outside any function or ``if`` that asks os.name or
    sys.platform: those fail at import on the other systems."""
    found: list[str] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = ast.Module(body=[node], type_ignores=[])
            if not guarded and imported_modules(module) & PLATFORM_ONLY:
                found.append(f"line {node.lineno}")
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.If):
            guarded = guarded or _is_os_name_check(node.test if isinstance(node, ast.If) else node)
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(tree, False)
    return found


def test_files_are_locked_through_filelock_only() -> None:
    """filelock locks with fcntl on POSIX and msvcrt on Windows; a module for one system only
    is imported only where the code has asked which system it is on."""
    users = {
        path.relative_to(ROOT).as_posix()
        for path, tree in sources()
        if "filelock" in imported_modules(tree)
    }
    assert users  # the recordings and the export lock really use it
    unguarded = {
        path.relative_to(ROOT).as_posix(): found
        for path, tree in sources()
        if (found := _unguarded_platform_imports(tree))
    }
    assert unguarded == {}


def _is_os_name_check(node: ast.AST) -> bool:
    return any(
        isinstance(part, ast.Attribute)
        and isinstance(part.value, ast.Name)
        and (part.value.id, part.attr) in {("os", "name"), ("sys", "platform")}
        for part in ast.walk(node)
    )


def _opens_for_reading_only(node: ast.AST) -> bool:
    """os.open(…, os.O_RDONLY), open(…, "rb") or path.open("rb")."""
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name != "open":
        return False
    for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
        if isinstance(argument, ast.Attribute) and argument.attr == "O_RDONLY":
            return True
        if isinstance(argument, ast.Constant) and argument.value in {"r", "rb"}:
            return True
    return False


def _read_only_names(function: ast.FunctionDef) -> set[str]:
    """Names bound to something opened for reading only: ``fd = os.open(…, O_RDONLY)`` or
    ``with path.open("rb") as opened``."""
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _opens_for_reading_only(node.value):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.With):
            names.update(
                item.optional_vars.id
                for item in node.items
                if _opens_for_reading_only(item.context_expr)
                and isinstance(item.optional_vars, ast.Name)
            )
    return names


def _syncs_a_read_only_descriptor(function: ast.FunctionDef) -> bool:
    read_only = _read_only_names(function)
    for node in ast.walk(function):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "fsync"
            and node.args
        ):
            continue
        synced = node.args[0]
        if isinstance(synced, ast.Call) and isinstance(synced.func, ast.Attribute):
            synced = synced.func.value  # opened.fileno()
        if isinstance(synced, ast.Name) and synced.id in read_only:
            return True
    return False


def test_nothing_opened_for_reading_is_synced_outside_a_posix_guard() -> None:
    """Syncing a folder (os.open on it) or a file opened for reading works on Linux and macOS
    and fails on Windows (PermissionError, EBADF): such a sync must say it is for POSIX only,
    as atomic_files.fsync_folder does, or an export would fail on a Windows laptop."""
    unguarded = [
        f"{path.relative_to(ROOT).as_posix()}:{function.lineno} {function.name}"
        for path, tree in sources()
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        and _syncs_a_read_only_descriptor(function)
        and not _is_os_name_check(function)
    ]
    assert unguarded == []
