"""Rendering a notification's templates: the email (subject, text, HTML), the SMS and the
in-app title and body, from the notification's context (plain JSON values).

Templates live under ``notifications/<category>/``: ``subject.txt``, ``email.txt``,
``email.html`` (extending ``notifications/base.html``), ``sms.txt`` and ``in_app.txt``.
Only the HTML is escaped: the ``.txt`` parts are plain text, where a company called
"Ade & Sons" must read as typed, never "Ade &amp; Sons".
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.template import Context
from django.template.loader import get_template


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _render(category: str, name: str, context: Mapping[str, Any]) -> str:
    template = get_template(f"notifications/{category}/{name}")
    if name.endswith(".html"):
        return template.render(dict(context))
    # The engine's own template, to render it with autoescaping off.
    return template.template.render(Context(dict(context), autoescape=False))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_title(category: str, context: Mapping[str, Any]) -> str:
    """The notification's title: its email subject, on one line."""
    return _one_line(_render(category, "subject.txt", context))[:200]


def render_in_app(category: str, context: Mapping[str, Any]) -> str:
    """The body shown in the app's list."""
    return _render(category, "in_app.txt", context).strip()


def render_email(category: str, context: Mapping[str, Any]) -> RenderedEmail:
    return RenderedEmail(
        subject=render_title(category, context),
        text=_render(category, "email.txt", context).strip() + "\n",
        html=_render(category, "email.html", context),
    )


def render_sms(category: str, context: Mapping[str, Any]) -> str:
    return _one_line(_render(category, "sms.txt", context))
