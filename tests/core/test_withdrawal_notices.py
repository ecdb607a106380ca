"""Withdrawal notices per recipient (issue 17): a notice goes only to the recipients that were
sent its story, each once. A notice for a story a recipient never received would tell them the
story existed, so it never goes to them, not even in a bundle shared with someone who had it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyrage import x25519
from sqlalchemy import select

from storykeeper.__main__ import main
from storykeeper.core import withdrawal_notices
from storykeeper.core.bundle.export import ExportResult, Selection, export_bundle
from storykeeper.core.bundle.writer import ExportError, plan_export, write_bundle
from storykeeper.core.db import Store
from storykeeper.core.models import WithdrawalNoticeRow, WithdrawalNoticeSendRow
from tests.exchange import shared, withdraw_fully


def _recipient() -> str:
    return str(x25519.Identity.generate().to_public())


def _export(
    store: Store, out: Path, story_ids: list[str], to: list[str], *, plain: bool = False
) -> ExportResult:
    out.mkdir(parents=True, exist_ok=True)
    return export_bundle(
        store,
        actor="test",
        out=out,
        selection=Selection.CHOSEN,
        story_ids=story_ids,
        recipients=to,
        plain=plain,
    )


def _withdrawals_only(store: Store, out: Path, to: list[str], *, plain: bool = False) -> list[str]:
    """Export nothing new, so the bundle carries only notices; return the stories they name."""
    out.mkdir(parents=True, exist_ok=True)
    with store.read() as session:
        plan = plan_export(session, Selection.CHOSEN, [], recipients=["plain"] if plain else to)
    if plan.empty:
        return []
    result = _export(store, out, [], to, plain=plain)
    assert result.stories == []
    with store.read() as session:
        return sorted(
            session.scalars(
                select(WithdrawalNoticeRow.story_uuid).where(
                    WithdrawalNoticeRow.consent_uuid.in_(result.withdrawals)
                )
            )
        )


def test_a_notice_goes_only_to_the_recipients_that_had_the_story_each_once(
    store: Store, tmp_path: Path
) -> None:
    north, south = _recipient(), _recipient()
    to_north, to_south = shared(store, "The bus"), shared(store, "The allotment")
    _export(store, tmp_path / "1", [to_north.id], [north])
    _export(store, tmp_path / "2", [to_south.id], [south])
    withdraw_fully(store, to_north.id)
    withdraw_fully(store, to_south.id)

    assert _withdrawals_only(store, tmp_path / "3", [north]) == [to_north.id]
    assert _withdrawals_only(store, tmp_path / "4", [north]) == []  # once
    assert _withdrawals_only(store, tmp_path / "5", [south]) == [to_south.id]
    assert _withdrawals_only(store, tmp_path / "6", [south]) == []


def test_a_story_never_sent_sends_no_notice_to_anyone(store: Store, tmp_path: Path) -> None:
    north = _recipient()
    sent, never_sent = shared(store, "Sent"), shared(store, "Never sent")
    _export(store, tmp_path / "1", [sent.id], [north])
    withdraw_fully(store, never_sent.id)
    with store.read() as session:
        assert withdrawal_notices.pending_for(session, [north]) == []
        assert withdrawal_notices.pending_for(session, [withdrawal_notices.PLAIN]) == []
    result = _export(store, tmp_path / "2", [sent.id], [north])
    assert result.withdrawals == []


def test_a_plain_export_counts_as_its_own_recipient(store: Store, tmp_path: Path) -> None:
    north = _recipient()
    carried = shared(store, "Carried by hand")
    _export(store, tmp_path / "1", [carried.id], [], plain=True)
    withdraw_fully(store, carried.id)
    assert _withdrawals_only(store, tmp_path / "2", [north]) == []
    assert _withdrawals_only(store, tmp_path / "3", [], plain=True) == [carried.id]
    with store.read() as session:
        sends = session.scalars(select(WithdrawalNoticeSendRow.recipient)).all()
    assert sends == ["plain"]


def test_a_bundle_shared_with_someone_who_never_had_the_story_holds_its_notice_back(
    store: Store, tmp_path: Path
) -> None:
    north, south = _recipient(), _recipient()
    story = shared(store, "Only the north had it")
    _export(store, tmp_path / "1", [story.id], [north])
    withdraw_fully(store, story.id)
    with store.read() as session:
        both = plan_export(session, Selection.CHOSEN, [], recipients=[north, south])
        north_only = plan_export(session, Selection.CHOSEN, [], recipients=[north])
    assert (both.withdrawals, both.withdrawals_held_back) == ([], 1)
    assert [n.story_id for n in north_only.withdrawals] == [story.id]
    # A plan made for one set of recipients is never written for another.
    with pytest.raises(ExportError, match="chosen recipients changed"):
        write_bundle(
            north_only,
            keys=store.keys,
            media=store.media,
            out=tmp_path,
            recipients=[north, south],
        )
    result = _export(store, tmp_path / "2", [], [north])
    assert result.withdrawals == [north_only.withdrawals[0].consent_id]
    with store.read() as session:
        recorded = session.scalars(select(WithdrawalNoticeSendRow.recipient)).all()
    assert recorded == [north]


def test_the_command_line_says_a_notice_was_held_back(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    north, south = _recipient(), _recipient()
    story = shared(store, "Only the north had it")
    _export(store, tmp_path / "1", [story.id], [north])
    withdraw_fully(store, story.id)
    shared(store, "New for both")
    out = tmp_path / "2"
    out.mkdir()
    capsys.readouterr()
    data_dir = str(store.paths.data_dir)
    assert (
        main(["--data-dir", data_dir, "export", "--to", north, "--to", south, "--out", str(out)])
        == 0
    )
    said = capsys.readouterr().out
    assert "1 story, 0 media files, 0 withdrawals." in said
    assert (
        "Not sent yet: 1 withdrawal of stories a recipient of this bundle never had; export to "
        "the others alone to send them."
    ) in said


def test_the_plan_counts_notices_owed_to_recipients_not_in_this_bundle(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A notice owed to a coordinator this bundle does not go to is not forgotten: the plan
    says how many wait for them (an advocate who dropped a coordinator's key must hear it)."""
    north, south = _recipient(), _recipient()
    to_north, to_south = shared(store, "The bus"), shared(store, "The allotment")
    _export(store, tmp_path / "1", [to_north.id], [north])
    _export(store, tmp_path / "2", [to_south.id], [south])
    withdraw_fully(store, to_north.id)
    withdraw_fully(store, to_south.id)
    with store.read() as session:
        plan = plan_export(session, Selection.CHOSEN, [], recipients=[north])
    assert [n.story_id for n in plan.withdrawals] == [to_north.id]
    assert plan.withdrawals_for_others == 1
    out = tmp_path / "3"
    out.mkdir()
    capsys.readouterr()
    data_dir = str(store.paths.data_dir)
    assert main(["--data-dir", data_dir, "export", "--to", north, "--out", str(out)]) == 0
    assert (
        "Waiting for other coordinators: 1 withdrawal of stories sent to coordinators this "
        "bundle is not for; export to them to send them."
    ) in capsys.readouterr().out
    with store.read() as session:
        assert (
            plan_export(session, Selection.CHOSEN, [], recipients=[south]).withdrawals_for_others
            == 0
        )
