"""Events accounts publishes: Django's own authentication signals.

- user_logged_in(sender=User class, request, user)
- user_logged_out(sender=User class, request, user)
- user_login_failed(sender=__name__, credentials (password scrubbed), request)
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

__all__ = ["user_logged_in", "user_logged_out", "user_login_failed"]
