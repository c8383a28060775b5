"""The inbox of the recipients of notices (municipalities, Udbetaling Danmark): list, open, acknowledge,
assign and answer.

Thin views: parse, check access (notifications.access), call a service, render. Opening a notice is an
audited read (notification_mark_read); the list audits one read per person shown. A second acknowledge
or answer (also a concurrent one) only shows a message: the services are idempotent.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.core.pagination import keyset_page
from samarbejde.delivery.access import may_monitor_deliveries
from samarbejde.delivery.selectors import notification_delivery_rows
from samarbejde.notifications import attachments, reminders, selectors, services
from samarbejde.notifications.access import access_attachment_by_id, access_notification_by_id
from samarbejde.notifications.forms import AnswerForm, AssignForm, InboxFilterForm, WithdrawForm
from samarbejde.notifications.models import NotificationKind, NotificationStatus
from samarbejde.organisations.access import active_membership, require_capability
from samarbejde.organisations.roles import Cap
from samarbejde.organisations.selectors import krfo_contacts_of
from samarbejde.people.fields import Context, field_view

PAGE_SIZE = 50
STATUS_LABELS = dict(NotificationStatus.choices)

MSG_ACKNOWLEDGED = "Du har kvitteret for underretningen."
MSG_ALREADY_ACKNOWLEDGED = "Der er allerede kvitteret for underretningen."
MSG_ANSWERED = "Svaret er sendt til Kriminalforsorgen."
MSG_ALREADY_ANSWERED = "Underretningen er allerede besvaret"
MSG_ASSIGNED = "Underretningen er tildelt %(name)s."
MSG_UNASSIGNED = "Underretningen er ikke længere tildelt nogen."
MSG_WITHDRAWN = "Underretningen er trukket tilbage. %(recipient)s har fået besked og kan ikke længere se personen."


@login_required
@require_capability(Cap.PERSON_VIEW_LINKED)
def inbox(request):
    """The notices addressed to the user's organisation: open first by due date (overdue first), then settled."""
    today = timezone.localdate()
    filter_form = InboxFilterForm(
        request.GET if any(k in request.GET for k in ("status", "afdeling", "frist_foer")) else None,
        departments=selectors.inbox_departments(request.user),
    )
    rows = selectors.inbox_for_list(request.user, today=today, **filter_form.filters())
    # A keyset page (no COUNT, no OFFSET): the cost is the page's, whatever the organisation has (ADR 0013).
    page = keyset_page(
        rows,
        selectors.INBOX_ORDERING,
        after=request.GET.get("efter", ""),
        before=request.GET.get("foer", ""),
        per_page=PAGE_SIZE,
    )
    notices = list(page.object_list)
    fields = field_view(request.user, Context.INBOX_ROW)
    for notice in notices:
        notice.current_status = selectors.notification_status(notice, today)
        notice.status_label = STATUS_LABELS[notice.current_status]
        notice.badge = selectors.STATUS_BADGES[notice.current_status]
        notice.cpr_display = fields.cpr(notice.person)
    persons = list({notice.person_id: notice.person for notice in notices}.values())
    if persons:
        audit_read_many("notifications.list", acting_user=request.user, persons=persons, purpose="Indbakke")
    context = {
        "page": page,
        "per_page": PAGE_SIZE,
        "notices": notices,
        "filter_form": filter_form,
        # Without the person: the organisation no longer has a reason to see them.
        "withdrawals": list(reminders.withdrawals_for(request.user)[:20]),
    }
    if request.headers.get("HX-Request"):
        return render(request, "notifications/partials/inbox_results.html", context)
    return render(request, "notifications/inbox.html", context)


MSG_WITHDRAWN_BEFORE_ACTION = (
    "Underretningen blev trukket tilbage, før du sendte: intet er gemt. Begrundelse: %(reason)s"
)


def _acting_on(request, pk, *, action: str):
    """The notice the user acts on (answers, acknowledges), or None when it was withdrawn from their own
    organisation meanwhile (e.g. a § 808 investigation closed, a home municipality corrected): then the user is
    told why in Danish (the reason, never the person) instead of a bare 404. Anything else missing: 404."""
    try:
        return access_notification_by_id(request.user, pk, action=action)
    except Http404:
        membership = active_membership(request.user)
        withdrawn = selectors.withdrawn_notice_of(membership.organisation, pk) if membership is not None else None
        if withdrawn is None:
            raise
        messages.warning(request, MSG_WITHDRAWN_BEFORE_ACTION % {"reason": withdrawn.withdrawal_reason or "–"})
        return None


