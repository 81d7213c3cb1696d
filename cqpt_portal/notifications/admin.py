from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification
from .services import notification_requeue_failed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "recipient_email",
        "kind",
        "state",
        "attempts",
        "sent_at",
        "read_at",
        "last_error",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["recipient__email", "recipient_email", "reference", "subject"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["requeue_failed"]
    # Their body and link hold a live single-use token: not shown, even to administrators.
    SECRET_KINDS = frozenset({"password_reset", "email_confirmation"})

    def get_fields(self, request, obj=None):
        fields = [f.name for f in Notification._meta.fields]
        if obj is not None and obj.kind in self.SECRET_KINDS:
            fields = [f for f in fields if f not in ("body", "link", "context")]
        return fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Renvoyer les notifications en échec sélectionnées"), permissions=["view"])
    def requeue_failed(self, request, queryset):
        count = notification_requeue_failed(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d notification remise en file d'envoi.",
                "%(count)d notifications remises en file d'envoi.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
