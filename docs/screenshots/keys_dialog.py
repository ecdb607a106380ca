"""Render Exchange → Keys and coordinators… (both tabs) and the trusted senders to PNG.

    python docs/screenshots/keys_dialog.py OUT [--scale N] [--contrast]

Drawn off screen on a pretend 1280×800 screen, in a throwaway data folder with two coordinators
added and one sender trusted: ``keys-coordinators*.png``, ``keys-own*.png`` and
``trusted-senders*.png``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from waiting import laptop_application, screenshot_arguments, wait_for


def main() -> int:
    args = screenshot_arguments()
    app = laptop_application()

    import minisign
    from pyrage import x25519

    from storykeeper.core import trust
    from storykeeper.core.db import Store
    from storykeeper.core.keys import signing_key_of
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.dialogs.keys import KeysDialog
    from storykeeper.gui.dialogs.trust import TrustDialog
    from storykeeper.gui.ops import keys as key_ops
    from storykeeper.paths import resolve_paths

    with tempfile.TemporaryDirectory() as folder:
        paths = resolve_paths(Path(folder) / "advocate")
        paths.ensure()
        store = Store.open(paths)
        with store.write(actor="docs") as session:
            for name in ("Sam Okafor (north coordinator)", "West team office"):
                key_ops.add_recipient(session, str(x25519.Identity.generate().to_public()), name)
            trust.add_signer(
                session,
                signing_key_of(minisign.KeyPair.generate().public_key).public_key,
                "Priya Shah (north team)",
            )
        context = AppContext(store, paths)
        context.set_text_scale(args.scale)
        context.set_high_contrast(args.contrast)
        suffix = ("-200" if args.scale >= 200 else "") + ("-contrast" if args.contrast else "")

        dialog = KeysDialog(context)
        dialog.show()
        wait_for(lambda: dialog.device is not None and dialog.recipient_list.count() == 2)
        dialog.recipient_list.setCurrentRow(0)
        app.processEvents()
        dialog.grab().save(str(args.out / f"keys-coordinators{suffix}.png"))
        dialog.tabs.setCurrentIndex(1)
        app.processEvents()
        dialog.grab().save(str(args.out / f"keys-own{suffix}.png"))
        dialog.reject()

        senders = TrustDialog(context)
        senders.show()
        wait_for(lambda: senders.signer_list.count() == 1)
        app.processEvents()
        senders.grab().save(str(args.out / f"trusted-senders{suffix}.png"))
        senders.reject()
        context.shutdown()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
