"""The PyInstaller spec's inputs (packaging/freeze_config.py): what it reads from the project,
which Qt modules it leaves out, and which files it lays out for the frozen program."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import storykeeper

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import freeze_config  # noqa: E402


def test_the_name_and_version_come_from_the_project() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert freeze_config.project_metadata() == (
        pyproject["project"]["name"],
        storykeeper.__version__,
    )
    assert freeze_config.application_id() == storykeeper.APP_ID


def test_the_qt_modules_used_are_exactly_those_the_program_imports() -> None:
    imported = {
        found
        for source in (ROOT / "storykeeper").rglob("*.py")
        for found in re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8"))
    }
    assert imported == set(freeze_config.QT_MODULES_USED)


def test_no_module_left_out_is_needed_by_one_the_program_uses() -> None:
    """Leaving out a module another imports breaks the frozen window at its first import
    (QtMultimedia imports QtNetwork): import each used one in a clean process and compare."""
    program = (
        "import json, sys\n"
        f"for name in {list(freeze_config.QT_MODULES_USED)!r}:\n"
        "    __import__('PySide6.' + name)\n"
        "print(json.dumps(sorted(m.split('.')[1] for m in sys.modules\n"
        "    if m.startswith('PySide6.Qt'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    needed = set(json.loads(loaded.stdout))
    assert needed >= set(freeze_config.QT_MODULES_USED)
    assert needed & set(freeze_config.QT_MODULES_EXCLUDED) == set()


def test_every_module_left_out_is_a_real_pyside6_module() -> None:
    """A misspelt name would leave the module in, silently."""
    unknown = [
        name
        for name in freeze_config.QT_MODULES_EXCLUDED
        if importlib.util.find_spec(f"PySide6.{name}") is None
    ]
    assert unknown == []


def test_the_frozen_program_gets_every_file_pip_would_install(tmp_path: Path) -> None:
    """The package data pyproject.toml ships (migrations, schemas, resources) is what the
    spec hands PyInstaller, at the same place inside the package."""
    sources = freeze_config.lay_out_sources(tmp_path / "sources")
    frozen = {
        str(Path(folder) / Path(file).name) for file, folder in freeze_config.data_files(sources)
    }
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    directories = setuptools["package-dir"]
    expected: set[str] = set()
    for package, patterns in setuptools["package-data"].items():
        folder = ROOT / directories.get(package, package.replace(".", "/"))
        for pattern in patterns:
            for path in folder.glob(pattern):
                inside = path.relative_to(folder)
                expected.add(str(Path(*package.split(".")) / inside))
    assert expected
    assert expected <= frozen
    assert "storykeeper/core/migrations/env.py" in frozen  # Alembic runs it by path


@pytest.mark.parametrize(
    ("frozen_name", "needed"),
    [
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("PySide6/Qt/lib/libQt6Quick.so.6", True),  # the FFmpeg media plugin links it
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ],
)
def test_only_the_unused_qt_files_are_dropped(frozen_name: str, needed: bool) -> None:
    assert freeze_config.is_needed(frozen_name) is needed


def test_no_file_the_program_needs_matches_a_dropped_name() -> None:
    """Every shared library a used Qt module links stays."""
    qt_lib = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt" / "lib"  # type: ignore[arg-type, union-attr]
    linked = [path.name for path in qt_lib.glob("libQt6*.so*")]
    dropped = [name for name in linked if not freeze_config.is_needed(name)]
    assert dropped
    assert [
        name for name in dropped if not name.startswith(("libQt6Pdf", "libQt6VirtualKeyboard"))
    ] == []
