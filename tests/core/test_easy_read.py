"""The easy-read consent wording: shipped for every choice, adaptable, never half-missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storykeeper.core.easy_read import load_consent_text, shipped_folder
from storykeeper.core.errors import ValidationError
from storykeeper.core.vocabulary import ConsentBasis, ConsentScope


def test_every_scope_and_basis_has_words_and_a_picture() -> None:
    text = load_consent_text()
    assert set(text.scopes) == set(ConsentScope)
    assert set(text.basis) == set(ConsentBasis)
    for scope in text.scopes.values():
        assert scope.question.endswith("?")
        assert scope.picture.is_file()
        assert scope.picture.read_text(encoding="utf-8").startswith("<svg")
    assert text.intro_picture.is_file()
    for choice in [text.yes, text.no, *text.basis.values()]:
        assert choice.text
        assert choice.picture.read_text(encoding="utf-8").startswith("<svg")
    # Easy read: short sentences, one to a line.
    person_facing = [text.intro, text.check, text.done, text.review]
    for line in [*(p.text for p in person_facing), text.stays_here, text.copy.change]:
        for sentence in line.splitlines():
            assert len(sentence.split()) <= 15, sentence
    assert "{date}" in text.copy.review


def test_an_unknown_language_falls_back_to_english() -> None:
    assert load_consent_text("xx") == load_consent_text("en")


def test_an_organisation_can_reword_part_of_it(tmp_path: Path) -> None:
    own = tmp_path / "consent"
    own.mkdir()
    (own / "en.json").write_text(
        json.dumps(
            {
                "format": 1,
                "intro": {"title": "Eich stori chi"},
                "basis": {"deputy": {"text": "The court chose someone to decide."}},
                "scopes": {"share_media": {"question": "May we share your recordings?"}},
            }
        ),
        encoding="utf-8",
    )
    text = load_consent_text("en", tmp_path)
    standard = load_consent_text("en")
    assert text.intro.title == "Eich stori chi"
    assert text.intro.text == standard.intro.text
    assert text.basis[ConsentBasis.DEPUTY].text == "The court chose someone to decide."
    assert (
        text.basis[ConsentBasis.DEPUTY].picture == standard.basis[ConsentBasis.DEPUTY].picture
    )  # left out: the shipped wording stays
    assert text.scopes[ConsentScope.SHARE_MEDIA].question == "May we share your recordings?"
    assert (
        text.scopes[ConsentScope.SHARE_MEDIA].picture
        == standard.scopes[ConsentScope.SHARE_MEDIA].picture
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"intro": ', "is not valid JSON (line 1"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"format": 9}', "is format 9; this Storykeeper reads format 1"),
    ],
)
def test_a_broken_adaptation_gets_a_clear_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "consent").mkdir()
    (tmp_path / "consent" / "en.json").write_bytes(content)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        load_consent_text("en", tmp_path)


def test_the_shipped_wording_is_found() -> None:
    assert (shipped_folder() / "en.json").is_file()


def test_an_adaptation_made_before_the_recording_question_still_works(tmp_path: Path) -> None:
    """An organisation's whole copy of an older en.json, with its own pictures folder: the
    recording question, which it never had, comes from the shipped wording and picture."""
    older = json.loads((shipped_folder() / "en.json").read_text(encoding="utf-8"))
    del older["scopes"][ConsentScope.RECORD_AUDIO.value]
    older["scopes"]["share_with_coordinator"]["question"] = "Can Dewi have your story?"
    own = tmp_path / "consent"
    (own / "pictures").mkdir(parents=True)
    (own / "pictures" / "share.svg").write_text("<svg/>", encoding="utf-8")
    (own / "en.json").write_text(json.dumps(older), encoding="utf-8")

    text = load_consent_text("en", tmp_path)
    standard = load_consent_text("en")
    recording = text.scopes[ConsentScope.RECORD_AUDIO]
    assert recording == standard.scopes[ConsentScope.RECORD_AUDIO]
    assert recording.question == "Can we record your voice while you tell your story?"
    assert recording.picture == shipped_folder() / "pictures" / "voice.svg"
    sharing = text.scopes[ConsentScope.SHARE_WITH_COORDINATOR]
    assert sharing.question == "Can Dewi have your story?"
    assert sharing.picture == own / "pictures" / "share.svg"
