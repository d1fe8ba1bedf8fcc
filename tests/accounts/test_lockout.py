from datetime import timedelta

from django.utils import timezone

from citemploi.accounts import security
from citemploi.accounts.models import SignInAttempt
from citemploi.accounts.tasks import prune_security_rows
from citemploi.core.models import AuditEvent
from tests.accounts.helpers import PASSWORD, post_password
from tests.factories import UserFactory


def _fail(client, email, times):
    for _ in range(times):
        post_password(client, email, "mauvais-mot-de-passe")


def test_a_good_password_signs_in_and_is_audited(client, db):
    user = UserFactory()
    response = post_password(client, user.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(code="auth.signed_in", actor=user).exists()
    assert SignInAttempt.objects.filter(email=user.email, succeeded=True).count() == 1


def test_the_account_is_locked_after_five_failures_even_with_the_right_password(client, db):
    user = UserFactory()
    _fail(client, user.email, 5)
    response = post_password(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session
    codes = list(AuditEvent.objects.filter(actor=user).values_list("code", flat=True))
    assert codes.count("auth.sign_in_failed") == 5 and "auth.locked" in codes


def test_the_lock_message_does_not_tell_whether_the_account_exists(client, db):
    user = UserFactory()
    _fail(client, user.email, 5)
    _fail(client, "personne@example.org", 5)
    known = post_password(client, user.email, "autre-essai")
    unknown = post_password(client, "personne@example.org", "autre-essai")
    assert "Trop de tentatives" in known.content.decode()
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_the_wrong_password_message_is_the_same_for_unknown_accounts(client, db):
    user = UserFactory()
    known = post_password(client, user.email, "mauvais")
    unknown = post_password(client, "personne@example.org", "mauvais")
    assert "Adresse e-mail ou mot de passe incorrect." in known.content.decode()
    assert known.context["form"].errors == unknown.context["form"].errors


def test_the_lock_ends_after_the_window(client, db, settings):
    user = UserFactory()
    _fail(client, user.email, 5)
    SignInAttempt.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.SIGNIN_LOCKOUT_SECONDS + 1)
    )
    assert post_password(client, user.email).status_code == 302


def test_a_success_resets_the_count(client, db):
    user = UserFactory()
    _fail(client, user.email, 4)
    assert post_password(client, user.email).status_code == 302
    client.logout()
    _fail(client, user.email, 4)
    assert post_password(client, user.email).status_code == 302


def test_the_limit_comes_from_the_settings(client, db, settings):
    settings.SIGNIN_MAX_FAILURES = 2
    user = UserFactory()
    _fail(client, user.email, 2)
    assert "Trop de tentatives" in post_password(client, user.email).content.decode()


def test_one_address_spraying_many_accounts_is_stopped(client, db, settings):
    settings.SIGNIN_IP_MAX_FAILURES = 3
    victims = [UserFactory() for _ in range(4)]
    for victim in victims[:3]:
        post_password(client, victim.email, "Printemps2026!")
    response = post_password(client, victims[3].email)
    assert "Trop de tentatives" in response.content.decode()
    # another address is not concerned
    assert not security.is_locked(victims[3].email, "198.51.100.7")


def test_a_new_password_through_the_reset_link_lifts_the_lock(client, db):
    from citemploi.accounts.services import invitation_link

    user = UserFactory()
    _fail(client, user.email, 5)
    link = invitation_link(user).split("/", 3)[3]
    form_url = client.get(f"/{link}")["Location"]
    new = "une-toute-nouvelle-phrase"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert post_password(client, user.email, new).status_code == 302


def test_old_attempts_are_pruned(db):
    SignInAttempt.objects.create(email="a@example.org", succeeded=False)
    SignInAttempt.objects.create(email="b@example.org", succeeded=False)
    SignInAttempt.objects.filter(email="a@example.org").update(created_at=timezone.now() - timedelta(days=31))
    assert prune_security_rows()["attempts"] == 1
    assert list(SignInAttempt.objects.values_list("email", flat=True)) == ["b@example.org"]


def test_the_pruning_job_is_registered():
    from citemploi.core.periodic import JOBS

    assert JOBS["accounts.prune_security_rows"].every == "daily"
