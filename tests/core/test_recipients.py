"""Recipients: coordinators' age keys, checked when added, audited, listed by label."""

from __future__ import annotations

import pytest
from pyrage import x25519

from storykeeper.core import audit, recipients
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError


def test_added_recipients_are_listed_by_label_and_audited(store: Store) -> None:
    north, south = (str(x25519.Identity.generate().to_public()) for _ in range(2))
    with store.write(actor="advocate") as session:
        recipients.add_recipient(session, f"  {south}\n", "South")
        recipients.add_recipient(session, north, "North")
    with store.read() as session:
        listed = recipients.list_recipients(session)
        events = [e.action for e in audit.recent_events(session)]
    assert [(r.label, r.age_recipient, r.added_by) for r in listed] == [
        ("North", north, "advocate"),
        ("South", south, "advocate"),
    ]
    assert events.count("recipient.added") == 2


@pytest.mark.parametrize(
    ("key", "field_message"),
    [
        ("", "is not an age recipient"),
        ("age1qqqq", "damaged"),
        ("AGE-SECRET-KEY-1ABC", "is not an age recipient"),
    ],
)
def test_a_wrong_key_is_refused_with_what_to_do(store: Store, key: str, field_message: str) -> None:
    with pytest.raises(ValidationError, match=field_message) as caught, store.write("t") as session:
        recipients.add_recipient(session, key, "Someone")
    assert caught.value.field == "age_recipient"


def test_a_label_is_required(store: Store) -> None:
    key = str(x25519.Identity.generate().to_public())
    with pytest.raises(ValidationError) as caught, store.write("t") as session:
        recipients.add_recipient(session, key, "  ")
    assert caught.value.field == "label"
