"""The people an incoming bundle names: storytellers and supporters, made or found, and who may
change them.

At the coordinator's every storyteller and supporter belongs to the signer whose bundle first
brought it (``signer_key_id``; None: made here), and only that signer's bundles may name it again:
another trusted sender reusing the id, mistaken or compromised, is refused whole, naming both.
A storyteller's name is kept only while some story of theirs allows it; otherwise the sender's
pseudonym takes its place. A story sent without the name carries a pseudonymous storyteller id
(its sender's, for this coordinator alone): it arrives as another storyteller, and a story that
moves between the two takes the name with it when no other story allows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storykeeper.core.bundle.document import PersonValues
from storykeeper.core.bundle.refused import BundleRefused
from storykeeper.core.bundle.report import QUOTE_MAX, excerpt
from storykeeper.core.consent import AGREEING
from storykeeper.core.models import (
    ConsentRecordRow,
    StoryRow,
    StorytellerRow,
    StoryVersionRow,
    SupporterRow,
    TrustedSignerRow,
)
from storykeeper.core.pseudonyms import GIVEN_NAMES, INITIALS, make_pseudonym, unique_pseudonym
from storykeeper.core.vocabulary import SupporterRole

#: People looked up per query.
LOOKUP_BATCH = 500


@dataclass(frozen=True)
class Sender:
    key_id: str
    label: str
    bundle_id: str
    #: Signed with this computer's own key: it may touch the records made here.
    own: bool = False


class IncomingPeople:
    """The storytellers and supporters one bundle names, in the importer's session."""

    def __init__(self, session: Session, sender: Sender, now: dt.datetime) -> None:
        self.session = session
        self.sender = sender
        self.now = now
        self._pseudonyms = set(session.scalars(select(StorytellerRow.pseudonym)))
        #: The plain pseudonyms ("Mary K."), and how many are in use here: once all are, a new
        #: one is numbered straight away, as ``unique_pseudonym`` numbers one after searching
        #: all 136 names in vain (19 s of cProfile at 100,000 stories).
        self._plain = {f"{name} {initial}." for name in GIVEN_NAMES for initial in INITIALS}
        self._plain_used = len(self._plain & self._pseudonyms)
        #: Storytellers a story in this bundle names with consent: their name stays.
        self._named_here: set[str] = set()
        self._storytellers: dict[str, StorytellerRow] = {}
        self._supporters: dict[str, SupporterRow] = {}
        #: Ids looked up and not held here: naming them again asks the database nothing.
        self._absent: set[str] = set()

    def preload(self, documents: Iterable[dict[str, Any]]) -> None:
        """Look up the storytellers, supporters and witnesses these story documents name, a
        batch per query: one query each was most of a large import's time."""
        storytellers: set[str] = set()
        supporters: set[str] = set()
        for document in documents:
            storytellers.add(document["storyteller"]["id"])
            if document["supporter"] is not None:
                supporters.add(document["supporter"]["id"])
            supporters.update(
                r["witness"]["id"] for r in document["consent"]["history"] if r["witness"]
            )
        for model, ids, found in (
            (StorytellerRow, storytellers, self._storytellers),
            (SupporterRow, supporters, self._supporters),
        ):
            wanted = sorted(ids - found.keys() - self._absent)
            for start in range(0, len(wanted), LOOKUP_BATCH):
                chunk = wanted[start : start + LOOKUP_BATCH]
                rows = {
                    r.uuid: r
                    for r in self.session.scalars(select(model).where(model.uuid.in_(chunk)))
                }
                found.update(rows)  # type: ignore[arg-type]
                self._absent.update(uuid for uuid in chunk if uuid not in rows)

    def forget(self) -> None:
        """Let go of the rows looked up or made so far, once they are flushed: at 100,000
        stories every person the bundle names, held to the end, took the import past 600 MB.
        A person named again later is looked up again, with the next batch: so everything
        made or changed is flushed first, or a lookup would not find it."""
        self.session.flush()
        self._storytellers.clear()
        self._supporters.clear()
        self._absent.clear()

    def _held(self, model: type[StorytellerRow] | type[SupporterRow], uuid: str) -> Any:
        """The row of this id here (None: not held), asking the database only when unknown."""
        found: dict[str, Any] = self._storytellers if model is StorytellerRow else self._supporters
        if uuid in found or uuid in self._absent:
            return found.get(uuid)
        return self.session.scalar(select(model).where(model.uuid == uuid))

    def storyteller(
        self, person: PersonValues, named: bool, story_uuid: str | None = None
    ) -> StorytellerRow:
        """The storyteller's row, made or found; ``story_uuid`` is the story naming them."""
        uuid, name = person.id, person.name
        if named:
            self._named_here.add(uuid)
        row: StorytellerRow | None = self._held(StorytellerRow, uuid)
        if row is None:
            # Without consent to use the name, the name that came is the sender's pseudonym:
            # keep it as the pseudonym here too, unless someone here already goes by it.
            if not named and name not in self._pseudonyms:
                pseudonym = name
            else:
                pseudonym = self._new_pseudonym(name)
            self._pseudonyms.add(pseudonym)
            self._plain_used += pseudonym in self._plain
            row = StorytellerRow(
                uuid=uuid,
                display_name=name,
                pseudonym=pseudonym,
                created_at=self.now,
                updated_at=self.now,
                signer_key_id=self.sender.key_id,
            )
            self.session.add(row)
        else:
            self.check_owner("Storyteller", uuid, row.signer_key_id)
            if named and row.display_name != name:
                # A pseudonym never replaces a name already known, but a name now shared does.
                row.display_name = name
                row.updated_at = self.now
            elif not named and row.display_name != name and not self.name_allowed(row, story_uuid):
                # The name was shared before, and no story here allows it any more: the sender's
                # pseudonym takes its place, as it would have had the name never been shared.
                row.display_name = name
                row.updated_at = self.now
        self._storytellers[uuid] = row
        return row

    def _new_pseudonym(self, real_name: str) -> str:
        if self._plain_used < len(self._plain):
            return unique_pseudonym(self._pseudonyms, avoiding=real_name)
        base = make_pseudonym(avoiding=real_name)  # as unique_pseudonym draws its base
        number = 2
        while (pseudonym := f"{base} {number}") in self._pseudonyms:
            number += 1
        return pseudonym

    def left(self, row: StorytellerRow, story_uuid: str) -> None:
        """A story held here now names another storyteller: sent without the name, it carries
        a pseudonymous id (and with it again, the real one). The name it leaves behind stays
        only while another story of that storyteller allows it; otherwise this store's own
        pseudonym takes its place, as it would have had the name never been shared."""
        # The versions kept of the story as it came before may hold the name in their words
        # and the other id in their details (sent with the name, it carried the real one): the
        # story's consent now says otherwise. The new revision's version is kept after this.
        self.session.execute(
            delete(StoryVersionRow).where(
                StoryVersionRow.story_id
                == select(StoryRow.id).where(StoryRow.uuid == story_uuid).scalar_subquery()
            )
        )
        if row.display_name != row.pseudonym and not self.name_allowed(row, story_uuid):
            row.display_name = row.pseudonym
            row.updated_at = self.now

    def name_allowed(self, row: StorytellerRow, but: str | None) -> bool:
        """Whether a story of this storyteller other than ``but`` still lets the name be used:
        one named in this bundle, or one held here whose newest consent gives the name."""
        if row.uuid in self._named_here:
            return True
        newest = (
            select(ConsentRecordRow.story_id, func.max(ConsentRecordRow.version).label("version"))
            .join(StoryRow, StoryRow.id == ConsentRecordRow.story_id)
            .where(StoryRow.storyteller_id == row.id, StoryRow.uuid != (but or ""))
            .group_by(ConsentRecordRow.story_id)
            .subquery()
        )
        allowing = self.session.scalar(
            select(func.count())
            .select_from(ConsentRecordRow)
            .join(
                newest,
                (ConsentRecordRow.story_id == newest.c.story_id)
                & (ConsentRecordRow.version == newest.c.version),
            )
            .where(
                ConsentRecordRow.publish_with_name.is_(True),
                ConsentRecordRow.decision.in_([d.value for d in AGREEING]),
            )
        )
        return bool(allowing)

    def supporter(self, person: PersonValues | None) -> SupporterRow | None:
        if person is None:
            return None
        uuid = person.id
        row: SupporterRow | None = self._held(SupporterRow, uuid)
        if row is None:
            row = SupporterRow(
                uuid=uuid,
                name=person.name,
                role=SupporterRole.NOT_RECORDED.value,
                created_at=self.now,
                updated_at=self.now,
                signer_key_id=self.sender.key_id,
            )
            self.session.add(row)
        else:
            # An import never changes a supporter here, only links a story to them, so one
            # that no signer owns (made here, or every story of theirs withdrawn before
            # migration 0014 could tell whose) may be named; another signer's may not.
            if row.signer_key_id is not None:
                self.check_owner("Supporter", uuid, row.signer_key_id)
        self._supporters[uuid] = row
        return row

    def check_owner(self, what: str, uuid: str, owner: str | None) -> None:
        """Refuse the bundle when a person record here belongs to someone other than its signer.

        A record belongs to the signer whose bundle first brought it (None: made here), and only
        their bundles may name it: another trusted sender reusing the id (mistaken, or
        compromised) must never rename or re-link someone else's storyteller.
        """
        if owner == self.sender.key_id or (owner is None and self.sender.own):
            return
        if owner is None:
            holder = "this computer (made here)"
        else:
            holder = f"{self.label_of(owner)} (key {owner})"
        raise BundleRefused(
            f"{what} {uuid} belongs to {holder}, but this bundle is signed by "
            f"{excerpt(self.sender.label, QUOTE_MAX)} (key {self.sender.key_id}), which may not "
            "change it; nothing was imported."
        )

    def label_of(self, key_id: str) -> str:
        """What the coordinator calls a signer (a key no longer listed: "another sender")."""
        label = self.session.scalar(
            select(TrustedSignerRow.label).where(TrustedSignerRow.key_id == key_id)
        )
        return excerpt(label or "another sender", QUOTE_MAX)
