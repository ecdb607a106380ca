"""Bundles: how stories leave one machine and reach another (see docs/bundle-format.md).

A BagIt 1.0 bag of JSON and media, its tag manifest signed with minisign, zipped
deterministically, then encrypted with age. Standard formats throughout, so a coordinator can
check a bundle with ``age``, ``minisign`` and ``bagit.py`` without Storykeeper.
"""

#: The bundle format this program writes. Readers accept this and older ones. Format 2 (issue
#: 17) adds each consent version's Mental Capacity Act record; format 1 reads it as not recorded.
FORMAT = 2
