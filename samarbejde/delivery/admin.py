"""Administrators see every delivery (no personal data is shown) and send dead ones again."""

from django.contrib import admin, messages

from samarbejde.core.admin import AdministratorAdmin

from .models import Delivery, DeliveryStatus
from .services import delivery_retry


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
        "created_at",
    )
    list_filter = ("status", "channel", "notification__recipient_organisation__kind")
    search_fields = ("idempotency_key", "notification__recipient_organisation__name")
    list_select_related = ("notification__recipient_organisation",)
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
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    actions = ["retry_dead"]

    @admin.display(description="modtager")
    def recipient(self, obj):
        return obj.notification.recipient_organisation.display_name

    @admin.action(description="Send valgte opgivne leveringer igen")
    def retry_dead(self, request, queryset):
        retried = sum(delivery_retry(d, acting_user=request.user) for d in queryset.filter(status=DeliveryStatus.DEAD))
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} levering(er) sendes igen.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} var ikke opgivet og blev sprunget over.", messages.WARNING)
