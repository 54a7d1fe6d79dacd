"""Phone numbers already stored are rewritten in E.164 (0803 123 4567 -> +2348031234567),
as apps.core.phones now stores them; one that is not a valid number is left as it is
(the rule as it was then: apps.core.migration_phones)."""

from django.db import migrations

from apps.core.migration_phones import phones_in_e164 as rewriting

phones_in_e164 = rewriting("accounts", "User")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_email_verified_at")]

    operations = [migrations.RunPython(phones_in_e164, migrations.RunPython.noop)]
