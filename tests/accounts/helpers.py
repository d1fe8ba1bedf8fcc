"""Helpers of the sign-in tests: real sign-in through the screens, TOTP codes for a step."""

import time

import pyotp

from citemploi.accounts.models import TwoFactorDevice

PASSWORD = "motdepasse-de-test-123"


def post_password(client, email: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/connexion/", data)


def code_for(secret: str, offset: int = 0) -> str:
    """The code of the current step (+ offset steps)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(time.time() // totp.interval) + offset)


def fresh_code(user) -> str:
    """A code the server will accept now: the first step of the ±1 window later than the last one used."""
    device = TwoFactorDevice.objects.get(user=user)
    totp = pyotp.TOTP(device.secret)
    now = int(time.time() // totp.interval)
    for step in (now - 1, now, now + 1):
        if device.last_used_step is None or step > device.last_used_step:
            return totp.generate_otp(step)
    raise AssertionError("every step of the window was already used")
