"""The desktop integration the packages install: the desktop entry and the AppStream metainfo
pass the distributions' own validators, name the program by its id and version, and the bundle
file type matches the files the program really writes."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from configparser import ConfigParser
from fnmatch import fnmatch
from pathlib import Path

import pyrage
import pytest

import storykeeper
from storykeeper.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{storykeeper.APP_ID}.desktop"
METAINFO = LINUX / f"{storykeeper.APP_ID}.metainfo.xml"
MIME = LINUX / f"{storykeeper.APP_ID}.mime.xml"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
BUNDLE_TYPE = "application/x-storykeeper-bundle"
INSTALL = "run packaging/linux/install-system-deps --test"


def require(tool: str) -> str:
    """A missing validator fails the test with what to install: skipped, it proves nothing."""
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} not found: {INSTALL}")
    return found


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, timeout=120, check=False
    )


def desktop_entry() -> ConfigParser:
    entry = ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    return entry


def test_the_desktop_entry_validates() -> None:
    checked = run(require("desktop-file-validate"), DESKTOP)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout + checked.stderr == ""  # no warnings or hints either


def test_the_metainfo_validates_without_the_network() -> None:
    checked = run(require("appstreamcli"), "validate", "--no-net", METAINFO)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_desktop_entry_starts_the_program_with_its_icon() -> None:
    entry = desktop_entry()["Desktop Entry"]
    assert entry["Name"] == storykeeper.APP_NAME
    assert entry["Exec"].split()[0] == "storykeeper"  # the launcher the packages put on the PATH
    assert entry["Icon"] == storykeeper.APP_ID
    assert entry["Terminal"] == "false"
    icon = ROOT / "resources" / "icons" / f"{storykeeper.APP_ID}.svg"
    assert icon.is_file()


def test_the_metainfo_names_the_program_its_entry_and_this_version() -> None:
    component = ET.parse(METAINFO).getroot()  # noqa: S314 - this project's own file
    assert component.findtext("id") == storykeeper.APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("provides/binary") == "storykeeper"
    assert component.findtext("provides/mediatype") == BUNDLE_TYPE
    newest = component.find("releases/release")
    assert newest is not None
    # A new version must say what changed in it: the newest release is this version.
    assert newest.get("version") == storykeeper.__version__


def test_the_bundle_file_type_matches_what_an_export_writes(tmp_path: Path) -> None:
    """A real bundle's name, not a name typed here: if the export names bundles otherwise, the
    file type must follow, or a bundle in an e-mail is no longer recognised."""
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    assert main(["--plain-store", "demo-data", "--stories", "8", "--seed", "20"]) == 0
    assert main(["recipients", "add", recipient, "--label", "Coordinator"]) == 0
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", "--out", str(out)]) == 0
    (bundle,) = out.iterdir()

    mime_info = ET.parse(MIME).getroot()  # noqa: S314 - this project's own file
    mime_type = mime_info.find(f"{MIME_NS}mime-type")
    assert mime_type is not None
    assert mime_type.get("type") == BUNDLE_TYPE
    globs = [glob.get("pattern", "") for glob in mime_type.iter(f"{MIME_NS}glob")]
    assert any(fnmatch(bundle.name, glob) for glob in globs)
    assert not any(fnmatch("notes.age", glob) for glob in globs)  # any other age file is not ours

    # The freedesktop database, built from this file alone, names a bundle by this type.
    shared = tmp_path / "share" / "mime"
    (shared / "packages").mkdir(parents=True)
    shutil.copy(MIME, shared / "packages" / f"{storykeeper.APP_ID}.xml")
    built = run(require("update-mime-database"), shared)
    assert built.returncode == 0, built.stderr
    globs2 = (shared / "globs2").read_text(encoding="utf-8").splitlines()
    assert any(line.endswith(f":{BUNDLE_TYPE}:{globs[-1]}") for line in globs2)
