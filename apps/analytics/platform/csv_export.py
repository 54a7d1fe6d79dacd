"""A report table as CSV: one header row of the columns, then one row per entry."""

from collections.abc import Iterable, Mapping
from typing import Any

from apps.core.csv_export import csv_lines


def table_csv(columns: Iterable[str], rows: Iterable[Mapping[str, Any]]) -> str:
    header = list(columns)
    return "".join(csv_lines(header, ([row.get(name) for name in header] for row in rows)))
