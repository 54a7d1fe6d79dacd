"""Drawing a laid-out invoice with reportlab's canvas."""

from __future__ import annotations

import io
import zlib
from decimal import Decimal
from functools import lru_cache
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from apps.billing.invoice_pdf.document import InvoiceDocument
from apps.billing.invoice_pdf.typesetting import (
    BOLD,
    BOTTOM,
    CONTINUED_HEADER_HEIGHT,
    FONT_FILES,
    LEADING,
    LEFT,
    META_LEFT,
    META_VALUE_WIDTH,
    MONEY_WIDTH,
    PAD,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PAYMENT_WIDTH,
    PRESET_CHARACTERS,
    QTY_RIGHT,
    REGULAR,
    RIGHT,
    ROW_PADDING,
    TABLE_HEADER_HEIGHT,
    TOP,
    TOTALS_LEFT,
    UNIT_RIGHT,
    Layout,
    clean,
    fit,
    naira,
    percent,
    register_fonts,
    width,
    wrap,
)

Colour = tuple[float, float, float]
INK: Colour = (0.13, 0.15, 0.18)
MUTED: Colour = (0.42, 0.45, 0.50)
RULE: Colour = (0.84, 0.86, 0.89)
SHADE: Colour = (0.95, 0.96, 0.97)
ACCENT: Colour = (0.05, 0.42, 0.30)
ACCENT_SHADE: Colour = (0.90, 0.95, 0.93)
WHITE: Colour = (1.0, 1.0, 1.0)
WATERMARK: Colour = (0.90, 0.90, 0.92)
WATERMARKS = {"draft": "DRAFT", "void": "VOID"}
# Printed under the number; a draft says so in its number and watermark already.
STATUS_COLOURS = {"paid": ACCENT, "overdue": (0.75, 0.15, 0.12), "void": MUTED}


def render_invoice_pdf(document: InvoiceDocument) -> bytes:
    """The invoice as an A4 PDF with DejaVu Sans embedded: one page for a typical
    invoice, more when its lines do not fit. The same document gives the same bytes."""
    register_fonts()
    layout = Layout(document)
    pages = layout.pages()
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    canvas.setTitle(f"Invoice {document.number}")
    canvas.setAuthor(clean(document.seller.name))
    canvas.setSubject(f"{clean(document.buyer.name)}, {layout.period}")
    canvas.setCreator("EstateApp")
    dated = document.issued_on or document.period_end
    canvas.setDateFormatter(lambda *_: f"D:{dated:%Y%m%d}000000+01'00'")  # Lagos
    for page_number, rows in enumerate(pages, start=1):
        painter = _Painter(canvas, layout)
        painter.watermark()
        y = painter.first_header() if page_number == 1 else painter.continued_header()
        if rows or page_number == 1:
            y = painter.table(rows, y)
        if page_number == len(pages):
            painter.closing(y)
        painter.footer(page_number, len(pages))
        painter.finish()
    canvas.save()
    return buffer.getvalue()


class _CachedFlate:
    """reportlab's FlateDecode filter, remembering its last results.

    Compressing the two embedded font subsets was most of the time a PDF took (~3 ms
    each). They are the same bytes in every invoice whose text is ASCII plus
    PRESET_CHARACTERS (see _canvas), so each is compressed once per process.
    """

    pdfname = "FlateDecode"

    def encode(self, content: bytes | str) -> bytes:
        return _deflate(content.encode() if isinstance(content, str) else content)


@lru_cache(maxsize=32)
def _deflate(content: bytes) -> bytes:
    return zlib.compress(content)


def _canvas(buffer: io.BytesIO) -> Canvas:
    canvas = Canvas(
        buffer,
        pagesize=A4,
        # No creation time or random id: the bytes depend on the document only.
        invariant=True,
        pageCompression=1,
        # Otherwise reportlab's default, Helvetica, is declared on every page.
        initialFontName=REGULAR,
        initialFontSize=9,
    )
    document = canvas._doc
    # Page streams follow the canvas's page compression. Streams the document adds itself
    # (the font subsets and their ToUnicode maps) get its default filters when its own
    # compression flag is off: ours, which caches.
    document.compression = 0
    document.defaultStreamFilters = [_CachedFlate()]
    # A font subset holds ASCII, then other characters in the order of their first use.
    # Placing PRESET_CHARACTERS first makes the subsets, and so the font streams, of all
    # invoices written in those characters identical, whatever order they use them in.
    for name in FONT_FILES:
        pdfmetrics.getFont(name).splitString(PRESET_CHARACTERS, document)
    return canvas


