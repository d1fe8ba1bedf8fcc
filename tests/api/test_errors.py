"""Bad input gets a 4xx with a French message, never a 500."""

import pytest

from citemploi.people.models import Beneficiary

HUGE = 10**30
VALID = {"first_name": "Inès", "last_name": "Martin", "birth_date": "1999-04-02"}


@pytest.fixture
def referent(world, api_as):
    return api_as(world.referent_ft)


def _errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "Données invalides : corrigez les champs indiqués."
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in body["errors"]}


@pytest.mark.parametrize(
    "path",
    [
        f"/beneficiaries/{HUGE}",
        f"/structures/{HUGE}",
        f"/beneficiaries/{2**63}/consents",
        "/beneficiaries/-1",
        "/beneficiaries/0",
        "/beneficiaries/1.5",
        "/beneficiaries/abc/followup",
    ],
)
def test_bad_identifiers_in_the_path_give_422(world, referent, path):
    errors = _errors(referent.get(path))
    assert list(errors) and all(key.startswith("path.") for key in errors)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"limit": HUGE}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"offset": HUGE}, "query.offset"),
        ({"structure": HUGE}, "query.structure"),
        ({"gender": "Z"}, "query.gender"),
        ({"age_band": "vieux"}, "query.age_band"),
        ({"invisible": "peut-être"}, "query.invisible"),
    ],
)
def test_bad_query_parameters_give_422(world, referent, params, key):
    assert key in _errors(referent.get("/beneficiaries", params))


def test_an_unknown_value_lists_the_possible_ones_in_french(world, referent):
    message = _errors(referent.get("/beneficiaries", {"gender": "Z"}))["query.gender"]
    assert message == "Valeur inconnue : valeurs possibles 'F', 'M' ou 'X'."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("children_count", HUGE, "Doit être inférieur ou égal à 99."),
        ("children_count", -1, "Doit être supérieur ou égal à 0."),
        ("children_count", "deux", "Nombre entier attendu."),
        ("referent", HUGE, "Doit être inférieur ou égal à 9223372036854775807."),
        ("birth_date", "2024-02-30", "Date attendue au format AAAA-MM-JJ."),
        ("birth_date", "02/01/1990", "Date attendue au format AAAA-MM-JJ."),
        ("birth_date", 19900102, "Date attendue au format AAAA-MM-JJ."),
        ("birth_date", "1990-01-02T10:00:00", "Date attendue au format AAAA-MM-JJ."),
        (
            "birth_date",
            "1850-01-01",
            "Date de naissance invalide : elle doit être postérieure au 1er janvier 1900.",
        ),
        ("birth_date", "2999-01-01", "La date ne peut pas être dans le futur."),
        ("gender", "female", "Valeur inconnue : valeurs possibles 'F', 'M' ou 'X'."),
        ("reperage_channel", 3, "Valeur inconnue : valeurs possibles"),
        ("ft_registered", "sometimes", "Booléen attendu (true ou false)."),
        ("first_name", "", "Trop court : au moins 1 caractère(s)."),
        ("first_name", "   ", "Trop court : au moins 1 caractère(s)."),
        ("first_name", "x" * 151, "Trop long : au plus 150 caractères."),
        ("first_name", "Ali\x00ce", "Le caractère nul (\\u0000) n'est pas accepté."),
        ("first_name", "\ud800", "Texte invalide : il doit être encodé en UTF-8."),
        ("first_name", ["Alice"], "Texte attendu."),
        ("postcode", "8000", "Format invalide."),
        ("nickname", "Lili", "Champ inconnu : retirez-le (voir la documentation des champs acceptés)."),
    ],
)
def test_bad_body_values_give_422_with_a_french_message(world, referent, field, value, message):
    errors = _errors(referent.post("/beneficiaries", {**VALID, field: value}))
    assert errors[f"body.{field}"].startswith(message)
    assert not Beneficiary.objects.exists()


def test_a_model_validation_error_of_a_service_gives_422_on_the_field(world, referent):
    assert _errors(referent.post("/beneficiaries", {**VALID, "email": "pas-une-adresse"})) == {
        "body.email": "Saisissez une adresse de courriel valide."
    }


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b"\xff\xfe\x00{}", '{"first_name": "Inès"}'.encode("latin-1"), b"[" * 100_000],
)
def test_an_unreadable_body_gives_400(world, referent, raw):
    response = referent.post("/beneficiaries", raw=raw)
    assert response.status_code == 400
    assert (
        response.json()["detail"] == "Corps de requête illisible : envoyez un document JSON encodé en UTF-8."
    )


@pytest.mark.parametrize("body", [[VALID], "Inès", 42, None])
def test_a_body_that_is_not_an_object_gives_422(world, referent, body):
    response = referent.post("/beneficiaries", raw=b"null" if body is None else None, body=body)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_an_empty_body_lists_the_required_fields(world, referent):
    errors = _errors(referent.post("/beneficiaries"))
    assert errors == {"body": "Champ obligatoire."}


def test_a_too_large_body_gives_413(world, referent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = referent.post("/beneficiaries", {**VALID, "address": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert response.json()["detail"] == "Requête trop volumineuse (1 Mo au plus)."


def test_an_unknown_address_gives_a_json_404(world, referent):
    response = referent.get("/personnes")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "/api/v1/docs" in response.json()["detail"]
    assert referent.get("/").status_code == 404


def test_a_method_not_allowed_gives_a_french_json_405(world, referent):
    response = referent.delete("/beneficiaries")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["detail"] == (
        "Méthode DELETE non permise sur cette adresse (méthodes permises : GET, POST)."
    )


def test_non_utf8_in_the_query_or_the_path_is_not_a_server_error(world, referent, followed):
    response = referent.client.get("/api/v1/beneficiaries?q=%FF%FEawa", headers=referent._headers(None))
    assert response.status_code == 200
    response = referent.client.get("/api/v1/qpv/%FF%FE", headers=referent._headers(None))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "code"]
