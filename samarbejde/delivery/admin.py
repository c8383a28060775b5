"""Administrators see every delivery (no personal data is shown) and send dead ones again; they manage
webhook subscriptions (the secret is shown once, on creation and rotation; never deleted)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from samarbejde.core.admin import AdministratorAdmin

from .models import Delivery, DeliveryStatus, WebhookSubscription
from .services import (
    clean_webhook_url,
    delivery_retry,
    webhook_send_test_event,
    webhook_subscription_create,
    webhook_subscription_deactivate,
    webhook_subscription_rotate_secret,
)


@admin.register(Delivery)
class DeliveryAdmin(AdministratorAdmin):
    read_only = True
    list_display = (
        "idempotency_key",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "recipient",
        "subscription",
        "created_at",
    )
    list_filter = ("status", "channel", "organisation__kind")
    search_fields = ("idempotency_key", "organisation__name")
    list_select_related = ("organisation", "subscription")
    ordering = ("-created_at",)
    readonly_fields = (
        "idempotency_key",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "last_error",
        "sent_at",
        "subscription",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    actions = ["retry_dead"]

    @admin.display(description="modtager")
    def recipient(self, obj):
        return obj.organisation.display_name

    @admin.action(description="Send valgte opgivne leveringer igen")
    def retry_dead(self, request, queryset):
        retried = sum(delivery_retry(d, acting_user=request.user) for d in queryset.filter(status=DeliveryStatus.DEAD))
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} levering(er) sendes igen.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} var ikke opgivet og blev sprunget over.", messages.WARNING)


SECRET_SHOWN_ONCE = "Kopiér hemmeligheden nu. Den vises kun denne ene gang og kan ikke findes igen"


class WebhookSubscriptionForm(forms.ModelForm):
    class Meta:
        model = WebhookSubscription
        fields = ("organisation", "url", "description")

    def clean_url(self):
        try:
            return clean_webhook_url(self.cleaned_data.get("url"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


def describe_test_result(subscription, result) -> tuple[int, str]:
    if result.ok:
        return messages.SUCCESS, f"{subscription.url}: testhændelsen blev modtaget (HTTP {result.status})."
    if result.error == "SubscriptionInactive":
        return messages.ERROR, f"{subscription.url}: abonnementet er deaktiveret; der blev ikke sendt noget."
    if result.status:
        return messages.ERROR, f"{subscription.url}: modtageren afviste testhændelsen (HTTP {result.status})."
    return messages.ERROR, f"{subscription.url}: testhændelsen kunne ikke leveres ({result.error})."


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(AdministratorAdmin):
    form = WebhookSubscriptionForm
    allow_delete = False  # deliveries point to it; deactivate instead
    list_display = ("url", "organisation", "description", "active", "secret_hint", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description", "organisation__name", "organisation__code")
    list_select_related = ("organisation",)
    readonly_fields = (
        "secret_hint",
        "active",
        "previous_secret_expires_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = ["rotate_secret", "send_test_event", "deactivate"]

    @admin.display(description="hemmelighed (start)")
    def secret_hint(self, obj):
        return obj.secret_hint

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.readonly_fields, "organisation")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organisation", "url", "description")
        return (
            "organisation",
            "url",
            "description",
            "active",
            "secret_hint",
            "previous_secret_expires_at",
            "created_by",
            "created_at",
            "updated_at",
        )

    def save_model(self, request, obj, form, change):
        if change:  # url and description; audited as admin.change
            return super().save_model(request, obj, form, change)
        subscription, secret = webhook_subscription_create(
            form.cleaned_data["organisation"],
            form.cleaned_data["url"],
            form.cleaned_data.get("description", ""),
            acting_user=request.user,
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        for field in WebhookSubscription._meta.concrete_fields:
            setattr(obj, field.attname, getattr(subscription, field.attname))
        obj._state.adding = False
        obj._state.db = subscription._state.db
        messages.warning(request, f"{SECRET_SHOWN_ONCE}: {secret}")

    @admin.action(description="Rotér hemmelighed")
    def rotate_secret(self, request, queryset):
        for subscription in queryset.select_related("organisation"):
            secret = webhook_subscription_rotate_secret(subscription, acting_user=request.user)
            until = subscription.previous_secret_expires_at
            grace = (
                f" Den gamle hemmelighed gælder også til {date_format(timezone.localtime(until), 'DATETIME_FORMAT')}."
                if until
                else " Den gamle hemmelighed gælder ikke længere."
            )
            messages.warning(request, f"{subscription.url}: {SECRET_SHOWN_ONCE}: {secret}.{grace}")

    @admin.action(description="Send testhændelse")
    def send_test_event(self, request, queryset):
        for subscription in queryset.select_related("organisation"):
            level, text = describe_test_result(
                subscription, webhook_send_test_event(subscription, acting_user=request.user)
            )
            messages.add_message(request, level, text)

    @admin.action(description="Deaktivér (ingen flere hændelser)")
    def deactivate(self, request, queryset):
        count = cancelled = 0
        for subscription in queryset.filter(active=True).select_related("organisation"):
            cancelled += webhook_subscription_deactivate(subscription, acting_user=request.user)
            count += 1
        messages.success(request, f"{count} abonnement(er) deaktiveret; {cancelled} ventende levering(er) annulleret.")