class _Painter:
    """Draws one page of a laid-out invoice."""

    def __init__(self, canvas: Canvas, layout: Layout) -> None:
        self.canvas = canvas
        self.layout = layout
        self.document = layout.document
        # All of a page's text goes in one text object, drawn over the page's shapes
        # when the page is finished: one BT/ET block instead of one per string.
        self.words = canvas.beginText()
        self.font: tuple[str, float] | None = None
        self.colour: Colour | None = None

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 9,
        font: str = REGULAR,
        colour: Colour = INK,
        right: bool = False,
    ) -> None:
        words = self.words
        if (font, size) != self.font:
            words.setFont(font, size)
            self.font = (font, size)
        if colour != self.colour:
            words.setFillColorRGB(*colour)
            self.colour = colour
        words.setTextOrigin(x - width(text, font, size) if right else x, y)
        words.textOut(text)

    def money(self, x: float, y: float, amount: Decimal, *, size: float = 9, **style: Any) -> None:
        text = naira(amount)
        size = fit(text, style.get("font", REGULAR), size, MONEY_WIDTH)
        self.text(x, y, text, size=size, right=True, **style)

    def rule(self, y: float, left: float = LEFT, right: float = RIGHT) -> None:
        self.canvas.setStrokeColorRGB(*RULE)
        self.canvas.setLineWidth(0.6)
        self.canvas.line(left, y, right, y)

    def box(self, x: float, y: float, w: float, h: float, colour: Colour) -> None:
        self.canvas.setFillColorRGB(*colour)
        self.canvas.rect(x, y, w, h, stroke=0, fill=1)

    def finish(self) -> None:
        self.canvas.drawText(self.words)
        self.canvas.showPage()

    def watermark(self) -> None:
        word = WATERMARKS.get(self.document.status)
        if not word:
            return
        canvas = self.canvas
        canvas.saveState()
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(35)
        canvas.setFillColorRGB(*WATERMARK)
        canvas.setFont(BOLD, 120)
        canvas.drawCentredString(0, -40, word)
        canvas.restoreState()

    def first_header(self) -> float:
        layout, document = self.layout, self.document
        self.box(0, PAGE_HEIGHT - 8, PAGE_WIDTH, 8, ACCENT)

        y = TOP - 13
        for line in layout.seller_name:
            self.text(LEFT, y, line, size=13, font=BOLD)
            y -= 17
        y += 3
        for line in layout.seller_lines:
            self.text(LEFT, y, line, colour=MUTED)
            y -= 12
        self.text(RIGHT, TOP - 20, "INVOICE", size=24, font=BOLD, colour=ACCENT, right=True)
        number_size = fit(document.number, BOLD, 11, 200)
        self.text(RIGHT, TOP - 40, document.number, size=number_size, font=BOLD, right=True)
        if colour := STATUS_COLOURS.get(document.status):
            status = document.status.upper()
            self.text(RIGHT, TOP - 56, status, font=BOLD, colour=colour, right=True)

        y = TOP - layout.seller_height() - 10
        self.rule(y)
        top = y - 16

        self.text(LEFT, top - 8, "BILL TO", size=7.5, font=BOLD, colour=MUTED)
        y = top - 24
        for line in layout.buyer_name:
            self.text(LEFT, y, line, size=11, font=BOLD)
            y -= 15
        y += 2
        for line in layout.buyer_lines:
            self.text(LEFT, y, line, colour=MUTED)
            y -= 12

        y = top - 8
        for label, value in layout.meta:
            self.text(META_LEFT, y, label, colour=MUTED)
            size = fit(value, REGULAR, 9, META_VALUE_WIDTH)
            self.text(RIGHT - PAD, y, value, size=size, right=True)
            y -= 16
        self.box(META_LEFT - PAD, y - 8, RIGHT - META_LEFT + PAD, 22, ACCENT_SHADE)
        self.text(META_LEFT, y, "Balance due", font=BOLD, colour=ACCENT)
        self.money(RIGHT - PAD, y, document.balance, size=10, font=BOLD, colour=ACCENT)
        return TOP - layout.header_height()

    def continued_header(self) -> float:
        name = wrap(self.document.seller.name, BOLD, 10, 280, 1)
        self.text(LEFT, TOP - 10, name[0] if name else "", size=10, font=BOLD)
        label = f"Invoice {self.document.number} (continued)"
        self.text(RIGHT, TOP - 10, label, size=fit(label, BOLD, 10, 200), font=BOLD, right=True)
        self.rule(TOP - 20)
        return TOP - CONTINUED_HEADER_HEIGHT

    def table(self, rows: list[int], y: float) -> float:
        self.box(LEFT, y - TABLE_HEADER_HEIGHT, RIGHT - LEFT, TABLE_HEADER_HEIGHT, SHADE)
        baseline = y - 14.5
        style: dict[str, Any] = {"size": 7.5, "font": BOLD, "colour": MUTED}
        self.text(LEFT + PAD, baseline, "DESCRIPTION", **style)
        self.text(QTY_RIGHT - PAD, baseline, "QTY", right=True, **style)
        self.text(UNIT_RIGHT - PAD, baseline, "UNIT PRICE", right=True, **style)
        self.text(RIGHT - PAD, baseline, "AMOUNT", right=True, **style)
        y -= TABLE_HEADER_HEIGHT
        for index in rows:
            line, wrapped = self.document.lines[index], self.layout.rows[index]
            baseline = y - ROW_PADDING - 7
            for offset, text in enumerate(wrapped):
                self.text(LEFT + PAD, baseline - offset * LEADING, text)
            self.text(QTY_RIGHT - PAD, baseline, f"{line.quantity:,}", right=True)
            self.money(UNIT_RIGHT - PAD, baseline, line.unit_price)
            self.money(RIGHT - PAD, baseline, line.amount)
            y -= self.layout.row_height(wrapped)
            self.rule(y)
        return y

    def closing(self, y: float) -> None:
        layout, document = self.layout, self.document
        top = y - 18
        rows = [
            ("Subtotal", document.subtotal),
            (f"VAT ({percent(document.vat_rate)})", document.vat),
            ("Total", document.total),
            ("Amount paid", document.amount_paid),
        ]
        y = top - 10
        for label, amount in rows:
            total = label == "Total"
            if total:
                self.rule(y + 12, TOTALS_LEFT, RIGHT)
            font = BOLD if total else REGULAR
            self.text(TOTALS_LEFT + PAD, y, label, font=font, colour=INK if total else MUTED)
            self.money(RIGHT - PAD, y, amount, font=font)
            y -= 18
        y -= 4
        self.box(TOTALS_LEFT, y - 8, RIGHT - TOTALS_LEFT, 23, ACCENT)
        self.text(TOTALS_LEFT + PAD, y, "Balance due", size=10, font=BOLD, colour=WHITE)
        self.money(RIGHT - PAD, y, document.balance, size=10, font=BOLD, colour=WHITE)
        totals_bottom = y - 8

        height = layout.payment_height()
        self.canvas.setStrokeColorRGB(*RULE)
        self.canvas.setLineWidth(0.8)
        self.canvas.roundRect(LEFT, top - height, PAYMENT_WIDTH, height, 4)
        self.text(LEFT + 12, top - 16, "PAY BY BANK TRANSFER", size=7.5, font=BOLD, colour=MUTED)
        y = top - 32
        for label, lines, font in layout.payment_rows:
            self.text(LEFT + 12, y, label, colour=MUTED)
            for line in lines:
                self.text(LEFT + 100, y, line, font=font)
                y -= 14

        y = min(totals_bottom, top - height) - 22
        for line in layout.notes:
            self.text(LEFT, y, line, size=8, colour=MUTED)
            y -= 11

    def footer(self, page_number: int, page_count: int) -> None:
        self.rule(BOTTOM - 22)
        seller = self.document.seller
        left = " · ".join(clean(part) for part in (seller.name, seller.email) if part)
        left_lines = wrap(left, REGULAR, 7.5, RIGHT - LEFT - 90, 1)
        if left_lines:
            self.text(LEFT, BOTTOM - 36, left_lines[0], size=7.5, colour=MUTED)
        label = f"Page {page_number} of {page_count}"
        self.text(RIGHT, BOTTOM - 36, label, size=7.5, colour=MUTED, right=True)
