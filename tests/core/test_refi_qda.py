"""The REFI-QDA project (.qdpx) and codebook (.qdc): valid against the standard's published
schemas (tests/fixtures/refi_qda/, checked with lxml), every GUID unique, every reference
resolving, every source in the archive holding exactly the words given, nothing beyond the
input, the same bytes for the same input, any script, and a real full disk."""

from __future__ import annotations

import datetime as dt
import os
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from storykeeper.core.errors import DiskFullError
from storykeeper.core.refi_qda import (
    CASE_VALUE_SEPARATOR,
    PROJECT_ENTRY,
    QdaProject,
    QdaStory,
    QdaTheme,
    QdaThemeMark,
    QdaWriteError,
    polarity_guid,
    theme_guid,
    write_codebook,
    write_project,
)
from storykeeper.core.vocabulary import Polarity
from tests.full_disk import fill, free, small_disk

FIXTURES = Path(__file__).parent.parent / "fixtures" / "refi_qda"
NS = {"q": "urn:QDA-XML:project:1.0"}
CODEBOOK_NS = {"c": "urn:QDA-XML:codebook:1.0"}
PROJECT_SCHEMA = etree.XMLSchema(etree.parse(str(FIXTURES / "Project-mrt2019.xsd")))
CODEBOOK_SCHEMA = etree.XMLSchema(etree.parse(str(FIXTURES / "Codebook.xsd")))

THEMES = (
    QdaTheme("Transport", "Getting to places: buses, lifts, walking."),
    QdaTheme("Family", "The people closest to the person."),
    QdaTheme("Diagnosis", ""),
)
PROJECT = QdaProject(
    name="Our stories, 2026",
    user_name="Coordinator",
    created=dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC),
    description="Anonymised stories.",
)


def _story(key: str, case: str = "case-1", **changes: object) -> QdaStory:
    fields: dict[str, object] = {
        "story_key": key,
        "title": f"Story {key}",
        "words": f"The words of story {key}.\nA second line.",
        "case_key": case,
        "case_label": f"Pseudonym {case}",
        "month_told": "2026-03",
        "setting": "home",
        "how_told": "in person",
        "language": "English",
        "sender": "North group",
        "themes": (QdaThemeMark("Transport", Polarity.ENABLER),),
    }
    fields.update(changes)
    return QdaStory(**fields)  # type: ignore[arg-type]


STORIES = (
    _story("a", themes=(QdaThemeMark("Transport", Polarity.ENABLER),)),
    _story(
        "b",
        setting="care home",
        month_told="2026-04",
        themes=(
            QdaThemeMark("Family", Polarity.BARRIER),
            QdaThemeMark("Transport", Polarity.MIXED),
        ),
    ),
    _story("c", case="case-2", themes=()),
    _story("d", case="case-3", words="", themes=(QdaThemeMark("Diagnosis", Polarity.BARRIER),)),
)


