"""Every dialog of the program fits a 1366×768 laptop screen at twice the text size, with its
content whole (the layout never needs more than the dialog has, no wrapped words cut off).

Dialogs size themselves from the screen they are on, and the test session's offscreen screen is
800×800; so the dialogs (tests/gui/laptop_dialogs.py) are measured in a second pytest run whose
offscreen screen is a laptop's (Qt's offscreen platform reads its screens from a file).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.gui.laptop_dialogs import ON_A_LAPTOP_ENV

#: The offscreen platform has no desktop panel, so its screen is what a 1366×768 laptop has
#: left for windows once its 40 px panel is taken (what availableGeometry() says there).
LAPTOP_SCREEN = {
    "screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 728, "logicalDpi": 96}]
}
MEASURED = Path(__file__).with_name("laptop_dialogs.py")


def test_every_dialog_fits_a_laptop_at_twice_the_text_size(tmp_path: Path) -> None:
    config = tmp_path / "laptop-screen.json"
    config.write_text(json.dumps(LAPTOP_SCREEN), encoding="utf-8")
    env = os.environ | {
        ON_A_LAPTOP_ENV: "1",
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(MEASURED)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=Path(__file__).parents[2],
    )
    misfits = [line for line in done.stdout.splitlines() if "AssertionError: misfit: " in line]
    assert done.returncode == 0, "\n".join(misfits) or done.stdout[-3000:]
    assert "23 passed" in done.stdout, done.stdout[-3000:]
