from django.http import HttpRequest


def current_context(request: HttpRequest) -> dict:
    acting = getattr(request, "acting", None)
    if acting is None or not request.user.is_authenticated:
        return {"acting": None}
    return {"acting": acting}
