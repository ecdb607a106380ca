"""A story sent without the storyteller's name carries a storyteller id that cannot be joined to
the named id, nor to the id another recipient sees; and the coordinator keeps a name only while
a story held there allows it (issue 17, part 3)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyrage
from pyrage import x25519
from sqlalchemy import select

from storykeeper.core import check, consent, people, stories
from storykeeper.core.bundle.export import export_bundle
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store
from storykeeper.core.mentioned import PersonMentioned, set_people_mentioned
from storykeeper.core.models import (
    ConsentRecordRow,
    SettingRow,
    StoryRow,
    StorytellerRow,
    StoryVersionRow,
)
from storykeeper.core.pseudonyms import SECRET_SETTING
from storykeeper.core.vocabulary import ConsentScope
from tests.exchange import trust_advocate
from tests.factories import given

SHARED = frozenset({ConsentScope.SHARE_WITH_COORDINATOR})
NAMED = SHARED | {ConsentScope.PUBLISH_WITH_NAME}


def stories_of_one_person(store: Store, scopes: list[frozenset[ConsentScope]]) -> list[str]:
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Margaret Evans")
        made = []
        for number, scope in enumerate(scopes):
            story = stories.create_story(
                session,
                stories.StoryFields(
                    storyteller_id=teller.id,
                    title=f"Story {number}",
                    own_words="I am Margaret Evans and I remember the mill.",
                ),
            )
            consent.record_consent(session, story.id, given(scopes=scope))
            made.append(story.id)
    return made


def storyteller_ids(bundle: Path, identity: x25519.Identity | None = None) -> dict[str, str]:
    """Each story's storyteller id, read from the bundle file alone."""
    data = bundle.read_bytes()
    zipped = bundle.with_suffix(".unzipped.zip")
    zipped.write_bytes(data if identity is None else pyrage.decrypt(data, [identity]))
    found = {}
    with zipfile.ZipFile(zipped) as archive:
        for name in archive.namelist():
            if "/data/stories/" in name:
                document = json.loads(archive.read(name))
                found[document["id"]] = document["storyteller"]["id"]
    return found


def sent(store: Store, out: Path, recipients: list[str], plain: bool = False) -> Path:
    out.mkdir(parents=True)
    return export_bundle(store, actor="test", out=out, recipients=recipients, plain=plain).path


def test_an_unnamed_story_cannot_be_joined_to_the_named_one_or_another_recipients(
    store: Store, tmp_path: Path
) -> None:
    named, unnamed, also_unnamed = stories_of_one_person(store, [NAMED, SHARED, SHARED])
    with store.read() as session:
        real_id = session.scalar(select(StorytellerRow.uuid))
    north, south = x25519.Identity.generate(), x25519.Identity.generate()
    to_north = str(north.to_public())
    to_south = str(south.to_public())

    first = storyteller_ids(sent(store, tmp_path / "1", [to_north]), north)
    again = storyteller_ids(sent(store, tmp_path / "2", [to_north]), north)
    other = storyteller_ids(sent(store, tmp_path / "3", [to_south]), south)
    plain = storyteller_ids(sent(store, tmp_path / "4", [], plain=True))

    assert first[named] == real_id  # a named story carries the real id
    pseudonymous = first[unnamed]
    assert pseudonymous != real_id
    # Stable for one person and recipient: the coordinator can still count people.
    assert first[also_unnamed] == pseudonymous
    assert again[unnamed] == pseudonymous
    # Another recipient, or a plain bundle, sees another id.
    assert len({pseudonymous, other[unnamed], plain[unnamed], real_id}) == 4
    assert other[named] == plain[named] == real_id


def test_the_secret_never_leaves_and_survives_reopening(
    store: Store, store_key: bytes, tmp_path: Path
) -> None:
    stories_of_one_person(store, [SHARED])
    with store.read() as session:
        secret = session.scalar(select(SettingRow.value).where(SettingRow.key == SECRET_SETTING))
    assert secret is not None and len(bytes.fromhex(secret)) == 32
    bundle = sent(store, tmp_path / "out", [], plain=True)
    with zipfile.ZipFile(bundle) as archive:
        assert all(secret.encode() not in archive.read(n) for n in archive.namelist())
    first = storyteller_ids(bundle)
    with Store.open(store.paths, store_key) as reopened:
        second = storyteller_ids(sent(reopened, tmp_path / "again", [], plain=True))
    assert first == second


