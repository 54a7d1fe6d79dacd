"""The role vocabulary every app shares.

Company admins, marketers and clients hold their role through a company membership;
billing staff are our own people, working in the Django admin.
"""

from django.db import models


class Role(models.TextChoices):
    COMPANY_ADMIN = "company_admin", "Company admin"
    BILLING_STAFF = "billing_staff", "Billing staff"
    MARKETER = "marketer", "Marketer"
    CLIENT = "client", "Client"


# Roles a company membership can carry.
MEMBERSHIP_ROLES = (Role.COMPANY_ADMIN, Role.MARKETER, Role.CLIENT)
