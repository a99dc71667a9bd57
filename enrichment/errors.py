"""Errors a person sees. Each carries one sentence: what is wrong and what to do."""


class UserFacingError(Exception):
    """Bad input or environment, explained in one sentence. Never shown with a traceback."""


class StoreUnavailable(UserFacingError):
    """The store cannot be opened or reached."""


class NotAuthorized(UserFacingError):
    """The caller is not allowed to perform an admin action."""
