import pytest

from citemploi.demo.builder import build_amiens
from citemploi.offer.models import Service
from citemploi.offer.referentials import BARRIERS

pytestmark = pytest.mark.django_db


def test_the_demo_directory_covers_the_barriers_and_the_public_finds_it(client):
    build_amiens(seed=2023)
    services = Service.objects.all()
    # 16 services of the partners, plus the action funded by last year's call for projects (calls demo)
    assert services.count() == 17
    assert services.filter(description__contains="CITE EMPLOI-").count() <= 1
    assert services.filter(nature="aap").count() >= 3
    themes = {t.code for s in services.prefetch_related("themes") for t in s.themes.all()}
    covered = [b for b in BARRIERS if any(b.is_lifted_by(t) for t in themes)]
    assert len(covered) >= 9, [b.code for b in BARRIERS if b not in covered]
    mobility = next(b for b in BARRIERS if "mobilite" in b.categories)
    response = client.get("/services/resultats/", {"frein": mobility.code})
    assert response.status_code == 200
    assert "Auto-école sociale des quartiers Nord" in response.content.decode()
