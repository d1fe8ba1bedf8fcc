"""Account invitations: a user created by a coordinator chooses their password through a one-time link."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from citemploi.accounts.models import User


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )


def send_invitation(user: User, invited_by: User, cite_name: str) -> None:
    body = render_to_string(
        "auth/invitation_email.txt",
        {"user": user, "link": invitation_link(user), "invited_by": invited_by, "cite_name": cite_name},
    )
    send_mail("Votre accès à citemploi", body, None, [user.email])
