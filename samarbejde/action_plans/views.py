"""The handleplan's pages: KRFO's plan page (write, act, share, versions, PDF, the client's version) and the
municipality's page (the shared areas only, its commitments, § 141 reference, comments).

Thin views: parse, check access (action_plans.access), call a service, render. Bad input gives the form's or
the service's Danish message, never a 500; a stale save (another editor saved first) gives the conflict
message with the user's input kept (HTTP 409). Every page that shows the person writes an audit event.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from samarbejde.action_plans import selectors, services
from samarbejde.action_plans.access import KRFO, MUNICIPAL, access_plan_by_id, may_change_plan, side_of
from samarbejde.action_plans.client_texts import client_languages, client_texts
from samarbejde.action_plans.forms import (
    ActionForm,
    ActionUpdateForm,
    CommentForm,
    PlanForm,
    ReferenceForm,
    ShareForm,
)
from samarbejde.action_plans.models import PlanAction, PlanVersion
from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.core.forms import add_service_errors
from samarbejde.core.pagination import keyset_page
from samarbejde.core.pdf import render_pdf
from samarbejde.custody.access import access_episode_by_id
from samarbejde.organisations.access import active_membership, require_capability
from samarbejde.organisations.models import Department, Membership, Organisation
from samarbejde.organisations.roles import KRFO_KINDS, Cap
from samarbejde.people.fields import Context, field_view

PAGE_SIZE = 50


def _krfo(request):
    if side_of(request.user) != KRFO:
        raise Http404


def _municipal(request):
    if side_of(request.user) != MUNICIPAL:
        raise Http404


def _report(request, outcome, done: str) -> None:
    notices = outcome.notifications or []
    if notices:
        names = "; ".join(n.recipient_organisation.display_name for n in notices)
        messages.success(request, f"{done} Underretning sendt til: {names}.")
    else:
        messages.success(request, done)
    for warning in outcome.warnings or []:
        messages.warning(request, warning)


def _stale_rebind(request, form, plan):
    """After a stale save: keep the user's input, move the form to the current version, status 409."""
    data = request.POST.copy()
    prefix = f"{form.prefix}-" if form.prefix else ""
    data[f"{prefix}version"] = str(plan.version)
    form.data = data


def _is_stale(exc: ValidationError) -> bool:
    return getattr(exc, "code", None) == "stale"


# --- choices --------------------------------------------------------------------------------------------


def _responsible_choices(plan):
    """KRFO staff of the institution that holds the person (the handleplansansvarlig is one of them)."""
    memberships = (
        Membership.objects.active()
        .filter(organisation=plan.episode.institution, role__in=["krfo_case_worker", "krfo_manager"])
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user_id")
    )
    users = {}
    for membership in memberships:
        users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def _units(*, krfo: bool, municipality: Organisation | None):
    """(key, label, organisation, department) for the responsible party: KRFO's units, the municipality and its
    departments."""
    units = []
    if krfo:
        for organisation in Organisation.objects.filter(kind__in=KRFO_KINDS, is_active=True).order_by("name"):
            units.append((f"o:{organisation.pk}", organisation.display_name, organisation, None))
    if municipality is not None:
        units.append((f"o:{municipality.pk}", municipality.display_name, municipality, None))
        for department in Department.objects.filter(organisation=municipality).order_by("name"):
            units.append(
                (f"d:{department.pk}", f"{department.name}, {municipality.display_name}", municipality, department)
            )
    return units


# --- KRFO: the plan page ----------------------------------------------------------------------------------


def _krfo_context(request, plan, **bound):
    episode = plan.episode
    may_change = may_change_plan(request.user, plan)
    fields = field_view(request.user, Context.KRFO_CASE)
    context = {
        "plan": plan,
        "episode": episode,
        "person": plan.person,
        "person_cpr": fields.cpr(plan.person),
        "applicability": selectors.applicability_of(episode, plan),
        "deadline": selectors.deadline_of(episode),
        "deadline_state": selectors.deadline_state(episode, plan),
        "may_change": may_change,
        "languages": client_languages(),
    }
    if may_change:
        municipality = plan.person.home_municipality
        units = _units(krfo=True, municipality=municipality)
        context.update(
            plan_form=PlanForm(initial=PlanForm.initial_for(plan), responsible_choices=_responsible_choices(plan)),
            action_form=ActionForm(
                prefix="action",
                initial={"version": plan.version, "status": "not_started", "responsible_kind": "client"},
                units=units,
            ),
            share_form=ShareForm(prefix="share", initial=ShareForm.initial_for(plan)),
            comment_form=CommentForm(prefix="comment"),
        )
        context.update(bound)
        updates = bound.get("update_forms", {})
        for area in plan.area_list:
            for action in area.actions.all():
                action.form = updates.get(action.pk) or ActionUpdateForm(
                    prefix=f"a{action.pk}",
                    initial={
                        "version": plan.version,
                        "status": action.status,
                        "due_on": action.due_on,
                        "decline_reason": action.decline_reason,
                        "notes": action.notes,
                    },
                )
    return context


