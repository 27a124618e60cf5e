"""CSV files of a list page, streamed: rows are written as the database hands them over.

A view passes an iterator of rows (``keyset_rows`` over a query that joins or
annotates everything a row shows), so an export of a million orders holds one
chunk in memory and costs one query per chunk, never one per row. The file
opens in a spreadsheet as it is: UTF-8 with a byte order mark (Excel reads it as
UTF-8 then), and no cell can run as a formula.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

# A spreadsheet evaluates a cell starting with one of these as a formula
# (=HYPERLINK(...), +cmd|..., -1+1, @SUM(...)); tab and carriage return can
# hide one behind them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BOM = "\ufeff"

# Rows fetched from the database per round trip.
CHUNK_SIZE = 2000


def _after(order: Sequence[str], last: Sequence) -> Q:
    """Rows after ``last`` in ``order``: (a, b, c) > (x, y, z), each way as ordered."""
    after = Q()
    for i, name in enumerate(order):
        key = name.lstrip("-")
        step = Q(**{f"{key}__{'lt' if name.startswith('-') else 'gt'}": last[i]})
        for j in range(i):
            step &= Q(**{order[j].lstrip("-"): last[j]})
        after |= step
    return after


def keyset_rows(
    queryset: QuerySet, *, fields: Sequence[str], chunk_size: int | None = None
) -> Iterator[tuple]:
    """``fields`` of every row of ``queryset``, in its order, fetched ``chunk_size`` at a time.

    Each chunk is a query of its own that starts after the last row of the one
    before (keyset pagination), so no cursor or transaction stays open while a
    slow client downloads, and it streams the same behind a pooler that forbids
    server-side cursors. The queryset's ordering must name fields or annotations,
    not null, and end with a unique one (``id``).
    """
    chunk_size = chunk_size or CHUNK_SIZE
    order = [str(name) for name in queryset.query.order_by]
    if not order or order[-1].lstrip("-") not in {"id", "pk"}:
        raise ValueError("A keyset export needs an ordering that ends with the id.")
    keys = [name.lstrip("-") for name in order]
    columns = [*fields, *(key for key in keys if key not in fields)]
    where = [columns.index(key) for key in keys]
    rows = queryset.values_list(*columns)
    last = None
    while True:
        chunk = list((rows if last is None else rows.filter(_after(order, last)))[:chunk_size])
        for row in chunk:
            yield row[: len(fields)]
        if len(chunk) < chunk_size:
            return
        last = [chunk[-1][i] for i in where]


def safe_cell(value) -> str:
    """A cell's text, with a leading ``'`` where a spreadsheet would see a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, Decimal):
        return str(value)  # never negative here, and a number stays a number
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file that hands back what is written to it: csv.writer's row, as a string."""

    def write(self, value: str) -> str:
        return value


def _lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows`` under ``header``, named ``filename``-<date>.csv."""
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_query(query) -> str:
    """The list page's query string without its page number: what its export link carries."""
    params = query.copy()
    params.pop("page", None)
    return params.urlencode()
