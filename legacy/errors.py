"""Errors that a user can fix, reported as one line without a traceback."""


class UsageError(Exception):
    """A bad flag, file or value. The message names it and says how to fix it."""


class DataError(UsageError):
    """A data file that is missing, corrupt or cannot be fetched."""
