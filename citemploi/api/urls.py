"""The REST API of citemploi, mounted at /api/v1/ by citemploi.urls.

One module per resource; the documentation page (/api/v1/docs) works offline and under the site's CSP.
"""

from citemploi.api import (
    beneficiaries,
    budget,
    cohorts,
    consents,
    diagnostic,
    errors,
    followup,
    orientations,
    partnership,
    pathways,
    qpv,
    reporting,
    structures,
    tracking,
)
from citemploi.api import calls as calls_api
from citemploi.api import services as offer_services
from citemploi.api.auth import BearerTokenAuth
from citemploi.api.base import CitemploiAPI
from citemploi.api.docs import docs_view

api = CitemploiAPI(
    title="API citemploi",
    version="1",
    description="L'API REST d'une cité de l'emploi : partenaires, QPV, personnes accompagnées, consentements "
    "et groupes de suivi. Authentification par jeton : `Authorization: Bearer <jeton>`.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=BearerTokenAuth(),
    docs_view=docs_view,
)
errors.register(api)
api.add_router("", structures.router)
api.add_router("", qpv.router)
api.add_router("", beneficiaries.router)
api.add_router("", consents.router)
api.add_router("", followup.router)
api.add_router("", partnership.router)
api.add_router("", offer_services.router)
api.add_router("", calls_api.router)
api.add_router("", pathways.router)
api.add_router("", tracking.router)
api.add_router("", orientations.router)
api.add_router("", cohorts.router)
api.add_router("", reporting.router)
api.add_router("", diagnostic.router)
api.add_router("", budget.router)
