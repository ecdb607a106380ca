"""The frozen program's entry: PyInstaller needs a script, and this is `storykeeper` itself."""

import sys

from storykeeper.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
