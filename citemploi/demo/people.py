"""Fictitious people for the demo and the benchmark data sets, deterministic from a seed.

Everything comes from one `random.Random` and one seeded Faker (fr_FR): the same seed, reference date and
sequence of calls give the same people. Contact details are fictitious by construction: e-mail addresses
at example.org / example.com, phone numbers in the ranges ARCEP keeps for fiction (06 39 98 xx xx and
01 99 00 xx xx).
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from faker import Faker

from citemploi.core.text import fold
from citemploi.partners.enums import StructureKind
from citemploi.people import enums

FICTION_MOBILE_PREFIX = "06 39 98"
FICTION_LANDLINE_PREFIX = "01 99 00"
EMAIL_DOMAINS = ("example.org", "example.com")

K = StructureKind

#: share of the people each kind of structure is responsible for (largest remainder, see `slots`)
RESPONSIBLE_SHARES: tuple[tuple[str, float], ...] = (
    (K.FRANCE_TRAVAIL, 0.30),
    (K.MISSION_LOCALE, 0.20),
    (K.CAP_EMPLOI, 0.04),
    (K.PLIE, 0.08),
    (K.DEPARTEMENT, 0.07),
    (K.CCAS, 0.04),
    (K.ASSOCIATION, 0.08),
    (K.SOCIAL_CENTRE, 0.08),
    (K.SIAE, 0.04),
    (K.TRAINING, 0.03),
    (K.JUSTICE, 0.02),
    (K.HEALTH_SOCIAL, 0.02),
)

# First and last names common in the neighbourhoods, mixed with Faker's French ones (combined at random,
# they name nobody).
EXTRA_FEMALE = tuple(
    "Aïcha, Aminata, Fatima, Inès, Yasmine, Kadiatou, Leïla, Mariam, Nour, Sarah, Salimata, Samira, Myriam, "
    "Awa, Khadija, Lina, Assia, Melissa, Naïma, Houda, Fanta, Ana, Elif".split(", ")
)
EXTRA_MALE = tuple(
    "Mohamed, Karim, Moussa, Mamadou, Sofiane, Bilal, Youssef, Ibrahim, Rayan, Samir, Adama, Amadou, Nabil, "
    "Hakim, Ismaël, Omar, Walid, Issa, Mehdi, Rachid, João, Emre, Kevin".split(", ")
)
EXTRA_LAST = tuple(
    "Diallo, Traoré, Benali, Haddad, Nguyen, Da Silva, Yilmaz, Koné, Mendy, Bensaïd, Camara, Cissé, Belkacem, "
    "Diop, Ferreira, Kaya, Mansouri, Sylla, Touré, Boukhalfa, Pereira, Ndiaye, Ouattara, Sow, Chérif, Hamidi, "
    "Tran, Bakayoko, Lopes, Amrani".split(", ")
)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def weighted(rng: random.Random, options: list[tuple[Any, float]]) -> Any:
    values = [v for v, _ in options]
    weights = [w for _, w in options]
    return rng.choices(values, weights=weights)[0]


def slots(total: int, shares: tuple[tuple[str, float], ...] = RESPONSIBLE_SHARES) -> list[str]:
    """`total` kinds in proportion to `shares` (largest remainder): the same mix for any seed."""
    exact = [(kind, share * total) for kind, share in shares]
    counts = {kind: int(value) for kind, value in exact}
    left = total - sum(counts.values())
    for kind, _ in sorted(exact, key=lambda kv: (-(kv[1] - int(kv[1])), kv[0]))[:left]:
        counts[kind] += 1
    return [kind for kind, _ in shares for _ in range(counts[kind])]


@dataclass(frozen=True)
class Place:
    """Where a person lives: a QPV (or None), streets, postcode, commune name."""

    qpv: Any
    streets: tuple[str, ...]
    postcode: str
    city: str


class PersonGenerator:
    """Draws fictitious people. `person()` returns the fields of `people.services.BENEFICIARY_FIELDS`
    (without `referent`), plus what the builder needs to decide the follow-up."""

    def __init__(self, seed: int, today: date):
        self.today = today
        self.rng = random.Random(seed)
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        # Pools drawn once: drawing a name is then a cheap choice, which keeps big data sets fast.
        self.female = sorted({fake.first_name_female() for _ in range(400)}) + list(EXTRA_FEMALE) * 3
        self.male = sorted({fake.first_name_male() for _ in range(400)}) + list(EXTRA_MALE) * 3
        self.last = sorted({fake.last_name() for _ in range(1500)}) + list(EXTRA_LAST) * 6

    def reseed(self, seed: int | str) -> None:
        """Start a new independent sequence of draws (same name pools)."""
        self.rng = random.Random(seed)

    # --- contact ------------------------------------------------------------------------------------------

    def phone(self, mobile_share: float = 0.8) -> str:
        prefix = FICTION_MOBILE_PREFIX if self.rng.random() < mobile_share else FICTION_LANDLINE_PREFIX
        return f"{prefix} {self.rng.randint(0, 99):02d} {self.rng.randint(0, 99):02d}"

    def email(self, first_name: str, last_name: str) -> str:
        local = f"{fold(first_name)}.{fold(last_name)}".replace(" ", "-")
        if self.rng.random() < 0.4:
            local += str(self.rng.randint(1, 99))
        return f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    def date_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    # --- a person -----------------------------------------------------------------------------------------

    def age_band(self, kind: str) -> str:
        young, middle, senior = enums.AgeBand.YOUNG, enums.AgeBand.MIDDLE, enums.AgeBand.SENIOR
        if kind in (K.MISSION_LOCALE, K.TRAINING):
            return young
        if kind == K.FRANCE_TRAVAIL:
            return weighted(self.rng, [(young, 0.15), (middle, 0.6), (senior, 0.25)])
        if kind == K.CAP_EMPLOI:
            return weighted(self.rng, [(middle, 0.5), (senior, 0.5)])
        if kind == K.DEPARTEMENT:
            return weighted(self.rng, [(middle, 0.7), (senior, 0.3)])
        return weighted(self.rng, [(young, 0.2), (middle, 0.55), (senior, 0.25)])

    def birth_date(self, band: str) -> tuple[date, int]:
        """A birth date in the age band (16–25 mostly 18+, 26–49, 50–64) and the age it gives today."""
        ranges: dict[str, tuple[int, int]] = {
            enums.AgeBand.YOUNG: (16, 25),
            enums.AgeBand.MIDDLE: (26, 49),
            enums.AgeBand.SENIOR: (50, 64),
        }
        low, high = ranges[band]
        if band == enums.AgeBand.YOUNG and self.rng.random() < 0.85:
            low = 18
        age = self.rng.randint(low, high)
        # Between the last birthday (`age` years ago) and the day after the previous one: `age` today.
        return years_before(self.today, age) - timedelta(days=self.rng.randint(0, 364)), age

    def person(self, *, kind: str, place: Place) -> dict[str, Any]:
        """A person followed by a structure of `kind`, living at `place`."""
        rng = self.rng
        gender = weighted(
            rng, [(enums.Gender.FEMALE, 0.52), (enums.Gender.MALE, 0.46), (enums.Gender.OTHER, 0.02)]
        )
        if gender == enums.Gender.FEMALE:
            first_name = rng.choice(self.female)
        elif gender == enums.Gender.MALE:
            first_name = rng.choice(self.male)
        else:
            first_name = rng.choice(self.female if rng.random() < 0.5 else self.male)
        last_name = rng.choice(self.last)
        band = self.age_band(kind)
        birth_date, age = self.birth_date(band)
        young = band == enums.AgeBand.YOUNG
        identified_on = self.today - timedelta(days=int(rng.triangular(0, 730, 60)))

        if kind in (K.FRANCE_TRAVAIL, K.CAP_EMPLOI):
            ft_registered, spe_followed = True, True
        elif kind == K.MISSION_LOCALE:
            ft_registered, spe_followed = rng.random() < 0.6, True
        elif kind in (K.ASSOCIATION, K.SOCIAL_CENTRE):
            ft_registered = rng.random() < 0.25
            spe_followed = ft_registered and rng.random() < 0.6
        else:
            ft_registered = rng.random() < 0.6
            spe_followed = ft_registered and rng.random() < 0.8
        invisible = not ft_registered and not spe_followed

        if invisible:
            channel = weighted(
                rng,
                [
                    (enums.ReperageChannel.DOOR_TO_DOOR, 0.25),
                    (enums.ReperageChannel.OUTREACH_EVENT, 0.3),
                    (enums.ReperageChannel.ASSOCIATION, 0.25),
                    (enums.ReperageChannel.WORD_OF_MOUTH, 0.15),
                    (enums.ReperageChannel.FORUM, 0.05),
                ],
            )
        else:
            channel = weighted(
                rng,
                [
                    (enums.ReperageChannel.PARTNER_LIST, 0.35),
                    (enums.ReperageChannel.REFERRAL, 0.25),
                    (enums.ReperageChannel.SELF, 0.1),
                    (enums.ReperageChannel.FORUM, 0.1),
                    (enums.ReperageChannel.OUTREACH_EVENT, 0.1),
                    (enums.ReperageChannel.WORD_OF_MOUTH, 0.05),
                    (enums.ReperageChannel.OTHER, 0.05),
                ],
            )

        status_options = [
            (enums.EmploymentStatus.UNEMPLOYED, 0.55),
            (enums.EmploymentStatus.PART_TIME_CONSTRAINED, 0.1),
            (enums.EmploymentStatus.PRECARIOUS, 0.1),
            (enums.EmploymentStatus.RETRAINING, 0.05),
            (enums.EmploymentStatus.INACTIVE, 0.12),
            (enums.EmploymentStatus.UNKNOWN, 0.05),
        ]
        if young:
            status_options.append((enums.EmploymentStatus.STUDENT, 0.06))
        employment_status = weighted(rng, status_options)
        education_level = weighted(
            rng,
            [
                (enums.EducationLevel.NONE, 0.25),
                (enums.EducationLevel.LEVEL_3, 0.3),
                (enums.EducationLevel.LEVEL_4, 0.22),
                (enums.EducationLevel.LEVEL_5, 0.08),
                (enums.EducationLevel.LEVEL_6, 0.04),
                (enums.EducationLevel.LEVEL_7, 0.02),
                (enums.EducationLevel.FOREIGN, 0.05),
                (enums.EducationLevel.UNKNOWN, 0.04),
            ],
        )
        rsa = age >= 25 and rng.random() < (0.9 if kind == K.DEPARTEMENT else 0.25)
        ass = (
            not young
            and not rsa
            and employment_status == enums.EmploymentStatus.UNEMPLOYED
            and rng.random() < 0.1
        )
        cej = young and rng.random() < (0.6 if kind == K.MISSION_LOCALE else 0.1)
        parent_age = not young or rng.random() < 0.15
        single_parent = parent_age and rng.random() < (0.28 if gender == enums.Gender.FEMALE else 0.04)
        children_count = (
            weighted(rng, [(1, 0.4), (2, 0.35), (3, 0.17), (4, 0.08)])
            if single_parent
            else (weighted(rng, [(0, 0.45), (1, 0.2), (2, 0.2), (3, 0.1), (4, 0.05)]) if parent_age else 0)
        )
        french_level = weighted(
            rng,
            [
                (enums.FrenchLevel.NATIVE, 0.7),
                (enums.FrenchLevel.A1, 0.05),
                (enums.FrenchLevel.A2, 0.08),
                (enums.FrenchLevel.B1, 0.08),
                (enums.FrenchLevel.B2, 0.03),
                (enums.FrenchLevel.C1, 0.02),
                (enums.FrenchLevel.UNKNOWN, 0.04),
            ],
        )
        digital_autonomy = weighted(
            rng,
            [
                (enums.DigitalAutonomy.NONE, 0.15),
                (enums.DigitalAutonomy.ASSISTED, 0.35),
                (enums.DigitalAutonomy.AUTONOMOUS, 0.4),
                (enums.DigitalAutonomy.UNKNOWN, 0.1),
            ],
        )
        driving_licence = rng.random() < (0.2 if young else 0.45)
        has_vehicle = driving_licence and rng.random() < 0.55

        if place.qpv is not None:
            method = weighted(
                rng,
                [
                    (enums.QPVEvidenceMethod.ADDRESS_CHECK, 0.5),
                    (enums.QPVEvidenceMethod.PROOF, 0.25),
                    (enums.QPVEvidenceMethod.DECLARED, 0.15),
                    (enums.QPVEvidenceMethod.UNKNOWN, 0.1),
                ],
            )
        else:
            method = enums.QPVEvidenceMethod.UNKNOWN
        checked = method != enums.QPVEvidenceMethod.UNKNOWN
        evidence_date = (
            min(identified_on + timedelta(days=rng.randint(0, 20)), self.today) if checked else None
        )

        return {
            "first_name": first_name,
            "last_name": last_name,
            "birth_date": birth_date,
            "gender": gender,
            "email": self.email(first_name, last_name) if rng.random() < 0.7 else "",
            "phone": self.phone() if rng.random() < 0.85 else "",
            "address": f"{rng.randint(1, 160)} {rng.choice(place.streets)}",
            "postcode": place.postcode,
            "city": place.city,
            "qpv": place.qpv,
            "qpv_evidence_method": method,
            "qpv_evidence_date": evidence_date,
            "qpv_list_version": "2024" if checked else "",
            "education_level": education_level,
            "employment_status": employment_status,
            "ft_registered": ft_registered,
            "spe_followed": spe_followed,
            "rsa": rsa,
            "ass": ass,
            "cej": cej,
            "single_parent": single_parent,
            "children_count": children_count,
            "french_level": french_level,
            "digital_autonomy": digital_autonomy,
            "driving_licence": driving_licence,
            "has_vehicle": has_vehicle,
            "reperage_channel": channel,
            "identified_on": identified_on,
        }

    def sensitive(self, kind: str) -> dict[str, bool]:
        """Sensitive attributes consistent with the structure that follows the person (often none)."""
        rng = self.rng
        values = {
            "rqth": kind == K.CAP_EMPLOI or rng.random() < 0.02,
            "aah": kind == K.CAP_EMPLOI and rng.random() < 0.3,
            "health_barrier": (kind == K.HEALTH_SOCIAL and rng.random() < 0.5) or rng.random() < 0.04,
            "justice_followup": kind == K.JUSTICE,
            "addiction_care": kind == K.HEALTH_SOCIAL,
        }
        return values if any(values.values()) else {}

    def consents(self, identified_on: date) -> list[dict[str, Any]]:
        """Consent records: follow-up (nearly always), sharing (often; sometimes withdrawn), commission."""
        rng = self.rng
        method = weighted(
            rng,
            [
                (enums.ConsentMethod.WRITTEN, 0.5),
                (enums.ConsentMethod.ORAL, 0.35),
                (enums.ConsentMethod.ELECTRONIC, 0.15),
            ],
        )
        records = []
        if rng.random() < 0.95:
            records.append(
                {"scope": enums.ConsentScope.FOLLOW_UP, "method": method, "given_on": identified_on}
            )
        if rng.random() < 0.7:
            given_on = min(identified_on + timedelta(days=rng.randint(0, 30)), self.today)
            withdrawn_on = self.date_between(given_on, self.today) if rng.random() < 0.05 else None
            records.append(
                {
                    "scope": enums.ConsentScope.SHARING,
                    "method": method,
                    "given_on": given_on,
                    "withdrawn_on": withdrawn_on,
                }
            )
        if rng.random() < 0.2:
            given_on = min(identified_on + timedelta(days=rng.randint(10, 90)), self.today)
            records.append({"scope": enums.ConsentScope.COMMISSION, "method": method, "given_on": given_on})
        return records


FOLLOWUP_ROLES = (
    "Accompagnement social",
    "Levée des freins liés à la mobilité",
    "Accompagnement RSA",
    "Atelier numérique",
    "Mise en relation avec des employeurs",
    "Formation linguistique",
    "Suivi logement",
)
