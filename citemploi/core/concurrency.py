"""Optimistic concurrency shared by every domain."""


class StaleEdit(Exception):
    """The object changed since the form (or API client) read it: the edit is refused and nothing is written."""
