"""Run inside the benchmark's database (DJANGO_SETTINGS_MODULE=citemploi.settings, SQLITE_PATH or DATABASE_URL):
picks the users and objects the benchmark requests, gives second-factor devices to the roles that need one,
and prints them as JSON. The TOTP secrets are read here, through the ORM, so the harness can compute codes.
"""

import json
import sys

import django

#: slug of the Amiens demo cité (citemploi/demo/amiens.py): cohorts, calls and the imports go there
AMIENS = "amiens-metropole"


def main() -> None:
    django.setup()
    import pyotp
    from django.utils import timezone

    from citemploi.accounts.models import TwoFactorDevice
    from citemploi.calls.models.application import Application
    from citemploi.cohorts.models import Cohort
    from citemploi.core.policy import Role
    from citemploi.partners.models import Membership
    from citemploi.people.models import Beneficiary
    from citemploi.territory.models import Cite

    def with_device(user) -> str:
        device = TwoFactorDevice.objects.filter(user=user).first()
        if device is None:
            device = TwoFactorDevice.objects.create(
                user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
            )
        return device.secret

    cite = Cite.objects.exclude(slug=AMIENS).order_by("pk").first() or Cite.objects.get(slug=AMIENS)
    amiens = Cite.objects.get(slug=AMIENS)
    coordinator = Membership.objects.filter(cite=cite, role=Role.COORDINATOR, is_active=True).first()
    referent = (
        Membership.objects.filter(cite=cite, role=Role.REFERENT, is_active=True)
        .order_by("structure_id", "pk")
        .first()
    )
    person = (
        Beneficiary.objects.filter(cite=cite, responsible_structure=referent.structure).order_by("pk").first()
    )
    amiens_coordinator = Membership.objects.filter(cite=amiens, role=Role.COORDINATOR, is_active=True).first()
    national = Membership.objects.filter(role=Role.NATIONAL, is_active=True).first()
    cohort = Cohort.objects.filter(cite=amiens).order_by("pk").first()
    application = Application.objects.filter(call__cite=amiens).order_by("pk").first()
    amiens_referent = Membership.objects.filter(cite=amiens, role=Role.REFERENT, is_active=True).first()
    from citemploi.offer.referentials import BARRIERS

    # the need the generated data·inclusion services answer (mobility), so the search returns many of them
    barrier = next((b.code for b in BARRIERS if "mobilit" in b.code), BARRIERS[0].code)
    json.dump(
        {
            "cite": cite.slug,
            "amiens": amiens.slug,
            "directory_query": f"frein={barrier}",
            "people_in_cite": Beneficiary.objects.filter(cite=cite).count(),
            "people_total": Beneficiary.objects.count(),
            "cites_total": Cite.objects.count(),
            "person": person.pk,
            "cohort": cohort.pk if cohort else None,
            "application": application.pk if application else None,
            "import_structure": amiens_referent.structure_id,
            "users": {
                "coordinator": {"email": coordinator.user.email, "totp": with_device(coordinator.user)},
                "referent": {"email": referent.user.email, "totp": None},
                "amiens_coordinator": {
                    "email": amiens_coordinator.user.email,
                    "totp": with_device(amiens_coordinator.user),
                },
                "national": {"email": national.user.email, "totp": with_device(national.user)},
            },
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
