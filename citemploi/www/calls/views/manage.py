"""The coordinator's screens on a call: creation, edition, rules from the catalogue, scoring grid,
required documents, publication and closing, cloning, the call's files and its exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citemploi.calls import exports, queries
from citemploi.calls.eligibility.base import REGISTRY, ParamsError
from citemploi.calls.enums import ApplicationStatus, CallStatus
from citemploi.calls.services import calls as services
from citemploi.core.spreadsheets import XLSX_TYPE, download
from citemploi.www.calls.forms.calls import (
    CallForm,
    CriterionForm,
    NewCallForm,
    RequiredDocumentForm,
    RuleForm,
    RuleTypeForm,
    TransitionForm,
)
from citemploi.www.calls.views.common import USER_ERRORS, attach_errors, flash_errors
from citemploi.www.common import acting, action_required, paginate


def _call(request: HttpRequest, pk: int, action: str = "call.manage"):
    return queries.access_call_for(acting(request), pk, action)


@action_required("call.manage")
def call_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = NewCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.create_call(
                ctx=ctx, data=form.service_data(), with_defaults=form.cleaned_data.get("with_defaults", False)
            )
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                "Appel créé en brouillon. Vérifiez ses règles, sa grille et ses pièces avant de le publier.",
            )
            return redirect("calls:detail", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form, "creating": True})


@action_required("call.manage")
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    call = _call(request, pk)
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        call.refresh_from_db()
        try:
            services.update_call(
                ctx=ctx,
                call=call,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Appel enregistré.")
            return redirect("calls:detail", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form, "creating": False, "call": call})


@action_required("call.manage")
def call_rules(request: HttpRequest, pk: int) -> HttpResponse:
    """The call's rules, and the catalogue to add one (the type is chosen, then its parameters)."""
    call = _call(request, pk)
    add_form = RuleTypeForm(request.POST or None)
    if request.method == "POST" and add_form.is_valid():
        code = add_form.cleaned_data["rule_type"]
        cls = REGISTRY[code]
        try:
            rule = services.add_rule(
                ctx=acting(request),
                call=call,
                rule_type=code,
                params=cls.defaults(),
                severity=add_form.cleaned_data["severity"],
            )
        except USER_ERRORS as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"Règle « {cls.label} » ajoutée : réglez ses paramètres.")
            return redirect("calls:rule_edit", pk=call.pk, rule_pk=rule.pk)
    rows = []
    for rule in call.rules.all():
        known = REGISTRY.get(rule.rule_type)
        if known is None:
            rows.append((rule, rule.rule_type, "Type de règle inconnu."))
            continue
        try:
            summary = known.summary(known.parse(rule.params))
        except ParamsError as exc:
            summary = "Paramètres invalides : " + " ".join(exc.messages)
        rows.append((rule, known.label, summary))
    catalogue = [(cls.code, cls.label, cls.description) for cls in REGISTRY.values()]
    return render(
        request,
        "calls/rules.html",
        {"call": call, "rows": rows, "add_form": add_form, "catalogue": catalogue},
    )


def _rule(call, rule_pk: int):
    rule = call.rules.filter(pk=rule_pk).first()
    if rule is None:
        raise Http404("Introuvable.")
    return rule


