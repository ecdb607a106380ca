"""Stories written here and imported from two senders, in several settings and ways of telling,
for the shared filters' tests (issue 18 §1). Imported stories are marked as a bundle import marks
them: a row of ``story_origins`` naming the trusted signer."""

from __future__ import annotations

import dataclasses

from storykeeper.core import clock, stories
from storykeeper.core.db import Store
from storykeeper.core.models import StoryOriginRow, StoryRow, TrustedSignerRow
from storykeeper.core.vocabulary import HowTold, Setting
from tests.gui.insight_stories import TRANSPORT, B, tell, teller

PRIYA, TOM = "AAAA1111BBBB2222", "CCCC3333DDDD4444"


def story_with(
    store: Store, name: str, *, setting: Setting | None = None, how: HowTold | None = None
) -> str:
    story_id = tell(store, teller(store, name), {TRANSPORT: B})
    with store.write(actor="test") as session:
        current = stories.get_story(session, story_id)
        changed = dataclasses.replace(current.fields, setting=setting, how_told=how)
        stories.update_story(session, story_id, changed, expected_revision=current.revision)
    return story_id


def imported_from(store: Store, story_id: str, key_id: str, label: str) -> None:
    """Marks the story as a bundle signed by ``key_id`` would have brought it."""
    with store.write(actor="test") as session:
        if session.query(TrustedSignerRow).filter_by(key_id=key_id).first() is None:
            session.add(
                TrustedSignerRow(
                    key_id=key_id, public_key="-", label=label, added_at=clock.now(), added_by="t"
                )
            )
        row = session.query(StoryRow).filter_by(uuid=story_id).one()
        session.add(
            StoryOriginRow(
                story_id=row.id, signer_key_id=key_id, bundle_id="b", imported_at=clock.now()
            )
        )


def stories_from_everywhere(store: Store) -> dict[str, str]:
    made = {
        "own_home": story_with(store, "Ann", setting=Setting.HOME, how=HowTold.OWN_WORDS_WRITTEN),
        "own_care": story_with(store, "Bob", setting=Setting.CARE_HOME, how=HowTold.PROXY_ACCOUNT),
        "priya1": story_with(store, "Cal", setting=Setting.HOME, how=HowTold.PROXY_ACCOUNT),
        "priya2": story_with(store, "Dee", setting=Setting.HOSPITAL),
        "tom": story_with(store, "Eve", how=HowTold.SPOKEN_WRITTEN_DOWN),
    }
    imported_from(store, made["priya1"], PRIYA, "Priya (advocate)")
    imported_from(store, made["priya2"], PRIYA, "Priya (advocate)")
    imported_from(store, made["tom"], TOM, "Tom (advocate)")
    return made
