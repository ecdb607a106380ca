"""pyproject.toml lists its packages by hand (to ship resources/): keep the list whole."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_and_the_resources_are_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    listed = set(config["packages"])
    code = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "storykeeper").rglob("__init__.py")
    }
    resources = {
        ".".join(("storykeeper.resources", *init.parent.relative_to(ROOT / "resources").parts))
        for init in (ROOT / "resources").rglob("__init__.py")
    }
    assert listed == code | resources
    assert config["package-dir"] == {"storykeeper.resources": "resources"}
