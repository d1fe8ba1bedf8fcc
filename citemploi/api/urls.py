from ninja import NinjaAPI

api = NinjaAPI(title="citemploi API", version="1", urls_namespace="api", docs_url="/docs", openapi_url="/openapi.json")
