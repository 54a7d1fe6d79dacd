"""An SMS backend for development: the message goes to stdout."""

import sys
import uuid


class ConsoleBackend:
    def send(self, *, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        sys.stdout.write(f"SMS to {to} ({message_id}): {body}\n")
        sys.stdout.flush()
        return message_id
