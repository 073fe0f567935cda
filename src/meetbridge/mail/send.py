"""Mail meetbridge sends: invitations. (Password reset mail is Django's own view.)"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def absolute(path: str, request=None) -> str:
    """A link for an e-mail: MEETBRIDGE_PUBLIC_URL when set, else the address of this request."""
    base = settings.MEETBRIDGE.get("PUBLIC_URL", "")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def send_invitation(invitation, link: str) -> bool:
    """True when the mail server took the message; the admin can copy the link either way."""
    context = {"invitation": invitation, "link": link, "tenant": invitation.tenant}
    try:
        send_mail(
            subject=f"You are invited to {invitation.tenant.name} on meetbridge",
            message=render_to_string("accounts/mail/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except OSError as exc:  # smtplib errors are OSErrors; the message names no secret
        log.warning("Could not send the invitation mail to %s: %s", invitation.email, exc)
        return False
    return True
