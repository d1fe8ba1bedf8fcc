"""Sign-in security: lockout after repeated failures, the second factor (TOTP), session markers.

Rules, in plain words:
- after SIGNIN_MAX_FAILURES failed attempts (password, second-factor code or identity confirmation) for one
  e-mail address within SIGNIN_LOCKOUT_SECONDS, since its last success, that address is refused until the
  window has passed — whether an account exists or not, so that the answer never tells;
- after SIGNIN_IP_MAX_FAILURES failed attempts from one IP address in the same window, that address is
  refused too (password spraying across many accounts);
- coordinators, national animators and superusers must use a second factor (a TOTP application);
  a code is valid for its 30-second step and one step either side, and never twice.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

import pyotp
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from citemploi.accounts.models import RecoveryCode, SignInAttempt, TwoFactorDevice, User
from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.core.ratelimit import client_ip

if TYPE_CHECKING:
    from citemploi.partners.models import Membership

#: roles whose holders must use a second factor
SECOND_FACTOR_ROLES = (Role.COORDINATOR, Role.NATIONAL)
RECOVERY_CODE_COUNT = 10
#: accepted steps either side of the current one (clock drift between the phone and the server)
TOTP_WINDOW = 1

# Session keys.
SIGNED_IN_AT = "citemploi_signed_in_at"
LAST_SEEN = "citemploi_last_seen"
AUTHENTICATED_AT = "citemploi_authenticated_at"
SECOND_FACTOR_DONE = "citemploi_second_factor"
PENDING_SECRET = "citemploi_totp_pending_secret"

LOCKED_MESSAGE = (
    "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est suspendue pendant quelques "
    "minutes. Réessayez plus tard, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ? »."
)


def _ctx(user: User | None, via: str = "web") -> ActingContext | None:
    return ActingContext(user=user, membership=None, via=via) if user is not None else None


#: the audit code of a failure, by kind of attempt
FAILURE_CODES: dict[str, str] = {
    SignInAttempt.Kind.PASSWORD: "auth.sign_in_failed",
    SignInAttempt.Kind.SECOND_FACTOR: "auth.2fa_failed",
    SignInAttempt.Kind.REAUTH: "auth.reauth_failed",
}


# --- Lockout ----------------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _window_start():
    return timezone.now() - timedelta(seconds=settings.SIGNIN_LOCKOUT_SECONDS)


def is_locked(email: str, ip: str | None) -> bool:
    """Whether sign-in is refused for this e-mail address or this IP address (see the module rules)."""
    since = _window_start()
    email = normalise_email(email)
    if email:
        last_success = (
            SignInAttempt.objects.filter(email=email, succeeded=True, created_at__gte=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        failures = SignInAttempt.objects.filter(
            email=email, succeeded=False, created_at__gte=last_success or since
        ).count()
        if failures >= settings.SIGNIN_MAX_FAILURES:
            return True
    if ip:
        ip_failures = SignInAttempt.objects.filter(ip=ip, succeeded=False, created_at__gte=since).count()
        if ip_failures >= settings.SIGNIN_IP_MAX_FAILURES:
            return True
    return False


def record_attempt(
    request: HttpRequest, email: str, *, succeeded: bool, kind: str = SignInAttempt.Kind.PASSWORD
) -> None:
    """Record one attempt; a failure that locks the address is audited as `auth.locked`."""
    email = normalise_email(email)
    ip = client_ip(request)
    SignInAttempt.objects.create(email=email, ip=ip, kind=kind, succeeded=succeeded)
    if succeeded:
        return
    user = User.objects.filter(email=email).first()
    code = FAILURE_CODES.get(kind, "auth.sign_in_failed")
    audit.log(_ctx(user), code, user, changes={"email": email, "ip": ip})
    if is_locked(email, None):
        audit.log(_ctx(user), "auth.locked", user, changes={"email": email, "ip": ip})


# --- Second factor ----------------------------------------------------------------------------------------


def requires_second_factor(user: User, memberships: "Iterable[Membership] | None" = None) -> bool:
    """Superusers and holders of an active coordinator or national membership must use a second factor.

    `memberships`: the user's active memberships when the caller has just read them (no query then)."""
    if user.is_superuser:
        return True
    if memberships is not None:
        return any(m.is_active and m.role in SECOND_FACTOR_ROLES for m in memberships)
    return user.memberships.filter(is_active=True, role__in=SECOND_FACTOR_ROLES).exists()


