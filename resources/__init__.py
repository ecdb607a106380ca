"""Storykeeper's shipped resources (installed as ``storykeeper.resources``; see README.md)."""
