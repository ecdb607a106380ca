"""Finding stories: full-text search (SQLite FTS5) and the filters, with paging.

The text a person types is never passed to FTS5 as query syntax: it is split into words, each
quoted, so punctuation or a stray quote cannot cause an error, and the last word matches as a
prefix so results follow typing. Every filter has an index (see the migrations).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    Table,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlalchemy.sql.selectable import Join

from storykeeper.core.consent import AGREEING, review_due_clause
from storykeeper.core.errors import ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.insight_policy import REPORT_SCOPES
from storykeeper.core.models import (
    ConsentRecordRow,
    StoryOriginRow,
    StoryRow,
    StorytellerRow,
    StoryThemeRow,
    SupporterRow,
    TrustedSignerRow,
)
from storykeeper.core.provenance import describe as describe_origin
from storykeeper.core.snippets import Terms, excerpt
from storykeeper.core.stories import WITHDRAWN_TITLE, name_withheld_clause
from storykeeper.core.themes import theme_row
from storykeeper.core.vocabulary import ConsentState, HowTold, Polarity, Setting, StoryStatus

MAX_PAGE = 1000
_WORD = re.compile(r"\w+", re.UNICODE)


class StorySource(StrEnum):
    """Where a story was written: on this computer, or elsewhere and imported in a bundle."""

    OWN = "own"
    IMPORTED = "imported"


class SortBy(StrEnum):
    UPDATED = "updated"
    TOLD = "told"
    TITLE = "title"
    STORYTELLER = "storyteller"
    RELEVANCE = "relevance"


@dataclass(frozen=True)
class StoryFilter:
    """What to look for. Empty fields do not filter."""

    text: str = ""
    theme: str | None = None
    polarity: Polarity | None = None
    consent_states: frozenset[ConsentState] = frozenset()
    review_due: bool = False
    status: StoryStatus | None = None
    supporter_id: str | None = None
    storyteller_id: str | None = None
    told_from: dt.date | None = None
    told_to: dt.date | None = None
    #: Only stories the insight counts: their newest consent agrees and allows use in reports
    #: (``reports_allowed_clause``), so the insight page's numbers open onto their stories.
    in_reports: bool = False
    #: Imported stories whose bundle this trusted signer signed: its key id or its label, in
    #: any case (``resolve_sender``; an unknown one is a ValidationError naming the senders).
    sender: str | None = None
    source: StorySource | None = None
    setting: Setting | None = None
    how_told: HowTold | None = None


@dataclass(frozen=True)
class Sender:
    """A trusted signer some story here came from, by the label the coordinator gave it."""

    key_id: str
    label: str


@dataclass(frozen=True)
class StorySummary:
    """One line of the story list."""

    id: str
    title: str
    storyteller_name: str
    storyteller_pseudonym: str
    supporter_name: str | None
    told_on: dt.date | None
    status: StoryStatus
    consent_state: ConsentState
    consent_review_by: dt.date | None
    revision: int
    updated_at: dt.datetime
    snippet: str | None = None
    #: Who an imported story came from (``provenance``); None for a story written here.
    origin: str | None = None
    #: An imported story whose consent does not allow the name: ``storyteller_name`` is the
    #: pseudonym (``stories.name_withheld_clause``).
    name_withheld: bool = False
    #: An imported story whose consent review is due: the sender reviews it with the person.
    review_due_at_sender: bool = False


@dataclass(frozen=True)
class SearchPage:
    total: int
    offset: int
    items: tuple[StorySummary, ...]
    #: Asked for the best matches first, but more than ``RANK_AT_MOST`` matched: the newest
    #: come first until more is typed (the window says so).
    newest_instead_of_best: bool = False


#: Putting the best matches first works out FTS5's bm25 for every match. For a letter or two
#: typed in a store of 100,000 stories that is most of them (88,000 for "p": 250-400 ms
#: encrypted, the slowest search of the benchmark) and the order says little, since nearly
#: every story matches. Beyond this many matches the newest come first, as with no words.
RANK_AT_MOST = 20_000


def fts_query(user_text: str) -> str | None:
    """A safe FTS5 query: every word required, each quoted, the last one as a prefix."""
    words = _WORD.findall(user_text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    if user_text and not user_text[-1].isspace():
        quoted[-1] += "*"
    return " ".join(quoted)


def _fts_matches(query: str, ranked: bool):  # noqa: ANN202 - an anonymous textual subquery
    # bm25 is worked out for every match: only when the results are sorted by it.
    columns = "rowid, rank" if ranked else "rowid"
    return (
        text(f"SELECT {columns} FROM story_fts WHERE story_fts MATCH :fts_query")
        .bindparams(fts_query=query)
        .columns(column("rowid", Integer), *([column("rank", Float)] if ranked else []))
        .cte("fts")
        # Found once, first: otherwise SQLite may run the MATCH again for every story the
        # other filters let through (21 s at 100,000 stories; docs/performance.md).
        .prefix_with("MATERIALIZED")
    )


def _filtered(
    session: Session, wanted: StoryFilter, *, ranked: bool = False
) -> tuple[Select, object | None]:  # type: ignore[type-arg]
    """The filtered stories (id, plus the FTS rank when searching text and ``ranked``)."""
    query = fts_query(wanted.text)
    fts = _fts_matches(query, ranked) if query else None
    stmt = select(StoryRow.id).select_from(StoryRow)
    conditions = []
    if fts is not None:
        if ranked:
            stmt = stmt.join(fts, fts.c.rowid == StoryRow.id)
        else:
            # Sorted by a column, the matches are a list of ids, as a theme's are: the list
            # can then be walked in the sort's index, the matches looked up by id, rather than
            # every match's story row read for its title or date ("garden" by title).
            conditions.append(StoryRow.id.in_(select(fts.c.rowid)))
        # A withdrawn story's words are no longer shown, so they must not be found either.
        conditions.append(StoryRow.consent_state != ConsentState.WITHDRAWN.value)
    if wanted.theme or wanted.polarity:
        # As a list of story ids from the theme index (not a check per story), so SQLite can
        # start from the few stories with the theme.
        conditions.append(
            StoryRow.id.in_(select(StoryThemeRow.story_id).where(*_links(session, wanted)))
        )
    if wanted.consent_states:
        conditions.append(
            StoryRow.consent_state.in_(sorted(s.value for s in wanted.consent_states))
        )
    if wanted.review_due:
        conditions.append(review_due_clause())
    if wanted.in_reports:
        conditions.append(reports_allowed_clause())
    if wanted.status:
        conditions.append(StoryRow.status == StoryStatus(wanted.status).value)
    if wanted.supporter_id:
        supporter = resolve(session, SupporterRow, wanted.supporter_id, "supporter")
        conditions.append(StoryRow.supporter_id == supporter.id)
    if wanted.storyteller_id:
        storyteller = resolve(session, StorytellerRow, wanted.storyteller_id, "storyteller")
        conditions.append(StoryRow.storyteller_id == storyteller.id)
    if wanted.sender:
        key_id = resolve_sender(session, wanted.sender)
        # The stories from the signer's index (ix_story_origins_signer_key_id), not a check
        # per story: the insight's "from 6 senders" counts these same signers.
        conditions.append(
            StoryRow.id.in_(
                select(StoryOriginRow.story_id).where(StoryOriginRow.signer_key_id == key_id)
            )
        )
    if wanted.source:
        imported = select(StoryOriginRow.story_id)
        conditions.append(
            StoryRow.id.in_(imported)
            if wanted.source is StorySource.IMPORTED
            else StoryRow.id.not_in(imported)
        )
    if wanted.setting:
        conditions.append(StoryRow.setting == Setting(wanted.setting).value)
    if wanted.how_told:
        conditions.append(StoryRow.how_told == HowTold(wanted.how_told).value)
    if wanted.told_from:
        conditions.append(StoryRow.told_on >= wanted.told_from)
    if wanted.told_to:
        conditions.append(StoryRow.told_on <= wanted.told_to)
    if fts is not None and ranked and len(conditions) == 1:
        # Words alone, best first: the matches need nothing from the stories but their
        # ranks, so leave the few withdrawn ones out by id rather than look up every match
        # (a one-letter prefix matches 83,000 of 100,000 stories: 152 → 127 ms).
        withdrawn = select(StoryRow.id).where(
            StoryRow.consent_state == ConsentState.WITHDRAWN.value
        )
        return select(fts.c.rowid, fts.c.rank).where(fts.c.rowid.not_in(withdrawn)), fts  # type: ignore[attr-defined]
    if fts is not None and ranked and query is not None:
        # Words and filters, best first: the matches drive a CROSS JOIN (SQLite never puts its
        # left side inside), so the match runs once and bm25 is worked out only for the
        # matches the filters keep ("care" + three filters: 93 → 49 ms at 100,000 stories).
        index = _fts_index()
        stmt = (
            select(StoryRow.id)
            .select_from(CrossJoin(index, StoryRow.__table__, StoryRow.id == index.c.rowid))
            .where(index.c.story_fts.op("MATCH")(query))
        )
        fts = index
    if conditions:
        stmt = stmt.where(*conditions)
    return stmt, fts if ranked else None


def _links(session: Session, wanted: StoryFilter) -> list[ColumnElement[bool]]:
    """The theme links ``wanted`` asks for: its theme, its polarity, or both."""
    link = []
    if wanted.theme:
        link.append(StoryThemeRow.theme_id == theme_row(session, wanted.theme).id)
    if wanted.polarity:
        link.append(StoryThemeRow.polarity == Polarity(wanted.polarity).value)
    return link


def _matches_in_index(session: Session, query: str) -> int:
    """How many rows of the index match ``query``, withdrawn and filtered-out stories included:
    never fewer than the stories the search finds, and counted straight from the index (3 ms
    for the 88,000 matches of "p"; 20 ms through _fts_matches' materialised list). Counting the
    other filters alone as a second bound was tried: 73 ms on the encrypted store, more than
    the exact count it would save."""
    in_the_index = text("SELECT count(*) FROM story_fts WHERE story_fts MATCH :fts_query")
    return session.scalar(in_the_index, {"fts_query": query}) or 0


def _count(session: Session, wanted: StoryFilter, stmt: Select) -> int:  # type: ignore[type-arg]
    """How many stories ``stmt`` (``wanted``'s) finds, reading no story row where it can.

    Words alone are counted in the full-text index, less the withdrawn stories among them.

    A theme or polarity alone is counted in the theme index: every link names a story (a
    foreign key, checked on every connection and by ``check``), so its distinct story ids are
    the stories found. Counted through the stories, "polarity enabler" looked up 63,000 of
    them (0.4 s encrypted at 100,000 stories; 4 ms this way).
    """
    query = fts_query(wanted.text)
    if query is not None and dataclasses.replace(wanted, text="") == StoryFilter():
        # Words alone: the matches counted in the index and the few withdrawn stories left out
        # by id, as the best-first list does, rather than every match looked up among the
        # stories (83,000 for "p" at 100,000 stories: 55 ms that way, a few ms this way). Every
        # row of the index is a story's (the triggers keep them so; ``check`` checks).
        # Straight from the index, not through _fts_matches' materialised list (16 ms, not 30).
        counted = text(
            "SELECT count(*) FROM story_fts WHERE story_fts MATCH :fts_query AND rowid NOT IN "
            "(SELECT id FROM stories WHERE consent_state = :withdrawn)"
        )
        found = {"fts_query": query, "withdrawn": ConsentState.WITHDRAWN.value}
        return session.scalar(counted, found) or 0
    themes_only = dataclasses.replace(wanted, theme=None, polarity=None) == StoryFilter()
    if themes_only and (wanted.theme or wanted.polarity):
        linked = select(func.count(StoryThemeRow.story_id.distinct())).where(
            *_links(session, wanted)
        )
        return session.scalar(linked) or 0
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def senders_here(session: Session) -> list[Sender]:
    """Every signer some story here came from, by label (a signer no longer trusted keeps
    its key id as its label), in the order of their labels."""
    rows = session.execute(
        select(StoryOriginRow.signer_key_id, TrustedSignerRow.label)
        .distinct()
        .outerjoin(TrustedSignerRow, TrustedSignerRow.key_id == StoryOriginRow.signer_key_id)
    ).all()
    shared = Counter((label or key_id).strip().casefold() for key_id, label in rows)
    found = [
        # Two senders trusted under one name are told apart by their key ids.
        Sender(key_id=key_id, label=label or key_id)
        if shared[(label or key_id).strip().casefold()] == 1
        else Sender(key_id=key_id, label=f"{label} ({key_id})")
        for key_id, label in rows
    ]
    return sorted(found, key=lambda sender: (sender.label.casefold(), sender.key_id))


def resolve_sender(session: Session, label_or_key_id: str) -> str:
    """The key id of the sender with this key id or label, in any case. Asked on every count
    of a filtered list: a key id (what the window passes) is one look-up in an index."""
    wanted = label_or_key_id.strip()
    by_key_id = session.scalar(
        select(StoryOriginRow.signer_key_id)
        .where(StoryOriginRow.signer_key_id == wanted.upper())
        .limit(1)
    )
    if by_key_id is not None:
        return by_key_id
    signers = session.execute(select(TrustedSignerRow.key_id, TrustedSignerRow.label)).all()
    named = sorted(
        key_id
        for key_id, label in signers
        if wanted.casefold() in (key_id.casefold(), label.strip().casefold())
    )
    if len(named) == 1:
        return named[0]
    if named:
        raise ValidationError(
            f"Two or more senders are trusted as “{wanted}”: give the key id instead, one of "
            f"{', '.join(named)}."
        )
    known = senders_here(session)
    if not known:
        raise ValidationError(f"“{wanted}” sent no story here; no story here was imported.")
    labels = ", ".join(sender.label for sender in known)
    raise ValidationError(f"“{wanted}” sent no story here; the senders are: {labels}.")


def reports_allowed_clause() -> ColumnElement[bool]:
    """Stories whose newest consent version agrees and allows anonymised reports or named
    publication: ``insight_policy.insight_use``'s counted stories, as a condition on the
    stories (tests/core/test_search_counted_in_reports.py keeps the two the same)."""
    newest = (
        select(func.max(ConsentRecordRow.version))
        .where(ConsentRecordRow.story_id == StoryRow.id)
        .correlate(StoryRow)
        .scalar_subquery()
    )
    allowed = select(ConsentRecordRow.id).where(
        ConsentRecordRow.story_id == StoryRow.id,
        ConsentRecordRow.version == newest,
        ConsentRecordRow.decision.in_([decision.value for decision in AGREEING]),
        or_(*(getattr(ConsentRecordRow, scope.value).is_(True) for scope in sorted(REPORT_SCOPES))),
    )
    return allowed.correlate(StoryRow).exists()


def _fts_index():  # noqa: ANN202 - a lightweight table clause
    return table(
        "story_fts", column("rowid", Integer), column("rank", Float), column("story_fts", String)
    )


class CrossJoin(Join):
    """``left CROSS JOIN right ON …``: in SQLite, the left side is always the outer loop."""

    inherit_cache = True


@compiles(CrossJoin)
def _compile_cross_join(element: CrossJoin, compiler: Any, **kw: Any) -> str:
    sides = {**kw, "asfrom": True}
    on = {k: v for k, v in kw.items() if k != "asfrom"}
    return (
        f"{compiler.process(element.left, **sides)} CROSS JOIN "
        f"{compiler.process(element.right, **sides)} ON {compiler.process(element.onclause, **on)}"
    )


def story_ids_matching(session: Session, wanted: StoryFilter) -> Select:  # type: ignore[type-arg]
    """The ids of the stories ``wanted`` finds, as a query (the insight counts over them)."""
    stmt, _ = _filtered(session, wanted)
    return stmt


def count_stories(session: Session, wanted: StoryFilter) -> int:
    stmt, _ = _filtered(session, wanted)
    return _count(session, wanted, stmt)


def search_stories(
    session: Session,
    wanted: StoryFilter = StoryFilter(),
    *,
    sort: SortBy = SortBy.UPDATED,
    descending: bool = True,
    offset: int = 0,
    limit: int = 50,
) -> SearchPage:
    """One page of the stories that match, with the total, sorted as asked."""
    limit = max(0, min(limit, MAX_PAGE))
    offset = max(0, offset)
    query = fts_query(wanted.text)
    ranked = sort is SortBy.RELEVANCE and query is not None
    counted: int | None = None
    if query is not None and ranked and _matches_in_index(session, query) > RANK_AT_MOST:
        # Perhaps too many to rank: counted exactly (no bm25 is worked out for a count).
        counted = _count(session, wanted, _filtered(session, wanted)[0])
        ranked = counted <= RANK_AT_MOST
    stmt, fts = _filtered(session, wanted, ranked=ranked)
    page = stmt
    if sort is SortBy.STORYTELLER:
        page = page.join(StorytellerRow, StorytellerRow.id == StoryRow.storyteller_id)
    in_memory = False
    if fts is None:
        total = counted if counted is not None else _count(session, wanted, stmt)
        in_memory = _sort_found_ones(session, total, offset + limit)
        if not in_memory and sort in WALKED_INDEX:
            # Walk the sort's own index: SQLite, not knowing that a story's row is a page of
            # words to read (and decrypt), would rather start from a filter's index and read
            # every story found for its sort key: 85,000 for "status final". The list's index
            # holds every column a filter checks, so no story row is read but the page's.
            page = page.with_hint(StoryRow.__table__, f"INDEXED BY {WALKED_INDEX[sort]}", "sqlite")
    else:
        # Every match is gathered for the sort anyway: count them in the same pass.
        page = page.add_columns(func.count().over())
        total = -1
    if ranked:
        # FTS5's rank is bm25, smaller for better matches: best first unless asked otherwise.
        keys = [fts.c.rank.desc() if not descending else fts.c.rank.asc()]  # type: ignore[attr-defined]
    else:
        sort_column = {
            SortBy.UPDATED: StoryRow.updated_at,
            SortBy.TOLD: StoryRow.told_on,
            # Sorted as shown: a withdrawn story's hidden title must not place it either.
            SortBy.TITLE: literal_column(TITLE_SORT_SQL),
            SortBy.STORYTELLER: func.lower(StorytellerRow.display_name),
            SortBy.RELEVANCE: StoryRow.updated_at,
        }[sort]
        if in_memory:
            # Unary plus: the same order, but SQLite will not walk the sort's index for it.
            sort_column = UnaryExpression(sort_column, operator=custom_op("+"))  # type: ignore[assignment]
        keys = [sort_column.desc() if descending else sort_column.asc()]
    story_id = stmt.selected_columns[0]  # the stories' id, or the matches' rowid (the same)
    keys.append(story_id.desc() if descending else story_id.asc())
    rows = session.execute(page.order_by(*keys).offset(offset).limit(limit)).all()
    ids = [row[0] for row in rows]
    if total < 0:
        total = (
            rows[0][-1]
            if rows
            else session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        )
    return SearchPage(
        total=total,
        offset=offset,
        items=tuple(_summaries(session, ids, wanted)),
        newest_instead_of_best=sort is SortBy.RELEVANCE and counted is not None and not ranked,
    )


#: The title as the list shows and sorts it: a withdrawn story's is hidden. Must be exactly the
#: expression of the index ``ix_stories_title_sort`` (migration 0011), which SQLite then uses.
TITLE_SORT_SQL = (
    f"CASE WHEN stories.consent_state = '{ConsentState.WITHDRAWN.value}' "
    f"THEN '{WITHDRAWN_TITLE.lower()}' ELSE lower(stories.title) END"
)


#: The index a long list is walked in, by its sort: newest first, the list's own (migration
#: 0018: updated_at, id and every column a filter checks, ``models.LIST_FILTER_COLUMNS``).
WALKED_INDEX = {
    SortBy.UPDATED: "ix_stories_list",
    SortBy.RELEVANCE: "ix_stories_list",  # without words to rank, the newest first
    SortBy.TOLD: "ix_stories_told_on",
    SortBy.TITLE: "ix_stories_title_sort",
}


@compiles(Table, "sqlite")
def _table_with_index_hint(element: Table, compiler: Any, **kw: Any) -> str:
    """A table named with its ``INDEXED BY`` hint (``Select.with_hint(table, …, "sqlite")``),
    which SQLAlchemy's SQLite dialect would otherwise leave out."""
    named = compiler.visit_table(element, **kw)
    hints = kw.get("fromhints") or {}
    if kw.get("asfrom") and element in hints:
        return f"{named} {hints[element]}"
    return named


def _sort_found_ones(session: Session, found: int, wanted_rows: int) -> bool:
    """Whether to sort the stories found rather than walk the sort column's index.

    Walking the index visits about ``wanted_rows × all ÷ found`` stories to collect a page;
    sorting costs about ``found``. SQLite cannot know ``found`` before it starts, but this
    function can (the list counts first): with a filter that keeps 128 of 100,000 stories,
    walking took 167 ms and sorting takes 1 ms (docs/performance.md).
    """
    everything = session.scalar(select(func.count()).select_from(StoryRow)) or 0
    return found * found < wanted_rows * everything


def _summaries(session: Session, ids: list[int], wanted: StoryFilter) -> list[StorySummary]:
    if not ids:
        return []
    rows = session.execute(
        select(
            StoryRow.id,
            StoryRow.uuid,
            StoryRow.title,
            StorytellerRow.display_name,
            StorytellerRow.pseudonym,
            SupporterRow.name,
            StoryRow.told_on,
            StoryRow.status,
            StoryRow.consent_state,
            StoryRow.consent_review_by,
            StoryRow.revision,
            StoryRow.updated_at,
            TrustedSignerRow.label,
            StoryOriginRow.signer_key_id,
            TrustedSignerRow.revoked_at,
            name_withheld_clause(),
            review_due_clause(),
        )
        .join(StorytellerRow, StorytellerRow.id == StoryRow.storyteller_id)
        .outerjoin(SupporterRow, SupporterRow.id == StoryRow.supporter_id)
        .outerjoin(StoryOriginRow, StoryOriginRow.story_id == StoryRow.id)
        .outerjoin(TrustedSignerRow, TrustedSignerRow.key_id == StoryOriginRow.signer_key_id)
        .where(StoryRow.id.in_(ids))
    ).all()
    snippets = _snippets(session, ids, wanted.text)
    withdrawn = ConsentState.WITHDRAWN.value
    by_id = {
        row[0]: StorySummary(
            id=row[1],
            title=WITHDRAWN_TITLE if row[8] == withdrawn else row[2],
            storyteller_name=row[4] if row[15] else row[3],
            storyteller_pseudonym=row[4],
            supporter_name=row[5],
            told_on=row[6],
            status=StoryStatus(row[7]),
            consent_state=ConsentState(row[8]),
            consent_review_by=row[9],
            revision=row[10],
            updated_at=row[11],
            snippet=snippets.get(row[0]),
            origin=describe_origin(row[12], row[13], row[14]),
            name_withheld=bool(row[15]),
            review_due_at_sender=row[13] is not None and bool(row[16]),
        )
        for row in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def _snippets(session: Session, ids: list[int], user_text: str) -> dict[int, str]:
    """Where the words were found in the person's own words, for the page shown only."""
    words = _WORD.findall(user_text)
    if not words:
        return {}
    terms = Terms.of(words, last_is_prefix=not user_text[-1].isspace())
    found: dict[int, str] = {}
    for story_pk, own_words in session.execute(
        select(StoryRow.id, StoryRow.own_words).where(StoryRow.id.in_(ids))
    ):
        shown = excerpt(own_words, terms)
        if shown:
            found[story_pk] = shown
    return found
