"""Help → Keyboard shortcuts (F1): the list in a scrolling view sized to the screen.

A message box grows with its text and has no scrolling, so at 100% text its bottom was off a
768 px screen (issue 20); here the list scrolls inside a dialog that never outgrows the screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

SHORTCUTS_HELP = """
<h3>Keyboard shortcuts</h3>
<table cellpadding="4">
<tr><td><b>Ctrl+N</b></td><td>New story</td></tr>
<tr><td><b>Ctrl+F</b></td><td>Search the stories</td></tr>
<tr><td><b>Alt+V, O</b></td><td>Sort the list (as the column headings do)</td></tr>
<tr><td><b>Enter</b></td><td>Open the chosen story</td></tr>
<tr><td><b>Delete</b></td>
<td>Delete the chosen story, or those chosen together (asks first)</td></tr>
<tr><td><b>Shift+arrows / Ctrl+click / Ctrl+A</b></td>
<td>Choose several stories in the list, to export or delete together</td></tr>
<tr><td><b>Esc</b></td><td>Back to the list from a story (everything is saved)</td></tr>
<tr><td><b>Ctrl+S</b></td><td>Save now (Storykeeper also saves as you type)</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>Quit (once everything you typed is saved)</td></tr>
<tr><td><b>Ctrl+L</b></td><td>Lock Storykeeper (what you typed is saved first)</td></tr>
<tr><td><b>Alt+R</b></td><td>Read the person’s words aloud (in a story)</td></tr>
<tr><td><b>Alt+C</b></td><td>Go through consent with the person (in a story)</td></tr>
<tr><td><b>Alt+K</b></td><td>Take back (withdraw) consent (in a story)</td></tr>
<tr><td><b>Alt+F</b></td><td>Print the person’s consent copy (in a story)</td></tr>
<tr><td><b>Alt+B</b></td><td>Back to the list (in a story)</td></tr>
<tr><td><b>Ctrl+R / Ctrl+Shift+R</b></td>
<td>Record, pause or resume / stop and keep the recording (in a story)</td></tr>
<tr><td><b>Ctrl+P</b></td><td>Play or pause the chosen recording (in a story)</td></tr>
<tr><td><b>Ctrl+M / Ctrl+J</b></td>
<td>Mark this moment in the notes / play from the mark at the cursor</td></tr>
<tr><td><b>Ctrl+Shift+A / Ctrl+Shift+S / Ctrl+Shift+D</b></td>
<td>Add a photo or document / save a copy of the chosen one / describe it (in a story)</td></tr>
<tr><td><b>Ctrl+Shift+P / Ctrl+Shift+F / Ctrl+Shift+L</b></td>
<td>Add a person mentioned / find names in the text / what will leave (in a story)</td></tr>
<tr><td><b>Tab / Shift+Tab</b></td><td>Next / previous field</td></tr>
<tr><td><b>Ctrl++ / Ctrl+− / Ctrl+0</b></td><td>Larger, smaller, normal text</td></tr>
<tr><td><b>Ctrl+Shift+H</b></td><td>High contrast on or off</td></tr>
<tr><td><b>Ctrl+Shift+T / Ctrl+Shift+U</b></td><td>Storytellers / supporters</td></tr>
<tr><td><b>Ctrl+E</b></td><td>Export a bundle for the coordinator</td></tr>
<tr><td><b>Ctrl+I</b></td><td>Import bundles (or drop the files on the window)</td></tr>
<tr><td><b>Ctrl+Shift+I</b></td>
<td>What people are telling us: enablers and barriers by theme (Esc: back)</td></tr>
<tr><td><b>Alt + underlined letter</b></td><td>The button or field with that letter</td></tr>
</table>
"""

#: At most this share of the screen, leaving room for the title bar and a desktop's panel.
SCREEN_SHARE = 0.8


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.text = QTextBrowser()
        self.text.setHtml(SHORTCUTS_HELP)
        self.text.setAccessibleName("Keyboard shortcuts")
        # Arrow keys and Page Down scroll the list as soon as it opens.
        self.text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.fit_to_screen()
        self.text.setFocus()

    def fit_to_screen(self) -> None:
        """As wide as the text's widest line wants, and as tall as the screen allows."""
        room = self.screen().availableGeometry()
        font_height = self.fontMetrics().height()
        self.text.document().setTextWidth(-1)  # its natural width, no wrapping
        wanted_width = int(self.text.document().idealWidth()) + 4 * font_height
        wanted_height = int(self.text.document().size().height()) + 6 * font_height
        self.resize(
            min(wanted_width, int(room.width() * SCREEN_SHARE)),
            min(wanted_height, int(room.height() * SCREEN_SHARE)),
        )