def device_for(user: User) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.TWO_FACTOR_ISSUER)


def _clean_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


def matching_step(secret: str, code: str, *, after: int | None, at: float | None = None) -> int | None:
    """The step (±TOTP_WINDOW around now) whose code is `code` and which is later than `after`, if any."""
    code = _clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((at if at is not None else time.time()) // totp.interval)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash_recovery(code: str) -> str:
    normalised = _clean_code(code).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def replace_recovery_codes(user: User) -> list[str]:
    """Generate RECOVERY_CODE_COUNT new codes (the old ones stop working); returns them in clear, once."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash_recovery(c)) for c in codes)
    return codes


@transaction.atomic
def enrol(user: User, secret: str, code: str) -> list[str] | None:
    """Confirm a new authenticator with its first code; returns the recovery codes, or None if the code is wrong."""
    step = matching_step(secret, code, after=None)
    if step is None:
        return None
    TwoFactorDevice.objects.filter(user=user).delete()
    TwoFactorDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now(), last_used_step=step)
    codes = replace_recovery_codes(user)
    audit.log(_ctx(user), "auth.2fa_enrolled", user)
    return codes


@transaction.atomic
def verify(user: User, code: str) -> str | None:
    """Check a TOTP code or a recovery code; returns "totp" or "recovery" when accepted, None otherwise.

    The accepted TOTP step is remembered so that the same code cannot be replayed; a recovery code is spent.
    """
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return None
    step = matching_step(device.secret, code, after=device.last_used_step)
    if step is not None:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return "totp"
    recovery = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, code_hash=_hash_recovery(code), used_at__isnull=True)
        .first()
    )
    if recovery is not None:
        recovery.used_at = timezone.now()
        recovery.save(update_fields=["used_at"])
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit.log(_ctx(user), "auth.2fa_recovery_code_used", user, changes={"remaining": left})
        return "recovery"
    return None


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


class SecondFactorRequired(Exception):
    """The user's role requires a second factor: they cannot remove their own (see `citemploi reset_2fa`)."""


@transaction.atomic
def regenerate_recovery_codes(user: User, *, via: str = "web") -> list[str]:
    """New recovery codes for a user who has an authenticator: the old ones (used or not) stop working.

    The caller must have confirmed the user's identity just before (password and TOTP code). Returns the new
    codes in clear, to be shown once; the audit row records how many unused codes were left.
    """
    if not TwoFactorDevice.objects.select_for_update().filter(user=user).exists():
        raise TwoFactorDevice.DoesNotExist("no authenticator: enrol first")
    left = remaining_recovery_codes(user)
    codes = replace_recovery_codes(user)
    audit.log(
        _ctx(user, via),
        "auth.2fa_recovery_codes_regenerated",
        user,
        changes={"remaining": [left, len(codes)]},
    )
    return codes


@transaction.atomic
def disable_own_second_factor(user: User) -> None:
    """A user whose roles do not require a second factor removes their authenticator and recovery codes.

    Refused (SecondFactorRequired) for coordinators, national animators and superusers: their second factor is
    only ever reset by the platform's administrators (`citemploi reset_2fa`), after checking their identity.
    """
    if requires_second_factor(user):
        raise SecondFactorRequired(user.pk)
    deleted, _ = TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if deleted:
        audit.log(_ctx(user), "auth.2fa_disabled", user)


@transaction.atomic
def reset_second_factor(user: User, *, via: str = "cli") -> bool:
    """Remove the user's authenticator and recovery codes: they enrol again at their next sign-in."""
    deleted, _ = TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit.log(_ctx(user, via), "auth.2fa_reset", user, changes={"had_device": bool(deleted)})
    return bool(deleted)


# --- Session markers --------------------------------------------------------------------------------------


def mark_signed_in(request: HttpRequest, *, second_factor: bool = False) -> None:
    """After a password (or ProConnect) sign-in: start the absolute and idle clocks, the re-auth clock."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[AUTHENTICATED_AT] = now
    if second_factor:
        request.session[SECOND_FACTOR_DONE] = True


def mark_second_factor_done(request: HttpRequest) -> None:
    request.session[SECOND_FACTOR_DONE] = True
    request.session.pop(PENDING_SECRET, None)
    request.session.cycle_key()


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[AUTHENTICATED_AT] = int(time.time())
