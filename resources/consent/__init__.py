"""The easy-read consent wording and pictures (see ``storykeeper.core.easy_read``)."""
