"""Run stored Stripe events again: the failed ones, or one by its id."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.payments.models import WebhookEvent, WebhookStatus
from apps.payments.webhooks import webhook_process


class Command(BaseCommand):
    help = "Process stored Stripe events again (failed ones, or one by id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", action="store_true", help="Every failed event.")
        parser.add_argument("--id", dest="event_id", help="One event, by Stripe's id (evt_…).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["failed"] and not options["event_id"]:
            raise CommandError("Say which events: --failed or --id evt_…")
        events = WebhookEvent.objects.order_by("created", "pk")
        if options["event_id"]:
            events = events.filter(event_id=options["event_id"])
            if not events.exists():
                raise CommandError(f"No stored event {options['event_id']}.")
        else:
            events = events.filter(status=WebhookStatus.FAILED)
        done = failed = 0
        for event_pk, event_id, kind in events.values_list("pk", "event_id", "type"):
            try:
                status = webhook_process(event_pk=event_pk)
            except Exception as exc:
                failed += 1
                self.stderr.write(f"{event_id} ({kind}) failed again: {exc}")
            else:
                done += 1
                self.stdout.write(f"{event_id} ({kind}): {status}")
        self.stdout.write(f"{done} events processed, {failed} failed.")