def _render_plan(request, pk, *, status: int = 200, **bound):
    plan = selectors.plan_page(request.user, pk)
    audit_record(
        "action_plans.view", acting_user=request.user, person=plan.person, obj=plan, purpose="Visning af handleplan"
    )
    return render(request, "action_plans/plan_detail.html", _krfo_context(request, plan, **bound), status=status)


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
@require_GET
def plan_detail(request, pk):
    _krfo(request)
    return _render_plan(request, pk)


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def plan_start(request, episode_pk):
    episode = access_episode_by_id(request.user, episode_pk, action="change")
    try:
        outcome = services.plan_start(episode, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("custody:episode_detail", pk=episode.pk)
    messages.success(request, "Handleplanen er oprettet.")
    return redirect("action_plans:detail", pk=outcome.plan.pk)


def _changeable(request, pk):
    _krfo(request)
    plan = access_plan_by_id(request.user, pk, action="change")
    if not may_change_plan(request.user, plan):
        raise Http404
    return selectors.plan_page(request.user, pk, action="change")


def _post(request, plan, form, name: str, call, done: str):
    if form.is_valid():
        try:
            outcome = call(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            if _is_stale(exc):
                _stale_rebind(request, form, plan)
                return _render_plan(request, plan.pk, status=409, **{name: form})
        except PermissionDenied as exc:
            messages.error(request, " ".join(exc.args) or "Du har ikke adgang til at ændre handleplanen.")
            return redirect("action_plans:detail", pk=plan.pk)
        else:
            if done:
                _report(request, outcome, done)
            return redirect("action_plans:detail", pk=plan.pk)
    return _render_plan(request, plan.pk, **{name: form})


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def plan_edit(request, pk):
    plan = _changeable(request, pk)
    form = PlanForm(request.POST, responsible_choices=_responsible_choices(plan))
    return _post(
        request,
        plan,
        form,
        "plan_form",
        lambda f: services.plan_update(plan, **f.service_kwargs(), acting_user=request.user),
        "Handleplanen er gemt.",
    )


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def action_create(request, pk):
    plan = _changeable(request, pk)
    form = ActionForm(
        request.POST, prefix="action", units=_units(krfo=True, municipality=plan.person.home_municipality)
    )
    return _post(
        request,
        plan,
        form,
        "action_form",
        lambda f: services.action_add(plan, **f.service_kwargs(), acting_user=request.user),
        "Indsatsen er tilføjet.",
    )


def _action_of(plan, action_pk) -> PlanAction:
    for area in plan.area_list:
        for action in area.actions.all():
            if str(action.pk) == str(action_pk):
                return action
    raise Http404


def _action_update(form, action, acting_user):
    """The action update form's fields to the service (KRFO's plan page and the municipality's page alike)."""
    data = form.cleaned_data
    return services.action_update(
        action,
        expected_version=data["version"],
        status=data["status"],
        due_on=data["due_on"],
        decline_reason=data.get("decline_reason", ""),
        notes=data.get("notes", ""),
        acting_user=acting_user,
    )


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def action_edit(request, pk, action_pk):
    plan = _changeable(request, pk)
    action = _action_of(plan, action_pk)
    form = ActionUpdateForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            outcome = _action_update(form, action, request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            if _is_stale(exc):
                _stale_rebind(request, form, plan)
                return _render_plan(request, plan.pk, status=409, update_forms={action.pk: form})
        else:
            _report(request, outcome, "Indsatsen er opdateret.")
            return redirect("action_plans:detail", pk=plan.pk)
    return _render_plan(request, plan.pk, update_forms={action.pk: form})


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def plan_share(request, pk):
    plan = _changeable(request, pk)
    form = ShareForm(request.POST, prefix="share")
    return _post(
        request,
        plan,
        form,
        "share_form",
        lambda f: services.plan_share(
            plan, expected_version=f.cleaned_data["version"], shares=f.shares(), acting_user=request.user
        ),
        "Delingen med kommunen er gemt.",
    )


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def comment_create(request, pk):
    plan = _changeable(request, pk)
    form = CommentForm(request.POST, prefix="comment")

    def call(f):
        services.comment_add(
            plan, text=f.cleaned_data["text"], category=f.cleaned_data.get("category") or "", acting_user=request.user
        )
        return services.PlanOutcome(plan, None, [], [])

    return _post(request, plan, form, "comment_form", call, "Kommentaren er gemt.")


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
@require_GET
def version_detail(request, pk, number):
    _krfo(request)
    plan = access_plan_by_id(request.user, pk)
    try:
        version, previous = selectors.version_pair(plan, int(number))
    except (ValueError, TypeError, PlanVersion.DoesNotExist):
        raise Http404 from None
    audit_record(
        "action_plans.view_version",
        acting_user=request.user,
        person=plan.person,
        obj=plan,
        purpose="Visning af ændringer i handleplan",
        details={"version": version.number},
    )
    rows = selectors.version_diff(previous.data if previous else {}, version.data)
    return render(
        request,
        "action_plans/version_detail.html",
        {"plan": plan, "person": plan.person, "version": version, "previous": previous, "rows": rows},
    )


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
@require_GET
def plan_pdf(request, pk):
    _krfo(request)
    plan = selectors.plan_page(request.user, pk)
    audit_record(
        "action_plans.pdf", acting_user=request.user, person=plan.person, obj=plan, purpose="Udskrift af handleplan"
    )
    fields = field_view(request.user, Context.KRFO_CASE)
    context = {
        "plan": plan,
        "person": plan.person,
        "person_cpr": fields.cpr(plan.person),
        "applicability": selectors.applicability_of(plan.episode, plan),
        "deadline": selectors.deadline_of(plan.episode),
        "printed_at": timezone.now(),
    }
    response = HttpResponse(render_pdf("action_plans/plan_pdf.html", context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="handleplan-{plan.pk}.pdf"'
    return response


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
@require_GET
def plan_client(request, pk, language):
    _krfo(request)
    texts = client_texts(language)
    if texts is None:
        raise Http404
    plan = selectors.plan_page(request.user, pk)
    audit_record(
        "action_plans.client_version",
        acting_user=request.user,
        person=plan.person,
        obj=plan,
        purpose="Handleplan i klart sprog til klienten",
        details={"language": language, "pdf": request.GET.get("udskrift") == "pdf"},
    )
    areas = []
    for area in plan.area_list:
        actions = list(area.actions.all())
        if not (area.goals or actions):
            continue
        areas.append(
            {
                "name": texts["areas"].get(area.category, area.get_category_display()),
                "goals": area.goals,
                "shared": area.is_shared,
                "actions": [
                    {
                        "description": a.description,
                        "who": texts["client"] if a.responsible_kind == "client" else a.responsible_label,
                        "when": a.due_on,
                        "status": texts["statuses"].get(a.status, a.get_status_display()),
                    }
                    for a in actions
                ],
            }
        )
    context = {"plan": plan, "person": plan.person, "t": texts, "language": language, "areas": areas}
    if request.GET.get("udskrift") == "pdf":
        # The same plain-language plan as a PDF to print and hand to the client (no CPR on it: the client's own).
        context["printed_at"] = timezone.now()
        response = HttpResponse(
            render_pdf("action_plans/plan_client_pdf.html", context), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="handleplan-{language}-{plan.pk}.pdf"'
        return response
    return render(request, "action_plans/plan_client.html", context)


# --- the list -----------------------------------------------------------------------------------------------


@require_capability(Cap.START_PAGE)
@require_GET
def plan_list(request):
    side = side_of(request.user)
    if side is None:
        raise PermissionDenied
    # A keyset page (no COUNT, no OFFSET): the cost is the page's, whatever the plans are (issue 10).
    page = keyset_page(
        selectors.plans_for_list(request.user),
        selectors.PLAN_LIST_ORDERING,
        after=request.GET.get("efter", ""),
        before=request.GET.get("foer", ""),
        per_page=PAGE_SIZE,
    )
    plans = list(page.object_list)
    today = timezone.localdate()
    for plan in plans:
        plan.deadline = selectors.deadline_of(plan.episode)
        plan.deadline_state = selectors.deadline_state(plan.episode, plan, today)
    audit_read_many(
        "action_plans.list",
        acting_user=request.user,
        persons=[p.person for p in plans],
        purpose="Liste over handleplaner",
    )
    fields = field_view(request.user, Context.KRFO_CASE if side == KRFO else Context.NOTICE)
    for plan in plans:
        plan.person_cpr = fields.cpr(plan.person)
    return render(request, "action_plans/plan_list.html", {"plans": plans, "page": page, "side": side})


# --- the municipality's page --------------------------------------------------------------------------------


def _municipal_context(request, plan, **bound):
    areas = selectors.visible_areas(plan)
    categories = [a.category for a in areas]
    membership = active_membership(request.user)
    context = {
        "plan": plan,
        "person": plan.person,
        "person_cpr": field_view(request.user, Context.NOTICE).cpr(plan.person),
        "areas": areas,
        "comments": [c for c in plan.comment_list if c.area_id is None or c.area.category in categories],
        "open": plan.episode.is_open,
    }
    if plan.episode.is_open:
        updates = bound.pop("update_forms", {})
        for area in areas:
            for action in area.actions.all():
                if action.added_by_id == plan.municipality_id:
                    action.form = updates.get(action.pk) or ActionUpdateForm(
                        prefix=f"a{action.pk}",
                        initial={
                            "version": plan.version,
                            "status": action.status,
                            "due_on": action.due_on,
                            "decline_reason": action.decline_reason,
                            "notes": action.notes,
                        },
                    )
        units = _units(krfo=False, municipality=membership.organisation)
        context.update(
            action_form=ActionForm(
                prefix="action",
                initial={"version": plan.version, "status": "not_started"},
                units=units,
                categories=categories,
                municipal=True,
            )
            if categories
            else None,
            reference_form=ReferenceForm(
                prefix="reference", initial={"version": plan.version, "reference": plan.municipal_plan_reference}
            ),
            comment_form=CommentForm(prefix="comment", categories=categories),
        )
        context.update(bound)
    return context


def _render_municipal(request, pk, *, status: int = 200, **bound):
    plan = selectors.plan_page(request.user, pk)
    audit_record(
        "action_plans.municipal_view",
        acting_user=request.user,
        person=plan.person,
        obj=plan,
        purpose="Kommunens visning af delt handleplan",
    )
    return render(
        request, "action_plans/municipal_detail.html", _municipal_context(request, plan, **bound), status=status
    )


@require_capability(Cap.PERSON_VIEW_LINKED, hide=True)
@require_GET
def municipal_detail(request, pk):
    _municipal(request)
    return _render_municipal(request, pk)


def _municipal_post(request, pk, form_factory, name: str, call, done: str):
    _municipal(request)
    plan = selectors.plan_page(request.user, pk)
    categories = [a.category for a in selectors.visible_areas(plan)]
    form = form_factory(plan, categories)
    if form.is_valid():
        try:
            call(plan, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            if _is_stale(exc):
                _stale_rebind(request, form, plan)
                return _render_municipal(request, pk, status=409, **{name: form})
        except PermissionDenied as exc:
            messages.error(request, " ".join(exc.args) or "Du har ikke adgang.")
            return redirect("action_plans:municipal_detail", pk=plan.pk)
        else:
            messages.success(request, done)
            return redirect("action_plans:municipal_detail", pk=plan.pk)
    return _render_municipal(request, pk, **{name: form})


@require_capability(Cap.PERSON_VIEW_LINKED, hide=True)
@require_POST
def municipal_action_create(request, pk):
    organisation = active_membership(request.user).organisation

    def factory(plan, categories):
        return ActionForm(
            request.POST,
            prefix="action",
            units=_units(krfo=False, municipality=organisation),
            categories=categories,
            municipal=True,
        )

    return _municipal_post(
        request,
        pk,
        factory,
        "action_form",
        lambda plan, f: services.action_add(plan, **f.service_kwargs(), acting_user=request.user),
        "Kommunens indsats er tilføjet.",
    )


@require_capability(Cap.PERSON_VIEW_LINKED, hide=True)
@require_POST
def municipal_reference(request, pk):
    return _municipal_post(
        request,
        pk,
        lambda plan, categories: ReferenceForm(request.POST, prefix="reference"),
        "reference_form",
        lambda plan, f: services.plan_set_municipal_reference(
            plan,
            expected_version=f.cleaned_data["version"],
            reference=f.cleaned_data.get("reference", ""),
            acting_user=request.user,
        ),
        "Henvisningen til kommunens handleplan er gemt.",
    )


@require_capability(Cap.PERSON_VIEW_LINKED, hide=True)
@require_POST
def municipal_comment(request, pk):
    return _municipal_post(
        request,
        pk,
        lambda plan, categories: CommentForm(request.POST, prefix="comment", categories=categories),
        "comment_form",
        lambda plan, f: services.comment_add(
            plan, text=f.cleaned_data["text"], category=f.cleaned_data.get("category") or "", acting_user=request.user
        ),
        "Kommentaren er gemt.",
    )


@require_capability(Cap.PERSON_VIEW_LINKED, hide=True)
@require_POST
def municipal_action_edit(request, pk, action_pk):
    """The municipality updates one of its own commitments (status, due date, notes)."""
    _municipal(request)
    plan = selectors.plan_page(request.user, pk)
    categories = {a.category for a in selectors.visible_areas(plan)}
    action = _action_of(plan, action_pk)
    if action.area.category not in categories or action.added_by_id != plan.municipality_id:
        raise Http404
    form = ActionUpdateForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            _action_update(form, action, request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            if _is_stale(exc):
                _stale_rebind(request, form, plan)
                return _render_municipal(request, pk, status=409, update_forms={action.pk: form})
        else:
            messages.success(request, "Kommunens indsats er opdateret.")
            return redirect("action_plans:municipal_detail", pk=plan.pk)
    return _render_municipal(request, pk, update_forms={action.pk: form})
