"""Fonts, text and the page layout: everything measured before anything is drawn.

Text is wrapped and paginated here rather than by reportlab's platypus: its Paragraph
markup is never used, so tenant-typed text (a company named "A & B <Realty>") is
drawn literally and cannot inject markup, and a page costs milliseconds, not tens.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from apps.billing.invoice_pdf.document import InvoiceDocument, Party, decimal_text
from apps.core.money import format_naira, round_kobo

# --- fonts ---------------------------------------------------------------------------------

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_FILES = {REGULAR: FONTS_DIR / "DejaVuSans.ttf", BOLD: FONTS_DIR / "DejaVuSans-Bold.ttf"}

MINUS = "\N{MINUS SIGN}"
EN_DASH = "\N{EN DASH}"
# Characters outside ASCII that every embedded font subset holds, in this order (see
# rendering._canvas): those the layout prints, typographic quotes, and the letters of
# Yoruba, Igbo and Hausa names (dots below, tone marks, hooked letters).
PRESET_CHARACTERS = (
    f"₦{MINUS}{EN_DASH}—…·\N{LEFT SINGLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}“”"
    "ÀÁÈÉÌÍÒÓÙÚàáèéìíòóùúẸẹỌọṢṣỊịỤụŃńǸǹ\N{COMBINING GRAVE ACCENT}\N{COMBINING ACUTE ACCENT}"
    "ƁɓƊɗƘƙƳƴ"
)


@cache
def register_fonts() -> None:
    """Make DejaVu Sans known to reportlab, once per process (parsing takes ~25 ms)."""
    for name, path in FONT_FILES.items():
        font = TTFont(name, path)
        _cache_subsets(font)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)


def _cache_subsets(font: TTFont) -> None:
    """Build each font subset (the glyphs a PDF embeds) once per set of characters.

    reportlab rebuilds it for every PDF (~1 ms a font); for our fonts only, the face's
    makeSubset is wrapped in a cache keyed by the subset's characters, in order.
    """
    build = font.face.makeSubset

    @lru_cache(maxsize=16)
    def build_once(characters: tuple[int, ...]) -> bytes:
        return build(list(characters))

    font.face.makeSubset = lambda subset: build_once(tuple(subset))


# --- text ----------------------------------------------------------------------------------


def naira(amount: Decimal) -> str:
    """₦1,234.50; a credit has a minus sign (U+2212) before the ₦, never ₦-1,234.50."""
    amount = round_kobo(amount)
    text = format_naira(abs(amount))
    return f"{MINUS}{text}" if amount < 0 else text


def day(value: date | None, missing: str = "—") -> str:
    return f"{value.day} {value:%b %Y}" if value else missing


def percent(rate: Decimal) -> str:
    return f"{decimal_text(rate * 100)} %"


def clean(text: str) -> str:
    """Tenant text on one line: control characters (newlines, tabs, bidi overrides) out."""
    if text.isprintable():
        return " ".join(text.split())
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    return " ".join("".join(kept).split())


def width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, room: float, max_lines: int) -> list[str]:
    """Lines at most ``room`` points wide; a word longer than a line is cut; past
    ``max_lines`` the last line ends with an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in clean(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if width(candidate, font, size) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
        while width(word, font, size) > room:
            cut = 1
            while width(word[: cut + 1], font, size) <= room:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and width(f"{last}…", font, size) > room:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], f"{last.rstrip()}…"]
    return lines


def fit(text: str, font: str, size: float, room: float) -> float:
    """The size at which ``text`` fits ``room``: ``size``, or smaller for a huge amount."""
    wide = width(text, font, size)
    return size if wide <= room else size * room / wide


def payment_note(document: InvoiceDocument) -> str:
    if document.status == "draft":
        return "This is a draft, not a demand for payment: it is payable once issued."
    if document.status == "void":
        return "This invoice has been voided and is not payable."
    if document.balance <= 0:
        return "Paid in full. Thank you."
    due = day(document.due_on, "the due date")
    return f"Please pay by {due}, quoting {document.number} as the transfer reference."


def vat_note(document: InvoiceDocument) -> str:
    return (
        "Amounts are in Nigerian naira (NGN). "
        f"VAT is charged at {percent(document.vat_rate)} on the subtotal."
    )


# --- geometry (points; the origin is the page's bottom left) ------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 50.0
RIGHT = PAGE_WIDTH - 50.0
TOP = PAGE_HEIGHT - 54.0
BOTTOM = 74.0  # lowest point of content; the footer sits below it
PAD = 8.0

# The first page's header: us on the left, the title and number on the right, then the
# company billed on the left and the invoice's dates on the right.
SELLER_WIDTH = 280.0
BUYER_WIDTH = 262.0
META_LEFT = 340.0
META_VALUE_WIDTH = 130.0
CONTINUED_HEADER_HEIGHT = 40.0

