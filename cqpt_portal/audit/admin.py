from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "from_state",
        "to_state",
        "actor",
        "actor_role",
        "content_type",
        "object_id",
    ]
    list_filter = ["action", "actor_role", "content_type"]
    search_fields = ["object_id", "comment", "actor__email"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
