"""Every notification template renders with its sample data, completely: an unrendered
variable fails the test. Amounts are in naira, dates in Lagos, SMS fit one segment, the
HTML inlines its styles and escapes what tenants type, and the text parts do not."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.test import override_settings

from apps.notifications.categories import CATEGORIES, Category
from apps.notifications.rendering import render_email, render_in_app, render_sms, render_title
from apps.notifications.samples import COMPANY_NAME, sample_context, sample_contexts
from apps.notifications.templatetags.notification_format import (
    lagos_date,
    lagos_time,
    naira,
    ngn,
    percent,
)
from apps.notifications.unsubscribe import unsubscribe_links

SAMPLES = [
    pytest.param(category, context, id=f"{category}: {case}")
    for category in Category
    for case, context in sample_contexts(category)
]
PARTS = ("subject.txt", "email.txt", "email.html", "sms.txt", "in_app.txt")


class UnrenderedVariable(str):
    """The engine's string_if_invalid: any variable the context lacks raises."""

    def __contains__(self, item: object) -> bool:
        return True  # "%s" in it: the engine then formats it with the variable's name

    def __mod__(self, name: object) -> str:
        raise AssertionError(f"unrendered variable in a notification template: {name}")


@pytest.fixture(autouse=True)
def strict_templates():
    templates = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": UnrenderedVariable("!")}}
        for engine in settings.TEMPLATES
    ]
    with override_settings(TEMPLATES=templates):
        yield


# GSM 03.38: the basic set (one septet each) and the extension set (two: escape + char).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def gsm7_length(text: str) -> int:
    """Septets ``text`` takes in GSM-7; a character outside the alphabet fails."""
    outside = {char for char in text if char not in GSM7_BASIC | GSM7_EXTENSION}
    assert not outside, f"not GSM-7 (the SMS would be UCS-2): {sorted(outside)}"
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)


def with_unsubscribe(category: Category, context: dict) -> dict:
    links = unsubscribe_links(user_id=41, category=category)
    return {**context, **links.context} if links else dict(context)


class StyleCheck(HTMLParser):
    """Every element that shows something carries its own style; no <style>, no class."""

    STYLED = {"body", "table", "td", "p", "a", "h1"}

    def __init__(self) -> None:
        super().__init__()
        self.unstyled: list[str] = []
        self.styles = self.classes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "style":
            self.styles += 1
        if "class" in names:
            self.classes += 1
        if tag in self.STYLED and "style" not in names:
            self.unstyled.append(tag)


def test_the_guard_fails_on_an_unrendered_variable():
    with pytest.raises(AssertionError, match="commission_rate"):
        render_email(Category.AFFILIATION_APPROVED, {"company_name": "X", "link": ""})


def test_every_category_has_samples_and_every_template():
    for category in Category:
        assert sample_contexts(category)
        for part in PARTS:
            get_template(f"notifications/{category}/{part}")


@pytest.mark.parametrize(("category", "context"), SAMPLES)
def test_every_part_renders_with_the_sample(category, context):
    context = with_unsubscribe(category, context)

    email = render_email(category, context)
    sms = render_sms(category, context)
    in_app = render_in_app(category, context)

    raw_subject = get_template(f"notifications/{category}/subject.txt").render(context).strip()
    assert raw_subject and "\n" not in raw_subject
    assert email.subject == raw_subject.replace("&#x27;", "'").replace("&amp;", "&")
    assert render_title(category, context) == email.subject
    assert email.text.startswith("Hello,\n\n")
    assert email.html.lstrip().startswith("<!doctype html>")
    assert in_app and "\n" not in in_app
    assert gsm7_length(sms) <= 160, sms


@pytest.mark.parametrize(("category", "context"), SAMPLES)
def test_the_html_inlines_its_styles(category, context):
    check = StyleCheck()

    check.feed(render_email(category, with_unsubscribe(category, context)).html)

    assert check.styles == 0
    assert check.classes == 0
    assert check.unstyled == []