# The lines: description, then right-aligned quantity, unit price and amount.
QTY_RIGHT = 345.0
UNIT_RIGHT = 445.0
DESCRIPTION_WIDTH = QTY_RIGHT - 44.0 - LEFT - 2 * PAD
MONEY_WIDTH = UNIT_RIGHT - QTY_RIGHT - 2 * PAD
TABLE_HEADER_HEIGHT = 22.0
LEADING = 12.0
ROW_PADDING = 7.0

# After the last line: the bank details on the left, the totals on the right, aligned
# with the money columns, then the notes.
PAYMENT_WIDTH = 262.0
PAYMENT_VALUE_WIDTH = 150.0
TOTALS_LEFT = QTY_RIGHT


class Layout:
    """An invoice's wrapped text and every height, known before drawing starts, so the
    page breaks (and "Page 1 of 2") are decided up front."""

    def __init__(self, document: InvoiceDocument) -> None:
        self.document = document
        seller, buyer, payment = document.seller, document.buyer, document.payment
        self.seller_name = wrap(seller.name, BOLD, 13, SELLER_WIDTH, 3)
        self.seller_lines = _address(seller, SELLER_WIDTH)
        self.buyer_name = wrap(buyer.name, BOLD, 11, BUYER_WIDTH, 3)
        self.buyer_lines = _address(buyer, BUYER_WIDTH)
        self.period = f"{day(document.period_start)} {EN_DASH} {day(document.period_end)}"
        self.meta = [
            ("Invoice number", document.number),
            ("Issue date", day(document.issued_on, "Not issued")),
            ("Due date", day(document.due_on)),
            ("Billing period", self.period),
        ]
        self.rows = [
            wrap(line.description, REGULAR, 9, DESCRIPTION_WIDTH, 12) or [""]
            for line in document.lines
        ]
        reference = "given when issued" if document.status == "draft" else document.number
        self.payment_rows = [
            ("Bank", wrap(payment.bank_name, REGULAR, 9, PAYMENT_VALUE_WIDTH, 2), REGULAR),
            (
                "Account name",
                wrap(payment.account_name, REGULAR, 9, PAYMENT_VALUE_WIDTH, 3),
                REGULAR,
            ),
            ("Account number", [payment.account_number], BOLD),
            ("Reference", wrap(reference, BOLD, 9, PAYMENT_VALUE_WIDTH, 2), BOLD),
        ]
        self.notes = [
            line
            for note in (payment_note(document), vat_note(document))
            for line in wrap(note, REGULAR, 8, RIGHT - LEFT, 2)
        ]

    def seller_height(self) -> float:
        return max(17 * len(self.seller_name) + 12 * len(self.seller_lines), 70)

    def header_height(self) -> float:
        parties_left = 16 + 15 * len(self.buyer_name) + 12 * len(self.buyer_lines)
        parties_right = 16 * (len(self.meta) + 1) + PAD
        return self.seller_height() + 26 + max(parties_left, parties_right) + 24

    @staticmethod
    def row_height(lines: list[str]) -> float:
        return 2 * ROW_PADDING + 9 + LEADING * (len(lines) - 1)

    def payment_height(self) -> float:
        return 32 + sum(14 * len(lines) for _, lines, _ in self.payment_rows)

    def closing_height(self) -> float:
        totals = 10 + 4 * 18 + 4 + 8  # four rows, then the balance's box
        return 18 + max(self.payment_height(), totals) + 22 + 11 * len(self.notes)

    def pages(self) -> list[list[int]]:
        """The indexes of the lines on each page; the totals follow the last line, on a
        page of their own if they do not fit under it."""
        pages: list[list[int]] = []
        current: list[int] = []
        y = TOP - self.header_height() - TABLE_HEADER_HEIGHT
        for index, lines in enumerate(self.rows):
            height = self.row_height(lines)
            if y - height < BOTTOM and current:
                pages.append(current)
                current = []
                y = TOP - CONTINUED_HEADER_HEIGHT - TABLE_HEADER_HEIGHT
            current.append(index)
            y -= height
        pages.append(current)
        if y - self.closing_height() < BOTTOM:
            pages.append([])
        return pages


def _address(party: Party, room: float) -> list[str]:
    lines = [
        wrapped for line in party.address_lines for wrapped in wrap(line, REGULAR, 9, room, 2)
    ][:6]
    if party.email:
        lines += wrap(party.email, REGULAR, 9, room, 1)
    if party.tax_id:
        lines += wrap(f"TIN {party.tax_id}", REGULAR, 9, room, 1)
    return lines
