"""Names and titles are shown so that none can disguise itself."""

from __future__ import annotations

from storykeeper.core.display import neutralised


def test_direction_overrides_and_invisible_characters_are_shown_as_a_mark() -> None:
    assert neutralised("Ann\u202eseno\u202c") == "Ann\ufffdseno\ufffd"
    assert neutralised("An\u200bn Jones\ufeff") == "An\ufffdn Jones\ufffd"
    assert neutralised("\u2067Ali\u2069") == "\ufffdAli\ufffd"


def test_names_that_need_no_help_are_shown_as_they_are() -> None:
    for name in (
        "Siân Llŷr",
        "王秀英",
        "مریم",  # right to left shows rightly without any override
        "می\u200cخواهم",  # Persian needs the zero-width non-joiner
        "\U0001f469\u200d\U0001f467 family",  # an emoji sequence needs the joiner
        "Zoe\u0301",
    ):
        assert neutralised(name) == name
