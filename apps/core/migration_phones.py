"""For the data migrations that rewrote stored phone numbers in E.164 (accounts 0004,
companies 0008, estates 0006, marketers 0002): 0803 123 4567 -> +2348031234567, a number
that is not valid left as it is.

The rule is a copy of apps.core.phones as it was then, kept here unchanged so later
changes to apps.core.phones leave those migrations alone.
"""

from collections.abc import Callable
from typing import Any

import phonenumbers

BATCH = 1000


def _e164(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value.strip(), "NG")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.extension:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phones_in_e164(app_label: str, model_name: str) -> Callable[[Any, Any], None]:
    """A RunPython function rewriting ``app_label.model_name``'s ``phone`` column."""

    def rewrite(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        changed = []
        for row in model.objects.exclude(phone="").only("pk", "phone").iterator(chunk_size=BATCH):
            normalized = _e164(row.phone)
            if normalized and normalized != row.phone:
                row.phone = normalized
                changed.append(row)
        model.objects.bulk_update(changed, ["phone"], batch_size=BATCH)

    return rewrite
