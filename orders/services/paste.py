"""Lines pasted from a spreadsheet or uploaded as a CSV file, read into order rows.

Rules:

- One line per product: a SKU and a quantity, separated by a tab (a copied
  spreadsheet), a semicolon, a comma, or spaces. Cells may be quoted as in CSV.
  Without a header the first cell is the SKU and the second the quantity (with
  spaces only, the first word and the last). A header row (``SKU;Quantity``,
  ``Article, Qty``…) is recognised and names the columns; blank lines are
  skipped.
- At most ``MAX_PASTED_LINES`` (1,000) lines, blank ones not counted, and
  ``MAX_UPLOAD_BYTES`` for a file; beyond, nothing is read and the message says
  so.
- A file is read as UTF-8 (with or without its byte-order mark), as UTF-16 when
  it starts with a UTF-16 byte-order mark (Excel's "Unicode text"), else as
  Windows-1252 (Excel's "CSV" on Windows). A spreadsheet saved as .xlsx/.ods or
  any other binary file is refused with a message.
- A cell that begins with ``=``, ``+``, ``-`` or ``@`` is a spreadsheet
  formula: it is refused as text and never evaluated.
- Each line is checked with the words the typed rows get
  (``orders.services.lines``), prefixed with its line number; all SKUs are
  looked up in one query.
- The same SKU on several lines becomes one row with the quantities added; the
  buyer is told which lines were merged.
"""

import csv
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.selectors import product_lookup_by_sku

from .lines import (
    MAX_LINES,
    normal_sku,
    product_problem,
    quantity_problem,
    quantity_sum_problem,
)

MAX_PASTED_LINES = 1_000
MAX_UPLOAD_BYTES = 256 * 1024
# A whole pasted text is bounded too (1,000 lines of generous width).
MAX_PASTED_CHARS = 200_000

FORMULA_STARTS = ("=", "+", "-", "@")
SKU_HEADERS = {
    "sku",
    "article",
    "article number",
    "item",
    "item number",
    "item no",
    "product",
    "product code",
    "code",
    "part",
    "part number",
    "artikel",
    "artikelnummer",
    "référence",
    "reference",
}
QUANTITY_HEADERS = {
    "quantity",
    "qty",
    "qty.",
    "quantities",
    "amount",
    "count",
    "pieces",
    "pcs",
    "units",
    "menge",
    "anzahl",
    "quantité",
    "cantidad",
}
_GROUPED = re.compile(r"^\d{1,3}(?:[,.' \u00a0\u202f]\d{3})+$")
_WHOLE_WITH_ZEROS = re.compile(r"^(\d+)[.,]0+$")


class PasteRefused(Exception):
    """Nothing of the text or file is read; the message says why."""


