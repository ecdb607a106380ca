"""The window's database work: plain functions of a ``Session``, one module a domain.

A page or dialog never writes SQL or calls ``core`` with a session itself: it hands one of these
functions (with its arguments bound) to ``TaskRunner.read`` or ``TaskRunner.write``, and the task
runner announces what changed, so every view showing that kind refreshes itself. Nothing here
imports a widget, so each function is tested with a plain ``Store``, without a window.
"""
