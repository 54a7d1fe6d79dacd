from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.analytics.services import rollups_build
from apps.companies.selectors import company_name
from apps.core.serializers import DAY_PATTERN, FIRST_DAY

# Ten years: a range beyond it is a typo, not a rebuild.
MAX_DAYS = 3660


def _day(value: str | None, option: str) -> date:
    try:
        if not DAY_PATTERN.fullmatch(value or ""):
            raise ValueError(value)
        day = date.fromisoformat(value or "")
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.") from None
    if day < FIRST_DAY:
        raise CommandError(f"{option} must be {FIRST_DAY} or later (there is nothing before).")
    return day


def _range(first: str | None, last: str | None, days: str | None) -> tuple[date, date]:
    if days is not None:
        if first is not None or last is not None:
            raise CommandError("Give either --days or --from and --to, not both.")
        if not (days.isascii() and days.isdigit() and 0 < int(days) <= MAX_DAYS):
            raise CommandError(f"--days must be a whole number from 1 to {MAX_DAYS}.")
        today = timezone.localdate()
        return today - timedelta(days=int(days) - 1), today
    if first is None or last is None:
        raise CommandError("Give --from and --to (or --days).")
    return _day(first, "--from"), _day(last, "--to")


class Command(BaseCommand):
    help = (
        "Rebuild the analytics roll-ups of every day from --from to --to (inclusive, Lagos "
        "days), or of the last --days days up to today, for every company or one; each "
        "day's rows are replaced, so running it again gives the same tables."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", help="Last day, YYYY-MM-DD.")
        parser.add_argument(
            "--days", help="Instead of --from and --to: this many days, up to today."
        )
        parser.add_argument("--company", help="Only this company (its id).")

    def handle(
        self,
        *args: Any,
        first: str | None,
        last: str | None,
        days: str | None,
        company: str | None,
        **options: Any,
    ) -> None:
        start, end = _range(first, last, days)
        if start > end:
            raise CommandError(f"--from ({start}) is after --to ({end}).")
        if end > timezone.localdate():
            raise CommandError(f"--to ({end}) is in the future: there is nothing to roll up.")
        if (end - start).days + 1 > MAX_DAYS:
            raise CommandError(f"The range is more than {MAX_DAYS} days: rebuild it in parts.")
        company_ids = None
        if company is not None:
            if (
                not (company.isdigit() and len(company) < 19)
                or company_name(company_id=int(company)) is None
            ):
                raise CommandError(f"--company: there is no company with id {company!r}.")
            company_ids = [int(company)]
        written = rollups_build(first=start, last=end, company_ids=company_ids)
        days = (end - start).days + 1
        for name, rows in written.items():
            self.stdout.write(f"{name}: {rows} rows over {days} days")
        whom = f"company {company}" if company_ids else "every company"
        self.stdout.write(f"Rebuilt {start} to {end} for {whom}.")
