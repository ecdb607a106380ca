"""The domain core of Storykeeper: pure Python, never imports Qt.

Everything a person can do in the window, the core can do for the command line and the tests.
"""
