"""Send every delivery that is queued and due, or stuck with a lapsed claim; print counts."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.notifications.services import deliveries_send_due


class Command(BaseCommand):
    help = "Send the notifications that are queued or stuck, and say how it went."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deliveries_send_due()
        total = sum(counts.values())
        detail = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"{total} due: {detail}" if total else "Nothing to send.")
