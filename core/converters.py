import re

DOCUMENT_NUMBER = r"[A-Z]{1,4}-[0-9]{1,12}"
_DOCUMENT_NUMBER = re.compile(DOCUMENT_NUMBER)


def is_document_number(value: object) -> bool:
    """Whether ``value`` can be an order or quote number (checked before any query)."""
    return isinstance(value, str) and _DOCUMENT_NUMBER.fullmatch(value) is not None


class DocumentNumberConverter:
    """An order or quote number in a URL (``PO-000042``, ``Q-000007``).

    Anything else never reaches a view: a stray byte in the path is a 404, not
    a database error.
    """

    regex = DOCUMENT_NUMBER

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