def test_a_story_that_loses_the_name_moves_and_takes_the_name_away(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    trust_advocate(store, coordinator)
    recipient = coordinator.keys.ensure().age_recipient
    named, unnamed = stories_of_one_person(store, [NAMED, SHARED])
    assert import_bundle(coordinator, sent(store, tmp_path / "1", [recipient]), actor="c").ok

    def tellers() -> dict[str, tuple[str, str]]:
        with coordinator.read() as session:
            rows = session.execute(
                select(StoryRow.uuid, StorytellerRow.uuid, StorytellerRow.display_name).join(
                    StorytellerRow, StorytellerRow.id == StoryRow.storyteller_id
                )
            )
            return {story: (teller, name) for story, teller, name in rows}

    before = tellers()
    assert before[named][1] == "Margaret Evans"
    assert before[unnamed][0] != before[named][0]
    assert "Margaret" not in before[unnamed][1]

    # The named story's consent no longer gives the name: it goes as the unnamed one does.
    with store.write(actor="test") as session:
        consent.record_consent(session, named, given(scopes=SHARED))
    assert import_bundle(coordinator, sent(store, tmp_path / "2", [recipient]), actor="c").ok

    after = tellers()
    # The story moved to the pseudonymous storyteller, the same one as the other story's...
    assert after[named][0] == after[unnamed][0] == before[unnamed][0]
    # ...and no story held there allows the name any more: it is gone from the store, with the
    # versions kept from when the story came with it (their words, and the real id).
    with coordinator.read() as session:
        names = list(session.scalars(select(StorytellerRow.display_name)))
        versions = session.execute(
            select(StoryVersionRow.own_words, StoryVersionRow.details)
            .join(StoryRow, StoryRow.id == StoryVersionRow.story_id)
            .where(StoryRow.uuid == named)
        ).all()
    assert not any("Margaret" in n or "Evans" in n for n in names)
    assert versions and not any(
        "Margaret" in words or before[named][0] in details for words, details in versions
    )
    assert check.check_store(coordinator).problems == ()


def test_consent_versions_held_follow_the_name_rule_when_it_changes(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """A version held at the coordinator's was sent with the names its story then allowed; sent
    again under a newer consent that says otherwise, it is the same version with the names
    replaced (or back), not a rewrite: it is taken, and what it holds follows the new rule."""
    trust_advocate(store, coordinator)
    recipient = coordinator.keys.ensure().age_recipient
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Margaret Evans")
        story = stories.create_story(
            session, stories.StoryFields(storyteller_id=teller.id, title="The mill")
        )
        consent.record_consent(
            session,
            story.id,
            given(
                scopes=NAMED,
                decided_by="Margaret Evans",
                persons_words="I, Margaret Evans, want my name on it.",
            ),
        )

    def held() -> list[tuple[str, str]]:
        with coordinator.read() as session:
            return [
                (r.decided_by, r.persons_words) for r in consent.consent_history(session, story.id)
            ]

    first = import_bundle(coordinator, sent(store, tmp_path / "1", [recipient]), actor="c")
    assert first.ok and held() == [("Margaret Evans", "I, Margaret Evans, want my name on it.")]

    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=SHARED, decided_by="Margaret Evans"))
    second = import_bundle(coordinator, sent(store, tmp_path / "2", [recipient]), actor="c")
    assert second.ok, second.reason
    assert not any("Margaret" in d or "Margaret" in w for d, w in held())

    # Still without the name, a new pseudonym and a person mentioned since reword the versions
    # sent before again: still the same versions.
    with store.write(actor="test") as session:
        people.set_pseudonym(session, teller.id, "Peggy W.")
        set_people_mentioned(session, story.id, [PersonMentioned("Margaret", "her mother")])
        consent.record_consent(session, story.id, given(scopes=SHARED, decided_by="Peggy W."))
    again = import_bundle(coordinator, sent(store, tmp_path / "2b", [recipient]), actor="c")
    assert again.ok, again.reason
    assert held()[0] == ("Peggy W.", "I, Peggy W., want my name on it.")

    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=NAMED, decided_by="Margaret Evans"))
    third = import_bundle(coordinator, sent(store, tmp_path / "3", [recipient]), actor="c")
    assert third.ok, third.reason
    assert held()[0] == ("Margaret Evans", "I, Margaret Evans, want my name on it.")
    assert check.check_store(coordinator).problems == ()

    # With the name on both sides, other words are a rewrite, refused as before.
    with store.write(actor="test") as session:
        session.execute(
            ConsentRecordRow.__table__.update()
            .where(ConsentRecordRow.version == 1)
            .values(persons_words="Something else entirely.")
        )
        consent.record_consent(session, story.id, given(scopes=NAMED, decided_by="Margaret Evans"))
    rewrite = import_bundle(coordinator, sent(store, tmp_path / "4", [recipient]), actor="c")
    assert not rewrite.ok and "changes its consent version 1" in rewrite.reason


