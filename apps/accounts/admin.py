from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError

from apps.accounts.models import User, normalize_email
from apps.core.errors import ErrorCode
from apps.core.ip_limits import (
    attempt_refused,
    client_ip,
    login_refused_for_account,
    too_many_logins_message,
)


class RateLimitedAdminLoginForm(AdminAuthenticationForm):
    """The admin's login, limited per client IP and per account with the API login's machinery.

    The limits are checked before the password, so during a lockout the right password is
    refused too and the form says for how long.
    """

    def clean(self) -> dict[str, Any]:
        if self.request is not None and (retry_after := self._refused_for()):
            raise ValidationError(
                too_many_logins_message(retry_after), code=ErrorCode.TOO_MANY_ATTEMPTS
            )
        return super().clean()

    def _refused_for(self) -> int | None:
        retry_after = attempt_refused(
            self.request,
            group="admin-login",
            key=client_ip(None, self.request),
            setting="ADMIN_LOGIN_RATE_LIMIT",
        )
        # An address already over its limit does not use up the account's attempts too.
        if retry_after is None and (email := self.cleaned_data.get("username")):
            retry_after = login_refused_for_account(self.request, account=normalize_email(email))
        return retry_after


admin.site.login_form = RateLimitedAdminLoginForm


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "first_name", "last_name", "phone")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "phone")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
