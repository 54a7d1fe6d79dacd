"""Phone numbers already stored are rewritten in E.164 (0803 123 4567 -> +2348031234567),
as apps.core.phones now stores them; one that is not a valid number is left as it is.
The rule is copied here, so later changes to apps.core.phones leave this migration alone."""

import phonenumbers
from django.db import migrations

BATCH = 1000


def _e164(value):
    try:
        number = phonenumbers.parse(value.strip(), "NG")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.extension:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phones_in_e164(apps, schema_editor):
    model = apps.get_model("estates", "Client")
    changed = []
    for row in model.objects.exclude(phone="").only("pk", "phone").iterator(chunk_size=BATCH):
        normalized = _e164(row.phone)
        if normalized and normalized != row.phone:
            row.phone = normalized
            changed.append(row)
    model.objects.bulk_update(changed, ["phone"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("estates", "0005_plot_company_created_at_index")]

    operations = [migrations.RunPython(phones_in_e164, migrations.RunPython.noop)]
