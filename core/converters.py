class DocumentNumberConverter:
    """An order or quote number in a URL (``PO-000042``, ``Q-000007``).

    Anything else never reaches a view: a stray byte in the path is a 404, not
    a database error.
    """

    regex = r"[A-Z]{1,4}-[0-9]{1,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
