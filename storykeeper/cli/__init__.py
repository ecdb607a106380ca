"""The command line: thin over ``core``, one module a group of commands.

``parser`` (the options every command takes; it asks each group for its commands),
``arguments`` (the argument types they share), ``stories`` (list, search, show, stats, check,
demo-data), ``keys`` (keys, recipients, trust), ``bundles`` (export, verify, import, imports) and
``output`` (the one printer for tables, and JSON).
"""

from storykeeper.cli.parser import build_parser

__all__ = ["build_parser"]
