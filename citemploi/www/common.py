"""Helpers shared by the web screens."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from citemploi.core.access import NoContext, require
from citemploi.core.context import ActingContext


def acting(request: HttpRequest) -> ActingContext:
    return request.acting  # type: ignore[attr-defined,no-any-return]


def action_required(action: str) -> Callable:
    """The view needs `action` allowed for the acting role (403 otherwise; the context chooser if none)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                require(acting(request), action)
            except NoContext:
                return redirect(f"/contexte/?next={request.get_full_path()}")
            return view(request, *args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def paginate(request: HttpRequest, object_list: Any, per_page: int | None = None) -> Page:
    paginator = Paginator(object_list, per_page or settings.CITEMPLOI_LIST_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def render_partial_or_full(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    """htmx requests get the named partial; other requests the full page."""
    from django.shortcuts import render

    if getattr(request, "htmx", False):
        return render(request, f"{template}#{partial}", context)
    return render(request, template, context)
