"""The stories as a REFI-QDA project (``.qdpx``) and the themes as a codebook (``.qdc``).

REFI-QDA (QDA-XML 1.0, March 2019) is the exchange standard the qualitative-analysis tools read
(NVivo, ATLAS.ti, MAXQDA, QualCoder). A ``.qdpx`` is a zip holding ``project.qde`` (XML in the
namespace ``urn:QDA-XML:project:1.0``) and a ``sources/`` folder whose files the XML names as
``internal://<file>``. A ``.qdc`` is the codebook alone (``urn:QDA-XML:codebook:1.0``).

What is written, and why:

- each story is a ``TextSource`` whose words are a UTF-8 file in ``sources/`` (not inline
  ``PlainTextContent``: the tools prefer it, and the XML stays small);
- each theme is a ``Code`` with ``Enabler``, ``Barrier`` and ``Mixed`` codes beneath it, so a
  researcher can count either the theme or one side of it;
- each story is coded by one ``PlainTextSelection`` over its whole text (positions counted in
  characters, as the standard says) with one ``Coding`` per theme, to that theme's polarity code;
- each storyteller is a ``Case`` named by their pseudonym, whose ``SourceRef`` s are their
  stories, with the case variables setting, how told and month told; where a storyteller's
  stories differ, the case holds each value once, joined by "; ", and every source carries its
  own exact values (with language and sender) as source variables;
- sources and cases have names no other has, ignoring case ("Walk", "Walk (2)"), because the
  tools key them by name;
- every GUID is a uuid5 of a fixed namespace and a stable key, and every timestamp comes from
  the input, so the same input writes the same bytes.

This module decides nothing about consent: the caller hands it only stories already cleared
for quoting, already pseudonymised and redacted (``core.insight_policy`` and
``core.export_policy`` decide that). It never reads the database and never imports Qt.

Streaming: the standard puts ``Cases`` before ``Sources`` in the XML, and the cases are only
known once every story is seen, so the ``Sources`` element is written to a temporary file beside
the target while each story's text goes into the zip; then ``project.qde`` is written as the
header, the cases (a few short strings per storyteller held in memory) and that temporary part.
Nothing holds more than one story's words at a time.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import XMLGenerator

from storykeeper import __version__
from storykeeper.core.atomic_files import FileWriteError, atomic_file
from storykeeper.core.vocabulary import Polarity

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_ENTRY = "project.qde"
SOURCES_FOLDER = "sources"
#: The namespace every GUID of a Storykeeper project is derived in (uuid5), fixed forever so
#: that the same story keeps the same GUID from one export to the next.
GUID_NAMESPACE = uuid.UUID("6f1c3b1e-5a2d-5b8e-9c47-2f0d8e6a4b13")

#: The polarity codes beneath each theme, in the order the tools list them.
POLARITY_CODES: tuple[tuple[Polarity, str, str], ...] = (
    (Polarity.ENABLER, "Enabler", "The story tells how this helped the person."),
    (Polarity.BARRIER, "Barrier", "The story tells how this got in the person's way."),
    (Polarity.MIXED, "Mixed", "The story tells of this both helping and getting in the way."),
)
#: Colours from the Okabe-Ito palette, told apart with any kind of colour blindness; the code
#: names say enabler or barrier too, so the colour is never the only sign.
POLARITY_COLOURS = {
    Polarity.ENABLER: "#0072B2",
    Polarity.BARRIER: "#D55E00",
    Polarity.MIXED: "#CC79A7",
}

SETTING = "Setting"
HOW_TOLD = "How told"
MONTH_TOLD = "Month told"
LANGUAGE = "Language"
SENDER = "Sender"
#: The variables a storyteller's case carries (the issue's), and those each story carries.
CASE_VARIABLES = (SETTING, HOW_TOLD, MONTH_TOLD)
SOURCE_VARIABLES = (SETTING, HOW_TOLD, MONTH_TOLD, LANGUAGE, SENDER)
_VARIABLE_DESCRIPTIONS = {
    SETTING: "Where the story was told (home, care home, hospital, day centre, …).",
    HOW_TOLD: "How the story was told (in person, by phone, in writing, …).",
    MONTH_TOLD: "The month the story was told, as YYYY-MM.",
    LANGUAGE: "The language the story was told in.",
    SENDER: "Who sent the story to the coordinator (the trusted signer's label), if imported.",
}
#: A storyteller's stories told in different settings (or months) are joined by this in the case.
CASE_VALUE_SEPARATOR = "; "

# Characters XML 1.0 cannot hold at all (most control characters, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LARGE_XML_PART = 1 << 30  # past 1 GiB, project.qde is written with zip64 sizes


#: The file could not be written where asked (one plain sentence).
QdaWriteError = FileWriteError


@dataclass(frozen=True)
class QdaTheme:
    """A theme of the list: its name and its definition (the code's description)."""

    name: str
    definition: str = ""


@dataclass(frozen=True)
class QdaThemeMark:
    """A theme a story is marked with, and which way it went for the person."""

    theme: str
    polarity: Polarity


@dataclass(frozen=True)
class QdaStory:
    """One story as it may leave: cleared for quoting, pseudonymised and redacted by the caller.

    ``story_key`` is the story's stable id (its UUID); ``case_key`` and ``case_label`` are the
    storyteller's pseudonymous id and pseudonym, never the name. ``month_told`` is ``YYYY-MM``
    or empty.
    """

    story_key: str
    title: str
    words: str
    case_key: str
    case_label: str
    month_told: str = ""
    setting: str = ""
    how_told: str = ""
    language: str = ""
    sender: str = ""
    themes: tuple[QdaThemeMark, ...] = ()

    def variable_values(self) -> dict[str, str]:
        return {
            SETTING: self.setting,
            HOW_TOLD: self.how_told,
            MONTH_TOLD: self.month_told,
            LANGUAGE: self.language,
            SENDER: self.sender,
        }


@dataclass(frozen=True)
class QdaProject:
    """What the project says of itself. ``created`` stamps every element (and the zip's
    entries), so the same project and stories give the same file."""

    name: str
    user_name: str
    created: dt.datetime
    description: str = ""


@dataclass
class QdaWritten:
    """What was written: how many stories, storytellers and themes."""

    stories: int = 0
    cases: int = 0
    themes: int = 0


@dataclass
class _Case:
    label: str
    sources: list[str] = field(default_factory=list)
    values: dict[str, set[str]] = field(default_factory=dict)


class UniqueNames:
    """Names no other element of the kind has, ignoring case: the tools key sources and cases
    by name (QualCoder holds each name once, NVivo's folders ignore case), so a second "Walk"
    becomes "Walk (2)" rather than failing the import or merging two stories."""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._last_number: dict[str, int] = {}

    def take(self, wanted: str) -> str:
        name, number = wanted, self._last_number.get(wanted.casefold(), 1)
        while name.casefold() in self._taken:
            number += 1
            name = f"{wanted} ({number})"
        self._last_number[wanted.casefold()] = number
        self._taken.add(name.casefold())
        return name


def guid(kind: str, *key: str) -> str:
    """The GUID of one element: uuid5 of the fixed namespace and ``kind`` with its key."""
    name = "\x1f".join((kind, *key))
    return str(uuid.uuid5(GUID_NAMESPACE, name))


def theme_guid(theme: str) -> str:
    return guid("theme", theme)


def polarity_guid(theme: str, polarity: Polarity) -> str:
    return guid("polarity", theme, polarity.value)


def source_guid(story_key: str) -> str:
    return guid("source", story_key)


def case_guid(case_key: str) -> str:
    return guid("case", case_key)


def variable_guid(name: str) -> str:
    return guid("variable", name)


def source_file_name(story_key: str) -> str:
    """The story's text file inside ``sources/``; the XML names it ``internal://`` + this."""
    return f"{source_guid(story_key)}.txt"


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot carry taken out (a title or a pseudonym
    typed with a stray control character must not make the whole project unreadable)."""
    return _NOT_XML.sub("", text)


def source_text(words: str) -> str:
    """The words as the source file holds them: a lone surrogate (which UTF-8 cannot encode)
    becomes U+FFFD, so the selection's length counts what the file really has."""
    return _LONE_SURROGATE.sub("\ufffd", words)


def write_project(
    target: Path,
    project: QdaProject,
    themes: Sequence[QdaTheme],
    stories: Iterable[QdaStory],
    progress: Callable[[int], None] | None = None,
) -> QdaWritten:
    """Write ``stories`` as a REFI-QDA project at ``target`` (a ``.qdpx``), atomically.

    ``stories`` is read once, one story at a time. Each story's themes must be in ``themes``
    (a ``ValueError`` says which is not: the caller builds both from the same list).
    ``progress`` is told the number of stories written so far, after each one. A full disk
    raises ``DiskFullError``; nothing is left at ``target`` but what was there before.
    """
    _check_themes(themes)
    known_themes = {theme.name for theme in themes}
    user = guid("user", project.user_name)
    stamp = _xsd_datetime(project.created)
    with (
        _atomic_target(target) as (archive_file, folder),
        zipfile.ZipFile(archive_file, "w", zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryFile(dir=folder, prefix=".sources-", suffix=".part") as part,
    ):
        part_text = io.TextIOWrapper(part, encoding="utf-8", newline="")
        cases, written = _write_sources(
            archive, part_text, project, stories, known_themes, user, stamp, progress
        )
        part_text.flush()
        part_text.detach()
        written.themes = len(themes)
        written.cases = len(cases)
        part_size = part.tell()
        part.seek(0)
        entry = _zip_entry(PROJECT_ENTRY, project.created)
        with archive.open(entry, "w", force_zip64=part_size > _LARGE_XML_PART) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            _write_project_xml(out, project, themes, cases, user, stamp, part)
            out.flush()
            out.detach()
    return written


def write_codebook(target: Path, themes: Sequence[QdaTheme]) -> None:
    """Write the themes, with their polarity codes, as a REFI-QDA codebook (``.qdc``),
    atomically. The codes have the same GUIDs as in a project written from the same themes."""
    _check_themes(themes)
    if not themes:
        raise ValueError("a codebook needs at least one theme")
    with _atomic_target(target) as (out, _folder):
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        xml = XMLGenerator(text, "utf-8", short_empty_elements=True)
        xml.startDocument()
        _start(xml, "CodeBook", {"xmlns": CODEBOOK_NAMESPACE, "origin": _origin()})
        _write_codes(xml, themes)
        xml.endElement("CodeBook")
        xml.endDocument()
        text.write("\n")
        text.flush()
        text.detach()


def _check_themes(themes: Sequence[QdaTheme]) -> None:
    names = [theme.name for theme in themes]
    if len(set(names)) != len(names):
        raise ValueError("the theme list names a theme twice")


def _origin() -> str:
    return f"Storykeeper {__version__}"


def _xsd_datetime(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("the project's creation time needs a time zone")
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _zip_entry(name: str, created: dt.datetime) -> zipfile.ZipInfo:
    # A fixed time and mode on every entry, so the archive's bytes depend on the input alone.
    when = created.astimezone(dt.UTC)
    entry = zipfile.ZipInfo(name, date_time=(max(when.year, 1980), *when.timetuple()[1:6]))
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


@contextmanager
def _atomic_target(target: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """A temporary file beside ``target``, renamed over it only once whole; and its folder."""
    with atomic_file(target) as handle:
        yield handle, target.parent


def _start(xml: XMLGenerator, name: str, attributes: dict[str, str] | None = None) -> None:
    xml.startElement(name, {key: xml_text(value) for key, value in (attributes or {}).items()})


def _element(xml: XMLGenerator, name: str, attributes: dict[str, str]) -> None:
    _start(xml, name, attributes)
    xml.endElement(name)


def _text_element(xml: XMLGenerator, name: str, text: str) -> None:
    xml.startElement(name, {})
    xml.characters(xml_text(text))
    xml.endElement(name)


def _write_codes(xml: XMLGenerator, themes: Sequence[QdaTheme]) -> None:
    xml.startElement("Codes", {})
    for theme in themes:
        _start(
            xml, "Code", {"guid": theme_guid(theme.name), "name": theme.name, "isCodable": "true"}
        )
        if theme.definition:
            _text_element(xml, "Description", theme.definition)
        for polarity, label, description in POLARITY_CODES:
            attributes = {
                "guid": polarity_guid(theme.name, polarity),
                "name": label,
                "isCodable": "true",
                "color": POLARITY_COLOURS[polarity],
            }
            _start(xml, "Code", attributes)
            _text_element(xml, "Description", description)
            xml.endElement("Code")
        xml.endElement("Code")
    xml.endElement("Codes")


def _write_sources(
    archive: zipfile.ZipFile,
    part: IO[str],
    project: QdaProject,
    stories: Iterable[QdaStory],
    known_themes: set[str],
    user: str,
    stamp: str,
    progress: Callable[[int], None] | None,
) -> tuple[dict[str, _Case], QdaWritten]:
    """Each story's text into the zip and its ``TextSource`` into ``part``; the cases back."""
    xml = XMLGenerator(part, "utf-8", short_empty_elements=True)
    cases: dict[str, _Case] = {}
    seen: set[str] = set()
    source_names = UniqueNames()
    written = QdaWritten()
    for story in stories:
        if story.story_key in seen:
            raise ValueError("a story was given twice")
        seen.add(story.story_key)
        unknown = {mark.theme for mark in story.themes} - known_themes
        if unknown:
            raise ValueError("a story is marked with a theme that is not in the theme list")
        text = source_text(story.words)
        file_name = source_file_name(story.story_key)
        entry = _zip_entry(f"{SOURCES_FOLDER}/{file_name}", project.created)
        archive.writestr(entry, text.encode("utf-8"))
        name = source_names.take(xml_text(story.title) or "Untitled story")
        _write_source(xml, story, name, text, file_name, user, stamp)
        case = cases.setdefault(story.case_key, _Case(label=story.case_label))
        case.sources.append(source_guid(story.story_key))
        for name in CASE_VARIABLES:
            value = story.variable_values()[name]
            if value:
                case.values.setdefault(name, set()).add(value)
        written.stories += 1
        if progress is not None:
            progress(written.stories)
    return cases, written


def _write_source(
    xml: XMLGenerator,
    story: QdaStory,
    name: str,
    text: str,
    file_name: str,
    user: str,
    stamp: str,
) -> None:
    made = {"creatingUser": user, "creationDateTime": stamp}
    _start(
        xml,
        "TextSource",
        {
            "guid": source_guid(story.story_key),
            "name": name,
            "plainTextPath": f"internal://{file_name}",
            **made,
        },
    )
    codings = [
        (guid("coding", story.story_key, mark.theme), polarity_guid(mark.theme, mark.polarity))
        for mark in sorted(story.themes, key=lambda mark: mark.theme)
    ]
    if text:
        selection = {
            "guid": guid("selection", story.story_key),
            "name": name,
            "startPosition": "0",
            "endPosition": str(len(text)),
            **made,
        }
        _start(xml, "PlainTextSelection", selection)
        _write_codings(xml, codings, made)
        xml.endElement("PlainTextSelection")
    else:
        # No words to select: the themes are coded on the source as a whole.
        _write_codings(xml, codings, made)
    _write_variable_values(xml, {k: v for k, v in story.variable_values().items() if v})
    xml.endElement("TextSource")


def _write_codings(xml: XMLGenerator, codings: list[tuple[str, str]], made: dict[str, str]) -> None:
    for coding, code in codings:
        _start(xml, "Coding", {"guid": coding, **made})
        _element(xml, "CodeRef", {"targetGUID": code})
        xml.endElement("Coding")


def _write_variable_values(xml: XMLGenerator, values: dict[str, str]) -> None:
    for name, value in values.items():
        xml.startElement("VariableValue", {})
        _element(xml, "VariableRef", {"targetGUID": variable_guid(name)})
        _text_element(xml, "TextValue", value)
        xml.endElement("VariableValue")


def _write_project_xml(
    out: IO[str],
    project: QdaProject,
    themes: Sequence[QdaTheme],
    cases: dict[str, _Case],
    user: str,
    stamp: str,
    sources_part: IO[bytes],
) -> None:
    xml = XMLGenerator(out, "utf-8", short_empty_elements=True)
    xml.startDocument()
    root = {
        "xmlns": PROJECT_NAMESPACE,
        "name": project.name,
        "origin": _origin(),
        "creatingUserGUID": user,
        "creationDateTime": stamp,
    }
    _start(xml, "Project", root)
    xml.startElement("Users", {})
    _element(xml, "User", {"guid": user, "name": project.user_name})
    xml.endElement("Users")
    if themes:
        xml.startElement("CodeBook", {})
        _write_codes(xml, themes)
        xml.endElement("CodeBook")
    xml.startElement("Variables", {})
    for name in SOURCE_VARIABLES:
        _start(
            xml, "Variable", {"guid": variable_guid(name), "name": name, "typeOfVariable": "Text"}
        )
        _text_element(xml, "Description", _VARIABLE_DESCRIPTIONS[name])
        xml.endElement("Variable")
    xml.endElement("Variables")
    if cases:
        xml.startElement("Cases", {})
        case_names = UniqueNames()
        for case_key in sorted(cases):
            case = cases[case_key]
            _write_case(xml, case_key, case_names.take(xml_text(case.label)), case)
        xml.endElement("Cases")
        xml.startElement("Sources", {})
        # Closes the pending "<Sources" tag, so that what is copied next lands inside it.
        xml.ignorableWhitespace("\n")
        # The TextSources were written to this part story by story; copied in unchanged.
        part_text = io.TextIOWrapper(sources_part, encoding="utf-8", newline="")
        shutil.copyfileobj(part_text, out)
        part_text.detach()
        xml.endElement("Sources")
    if project.description:
        _text_element(xml, "Description", project.description)
    xml.endElement("Project")
    xml.endDocument()
    out.write("\n")


def _write_case(xml: XMLGenerator, case_key: str, name: str, case: _Case) -> None:
    _start(xml, "Case", {"guid": case_guid(case_key), "name": name})
    values = {
        name: CASE_VALUE_SEPARATOR.join(sorted(case.values[name]))
        for name in CASE_VARIABLES
        if name in case.values
    }
    _write_variable_values(xml, values)
    for source in case.sources:
        _element(xml, "SourceRef", {"targetGUID": source})
    xml.endElement("Case")