def _may_act(user, notification) -> bool:
    membership = active_membership(user)
    if membership is None or membership.organisation_id != notification.recipient_organisation_id:
        return False
    if membership.organisation.is_krfo:  # a notice addressed to the KRFO unit itself (notifications.access)
        return membership.can(Cap.PERSON_VIEW_ALL)
    return membership.can(Cap.PERSON_VIEW_LINKED)


def _sender_contact(notification) -> dict:
    """Who to call about the notice: the sending organisation as the directory has it now, and its contact
    person for the recipient municipality (live, so a changed phone number shows)."""
    sender = notification.sender_organisation
    person = krfo_contacts_of(sender, [notification.recipient_organisation]).get(
        notification.recipient_organisation_id, {}
    )
    return {"organisation": sender, "person": person}


def _render_detail(request, notification, *, answer_form=None, assign_form=None, withdraw_form=None, status=200):
    """The notice page. Every rendering is an audited read (the first by the recipient marks it read)."""
    notification = services.notification_mark_read(notification, acting_user=request.user)
    notification = access_notification_by_id(request.user, notification.pk)
    may_act = _may_act(request.user, notification) and not notification.is_withdrawn
    may_withdraw = (
        services.may_withdraw(request.user, notification)
        and not notification.is_withdrawn
        and notification.answered_at is None
    )
    answer = selectors.notification_answer_of(notification)
    today = timezone.localdate()
    current_status = selectors.notification_status(notification, today)
    members = selectors.assignable_members(notification.recipient_organisation) if may_act else []
    if may_act and assign_form is None:
        assign_form = AssignForm(
            initial={"assignee": str(notification.assigned_to_id or "")},
            members=members,
        )
    if may_act and answer is None and notification.needs_answer and answer_form is None:
        answer_form = AnswerForm(notification=notification)
    fields = field_view(request.user, Context.NOTICE)
    context = {
        "notification": notification,
        "fields": fields,
        "snapshot_rows": selectors.snapshot_rows(notification, data=fields.snapshot(notification.snapshot)),
        "cpr_display": fields.cpr(notification.person),
        "current_status": current_status,
        "status_label": STATUS_LABELS[current_status],
        "badge": selectors.STATUS_BADGES[current_status],
        "history": selectors.notification_history(notification),
        "deliveries": notification_delivery_rows(
            request.user, notification, show_errors=may_monitor_deliveries(request.user)
        ),
        "answer": answer,
        "decisions": [selectors.decision_phrase(d) for d in answer.decisions.all()] if answer else [],
        "may_act": may_act,
        "assign_form": assign_form if may_act else None,
        "answer_form": answer_form if (may_act and answer is None and notification.needs_answer) else None,
        "may_acknowledge": may_act and notification.acknowledged_at is None and answer is None,
        "kinds": NotificationKind,
        "notice_type": notification.notice_type,
        "sender_contact": _sender_contact(notification),
        "withdraw_form": (withdraw_form or WithdrawForm()) if may_withdraw else None,
    }
    return render(request, "notifications/detail.html", context, status=status)


@login_required
def detail(request, pk):
    notification = access_notification_by_id(request.user, pk)
    return _render_detail(request, notification)


@login_required
@require_POST
def acknowledge(request, pk):
    notification = _acting_on(request, pk, action="acknowledge")
    if notification is None:
        return redirect("notifications:inbox")
    if notification.answered_at is not None:
        messages.info(request, MSG_ALREADY_ANSWERED)
    elif notification.acknowledged_at is not None:
        messages.info(request, MSG_ALREADY_ACKNOWLEDGED)
    else:
        started = timezone.now()
        try:
            result = services.notification_acknowledge(notification, acting_user=request.user)
        except PermissionDenied:  # membership changed between the access check and the write
            raise Http404 from None
        if result.acknowledged_at is not None and result.acknowledged_at < started:
            messages.info(request, MSG_ALREADY_ACKNOWLEDGED)  # someone else was quicker
        else:
            messages.success(request, MSG_ACKNOWLEDGED)
    return redirect(notification)