@dataclass(frozen=True)
class PasteProblem:
    line: int  # 1-based, as a spreadsheet or an editor counts them
    text: str  # the line as it was, to give back for fixing
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class PasteResult:
    rows: list[dict] = field(default_factory=list)  # {"sku", "quantity"} per product, merged
    problems: list[PasteProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # header skipped, duplicates merged

    @property
    def unread_text(self) -> str:
        """The lines that need a fix, to put back in the box."""
        return "\n".join(p.text for p in self.problems)


def paste_decode(data: bytes) -> str:
    """The text of an uploaded file. Rule: see the module docstring (encodings)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PasteRefused(
            _("The file is larger than %(max)s KB; split it or paste the lines instead.")
            % {"max": MAX_UPLOAD_BYTES // 1024}
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise PasteRefused(
            _("This is a spreadsheet file, not a CSV: save it as CSV (or copy the cells) first.")
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise PasteRefused(_("The file could not be read as UTF-16 text.")) from None
    if b"\x00" in data:
        raise PasteRefused(
            _("The file is not text: upload a CSV file (UTF-8, UTF-16 or Windows-1252).")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(line: str) -> str | None:
    for candidate in ("\t", ";", ","):
        if candidate in line:
            return candidate
    return None


def _cells(line: str) -> list[str]:
    delimiter = _delimiter(line)
    if delimiter is None:
        words = line.split()
        if len(words) > 2:
            return [words[0], words[-1]]
        return words
    try:
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
    except (csv.Error, StopIteration):
        cells = line.split(delimiter)
    return [c.strip() for c in cells]


def _header_columns(cells: list[str]) -> tuple[int, int] | None:
    """(sku column, quantity column) when the cells are a header row, else None."""
    names = [c.strip().strip('"').lower() for c in cells]
    sku = next((i for i, n in enumerate(names) if n in SKU_HEADERS), None)
    quantity = next((i for i, n in enumerate(names) if n in QUANTITY_HEADERS), None)
    if sku is None and quantity is None:
        return None
    if sku is None:
        sku = 0 if quantity != 0 else 1
    if quantity is None:
        quantity = 1 if sku != 1 else 0
    return sku, quantity


def _quantity(cell: str) -> int | None:
    """A whole number as spreadsheets write it ("12", "1,000", "3.00"), else None."""
    text = cell.strip().replace("\u00a0", "").replace("\u202f", "")
    if text.isascii() and text.isdigit():
        return int(text)
    if _GROUPED.match(text):
        return int(re.sub(r"\D", "", text))
    if match := _WHOLE_WITH_ZEROS.match(text):
        return int(match.group(1))
    return None


def _printable(line: str) -> str:
    return "".join(c for c in line if c.isprintable() or c == "\t")


def _is_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS)


@dataclass
class _Read:
    line: int
    text: str
    sku: str
    quantity: int


def _split(text: str) -> tuple[list[_Read], list[PasteProblem], list[str]]:
    """Lines into (sku, quantity) with their line numbers; the shape only, no catalog."""
    if len(text) > MAX_PASTED_CHARS:
        raise PasteRefused(
            _("That is more text than %(max)s lines could hold; split it.")
            % {"max": f"{MAX_PASTED_LINES:,}"}
        )
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    filled = [(n, line) for n, line in enumerate(lines, start=1) if line.strip(" \t,;\"'")]
    if len(filled) > MAX_PASTED_LINES:
        raise PasteRefused(
            _("%(count)s lines is too many at once: at most %(max)s. Split the list.")
            % {"count": f"{len(filled):,}", "max": f"{MAX_PASTED_LINES:,}"}
        )
    read: list[_Read] = []
    problems: list[PasteProblem] = []
    notes: list[str] = []
    columns = (0, 1)
    for position, (number, line) in enumerate(filled):
        cells = _cells(line)
        if position == 0 and (header := _header_columns(cells)) is not None:
            columns = header
            notes.append(_("Line %(line)s was read as the column names.") % {"line": number})
            continue
        sku_cell = cells[columns[0]] if len(cells) > columns[0] else ""
        quantity_cell = cells[columns[1]] if len(cells) > columns[1] else ""
        if not (sku_cell.isprintable() and quantity_cell.isprintable()):
            problems.append(
                PasteProblem(number, _printable(line), _("It holds characters that are not text."))
            )
            continue
        formula = next((c for c in (sku_cell, quantity_cell) if _is_formula(c)), None)
        if formula is not None:
            problems.append(
                PasteProblem(
                    number,
                    line,
                    _("%(cell)s is a spreadsheet formula; paste its value instead.")
                    % {"cell": formula[:40]},
                )
            )
            continue
        sku = normal_sku(sku_cell)
        if not sku:
            problems.append(PasteProblem(number, line, _("Which product?")))
            continue
        if not quantity_cell:
            problems.append(PasteProblem(number, line, _("How many?")))
            continue
        quantity = _quantity(quantity_cell)
        problem = quantity_problem(quantity if quantity is not None else quantity_cell)
        if problem is not None:
            problems.append(PasteProblem(number, line, problem))
            continue
        read.append(_Read(number, line, sku, quantity))
    return read, problems, notes


def paste_read(*, company_id: int | None, text: str) -> PasteResult:
    """Pasted lines checked against the catalog the company sees, merged by product.

    Rule: see this module's docstring. Raises ``PasteRefused`` when nothing is
    read (too many lines); each bad line is a ``PasteProblem``. One query.
    """
    read, problems, notes = _split(text)
    products = product_lookup_by_sku(company_id=company_id, skus=[r.sku for r in read])
    merged: dict[str, list[_Read]] = {}
    for entry in read:
        problem = product_problem(entry.sku, products.get(entry.sku))
        if problem is None and len(entry.sku) > 40:
            problem = _("No product has the SKU %(sku)s.") % {"sku": entry.sku[:40]}
        if problem is not None:
            problems.append(PasteProblem(entry.line, entry.text, problem))
        else:
            merged.setdefault(products[entry.sku].sku, []).append(entry)
    result = PasteResult(notes=notes)
    for sku, entries in merged.items():
        quantity = sum(e.quantity for e in entries)
        if len(entries) > 1:
            result.notes.append(
                ngettext(
                    "%(sku)s is on lines %(lines)s: the quantities are added up (%(quantity)s).",
                    "%(sku)s is on lines %(lines)s: the quantities are added up (%(quantity)s).",
                    len(entries),
                )
                % {
                    "sku": sku,
                    "lines": ", ".join(str(e.line) for e in entries),
                    "quantity": f"{quantity:,}",
                }
            )
        if (problem := quantity_sum_problem(sku, quantity)) is not None:
            problems.extend(PasteProblem(entry.line, entry.text, problem) for entry in entries)
            continue
        result.rows.append({"sku": sku, "quantity": quantity})
    result.problems = sorted(problems, key=lambda p: p.line)
    return result


def rows_merge(rows: list[dict], added: list[dict]) -> tuple[list[dict], list[dict]]:
    """The form's rows with pasted rows added (the same SKU adds up); the rows beyond
    ``MAX_LINES`` different products come back apart, as they do not fit one order."""
    merged = [dict(r) for r in rows]
    index = {normal_sku(r.get("sku")): r for r in merged if normal_sku(r.get("sku"))}
    left_out = []
    for row in added:
        existing = index.get(row["sku"])
        if existing is not None:
            try:
                existing["quantity"] = int(existing.get("quantity") or 0) + row["quantity"]
            except (TypeError, ValueError):
                existing["quantity"] = row["quantity"]
            continue
        if len(index) >= MAX_LINES:
            left_out.append(row)
            continue
        new = dict(row)
        merged.append(new)
        index[row["sku"]] = new
    return merged, left_out