class Project:
    """A written .qdpx, opened: the parsed project.qde and the archive's other files."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as archive:
            self.names = archive.namelist()
            self.xml_bytes = archive.read(PROJECT_ENTRY)
            self.files = {
                name: archive.read(name).decode("utf-8")
                for name in self.names
                if name != PROJECT_ENTRY
            }
        self.root = etree.fromstring(self.xml_bytes)

    def all(self, path: str) -> list[etree._Element]:
        return self.root.xpath(path, namespaces=NS)

    def sources(self) -> dict[str, etree._Element]:
        return {source.get("name"): source for source in self.all("//q:TextSource")}

    def text_of(self, source: etree._Element) -> str:
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        return self.files["sources/" + path.removeprefix("internal://")]

    def variables(self, element: etree._Element) -> dict[str, str]:
        names = {v.get("guid"): v.get("name") for v in self.all("//q:Variables/q:Variable")}
        return {
            names[value.find("q:VariableRef", NS).get("targetGUID")]: value.findtext(
                "q:TextValue", namespaces=NS
            )
            for value in element.findall("q:VariableValue", NS)
        }


def _write(tmp_path: Path, stories: tuple[QdaStory, ...] = STORIES, name: str = "p") -> Path:
    target = tmp_path / f"{name}.qdpx"
    write_project(target, PROJECT, THEMES, stories)
    return target


def test_the_project_is_valid_against_the_published_project_schema(tmp_path: Path) -> None:
    project = Project(_write(tmp_path))
    assert PROJECT_SCHEMA.validate(project.root), PROJECT_SCHEMA.error_log
    assert project.root.tag == "{urn:QDA-XML:project:1.0}Project"
    assert project.root.get("name") == PROJECT.name


def test_the_codebook_is_valid_and_its_codes_are_the_projects(tmp_path: Path) -> None:
    target = tmp_path / "themes.qdc"
    write_codebook(target, THEMES)
    codebook = etree.parse(str(target))
    assert CODEBOOK_SCHEMA.validate(codebook), CODEBOOK_SCHEMA.error_log
    project = Project(_write(tmp_path))

    def tree(codes: list[etree._Element], ns: dict[str, str], prefix: str) -> list[object]:
        return [
            (
                code.get("guid"),
                code.get("name"),
                code.findtext(f"{prefix}:Description", namespaces=ns),
                tree(code.findall(f"{prefix}:Code", ns), ns, prefix),
            )
            for code in codes
        ]

    from_codebook = tree(
        codebook.xpath("/c:CodeBook/c:Codes/c:Code", namespaces=CODEBOOK_NS), CODEBOOK_NS, "c"
    )
    from_project = tree(project.all("/q:Project/q:CodeBook/q:Codes/q:Code"), NS, "q")
    assert from_codebook == from_project
    assert [name for _, name, _, _ in from_codebook] == ["Transport", "Family", "Diagnosis"]
    for _, _, _, children in from_codebook:
        assert [child[1] for child in children] == ["Enabler", "Barrier", "Mixed"]  # type: ignore[index]


def test_every_guid_is_unique(tmp_path: Path) -> None:
    project = Project(_write(tmp_path))
    guids = [element.get("guid") for element in project.all("//*[@guid]")]
    assert len(guids) > 30
    assert len(guids) == len(set(guids))


def test_every_reference_resolves_to_an_element_of_its_kind(tmp_path: Path) -> None:
    project = Project(_write(tmp_path))

    def guids(path: str) -> set[str]:
        return {element.get("guid") for element in project.all(path)}

    codes, sources = guids("//q:CodeBook//q:Code"), guids("//q:Sources/q:TextSource")
    variables, users = guids("//q:Variables/q:Variable"), guids("//q:Users/q:User")
    code_refs = {ref.get("targetGUID") for ref in project.all("//q:CodeRef")}
    source_refs = {ref.get("targetGUID") for ref in project.all("//q:SourceRef")}
    variable_refs = {ref.get("targetGUID") for ref in project.all("//q:VariableRef")}
    user_refs = {
        element.get(attribute)
        for attribute in ("creatingUser", "modifyingUser", "creatingUserGUID")
        for element in project.all(f"//*[@{attribute}]")
    }
    assert code_refs and code_refs <= codes
    assert source_refs == sources  # every story belongs to a storyteller's case
    assert variable_refs and variable_refs <= variables
    assert user_refs == users and len(users) == 1


def test_every_source_is_a_file_in_the_archive_holding_exactly_the_words(
    tmp_path: Path,
) -> None:
    project = Project(_write(tmp_path))
    sources = project.sources()
    assert set(sources) == {story.title for story in STORIES}
    for story in STORIES:
        source = sources[story.title]
        assert source.find("q:PlainTextContent", NS) is None  # the words are in the file only
        assert project.text_of(source) == story.words
    # sources/ holds one file per story and nothing else; the archive nothing else either.
    assert sorted(project.files) == sorted(
        "sources/" + s.get("plainTextPath").removeprefix("internal://") for s in sources.values()
    )
    assert all(name.startswith("sources/") or name == PROJECT_ENTRY for name in project.names)


def test_each_story_is_coded_over_its_whole_text_to_its_themes_polarity(tmp_path: Path) -> None:
    project = Project(_write(tmp_path))
    sources = project.sources()
    for story in STORIES:
        source = sources[story.title]
        selections = source.findall("q:PlainTextSelection", NS)
        if story.words:
            (selection,) = selections
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert (start, end) == (0, len(story.words))
            codings = selection.findall("q:Coding/q:CodeRef", NS)
            assert source.findall("q:Coding", NS) == []
        else:
            assert selections == []  # nothing to select: coded on the source as a whole
            codings = source.findall("q:Coding/q:CodeRef", NS)
        expected = {polarity_guid(mark.theme, mark.polarity) for mark in story.themes}
        assert {ref.get("targetGUID") for ref in codings} == expected
        assert len(codings) == len(story.themes)
    # The polarity code sits beneath its theme, and is named for the polarity.
    family_barrier = project.all(
        f"//q:Code[@guid='{theme_guid('Family')}']"
        f"/q:Code[@guid='{polarity_guid('Family', Polarity.BARRIER)}']"
    )
    assert [code.get("name") for code in family_barrier] == ["Barrier"]


def test_storytellers_are_cases_with_their_stories_and_variables(tmp_path: Path) -> None:
    project = Project(_write(tmp_path))
    sources = project.sources()
    cases = {case.get("name"): case for case in project.all("//q:Cases/q:Case")}
    assert set(cases) == {"Pseudonym case-1", "Pseudonym case-2", "Pseudonym case-3"}
    first = cases["Pseudonym case-1"]
    assert {ref.get("targetGUID") for ref in first.findall("q:SourceRef", NS)} == {
        sources["Story a"].get("guid"),
        sources["Story b"].get("guid"),
    }
    # Told at home and in a care home, in March and April: the case holds each value once.
    assert project.variables(first) == {
        "Setting": f"care home{CASE_VALUE_SEPARATOR}home",
        "How told": "in person",
        "Month told": f"2026-03{CASE_VALUE_SEPARATOR}2026-04",
    }
    # Each story carries its own exact values, with language and sender.
    assert project.variables(sources["Story b"]) == {
        "Setting": "care home",
        "How told": "in person",
        "Month told": "2026-04",
        "Language": "English",
        "Sender": "North group",
    }


def test_nothing_beyond_the_input_appears(tmp_path: Path) -> None:
    left_out = _story(
        "secret", title="A story left out", words="Words nobody cleared for quoting", case="x"
    )
    with_it = Project(_write(tmp_path, (*STORIES, left_out), name="with"))
    without = Project(_write(tmp_path, STORIES, name="without"))
    assert "A story left out" in with_it.sources()  # the probe is one the writer would show
    everything = without.xml_bytes.decode("utf-8") + "".join(without.files.values())
    for trace in ("A story left out", "Words nobody cleared", "Pseudonym x"):
        assert trace not in everything
    assert len(without.files) == len(STORIES)


def test_the_same_input_writes_the_same_bytes(tmp_path: Path) -> None:
    first = _write(tmp_path, name="first")
    reordered = tuple(
        QdaStory(**{**story.__dict__, "themes": tuple(reversed(story.themes))}) for story in STORIES
    )
    second = _write(tmp_path, reordered, name="second")
    assert first.read_bytes() == second.read_bytes()
    first_codebook, second_codebook = tmp_path / "1.qdc", tmp_path / "2.qdc"
    write_codebook(first_codebook, THEMES)
    write_codebook(second_codebook, THEMES)
    assert first_codebook.read_bytes() == second_codebook.read_bytes()


UNICODE_WORDS = {
    "Welsh": "Mae'r bws yn hwyr; ŵyr ac ŷd. Diolch yn fawr!",
    "Arabic": "ساعدتني ابنتي كثيرا في المواعيد.",
    "Hebrew": "הנכדה שלי עזרה לי.",
    "Emoji": "The bus 🚌 was late 😞 but the driver 👩🏽‍✈️ waited.",
    "Combining": "Cafe\u0301 with Zoë, and a zero\u200bwidth space.",
}


def test_any_script_round_trips_and_positions_count_characters(tmp_path: Path) -> None:
    stories = tuple(
        _story(
            name.lower(),
            case=name,
            title=f"{name} 🌍 «{words[:6]}»",
            words=words,
            case_label=words[:8],
        )
        for name, words in UNICODE_WORDS.items()
    )
    project = Project(_write(tmp_path, stories))
    assert PROJECT_SCHEMA.validate(project.root), PROJECT_SCHEMA.error_log
    sources = project.sources()
    for story in stories:
        source = sources[story.title]
        assert project.text_of(source) == story.words
        selection = source.find("q:PlainTextSelection", NS)
        # Characters (code points), as the standard counts them: not UTF-8 or UTF-16 units.
        assert int(selection.get("endPosition")) == len(story.words)
    assert {case.get("name") for case in project.all("//q:Case")} == {
        words[:8] for words in UNICODE_WORDS.values()
    }


def test_characters_xml_cannot_hold_do_not_spoil_the_project(tmp_path: Path) -> None:
    story = _story(
        "ctl",
        title="Bell\x07 and\x00 null",
        case_label="Ann\x1b",
        words="Keeps \x0c its \ud800 words",
    )
    project = Project(_write(tmp_path, (story,)))
    assert PROJECT_SCHEMA.validate(project.root), PROJECT_SCHEMA.error_log
    (source,) = project.all("//q:TextSource")
    assert source.get("name") == "Bell and null"
    assert project.all("//q:Case")[0].get("name") == "Ann"
    # The file keeps the words; the one character UTF-8 cannot carry becomes U+FFFD.
    text = project.text_of(source)
    assert text == "Keeps \x0c its \ufffd words"
    assert int(source.find("q:PlainTextSelection", NS).get("endPosition")) == len(text)


def test_a_story_marked_with_a_theme_not_in_the_list_is_refused(tmp_path: Path) -> None:
    stray = _story("s", themes=(QdaThemeMark("Housing", Polarity.BARRIER),))
    with pytest.raises(ValueError, match="not in the theme list"):
        _write(tmp_path, (stray,))
    with pytest.raises(ValueError, match="given twice"):
        _write(tmp_path, (_story("same"), _story("same")))
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_half_way_keeps_the_file_that_was_there(tmp_path: Path) -> None:
    target = _write(tmp_path)
    before = target.read_bytes()

    def failing() -> Iterator[QdaStory]:
        yield _story("new-1")
        raise OSError("the source of the stories broke")

    with pytest.raises(OSError, match="broke"):
        write_project(target, PROJECT, THEMES, failing())
    assert target.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [target.name]


def test_a_full_disk_says_so_and_leaves_nothing_behind(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    with small_disk(disk, "1m"):
        target = disk / "stories.qdpx"
        target.write_bytes(b"the previous project")
        # Words that do not compress, so the project cannot fit in what is left.
        stories = (_story(f"s{n}", words=os.urandom(3000).hex()) for n in range(2000))
        fill(disk)
        try:
            with pytest.raises(DiskFullError) as raised:
                write_project(target, PROJECT, THEMES, stories)
            assert "stories.qdpx was not written" in str(raised.value)
            assert target.read_bytes() == b"the previous project"
            assert sorted(path.name for path in disk.iterdir()) == ["filler", "stories.qdpx"]
        finally:
            free(disk)


def test_the_words_are_streamed_not_held(tmp_path: Path) -> None:
    # 3,000 stories of 8,000 characters: 24 MB of words. Held in memory they would take at
    # least that; streamed, the writer holds one story's words and a few strings per story.
    def stories() -> Iterator[QdaStory]:
        for n in range(3000):
            yield _story(f"s{n}", case=f"c{n % 700}", words=(f"{n:07d} " * 1000))

    tracemalloc.start()
    try:
        write_project(tmp_path / "big.qdpx", PROJECT, THEMES, stories())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            _text,
            _text,
            st.integers(0, 4),
            st.lists(
                st.tuples(st.sampled_from(THEMES), st.sampled_from(list(Polarity))), max_size=3
            ),
        ),
        max_size=8,
    )
)
def test_any_stories_make_a_valid_project_whose_references_resolve(
    tmp_path: Path, drawn: list[tuple[str, str, int, list[tuple[QdaTheme, Polarity]]]]
) -> None:
    stories = tuple(
        _story(
            f"k{index}",
            case=f"c{case}",
            title=title,
            words=words,
            themes=tuple(
                QdaThemeMark(theme.name, polarity) for theme, polarity in dict(marks).items()
            ),
        )
        for index, (title, words, case, marks) in enumerate(drawn)
    )
    target = tmp_path / "any.qdpx"
    write_project(target, PROJECT, THEMES, stories)
    project = Project(target)
    assert PROJECT_SCHEMA.validate(project.root), PROJECT_SCHEMA.error_log
    guids = [element.get("guid") for element in project.all("//*[@guid]")]
    assert len(guids) == len(set(guids))
    targets = {ref.get("targetGUID") for ref in project.all("//*[@targetGUID]")}
    assert targets <= set(guids)
    texts = [project.text_of(source) for source in project.all("//q:TextSource")]
    assert texts == [story.words for story in stories]


def test_sources_and_cases_have_names_no_other_shares(tmp_path: Path) -> None:
    # Tools key sources and cases by name (QualCoder's tables hold each name once; NVivo's
    # folders too, ignoring case): two stories called "Walk", or two storytellers both
    # "Mary K.", must not make the import fail or merge them.
    stories = (
        _story("1", title="Walk", case="m1", case_label="Mary K."),
        _story("2", title="Walk", case="m2", case_label="Mary K."),
        _story("3", title="walk", case="m3", case_label="mary k."),
        _story("4", title="", case="m1", case_label="Mary K."),
        _story("5", title="", case="m1", case_label="Mary K."),
    )
    project = Project(_write(tmp_path, stories))
    assert PROJECT_SCHEMA.validate(project.root), PROJECT_SCHEMA.error_log
    names = [source.get("name") for source in project.all("//q:TextSource")]
    assert names == ["Walk", "Walk (2)", "walk (3)", "Untitled story", "Untitled story (2)"]
    selections = [s.get("name") for s in project.all("//q:PlainTextSelection")]
    assert selections == names
    cases = [case.get("name") for case in project.all("//q:Case")]
    assert cases == ["Mary K.", "Mary K. (2)", "mary k. (3)"]


def test_progress_is_told_each_story_as_it_is_written(tmp_path: Path) -> None:
    told: list[int] = []
    written = write_project(tmp_path / "p.qdpx", PROJECT, THEMES, STORIES, progress=told.append)
    assert told == [1, 2, 3, 4]
    assert (written.stories, written.cases, written.themes) == (4, 3, 3)


def test_a_creation_time_without_a_time_zone_is_refused(tmp_path: Path) -> None:
    naive = QdaProject(name="p", user_name="u", created=dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="time zone"):
        write_project(tmp_path / "p.qdpx", naive, THEMES, STORIES)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_take_the_file_is_said_plainly(tmp_path: Path) -> None:
    missing = tmp_path / "no such folder" / "stories.qdpx"
    with pytest.raises(QdaWriteError) as raised:
        write_project(missing, PROJECT, THEMES, STORIES)
    assert str(raised.value) == (
        f"Could not write stories.qdpx in {missing.parent}: No such file or directory."
    )
    # A folder already there under the file's name: the rename fails, the part is removed.
    in_the_way = tmp_path / "themes.qdc"
    in_the_way.mkdir()
    with pytest.raises(
        QdaWriteError, match=r"^Could not write themes\.qdc in .*: Is a directory\."
    ):
        write_codebook(in_the_way, THEMES)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["themes.qdc"]
