"""The ``estateapp`` command that ``pip install .`` puts on the PATH: Django's
management commands, with the settings chosen by DJANGO_ENV as ``manage.py`` chooses
them (``estateapp migrate``, ``estateapp collectstatic``, ``estateapp seed_demo``).

``django-admin`` would need DJANGO_SETTINGS_MODULE; an installed package has no
manage.py, which stays for the source tree and calls this.
"""

import sys


def main(argv: list[str] | None = None) -> None:
    from config.env import select_settings_module

    select_settings_module()
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
