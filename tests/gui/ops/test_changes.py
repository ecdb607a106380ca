"""Whether an announced change is about what a view shows."""

from __future__ import annotations

from storykeeper.gui.ops.changes import Change, Kind, concerns


def test_a_change_concerns_a_record_when_its_kind_is_shown_and_its_ids_name_it_or_nothing() -> None:
    named = Change.of(Kind.ATTACHMENTS, "story-a")
    assert concerns(named.kind, named.ids, Kind.ATTACHMENTS, "story-a")
    assert not concerns(named.kind, named.ids, Kind.ATTACHMENTS, "story-b")
    assert not concerns(named.kind, named.ids, (Kind.STORIES, Kind.CONSENT), "story-a")
    anything = Change(Kind.CONSENT)
    assert concerns(anything.kind, anything.ids, (Kind.STORIES, Kind.CONSENT), "story-b")
    assert not concerns(anything.kind, anything.ids, Kind.CONSENT, None)


def test_ids_left_empty_are_dropped_when_a_change_is_made() -> None:
    assert Change.of(Kind.STORIES, None, "", "x") == Change(Kind.STORIES, frozenset({"x"}))
