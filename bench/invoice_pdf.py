"""Benchmark: invoice PDFs rendered per second on one core.

Run with `make bench` (or `python bench/invoice_pdf.py`); it needs no database or service.
One process, pinned to one CPU where the OS allows it (BENCH_CPU picks which), renders:

1. "typical": BENCH_INVOICES different invoices of 4 to 6 lines (plan fee, a prorated
   tier change, extra plots, API call blocks, credits; issued, part paid, paid, overdue,
   drafts), company names partly in Yoruba and Hausa spellings;
2. "uncached fonts": the same, each company name carrying a letter outside the fonts'
   preset characters, so every PDF builds and compresses its own font subsets (the cost
   before the caches, and for a name in, say, Cyrillic);
3. "40 lines": invoices of 40 lines, three pages each.

Each scenario runs BENCH_ROUNDS rounds after a warm-up; the figures are medians over the
rounds. PDFs per second are given against the wall clock and against the CPU time the
process used: on a machine shared with other work the two differ, and the CPU figure is
what one core does. Latency is per PDF. The first render of a process (fonts parsed and
registered) is reported on its own.

Prints a table and writes bench/results/invoice_pdf.json. Not a test: numbers, no asserts.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

import reportlab  # noqa: E402

from apps.billing.invoice_pdf import (  # noqa: E402
    DocumentLine,
    InvoiceDocument,
    Party,
    payment_instructions_from_settings,
    render_invoice_pdf,
    seller_from_settings,
)
from apps.core.money import apply_rate, round_kobo  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
INVOICES = int(os.environ.get("BENCH_INVOICES", "200"))
LONG_INVOICES = 20
PAGE = re.compile(rb"/Type /Page\b(?!s)")
TARGET_PER_SECOND = 200
VAT_RATE = Decimal("0.075")
DASH = "\N{EN DASH}"

COMPANIES = [
    "Lekki Gardens Realty Ltd",
    "Abuja Homes Ltd",
    "Prime Estates Nigeria",
    "Ọlá Ìlú Properties",
    "Ɗanjuma & Sons Estates",
    "Eko Atlantic Plots Co.",
    "Ìbàdàn Green Acres",
    "Port Harcourt Landmark Realty",
    "Kano Crescent Developers",
    "Ẹ̀kọ́ Bright Homes",
]
PLANS = [("Starter", Decimal("25000.00")), ("Professional", Decimal("75000.00"))]
PLANS += [("Enterprise", Decimal("250000.00"))]


def typical_invoice(n: int, *, extra_letter: str = "") -> InvoiceDocument:
    """Invoice number ``n``: 4 to 6 lines, totals as the calculator makes them."""
    plan, fee = PLANS[n % len(PLANS)]
    lines = [DocumentLine(f"{plan} plan, 1{DASH}31 Oct 2026", 1, fee, fee)]
    if n % 3 == 0:  # moved up from Starter on the 11th: both fees prorated by days
        starter = round_kobo(Decimal("25000.00") * 10 / 31)
        rest = round_kobo(fee * 21 / 31)
        lines = [
            DocumentLine(f"Starter plan, 1{DASH}10 Oct 2026 (10 of 31 days)", 1, starter, starter),
            DocumentLine(f"{plan} plan, 11{DASH}31 Oct 2026 (21 of 31 days)", 1, rest, rest),
        ]
    plots = 5 + n % 40
    calls = 1_000 * (3 + n % 25) + n
    blocks = int((Decimal(calls) / 1000).to_integral_value(ROUND_CEILING))
    lines.append(
        DocumentLine(
            f"Extra plots held on 31 Oct 2026 beyond the plan's {100 + n}",
            plots,
            Decimal("300.00"),
            plots * Decimal("300.00"),
        )
    )
    lines.append(
        DocumentLine(
            f"API calls beyond the monthly allowance ({calls:,} calls), per block of 1,000",
            blocks,
            Decimal("100.00"),
            blocks * Decimal("100.00"),
        )
    )
    if n % 2:
        lines.append(
            DocumentLine(
                "Credit: service outage on 14 Oct 2026", 1, Decimal("-5000.00"), Decimal("-5000.00")
            )
        )
    if n % 5 == 0:
        lines.append(
            DocumentLine(
                "Adjustment: September overage corrected", 1, Decimal("1250.00"), Decimal("1250.00")
            )
        )
    if len(lines) < 4:
        lines.append(
            DocumentLine(
                "Onboarding support (2 hours)", 2, Decimal("10000.00"), Decimal("20000.00")
            )
        )
    return document_for(n, tuple(lines), extra_letter=extra_letter)


def long_invoice(n: int) -> InvoiceDocument:
    lines = tuple(
        DocumentLine(
            f"Plot B-{k:03d}, Lekki Scheme {n}: survey and allocation fee",
            1,
            Decimal("15000.00") + k,
            Decimal("15000.00") + k,
        )
        for k in range(40)
    )
    return document_for(n, lines)


def document_for(
    n: int, lines: tuple[DocumentLine, ...], *, extra_letter: str = ""
) -> InvoiceDocument:
    subtotal = max(sum((line.amount for line in lines), Decimal("0.00")), Decimal("0.00"))
    vat = apply_rate(subtotal, VAT_RATE)
    total = subtotal + vat
    status = ["issued", "issued", "paid", "overdue", "draft"][n % 5]
    paid = {"paid": total, "issued": (total / 2).quantize(Decimal("0.01"))}.get(
        status, Decimal("0")
    )
    company = COMPANIES[n % len(COMPANIES)] + extra_letter
    return InvoiceDocument(
        number="DRAFT" if status == "draft" else f"INV-2026-{n:06d}",
        status=status,
        issued_on=None if status == "draft" else date(2026, 11, 1),
        due_on=date(2026, 11, 8),
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        seller=seller_from_settings(),
        buyer=Party(
            name=company,
            address_lines=(f"Plot {n}, Admiralty Way", "Lekki Phase 1", "Lagos, Nigeria"),
            email=f"accounts+{n}@example.ng",
        ),
        lines=lines,
        subtotal=subtotal,
        vat_rate=VAT_RATE,
        vat=vat,
        total=total,
        amount_paid=paid,
        balance=total - paid,
        payment=payment_instructions_from_settings(),
    )


def pin_to_one_cpu() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = int(os.environ.get("BENCH_CPU", max(os.sched_getaffinity(0))))
    os.sched_setaffinity(0, {cpu})
    return cpu


def run(documents: list[InvoiceDocument]) -> dict[str, Any]:
    for document in documents[:10]:
        render_invoice_pdf(document)
    per_wall, per_cpu, latencies, sizes, pages = [], [], [], [], 0
    for _ in range(ROUNDS):
        round_latencies = []
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        for document in documents:
            started = time.perf_counter()
            pdf = render_invoice_pdf(document)
            round_latencies.append(time.perf_counter() - started)
            sizes.append(len(pdf))
        wall = time.perf_counter() - wall_started
        cpu = time.process_time() - cpu_started
        per_wall.append(len(documents) / wall)
        per_cpu.append(len(documents) / cpu)
        latencies += round_latencies
    pages = sum(len(PAGE.findall(render_invoice_pdf(document))) for document in documents)
    return {
        "pdfs_per_round": len(documents),
        "rounds": ROUNDS,
        "pdfs_per_second_wall": statistics.median(per_wall),
        "pdfs_per_second_cpu": statistics.median(per_cpu),
        "latency_median_ms": statistics.median(latencies) * 1000,
        "latency_p95_ms": statistics.quantiles(latencies, n=20)[18] * 1000,
        "latency_p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
        "pages_per_pdf": pages / len(documents),
        "bytes_per_pdf_mean": statistics.mean(sizes),
    }


def first_render_ms() -> float:
    started = time.perf_counter()
    render_invoice_pdf(typical_invoice(0))
    return (time.perf_counter() - started) * 1000


def main() -> None:
    cpu = pin_to_one_cpu()
    load_before = os.getloadavg()
    cold = first_render_ms()
    # Letters outside the preset characters, one per invoice (Cyrillic is in DejaVu Sans).
    rare = [chr(0x0410 + n % 64) for n in range(INVOICES)]
    scenarios = {
        "typical": run([typical_invoice(n) for n in range(1, INVOICES + 1)]),
        "uncached fonts": run(
            [typical_invoice(n, extra_letter=f" {rare[n - 1]}") for n in range(1, INVOICES + 1)]
        ),
        "40 lines": run([long_invoice(n) for n in range(1, LONG_INVOICES + 1)]),
    }
    load_after = os.getloadavg()

    pinned = f"pinned to CPU {cpu}" if cpu is not None else "not pinned (no sched_setaffinity)"
    print(f"\nInvoice PDFs, one process {pinned}, {ROUNDS} rounds, medians over rounds")
    header = ("scenario", "PDF/s wall", "PDF/s CPU", "median ms", "p95 ms", "p99 ms", "pages", "KB")
    print("{:<16} {:>10} {:>10} {:>10} {:>8} {:>8} {:>6} {:>6}".format(*header))
    for name, row in scenarios.items():
        print(
            f"{name:<16} {row['pdfs_per_second_wall']:>10.0f} {row['pdfs_per_second_cpu']:>10.0f}"
            f" {row['latency_median_ms']:>10.2f} {row['latency_p95_ms']:>8.2f}"
            f" {row['latency_p99_ms']:>8.2f} {row['pages_per_pdf']:>6.1f}"
            f" {row['bytes_per_pdf_mean'] / 1024:>6.1f}"
        )
    print(f"\nfirst PDF of the process (fonts parsed and registered): {cold:.0f} ms")
    print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    typical = scenarios["typical"]
    verdict = "met" if typical["pdfs_per_second_cpu"] >= TARGET_PER_SECOND else "NOT met"
    print(f"target {TARGET_PER_SECOND} typical PDFs per second on one core: {verdict}")

    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "pinned_cpu": cpu,
            "load_average_before": load_before,
            "load_average_after": load_after,
        },
        "reportlab": reportlab.Version,
        "rl_accel": importlib.util.find_spec("_rl_accel") is not None,
        "target_pdfs_per_second": TARGET_PER_SECOND,
        "first_render_ms": cold,
        "scenarios": scenarios,
    }
    out = ROOT / "bench" / "results" / "invoice_pdf.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