@action_required("call.manage")
def rule_edit(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    call = _call(request, pk)
    rule = _rule(call, rule_pk)
    if rule.rule_type not in REGISTRY:
        raise Http404("Type de règle inconnu.")
    form = RuleForm(
        request.POST or None,
        rule_type=rule.rule_type,
        initial_params=rule.params,
        initial={"severity": rule.severity, "message": rule.message},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rule(
                ctx=acting(request),
                rule=rule,
                params=form.params(),
                severity=form.cleaned_data["severity"],
                message=form.cleaned_data.get("message") or "",
            )
        except USER_ERRORS as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                form.attach_errors(exc)
            else:
                attach_errors(form, exc)
        else:
            messages.success(request, "Règle enregistrée.")
            return redirect("calls:rules", pk=call.pk)
    return render(
        request,
        "calls/rule_form.html",
        {"call": call, "rule": rule, "form": form, "rule_cls": REGISTRY[rule.rule_type]},
    )


@require_POST
@action_required("call.manage")
def rule_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    call = _call(request, pk)
    rule = _rule(call, rule_pk)
    try:
        services.delete_rule(ctx=acting(request), rule=rule)
        messages.success(request, "Règle retirée.")
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:rules", pk=call.pk)


@action_required("call.manage")
def call_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring grid: the call's criteria and a form to add one."""
    call = _call(request, pk)
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(ctx=acting(request), call=call, data=form.service_data())
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Critère ajouté.")
            return redirect("calls:criteria", pk=call.pk)
    criteria = list(call.criteria.all())
    total = sum((c.weight for c in criteria if not c.is_bonus), 0)
    return render(
        request,
        "calls/criteria.html",
        {"call": call, "criteria": criteria, "form": form, "total_weight": total},
    )


def _criterion(call, criterion_pk: int):
    criterion = call.criteria.filter(pk=criterion_pk).first()
    if criterion is None:
        raise Http404("Introuvable.")
    return criterion


@action_required("call.manage")
def criterion_edit(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    call = _call(request, pk)
    criterion = _criterion(call, criterion_pk)
    if request.method == "POST" and request.POST.get("delete") == "1":
        try:
            services.delete_criterion(ctx=acting(request), criterion=criterion)
            messages.success(request, "Critère retiré.")
        except USER_ERRORS as exc:
            flash_errors(request, exc)
        return redirect("calls:criteria", pk=call.pk)
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        criterion.refresh_from_db()
        try:
            services.save_criterion(
                ctx=acting(request), call=call, data=form.service_data(), criterion=criterion
            )
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Critère enregistré.")
            return redirect("calls:criteria", pk=call.pk)
    return render(request, "calls/criterion_form.html", {"call": call, "criterion": criterion, "form": form})


@action_required("call.manage")
def call_documents(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    form = RequiredDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_required_document(ctx=acting(request), call=call, data=form.cleaned_data)
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Pièce ajoutée.")
            return redirect("calls:documents", pk=call.pk)
    return render(
        request,
        "calls/documents.html",
        {"call": call, "documents": list(call.required_documents.all()), "form": form},
    )


@require_POST
@action_required("call.manage")
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    call = _call(request, pk)
    document = call.required_documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404("Introuvable.")
    try:
        services.delete_required_document(ctx=acting(request), document=document)
        messages.success(request, "Pièce retirée.")
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:documents", pk=call.pk)


@require_POST
@action_required("call.manage")
def call_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish, close or archive the call."""
    ctx = acting(request)
    call = _call(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une action.")
        return redirect("calls:detail", pk=call.pk)
    target, reason = form.cleaned_data["target"], form.cleaned_data.get("reason") or ""
    actions = {
        CallStatus.PUBLISHED: (services.publish_call, "Appel publié : il figure sur la page publique."),
        CallStatus.CLOSED: (services.close_call, "Dépôts clos."),
        CallStatus.ARCHIVED: (services.archive_call, "Appel archivé."),
    }
    service, done = actions[CallStatus(target)]
    try:
        service(ctx=ctx, call=call, reason=reason)
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("calls:detail", pk=call.pk)


@require_POST
@action_required("call.manage")
def call_clone(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    try:
        clone = services.clone_call(ctx=acting(request), source=call)
    except USER_ERRORS as exc:
        flash_errors(request, exc)
        return redirect("calls:detail", pk=call.pk)
    messages.success(
        request,
        f"Appel {clone.year} créé en brouillon à partir de celui de {call.year} (dates décalées d'un an).",
    )
    return redirect("calls:detail", pk=clone.pk)


@action_required("application.instruct")
def call_files(request: HttpRequest, pk: int) -> HttpResponse:
    """The files of a call, for the coordination, filtered by status."""
    ctx = acting(request)
    call = _call(request, pk, "call.view")
    status = request.GET.get("status") or ""
    if status not in ApplicationStatus.values:
        status = ""
    qs = queries.application_rows(ctx, {"call": call.pk, "status": status}, "application.instruct")
    page = paginate(request, qs)
    return render(
        request,
        "calls/call_files.html",
        {
            "call": call,
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "querystring": f"status={status}",
        },
    )


@action_required("call.export")
def call_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Files and decisions of the call (XLSX)."""
    call = _call(request, pk, "call.export")
    return download(exports.call_xlsx(call), f"appel-{call.year}-{call.pk}-dossiers.xlsx", XLSX_TYPE)


@action_required("call.export")
def call_open_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Awarded grants in the open-data format for subsidies (CSV)."""
    call = _call(request, pk, "call.export")
    return download(
        exports.open_data_csv(call), f"subventions-{call.year}-{call.pk}.csv", "text/csv; charset=utf-8"
    )