def test_without_the_name_a_version_reworded_beyond_the_names_is_a_rewrite(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """The name rule changes a held version's words only where a name stood: a sender who
    changes anything else of a version held at the coordinator's (what the person said, who was
    consulted) is refused as before, even for a story sent without the name."""
    trust_advocate(store, coordinator)
    recipient = coordinator.keys.ensure().age_recipient
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Margaret Evans")
        story = stories.create_story(
            session, stories.StoryFields(storyteller_id=teller.id, title="The mill")
        )
        consent.record_consent(
            session,
            story.id,
            given(scopes=SHARED, persons_words="Margaret Evans said: only the coordinator."),
        )
    assert import_bundle(coordinator, sent(store, tmp_path / "1", [recipient]), actor="c").ok
    with store.write(actor="test") as session:
        session.execute(
            ConsentRecordRow.__table__.update()
            .where(ConsentRecordRow.version == 1)
            .values(persons_words="Margaret Evans said: anyone may read it.")
        )
        consent.record_consent(session, story.id, given(scopes=SHARED))
    rewrite = import_bundle(coordinator, sent(store, tmp_path / "2", [recipient]), actor="c")
    assert not rewrite.ok and "changes its consent version 1" in rewrite.reason


def people_ids(bundle: Path, identity: x25519.Identity) -> dict[str, set[str]]:
    """Each story's supporter and witness ids, read from the bundle file alone."""
    zipped = bundle.with_suffix(".people.zip")
    zipped.write_bytes(pyrage.decrypt(bundle.read_bytes(), [identity]))
    found: dict[str, set[str]] = {}
    with zipfile.ZipFile(zipped) as archive:
        for name in archive.namelist():
            if "/data/stories/" in name:
                document = json.loads(archive.read(name))
                ids = {document["supporter"]["id"]} if document["supporter"] else set()
                ids |= {v["witness"]["id"] for v in document["consent"]["history"] if v["witness"]}
                found[document["id"]] = ids
    return found


def test_a_carer_of_one_person_does_not_join_her_named_and_unnamed_stories(
    store: Store, tmp_path: Path
) -> None:
    """A family carer who supports one person, and witnessed her consent, would carry the same
    supporter and witness id in her named and unnamed stories: without the name, they carry ids
    derived for the recipient instead, not the real ones."""
    from storykeeper.core.vocabulary import SupporterRole

    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Margaret Evans")
        carer = people.create_supporter(session, "Ann Jones", SupporterRole.FAMILY_CARER)
        made = {}
        for label, scopes in (("named", NAMED), ("unnamed", SHARED)):
            story = stories.create_story(
                session,
                stories.StoryFields(
                    storyteller_id=teller.id, supporter_id=carer.id, title=f"The {label} one"
                ),
            )
            consent.record_consent(session, story.id, given(scopes=scopes, witness_id=carer.id))
            made[label] = story.id
    coordinator = x25519.Identity.generate()
    bundle = sent(store, tmp_path / "out", [str(coordinator.to_public())])

    ids = people_ids(bundle, coordinator)
    assert ids[made["named"]] == {carer.id}
    (derived,) = ids[made["unnamed"]]  # the supporter and the witness: one person, one id
    assert derived != carer.id
    again = sent(store, tmp_path / "again", [str(coordinator.to_public())])
    assert people_ids(again, coordinator)[made["unnamed"]] == {derived}  # stable: countable
