"""Estate services: the public face other apps and the views use.

- catalogue: estates and plots;
- clients: the company's buyers, and their invitations to join;
- sales: selling plots (purchases), with the marketer's commission.
"""

from apps.estates.services.catalogue import (
    estate_create,
    estate_delete,
    estate_update,
    plot_create,
    plot_delete,
    plot_update,
)
from apps.estates.services.clients import (
    InvitationJoined,
    InvitationSignup,
    client_create,
    client_delete,
    client_invitation_accept,
    client_invitation_issue_token,
    client_invitation_signup,
    client_invite,
    client_update,
)
from apps.estates.services.sales import (
    purchase_cancel,
    purchase_complete,
    purchase_create,
)

__all__ = [
    "InvitationJoined",
    "InvitationSignup",
    "client_create",
    "client_delete",
    "client_invitation_accept",
    "client_invitation_issue_token",
    "client_invitation_signup",
    "client_invite",
    "client_update",
    "estate_create",
    "estate_delete",
    "estate_update",
    "plot_create",
    "plot_delete",
    "plot_update",
    "purchase_cancel",
    "purchase_complete",
    "purchase_create",
]
