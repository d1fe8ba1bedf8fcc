"""The "Jetons d'API" screen: a signed-in user lists, creates and revokes the API tokens of the role they
act with. A new token is shown once, on the answer to its creation (only its hash is stored)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from citemploi.api import tokens
from citemploi.www.apitokens.forms import TokenForm
from citemploi.www.common import acting


def token_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    if ctx is None or ctx.membership is None:
        return redirect(f"{reverse('choose_context')}?next={request.get_full_path()}")
    form = TokenForm()
    created = None
    if request.method == "POST":
        if "revoke" in request.POST:
            return _revoke(request, request.POST["revoke"])
        form = TokenForm(request.POST)
        if form.is_valid():
            created = tokens.create_token(ctx=ctx, name=form.cleaned_data["name"])
            form = TokenForm()
    response = render(
        request,
        "apitokens/list.html",
        {"tokens": tokens.tokens_for(ctx), "form": form, "created": created, "membership": ctx.membership},
    )
    # The page may show a new token: no copy of it in any cache.
    add_never_cache_headers(response)
    return response


def _revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    ctx = acting(request)
    token = tokens.tokens_for(ctx).filter(pk=token_id).first() if token_id.isdigit() else None
    if token is None:
        raise Http404("Introuvable.")
    try:
        tokens.revoke_token(ctx=ctx, token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le jeton cte_{token.prefix}… est révoqué : il ne fonctionne plus.")
    return redirect("apitokens:list")
