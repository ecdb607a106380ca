"""``storykeeper keys`` and ``storykeeper recipients``, as a person types them."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import minisign
import pytest
from pyrage import x25519

from storykeeper.__main__ import main
from storykeeper.core.keys import public_key_file_text, receiving_key_fingerprint
from storykeeper.paths import resolve_paths
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class Terminal(io.StringIO):
    """Standard output as it is when a person is at a terminal (its width comes from COLUMNS)."""

    def isatty(self) -> bool:
        return True


def test_keys_show_makes_the_keys_once_and_prints_no_secret(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, _ = run(capsys, "keys", "show", "--json")
    assert code == 0
    shown = json.loads(out)
    assert set(shown) == {
        "key_id",
        "fingerprint",
        "public_key",
        "age_recipient",
        "age_recipient_fingerprint",
    }
    assert re.fullmatch(r"\d{5} \d{5} \d{5} \d{5}", shown["fingerprint"])
    # The same digits the window and the key card show, for the advocate to compare by phone.
    assert shown["age_recipient_fingerprint"] == receiving_key_fingerprint(shown["age_recipient"])
    code, again, _ = run(capsys, "keys", "show", "--json")
    assert json.loads(again) == shown
    code, text, _ = run(capsys, "keys", "show")
    assert text.splitlines() == [
        f"Signing key id:   {shown['key_id']}",
        f"Fingerprint:      {shown['fingerprint']}   (read these digits to the coordinator)",
        f"Public key:       {shown['public_key']}",
        f"Age recipient:    {shown['age_recipient']}   "
        "(people sending bundles here encrypt to this)",
        f"Its fingerprint:  {shown['age_recipient_fingerprint']}   "
        "(senders compare these digits by phone)",
        f"Key files:        {data_dir / 'keys'}",
    ]
    with open_as_the_program(resolve_paths()) as store:
        secret_line = bytes(store.keys.secret_key()).decode().splitlines()[1]
    assert secret_line not in text and "AGE-SECRET-KEY" not in text  # no secret printed
    # and none kept in the clear: the store is encrypted, so are its secret key files
    assert b"untrusted comment" not in (data_dir / "keys" / "signing.key").read_bytes()


def test_export_public_writes_a_minisign_pub_file(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "keys", "export-public", str(tmp_path / "me.pub"))
    assert code == 0 and "Give it to the coordinator" in out
    public = minisign.PublicKey.from_file(tmp_path / "me.pub")
    _, shown, _ = run(capsys, "keys", "show", "--json")
    assert public.to_base64().decode() == json.loads(shown)["public_key"]


def test_import_minisign_reads_the_password_from_standard_input(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pair = minisign.KeyPair.generate()
    pair.secret_key.encrypt("s3cret words", opslimit=1 << 15, memlimit=1 << 20)
    (tmp_path / "k.key").write_bytes(bytes(pair.secret_key))
    (tmp_path / "k.pub").write_text(public_key_file_text(pair.public_key))
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    code, _, err = run(
        capsys, "keys", "import-minisign", str(tmp_path / "k.key"), str(tmp_path / "k.pub")
    )
    assert code == 1 and "is not the password" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret words\n"))
    code, out, _ = run(
        capsys, "keys", "import-minisign", str(tmp_path / "k.key"), str(tmp_path / "k.pub")
    )
    assert code == 0 and out.startswith("Bundles are now signed with key ")
    _, shown, _ = run(capsys, "keys", "show", "--json")
    assert json.loads(shown)["public_key"] == pair.public_key.to_base64().decode()


def test_a_bad_key_file_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "id.txt").write_text("not a key\n")
    code, _, err = run(capsys, "keys", "import-age-identity", str(tmp_path / "id.txt"))
    assert code == 1
    assert err.count("\n") == 1 and "is not an age secret key" in err


def test_recipients_add_list_remove(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    key = str(x25519.Identity.generate().to_public())
    code, out, _ = run(capsys, "recipients", "list")
    assert "No recipients yet" in out
    code, out, _ = run(capsys, "recipients", "add", key, "--label", "North coordinator")
    assert code == 0 and key in out
    code, _, err = run(capsys, "recipients", "add", key, "--label", "Again")
    assert code == 1 and "already here" in err
    code, _, err = run(capsys, "recipients", "add", "age1nonsense", "--label", "Typo")
    assert code == 1 and "damaged" in err
    code, _, err = run(capsys, "recipients", "add", "ssh-ed25519 AAAA", "--label", "SSH")
    assert code == 1 and "is not an age recipient" in err
    code, out, _ = run(capsys, "recipients", "list", "--json")
    listed = json.loads(out)
    assert [(r["label"], r["age_recipient"]) for r in listed] == [("North coordinator", key)]
    code, out, _ = run(capsys, "recipients", "list")
    assert out.splitlines() == [
        "LABEL              AGE RECIPIENT",
        f"North coordinator  {key}",
    ]
    code, out, _ = run(capsys, "recipients", "remove", key)
    assert code == 0
    code, _, err = run(capsys, "recipients", "remove", key)
    assert code == 1 and "No recipient" in err


def test_import_age_identity_makes_bundles_come_to_that_key(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    identity = x25519.Identity.generate()
    (tmp_path / "org-key.txt").write_text(f"# organisation key\n{identity}\n")
    code, out, _ = run(capsys, "keys", "import-age-identity", str(tmp_path / "org-key.txt"))
    assert code == 0 and str(identity.to_public()) in out
    _, shown, _ = run(capsys, "keys", "show", "--json")
    assert json.loads(shown)["age_recipient"] == str(identity.to_public())
    kept = list((data_dir / "keys").glob("age-identity.txt.replaced-*"))
    assert len(kept) == 1  # the identity made at first use is kept, not lost


def test_trust_list_shows_each_sender_with_its_state_key_and_fingerprint(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "trust", "list")
    assert (
        out == "No trusted signers yet. Add one with “storykeeper trust add FILE --label NAME”.\n"
    )
    added = []
    for label in ("Siân Llŷr, Ynys Môn advocacy", "Priya"):
        public_key = minisign.KeyPair.generate().public_key.to_base64().decode()
        code, out, _ = run(capsys, "trust", "add", public_key, "--label", label, "--json")
        assert code == 0
        added.append(json.loads(out))
    wales, priya = added
    code, out, _ = run(capsys, "trust", "revoke", priya["key_id"])
    assert code == 0
    code, out, _ = run(capsys, "trust", "list", "--json")
    revoked_on = json.loads(out)[0]["revoked_at"][:10]
    code, out, _ = run(capsys, "trust", "list")
    # Key ids are minisign's unpadded hex: one in sixteen is a place shorter than the other.
    key_ids = max(len(priya["key_id"]), len(wales["key_id"]), len("KEY ID"))
    assert out.splitlines() == [
        "LABEL                         STATE               "
        + "KEY ID".ljust(key_ids)
        + "  FINGERPRINT",
        f"Priya                         revoked {revoked_on}  {priya['key_id']:{key_ids}}  "
        f"{priya['fingerprint']}",
        f"Siân Llŷr, Ynys Môn advocacy  trusted             {wales['key_id']:{key_ids}}  "
        f"{wales['fingerprint']}",
    ]
    # At a terminal the label gives way; the key id and the fingerprint, read out by phone,
    # are never cut.
    monkeypatch.setenv("COLUMNS", "74")
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["trust", "list"]) == 0
    assert terminal.getvalue().splitlines()[2] == (
        f"Siân Llŷr,…  trusted             {wales['key_id']}  {wales['fingerprint']}"
    )