@login_required
@require_POST
def assign(request, pk):
    notification = access_notification_by_id(request.user, pk, action="acknowledge")
    form = AssignForm(request.POST, members=selectors.assignable_members(notification.recipient_organisation))
    if form.is_valid():
        try:
            services.notification_assign(notification, assignee=form.chosen, acting_user=request.user)
        except ValidationError as exc:
            form.add_error("assignee", exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            if form.chosen is not None:
                messages.success(request, MSG_ASSIGNED % {"name": form.chosen.display_name})
            else:
                messages.success(request, MSG_UNASSIGNED)
            return redirect(notification)
    return _render_detail(request, notification, assign_form=form)


MSG_REQUEST_TOO_LARGE = (
    "Svaret kunne ikke modtages, fordi det fylder for meget. Du kan vedhæfte op til %(max_files)d filer på højst "
    "%(max_mb)s MB hver. Gå tilbage, og vedhæft færre eller mindre filer. Intet er gemt."
)


def _request_too_large(request):
    """The Danish answer to a body Django refuses to read (fields over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
    files) or one far above what the limits allow: 413, nothing read into memory, nothing saved."""
    return render(
        request,
        "core/error.html",
        {
            "title": "Svaret fylder for meget",
            "code": 413,
            "text": MSG_REQUEST_TOO_LARGE
            % {"max_files": attachments.max_files(), "max_mb": attachments.max_mb_label()},
        },
        status=413,
    )


def _body_limit() -> int:
    """The largest body worth reading: every file at its maximum, plus room for the form fields."""
    return attachments.max_files() * attachments.max_bytes() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@csrf_exempt  # the CSRF check runs in _answer, after the body size is checked (csrf_protect below)
@login_required
@require_POST
def answer(request, pk):
    """Parse the body here, before the CSRF check reads it, so that a body too large gives a Danish 413 page
    instead of Django's bare 400; then the CSRF-protected answer view."""
    try:
        content_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        content_length = 0
    if content_length > _body_limit():
        return _request_too_large(request)
    try:
        request.POST, request.FILES  # noqa: B018 - reading the body is the point
    except (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent):
        return _request_too_large(request)
    return _answer(request, pk)


@csrf_protect
def _answer(request, pk):
    notification = _acting_on(request, pk, action="answer")
    if notification is None:
        return redirect("notifications:inbox")
    if notification.answered_at is not None:
        messages.info(request, MSG_ALREADY_ANSWERED)
        return redirect(notification)
    if not notification.needs_answer or notification.is_withdrawn:
        messages.info(request, services.MSG_NOT_ANSWERABLE)
        return redirect(notification)
    form = AnswerForm(request.POST, request.FILES, notification=notification)
    if form.is_valid():
        started = timezone.now()
        try:
            result = services.notification_answer(
                notification,
                decisions=form.decisions() if form.subjects else None,
                text=form.cleaned_data.get("text", ""),
                files=form.cleaned_data.get("files") or (),
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            if result.answered_at < started:
                messages.info(request, MSG_ALREADY_ANSWERED)  # a colleague answered at the same time
            else:
                messages.success(request, MSG_ANSWERED)
            return redirect(notification)
    return _render_detail(request, notification, answer_form=form)


@login_required
@require_POST
def withdraw(request, pk):
    """KRFO withdraws a notice sent by mistake, with a reason (notifications.services.notification_withdraw)."""
    notification = access_notification_by_id(request.user, pk)
    if not services.may_withdraw(request.user, notification):
        raise Http404
    if notification.is_withdrawn:
        messages.info(request, services.MSG_ALREADY_WITHDRAWN)
        return redirect(notification)
    if notification.answered_at is not None:  # the page offers no withdrawal then: say why, change nothing
        messages.error(request, services.MSG_WITHDRAW_ANSWERED)
        return _render_detail(request, notification, status=400)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.notification_withdraw(notification, reason=form.cleaned_data["reason"], acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            recipient = notification.recipient_organisation.display_name
            messages.success(request, MSG_WITHDRAWN % {"recipient": recipient})
            return redirect(notification)
    return _render_detail(request, notification, withdraw_form=form, status=400)


@login_required
def attachment_download(request, pk):
    """One attached file, for those who may see its notice (the recipient's staff and KRFO); 404 for
    everybody else and for a file missing on disk. Every download is audited with the person."""
    attachment = access_attachment_by_id(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    audit_record(
        "notifications.attachment_download",
        acting_user=request.user,
        person=attachment.notification.person,
        obj=attachment,
        purpose=f"Hentet bilag til {attachment.notification.get_kind_display().lower()}",
        details={"notification": str(attachment.notification_id), "size": attachment.size},
    )
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
