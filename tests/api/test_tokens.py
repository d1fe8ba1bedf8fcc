"""API tokens: the `api_token` command and the "Jetons d'API" screen."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from citemploi.core.models import ApiToken, AuditEvent
from tests.factories import UserFactory, member

URL = "/jetons-api/"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- Command ----------------------------------------------------------------------------------------------------


def test_the_command_prints_a_working_token_once(world, api_as):
    out, err = run(world.coordinator.user.email, "--name", "Logiciel ML")
    raw = out.strip()
    assert raw.startswith("cte_") and len(raw) > 40
    assert "ne sera plus jamais affiché" in err
    token = ApiToken.objects.get()
    assert (token.membership, token.name, token.prefix) == (world.coordinator, "Logiciel ML", raw[4:12])
    assert raw not in token.token_hash
    assert api_as(None, token=raw).get("/beneficiaries").status_code == 200
    event = AuditEvent.objects.get(code="api_token.create")
    assert (event.via, event.actor) == ("cli", world.coordinator.user)


def test_the_command_asks_which_role_when_there_are_several(world, api_as):
    user = world.referent_ft.user
    second = member(world.cite, "commission_member", world.ft, user=user)
    with pytest.raises(CommandError) as exc:
        run(user.email)
    assert "plusieurs rôles actifs" in str(exc.value)
    assert f"--membership {world.referent_ft.pk}" in str(exc.value)
    assert f"--membership {second.pk}" in str(exc.value)
    assert not ApiToken.objects.exists()
    out, _ = run(user.email, "--membership", str(second.pk))
    assert ApiToken.objects.get().membership == second
    # The token acts with the commission member's role: no access to people.
    assert api_as(None, token=out.strip()).get("/beneficiaries").status_code == 403


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.org"], "Aucun compte n'a l'adresse nobody@example.org."),
        (["{coordinator}", "--membership", "{other}"], "n'est pas un rôle actif"),
        (["{inactive}"], "n'a aucun rôle actif"),
        (["{coordinator}", "--revoke", "cte_zzzzzzzz"], "Aucun jeton actif"),
        (["{coordinator}", "--name", "x" * 101], "au plus 100 caractères"),
    ],
)
def test_the_command_explains_its_errors_in_french(world, args, message):
    values = {
        "coordinator": world.coordinator.user.email,
        "other": str(world.other_coordinator.pk),
        "inactive": UserFactory().email,
    }
    with pytest.raises(CommandError, match=message):
        run(*[a.format(**values) for a in args])
    assert not ApiToken.objects.exists()


def test_the_command_lists_and_revokes_tokens(world, api_as):
    email = world.coordinator.user.email
    raw = run(email, "--name", "Export mensuel")[0].strip()
    out, _ = run(email, "--list")
    assert f"cte_{raw[4:12]} | Export mensuel" in out
    assert out.strip().endswith("actif")
    out, _ = run(email, "--revoke", raw[:12] + "…")
    assert f"Jeton cte_{raw[4:12]} (Export mensuel) révoqué." in out
    assert api_as(None, token=raw).get("/structures").status_code == 401
    assert "actif" not in run(email, "--list")[0].splitlines()[-1]
    assert AuditEvent.objects.get(code="api_token.revoke").via == "cli"
    with pytest.raises(CommandError, match="Aucun jeton actif"):
        run(email, "--revoke", raw[4:12])


def test_the_command_refuses_an_ambiguous_prefix(world):
    for prefix in ("AbCdEf12", "AbCdEf13"):
        ApiToken.objects.create(membership=world.coordinator, prefix=prefix, token_hash=prefix * 8)
    with pytest.raises(CommandError, match="Plusieurs jetons actifs"):
        run(world.coordinator.user.email, "--revoke", "AbCdEf1")
    # Prefixes are case-sensitive.
    with pytest.raises(CommandError, match="Aucun jeton actif"):
        run(world.coordinator.user.email, "--revoke", "abcdef12")
    run(world.coordinator.user.email, "--revoke", "AbCdEf12")
    assert list(ApiToken.objects.active().values_list("prefix", flat=True)) == ["AbCdEf13"]


# --- Screen -----------------------------------------------------------------------------------------------------


def test_the_screen_needs_a_signed_in_user_with_a_chosen_role(world, client, login):
    assert client.get(URL)["Location"].startswith(reverse("login"))
    user = world.referent_ft.user
    member(world.cite, "commission_member", world.ft, user=user)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("choose_context"))


def test_the_screen_lists_the_tokens_of_the_current_role_only(world, client, login):
    user = world.referent_ft.user
    other_role = member(world.cite, "commission_member", world.ft, user=user)
    ApiToken.objects.create(
        membership=world.referent_ft, name="Outil FT", prefix="Aa111111", token_hash="1" * 64
    )
    ApiToken.objects.create(
        membership=other_role, name="Outil commission", prefix="Bb222222", token_hash="2" * 64
    )
    login(world.referent_ft)
    html = client.get(URL).content.decode()
    assert "<caption>Jetons d'API de votre rôle actuel</caption>" in html
    assert "Outil FT" in html and "cte_Aa111111…" in html
    assert "Outil commission" not in html
    assert 'aria-label="Révoquer le jeton cte_Aa111111 (Outil FT)"' in html
    assert '<label class="fr-label" for="id_name">' in html


def test_a_new_token_is_shown_once_and_works(world, client, login, api_as):
    login(world.coordinator)
    response = client.post(URL, {"name": "Tableau de bord"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    html = response.content.decode()
    raw = html.split('id="nouveau-jeton"')[1].split('value="')[1].split('"')[0]
    assert raw.startswith("cte_" + token.prefix)
    assert api_as(None, token=raw).get("/structures").status_code == 200
    assert raw not in client.get(URL).content.decode()
    assert AuditEvent.objects.get(code="api_token.create").via == "web"


def test_a_too_long_name_is_refused_on_the_form(world, client, login):
    login(world.coordinator)
    response = client.post(URL, {"name": "x" * 101})
    assert "fr-input-group--error" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it(world, client, login, api_as):
    login(world.coordinator)
    client.post(URL, {"name": "Ancien outil"})
    token = ApiToken.objects.get()
    response = client.post(URL, {"revoke": str(token.pk)}, follow=True)
    assert "est révoqué" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "révoqué le" in response.content.decode()
    again = client.post(URL, {"revoke": str(token.pk)}, follow=True)
    assert "Ce jeton est déjà révoqué." in again.content.decode()


@pytest.mark.parametrize("value", ["other", "abc", ""])
def test_one_cannot_revoke_the_token_of_someone_else(world, client, login, value):
    theirs = ApiToken.objects.create(membership=world.referent_ml, prefix="Cc333333", token_hash="3" * 64)
    login(world.coordinator)
    response = client.post(URL, {"revoke": str(theirs.pk) if value == "other" else value})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
