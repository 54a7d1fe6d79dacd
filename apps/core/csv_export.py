"""CSV exports: cells safe to open in a spreadsheet, and lines written as they are produced
(no export is held in memory). The renderer is apps.core.renderers.CSVRenderer."""

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# A cell starting with one of these is a formula to a spreadsheet: shown as text instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like sink that hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return "" if value is None else value


def _is_number(value: str) -> bool:
    # A negative amount ("-175000.00") is a number to a spreadsheet, not a formula.
    try:
        float(value)
    except ValueError:
        return False
    return True


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header, then each row, each as one CSV line of safe cells."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
