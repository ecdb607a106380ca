"""What the PyInstaller spec (storykeeper.spec) reads and lays out, as plain functions a test
can call without PyInstaller: the name and version from pyproject.toml, the Qt modules left
out, and a copy of the sources in the installed layout (resources/ inside the package)."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The Qt modules the program imports (tests/packaging checks the list against the sources).
QT_MODULES_USED = (
    "QtCore",
    "QtGui",
    "QtWidgets",
    "QtMultimedia",
    "QtNetwork",  # one window per data folder (gui/single_instance.py: QLocalServer)
    "QtPrintSupport",
    "QtSvg",
    "QtTextToSpeech",
)

#: PySide6 modules left out of the frozen program: never imported by it, nor by a module it
#: imports (QtMultimedia imports QtNetwork, so QtNetwork stays; tests/packaging checks).
QT_MODULES_EXCLUDED = (
    "Qt3DAnimation",
    "Qt3DCore",
    "Qt3DExtras",
    "Qt3DInput",
    "Qt3DLogic",
    "Qt3DRender",
    "QtBluetooth",
    "QtCharts",
    "QtConcurrent",
    "QtDataVisualization",
    "QtDBus",
    "QtDesigner",
    "QtGraphs",
    "QtGraphsWidgets",
    "QtHelp",
    "QtHttpServer",
    "QtLocation",
    "QtMultimediaWidgets",
    "QtNetworkAuth",
    "QtNfc",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtPdf",
    "QtPdfWidgets",
    "QtPositioning",
    "QtQml",
    "QtQuick",
    "QtQuick3D",
    "QtQuickControls2",
    "QtQuickTest",
    "QtQuickWidgets",
    "QtRemoteObjects",
    "QtScxml",
    "QtSensors",
    "QtSerialBus",
    "QtSerialPort",
    "QtSpatialAudio",
    "QtSql",
    "QtStateMachine",
    "QtSvgWidgets",
    "QtTest",
    "QtUiTools",
    "QtWebChannel",
    "QtWebEngineCore",
    "QtWebEngineQuick",
    "QtWebEngineWidgets",
    "QtWebSockets",
    "QtWebView",
    "QtXml",
)

#: Python modules the program never needs frozen (the test tools, Tk).
OTHER_EXCLUDED = ("tkinter", "pytest", "hypothesis", "pytestqt", "IPython", "matplotlib")


def project_metadata(root: Path = ROOT) -> tuple[str, str]:
    """The distribution's name (pyproject.toml) and version (``storykeeper.__version__``,
    which pyproject.toml names as the dynamic version's source), read without importing."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = project["name"]
    init = (root / "storykeeper" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE)
    if found is None:
        raise ValueError("storykeeper/__init__.py names no __version__")
    return name, found.group(1)


def application_id(root: Path = ROOT) -> str:
    """The reverse-DNS id (``storykeeper.APP_ID``): the desktop entry's and metainfo's name."""
    init = (root / "storykeeper" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^APP_ID = "([^"]+)"', init, re.MULTILINE)
    if found is None:
        raise ValueError("storykeeper/__init__.py names no APP_ID")
    return found.group(1)


def lay_out_sources(target: Path, root: Path = ROOT) -> Path:
    """Copy the package as pip installs it (``resources/`` becomes ``storykeeper/resources``)
    into ``target``, so PyInstaller finds every module and data file where the program looks
    for it, whether the build environment's install is editable or not."""
    if target.exists():
        shutil.rmtree(target)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(root / "storykeeper", target / "storykeeper", ignore=ignore)
    shutil.copytree(root / "resources", target / "storykeeper" / "resources", ignore=ignore)
    return target


def data_files(sources: Path) -> list[tuple[str, str]]:
    """(file, folder in the frozen program) for everything the program reads as a file:
    the migrations (Alembic loads them by path), the bundle schemas and the resources."""
    package = sources / "storykeeper"
    wanted = [
        *package.glob("core/migrations/*.py"),
        package / "core" / "migrations" / "script.py.mako",
        *package.glob("core/migrations/versions/*.py"),
        *package.glob("core/bundle/schemas/*.json"),
        *(path for path in (package / "resources").rglob("*") if path.is_file()),
    ]
    return [
        (str(path), str(path.parent.relative_to(sources)))
        for path in sorted(wanted)
        if "__pycache__" not in path.parts
    ]


#: Qt libraries and plugins that PyInstaller's hooks collect but nothing here loads: the
#: on-screen virtual keyboard (a QML plugin) and PDF viewing (the program writes PDFs with
#: QPdfWriter, part of QtGui). Matched against the frozen file's name.
UNUSED_QT_FILES = (
    "libqtvirtualkeyboardplugin",
    "libQt6VirtualKeyboard",
    "qtvirtualkeyboardplugin",
    "Qt6VirtualKeyboard",
    "libqpdf",
    "libQt6Pdf",
    "qpdf.dll",
    "Qt6Pdf",
)


def is_needed(frozen_name: str) -> bool:
    """Whether a binary PyInstaller collected belongs in the frozen program."""
    name = Path(frozen_name).name
    return not any(name.startswith(unused) for unused in UNUSED_QT_FILES)


#: The bundle file type's identifier on macOS (the Linux MIME type's counterpart).
MACOS_BUNDLE_TYPE = "org.storykeeper.bundle"


def macos_info_plist(version: str) -> dict[str, object]:
    """The app's Info.plist entries beyond PyInstaller's own: the microphone's reason, and the
    bundle file type, so a bundle double-clicked in the Finder opens Storykeeper's import (it
    arrives as a QFileOpenEvent: gui/file_open.py).

    macOS matches a file's type by its last extension only, so a bundle
    ("… .zip.age") is matched as ".age", the extension of every file the age tool encrypts. The
    rank is therefore "Default", not "Owner": Storykeeper opens .age files only where no other
    program claims them, and the import says plainly of another program's file that it is not a
    Storykeeper bundle. Untested here: no macOS machine (packaging/README.md)."""
    return {
        "CFBundleShortVersionString": version,
        "NSMicrophoneUsageDescription": (
            "Storykeeper records conversations only when you press Record."
        ),
        "NSHighResolutionCapable": True,
        "UTImportedTypeDeclarations": [
            {
                "UTTypeIdentifier": MACOS_BUNDLE_TYPE,
                "UTTypeDescription": "Storykeeper bundle",
                "UTTypeConformsTo": ["public.data"],
                "UTTypeTagSpecification": {"public.filename-extension": ["age"]},
            }
        ],
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": "Storykeeper bundle",
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Default",
                "LSItemContentTypes": [MACOS_BUNDLE_TYPE],
            }
        ],
    }
