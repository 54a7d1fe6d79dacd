"""Make an account for one of our billing staff: the Django admin with the "Billing staff"
group's permissions only (not a superuser, whose every permission would make the group
meaningless).

    estateapp create_billing_staff --email ada@estateapp.ng --first-name Ada

asks for the password twice; with --noinput it is read from BILLING_STAFF_PASSWORD. An
existing account keeps its password and is given the role.
"""

import os
from getpass import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from apps.accounts.selectors import user_id_for_email
from apps.accounts.services import user_create, user_grant_billing_staff
from apps.core.errors import ValidationFailed

PASSWORD_VARIABLE = "BILLING_STAFF_PASSWORD"  # noqa: S105 - a variable's name


class Command(BaseCommand):
    help = "Create a billing staff account for the Django admin (or give an account the role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Take the password from {PASSWORD_VARIABLE} instead of asking for it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        user_id = user_id_for_email(email=email)
        if user_id is None:
            user_id = self._create(email=email, options=options)
            self.stdout.write(f"Created {email}.")
        else:
            self.stdout.write(f"{email} has an account; its password is unchanged.")
        user_grant_billing_staff(user_id=user_id)
        self.stdout.write(self.style.SUCCESS(f"{email} is billing staff: log in at /admin/."))

    def _create(self, *, email: str, options: dict[str, Any]) -> int:
        password = self._password(interactive=options["interactive"])
        try:
            return user_create(
                email=email,
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email_verified=True,
            )
        except ValidationFailed as exc:
            problems = [
                f"{field}: {message}"
                for field, messages in (exc.details or {}).items()
                for message in messages
            ]
            raise CommandError("; ".join(problems) or exc.message) from exc

    def _password(self, *, interactive: bool) -> str:
        if not interactive:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(f"--noinput takes the password from {PASSWORD_VARIABLE}.")
            return password
        password = getpass("Password: ")
        if password != getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return password
