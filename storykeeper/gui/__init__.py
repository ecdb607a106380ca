"""Everything Qt. Talks to the store only through ``tasks.TaskRunner``, never on its own thread."""