@pytest.mark.parametrize(("category", "context"), SAMPLES)
def test_what_tenants_type_is_escaped_in_html_and_left_alone_in_text(category, context):
    context = {**context, "company_name": "Ade & Sons' <b>Homes</b>"}
    if context.get("reason"):
        context["reason"] = 'Not "now" & <script>alert(1)</script>'

    email = render_email(category, with_unsubscribe(category, context))
    plain = [email.subject, email.text, render_sms(category, context)]
    plain.append(render_in_app(category, context))

    for text in plain:
        assert "&amp;" not in text and "&#x27;" not in text and "&lt;" not in text
    assert "<b>Homes</b>" not in email.html and "<script>" not in email.html
    assert "Ade &amp; Sons&#x27; &lt;b&gt;Homes&lt;/b&gt;" in email.html
    assert "Ade & Sons' <b>Homes</b>" in email.text
    if context.get("reason"):
        assert "&lt;script&gt;" in email.html
        assert 'Not "now" & <script>alert(1)</script>' in email.text


@pytest.mark.parametrize("category", list(Category))
def test_the_unsubscribe_link_is_there_exactly_where_the_category_allows_it(category):
    context = with_unsubscribe(category, sample_context(category))

    email = render_email(category, context)

    allowed = not CATEGORIES[category].mandatory
    marker = "/notifications/unsubscribe?token="
    assert (marker in email.html) is allowed
    assert (marker in email.text) is allowed
    assert (f"Unsubscribe from &ldquo;{CATEGORIES[category].label}&rdquo;" in email.html) is allowed


def test_mandatory_categories_show_no_link_even_when_given_one():
    # The link comes only from unsubscribe_links, which gives none for these.
    for category, info in CATEGORIES.items():
        assert (unsubscribe_links(user_id=1, category=category) is None) is info.mandatory


def test_amounts_are_in_naira_with_kobo():
    context = {**sample_context(Category.COMMISSION_PAID), "amount": "1234567.885"}

    email = render_email(Category.COMMISSION_PAID, context)
    sms = render_sms(Category.COMMISSION_PAID, context)

    assert email.subject == "Commission of ₦1,234,567.89 paid"
    assert "₦1,234,567.89" in email.text and "₦1,234,567.89" in email.html
    assert "NGN 1,234,567.89" in sms and "₦" not in sms


def test_weekly_summary_numbers():
    email = render_email(Category.WEEKLY_SUMMARY, sample_context(Category.WEEKLY_SUMMARY))

    assert "Value of sales: ₦184,500,000.00" in email.text
    assert "Commissions earned: ₦9,225,000.00" in email.text
    assert "API calls: 48,213" in email.text
    assert "16 November 2026 to 22 November 2026" in email.text


def test_a_moment_near_midnight_utc_shows_the_lagos_day():
    # 23:30 UTC on 30 November is 00:30 on 1 December in Lagos (UTC+1).
    context = {
        **sample_context(Category.SUBSCRIPTION_RENEWED),
        "paid_at": "2026-11-30T23:30:00+00:00",
    }

    email = render_email(Category.SUBSCRIPTION_RENEWED, context)

    assert "on 1 December 2026" in email.text and "Paid on: 1 December 2026" in email.text
    assert "30 November" not in email.text + email.html
    assert lagos_time("2026-11-30T23:30:00+00:00") == "1 December 2026, 00:30"


def test_the_footer_names_the_company_and_the_year():
    context = sample_context(Category.INVOICE_ISSUED)

    email = render_email(Category.INVOICE_ISSUED, context)

    assert "Adebayo &amp; Sons&#x27; Homes Ltd" in email.html
    assert f"This email is about {COMPANY_NAME} on EstateApp." in email.text
    assert "© 20" in email.text and "&copy; 20" in email.html


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", "₦0.00"), ("1234567.89", "₦1,234,567.89"), ("0.005", "₦0.01"), (1500, "₦1,500.00")],
)
def test_naira(value, expected):
    assert naira(value) == expected


def test_the_other_filters():
    assert ngn("1234.5") == "NGN 1,234.50"
    assert percent("7.50") == "7.5%" and percent("10.00") == "10%" and percent("2.25") == "2.25%"
    assert lagos_date("2026-12-11") == "11 December 2026"
    assert lagos_date("2026-12-11", "short") == "11 Dec 2026"
    assert lagos_date(None) == ""
    assert naira(None) == ngn("") == percent(None) == ""
