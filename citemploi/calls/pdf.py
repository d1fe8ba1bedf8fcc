"""PDF documents of the calls (receipt, decision letters, minutes, agreement), rendered by WeasyPrint
from the templates in templates/calls/pdf/. No resource is fetched from outside: the documents carry
their own style sheet."""

from typing import Any

from django.template.loader import render_to_string


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"Ressource externe refusée dans un PDF : {url}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
