"""Reading what a child process says, with a deadline of the test's own.

``readline`` on a pipe blocks until the child writes or exits: a child that hangs would hold the
test until pytest's timeout, with no word of what was awaited. Selecting on the pipe is not
enough either, because a text stream may already hold the next line in its buffer, where the
selector cannot see it. The read runs in a helper thread instead, and the test waits for it.
"""

from __future__ import annotations

import threading
from typing import IO


def next_line(stream: IO[str] | None, seconds: float, awaited: str) -> str:
    """The child's next line (empty once it has closed the pipe); fails, naming ``awaited``, if
    none comes within ``seconds``. Kill the child afterwards: that ends a read still waiting."""
    assert stream is not None, "the child's output is not a pipe"
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    if reader.is_alive():
        raise AssertionError(f"no line from the child in {seconds:g} s: waited for {awaited}")
    return got[0]
