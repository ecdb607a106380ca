"""Storykeeper: record people's stories with consent, offline, and hand them on safely."""

__version__ = "0.1.0"

#: Reverse-DNS application id, used for the desktop file, settings and the data folder's name.
APP_ID = "org.storykeeper.Storykeeper"
APP_NAME = "Storykeeper"
