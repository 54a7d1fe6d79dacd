"""Transactional email from templates: a plain-text part and an HTML part.

Each email is three templates under one name: ``<name>_subject.txt``, ``<name>.txt`` and
``<name>.html``. Text a tenant typed (a company's name) goes in only through
``quoted()``, so it stays on one line, bounded and in quotes; the HTML part is
autoescaped by Django.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

QUOTED_MAX_CHARS = 120


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively: store and look them up lower-cased."""
    return email.strip().lower()


def one_line(text: str, *, limit: int = QUOTED_MAX_CHARS) -> str:
    """``text`` on one line: no line breaks or control characters, at most ``limit`` long."""
    single = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return single if len(single) <= limit else single[: limit - 1] + "…"


def quoted(text: str) -> str:
    """Tenant-typed text as one quoted line: no line breaks, no control characters."""
    return f"“{one_line(text)}”"


def send_templated_email(*, template: str, context: Mapping[str, Any], to: list[str]) -> None:
    """Render ``template`` with ``context`` and send it from DEFAULT_FROM_EMAIL."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
