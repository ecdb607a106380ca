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
    # Easy read: short sentences.
    for line in text.intro_text.splitlines():
        assert len(line.split()) <= 12


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
                "scopes": {"share_media": {"question": "May we share your recordings?"}},
            }
        ),
        encoding="utf-8",
    )
    text = load_consent_text("en", tmp_path)
    standard = load_consent_text("en")
    assert text.intro_title == "Eich stori chi"
    assert text.intro_text == standard.intro_text  # left out: the shipped wording stays
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
