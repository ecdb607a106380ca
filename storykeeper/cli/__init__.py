"""The command line: thin over ``core``, one module a group of commands.

``stories`` (list, show, stats, check, demo-data and the parser), ``keys`` (keys, recipients,
trust), ``bundles`` (export, verify, import, imports) and ``output`` (JSON and tables).
"""

from storykeeper.cli.stories import build_parser

__all__ = ["build_parser"]
