"""Send every delivery that is queued and due, or stuck with a lapsed claim; print counts."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.notifications.services import deliveries_due, delivery_send


class Command(BaseCommand):
    help = "Send the notifications that are queued or stuck, and say how it went."

    def handle(self, *args: Any, **options: Any) -> None:
        counts: dict[str, int] = {}
        for delivery_id in deliveries_due():
            outcome, _ = delivery_send(delivery_id=delivery_id)
            counts[outcome] = counts.get(outcome, 0) + 1
        total = sum(counts.values())
        detail = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"{total} due: {detail}" if total else "Nothing to send.")
