"""0014 gives each imported storyteller, supporter and tombstone to the signer who sent it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import select

from storykeeper.core import people
from storykeeper.core.bundle.export import Selection, export_bundle
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store, migrations_config
from storykeeper.core.models import StoryRow, StorytellerRow, SupporterRow, TombstoneRow
from storykeeper.core.vocabulary import SupporterRole
from tests.exchange import export, shared, trust_advocate, withdraw_fully


def test_0014_fills_the_owners_from_the_import_ledger(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    kept, later_gone, never = (shared(store, t) for t in ("The bus", "The garden", "The pier"))
    trust_advocate(store, coordinator)
    signer = store.keys.ensure().signing.key_id
    # Sent once in a bundle that never reached the coordinator, then withdrawn: its notice is
    # owed to the coordinator (it was sent the story) and arrives for a story not held there.
    lost = tmp_path / "lost"
    lost.mkdir()
    recipient = coordinator.keys.ensure().age_recipient
    export_bundle(
        store,
        actor="test",
        out=lost,
        selection=Selection.CHOSEN,
        story_ids=[never.id],
        recipients=[recipient],
    )
    withdraw_fully(store, never.id)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "1"), actor="c").ok
    withdraw_fully(store, later_gone.id)  # sent, then withdrawn
    late = export(store, coordinator, tmp_path / "2", Selection.SINCE_LAST)
    assert import_bundle(coordinator, late, actor="c").ok
    with coordinator.read() as session:
        # Sent without the name, a story carries a pseudonymous storyteller id (issue 17): the
        # coordinator's ids, from the story and from the tombstone.
        kept_teller = session.scalar(
            select(StorytellerRow.uuid)
            .join(StoryRow, StoryRow.storyteller_id == StorytellerRow.id)
            .where(StoryRow.uuid == kept.id)
        )
        gone_teller = session.scalar(
            select(TombstoneRow.storyteller_uuid).where(TombstoneRow.story_uuid == later_gone.id)
        )
    with coordinator.write(actor="c") as session:
        here = people.create_storyteller(session, "Made here").id
        people.create_supporter(session, "Also made here", SupporterRole.FAMILY_CARER)

    with coordinator.engine.begin() as connection:
        command.downgrade(migrations_config(connection), "0013")
    with coordinator.engine.begin() as connection:
        command.upgrade(migrations_config(connection), "head")

    with coordinator.read() as session:
        tellers = dict(
            session.execute(select(StorytellerRow.uuid, StorytellerRow.signer_key_id)).all()
        )
        supporters = sorted(
            session.execute(select(SupporterRow.name, SupporterRow.signer_key_id)).all(),
            key=str,
        )
        tombstones = dict(
            session.execute(select(TombstoneRow.story_uuid, TombstoneRow.signer_key_id)).all()
        )
    # The storyteller of a story withdrawn since is known by its tombstone and the ledger.
    assert tellers == {kept_teller: signer, gone_teller: signer, here: None}
    # A supporter named only by stories withdrawn since is named by nothing left here, so they
    # stay nobody's (merge lets any signer name such a supporter: an import never changes one).
    assert supporters == sorted(
        [("Also made here", None), ("Priya Shah", signer), ("Priya Shah", None)], key=str
    )
    # A story held here and then withdrawn stays out for good, from anyone; one withdrawn
    # before it arrived (its bundle was lost) stays out for its signer.
    assert tombstones == {later_gone.id: None, never.id: signer}
