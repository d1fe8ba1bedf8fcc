"""A holder whose action is funded finds it in the directory from their file's page, in Chromium; both
pages are checked with axe-core."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citemploi.calls.enums import ApplicationStatus
from citemploi.calls.models import FundedActionLink
from citemploi.calls.services import funding
from tests.browser.conftest import assert_accessible, sign_in
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.factories import ctx_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_holder_follows_the_link_to_the_funded_service(page, live_server, world):
    call = CallFactory(cite=world.cite)
    app = ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal("9000"),
        title="CITE EMPLOI-Garde ponctuelle",
    )
    ctx = ctx_for(world.coordinator)
    agreement = funding.create_agreement(
        ctx=ctx, app=app, starts_on=date(call.year, 6, 1), ends_on=date(call.year, 12, 1)
    )
    funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=timezone.localdate())
    link = FundedActionLink.objects.get(application=app)

    sign_in(page, live_server, world.holder)
    page.goto(f"{live_server.url}/appels-a-projets/dossiers/{app.pk}/")
    region = page.get_by_role("region", name="Action financée")
    expect(region).to_be_visible()
    assert_accessible(page)
    region.get_by_role("link", name="Garde ponctuelle").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(rf"/offre/{link.service_id}/$"))
    expect(page.get_by_role("heading", name="Garde ponctuelle").first).to_be_visible()
    assert_accessible(page)
