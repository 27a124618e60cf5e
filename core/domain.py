"""The errors every app's services raise (the lock order is ``core.locks``)."""


class DomainError(Exception):
    """A use case refused; the message is for the person who asked."""


class StaleVersion(DomainError):
    """Somebody changed the object since the person loaded the page."""


class NotAllowed(DomainError):
    """The person may see the object but not do this to it."""


class InvalidState(DomainError):
    """The object's state does not allow this move."""


class InvalidInput(DomainError):
    """The input breaks a rule; ``errors`` maps a field (or None) to messages."""

    def __init__(self, message: str, errors: dict[str | None, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}
