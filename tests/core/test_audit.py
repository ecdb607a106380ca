"""The audit log is append-only and hash-chained: editing or removing any event shows."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storykeeper.core import audit
from storykeeper.core.db import Store
from tests.factories import make_story


def _problems(store: Store) -> list[str]:
    with store.read() as session:
        return [p.message for p in audit.verify_chain(session)]


@pytest.fixture
def logged(store: Store) -> Store:
    # Each story makes three events (storyteller, supporter, story): nine in all.
    for n in range(3):
        make_story(store, title=f"Story {n}")
    return store


def test_every_change_is_logged_with_its_actor(logged: Store) -> None:
    with logged.read() as session:
        events = audit.recent_events(session, limit=100)
    assert [e.seq for e in events] == list(range(9, 0, -1))
    assert {e.actor for e in events} == {"test"}
    assert events[0].action == "story.created"
    assert _problems(logged) == []


def test_an_edited_event_is_detected(logged: Store) -> None:
    with logged.write(actor="tamper") as session:
        session.execute(text("UPDATE audit_events SET actor = 'someone else' WHERE seq = 4"))
    assert _problems(logged) == [
        "audit event 4 (storyteller.created) was changed after it was written"
    ]


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(logged: Store) -> None:
    with logged.write(actor="tamper") as session:
        row = session.execute(text("SELECT * FROM audit_events WHERE seq = 4")).mappings().one()
        from storykeeper.core.models import AuditEventRow

        event = session.get(AuditEventRow, 4)
        assert event is not None
        event.actor = "someone else"
        event.hash = audit.event_hash(
            seq=4,
            occurred_at=event.occurred_at,
            actor="someone else",
            action=row["action"],
            entity_type=row["entity_type"],
            entity_uuid=row["entity_uuid"],
            details=row["details"],
            prev_hash=row["prev_hash"],
        )
    assert _problems(logged) == ["audit event 5 does not follow on from the event before it"]


def test_a_deleted_event_is_detected(logged: Store) -> None:
    with logged.write(actor="tamper") as session:
        session.execute(text("DELETE FROM audit_events WHERE seq = 5"))
    problems = _problems(logged)
    assert "audit events 5–5 are missing (deleted from the log)" in problems
    assert "audit event 6 does not follow on from the event before it" in problems


def test_removing_the_newest_event_is_detected(logged: Store) -> None:
    with logged.write(actor="tamper") as session:
        session.execute(text("DELETE FROM audit_events WHERE seq = 9"))
    assert _problems(logged) == [
        "the audit log ends at event 8 but its head records event 9: "
        "the newest events were removed or replaced"
    ]


def test_the_chain_continues_across_reopening(logged: Store, store_key: bytes) -> None:
    logged.close()
    with Store.open(logged.paths, store_key) as again:
        make_story(again, title="After reopening")
        assert _problems(again) == []
        with again.read() as session:
            assert audit.recent_events(session, limit=1)[0].seq == 12
