from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from apps.accounts.models import User
        from apps.accounts.receivers import user_changed

        post_save.connect(user_changed, sender=User, dispatch_uid="auth-user-saved")
        post_delete.connect(user_changed, sender=User, dispatch_uid="auth-user-deleted")
