"""The coordinator's key card: one A4 page with their receiving key, its fingerprint and what an
advocate does with it, in plain words, to print and hand over or send (``QPdfWriter``).

The page is drawn into memory and then written through ``core.atomic_files``, so a full disk or
an unwritable folder is one plain sentence and never leaves half a card; the key file beside it
is the standard recipients text (``ops.keys.receiving_key_file``), which the stock tools read.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSizeF, QStandardPaths
from PySide6.QtGui import QPdfWriter

from storykeeper.core.atomic_files import atomic_file
from storykeeper.core.keys import receiving_key_fingerprint
from storykeeper.gui.consent_pdf import a4_page

#: Large enough to read from a card held at arm's length; the key itself is set smaller, in a
#: fixed-width face, so its 62 characters fit one line and each can be told apart (0 and O).
BODY_POINTS = 13
KEY_POINTS = 10
FINGERPRINT_POINTS = 26
TITLE = "My Storykeeper receiving key"
#: The menu an advocate opens to add the key: kept equal to the window's (a test compares).
KEYS_MENU = "Exchange → Keys and coordinators…"


def key_card_html(receiving_key: str, made_on: dt.date) -> str:
    """The card's words: the key, its fingerprint and the advocate's steps."""
    key = html.escape(receiving_key)
    digits = html.escape(receiving_key_fingerprint(receiving_key))
    return f"""
<h1>{TITLE}</h1>
<p>Made on {made_on.day} {made_on:%B %Y}.</p>
<p>Name: ______________________________ &nbsp; Phone: ____________________</p>
<p>Give this card, or the key file saved with it, to the advocates who send you stories. Their
Storykeeper uses the key to lock the stories so that only your computer can open them. The key
is safe to share: it cannot open anything.</p>
<h2>The key</h2>
<p style="font-family: monospace; font-size: {KEY_POINTS}pt">{key}</p>
<h2>Its fingerprint</h2>
<p style="font-size: {FINGERPRINT_POINTS}pt; font-weight: bold">{digits}</p>
<h2>What the advocate does with it</h2>
<ol>
<li>In Storykeeper, open {html.escape(KEYS_MENU)}</li>
<li>On the tab “Coordinators you send to”, paste the key above into “Coordinator's key”, or
type it exactly, or press “From a file…” and choose the key file. Write whose key it is under
“Whose”, and press Add.</li>
<li>Compare by phone: call the coordinator and read them the fingerprint your Storykeeper shows
for their key, four groups of five digits. They compare it with this card. If a single digit
differs, remove the key and ask for it again: it is not theirs.</li>
<li>When you export stories, tick the coordinator's name: only they can open what you send.</li>
</ol>
"""


def render_key_card(receiving_key: str, made_on: dt.date) -> bytes:
    """The card as the bytes of a one-page A4 PDF."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    document = a4_page(writer, TITLE, BODY_POINTS)
    document.setHtml(key_card_html(receiving_key, made_on))
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)
    del writer  # ends the PDF in the buffer
    buffer.close()
    return bytes(data.data())


def write_key_card(receiving_key: str, made_on: dt.date, target: Path) -> None:
    """Write the card at ``target``, whole or not at all (``FileWriteError``, ``DiskFullError``)."""
    content = render_key_card(receiving_key, made_on)
    with atomic_file(target) as handle:
        handle.write(content)


def default_card_path() -> Path:
    """Where the save box starts: the Documents folder when there is one, else home."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    chosen = Path(folder) if folder and Path(folder).is_dir() else Path.home()
    return chosen / "Storykeeper key card.pdf"
