"""The bundle file type on Windows and macOS, as their installers declare it. Neither can be
run here (packaging/README.md): these tests pin what the files say, and that the command
Windows runs for a double-clicked bundle is one the program understands."""

from __future__ import annotations

import plistlib
import re
import shlex
import sys
from pathlib import Path

from storykeeper.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import freeze_config  # noqa: E402

ISS = ROOT / "packaging" / "windows" / "storykeeper.iss"
A_DOWNLOADED_BUNDLE = (
    r"C:\Users\Ann\Downloads\Storykeeper stories from ANN-LAPTOP 2026-12-07.zip.age"
)


def registry_lines() -> list[dict[str, str]]:
    """The Inno Setup script's [Registry] entries, each as its parameters."""
    section = ISS.read_text(encoding="utf-8").split("[Registry]", 1)[1].split("\n[", 1)[0]
    entries = []
    for line in section.splitlines():
        if not line.startswith("Root:"):
            continue
        # Parameters are "Name: value" pairs separated by semicolons; a quoted value is Inno
        # Setup's string, with "" for one quote.
        fields = re.findall(r'(\w+): ("(?:[^"]|"")*"|[^;]*)', line)
        entries.append(
            {
                name: value[1:-1].replace('""', '"') if value.startswith('"') else value.strip()
                for name, value in fields
            }
        )
    return entries


def test_a_double_clicked_bundle_opens_the_import_on_windows() -> None:
    (command,) = [e for e in registry_lines() if e["Subkey"].endswith(r"\shell\open\command")]
    line = command["ValueData"].replace("{app}", r"C:\Program Files\Storykeeper")
    line = line.replace("%1", A_DOWNLOADED_BUNDLE)
    # Windows splits a command line at spaces outside double quotes; inside them a backslash
    # is an ordinary character, as it is for shlex unless it precedes a quote.
    program, *arguments = shlex.split(line)
    assert program == r"C:\Program Files\Storykeeper\Storykeeper.exe"
    args = build_parser().parse_args(arguments)
    assert args.command is None
    assert args.open_bundle == [Path(A_DOWNLOADED_BUNDLE)]


def test_windows_takes_age_files_only_where_no_program_has_them() -> None:
    entries = registry_lines()
    (default,) = [e for e in entries if e["Subkey"] == r"Software\Classes\.age"]
    assert default["ValueData"] == "Storykeeper.Bundle"
    assert "createvalueifdoesntexist" in default["Flags"].split()
    offered = [e for e in entries if e["Subkey"].endswith(r"\.age\OpenWithProgids")]
    assert [e["ValueName"] for e in offered] == ["Storykeeper.Bundle"]
    # Uninstalling takes away what installing added, and nothing another program set.
    for entry in entries:
        if entry["Subkey"] in (r"Software\Classes\.age", r"Software\Classes\.age\OpenWithProgids"):
            assert "uninsdeletevalue" in entry["Flags"].split()
    (program_type,) = [e for e in entries if e["Subkey"] == r"Software\Classes\Storykeeper.Bundle"]
    assert "uninsdeletekey" in program_type["Flags"].split()
    assert "ChangesAssociations=yes" in ISS.read_text(encoding="utf-8")


def test_the_finder_offers_bundles_to_storykeeper_on_macos() -> None:
    plist = freeze_config.macos_info_plist("1.2.3")
    written = plistlib.loads(plistlib.dumps(plist))  # what PyInstaller writes must be a plist
    (declared,) = written["UTImportedTypeDeclarations"]
    assert declared["UTTypeTagSpecification"]["public.filename-extension"] == ["age"]
    (document,) = written["CFBundleDocumentTypes"]
    assert document["LSItemContentTypes"] == [declared["UTTypeIdentifier"]]
    assert document["CFBundleTypeRole"] == "Viewer"
    assert document["LSHandlerRank"] == "Default"  # never "Owner" of every .age file
    assert written["CFBundleShortVersionString"] == "1.2.3"
    assert "Record" in written["NSMicrophoneUsageDescription"]


def test_the_spec_uses_the_tested_plist() -> None:
    spec = (ROOT / "packaging" / "storykeeper.spec").read_text(encoding="utf-8")
    assert "info_plist=freeze_config.macos_info_plist(VERSION)" in spec
