from django.contrib import admin

from .models import Certificate, CpneMembership, Decision, Meeting


@admin.register(CpneMembership)
class CpneMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "college", "active"]
    list_filter = ["college", "active"]
    search_fields = ["user__email", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Read-only: meetings change through the CPNE's pages and their workflow."""

    list_display = ["starts_at", "state", "place"]
    list_filter = ["state"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["dossier", "meeting", "outcome", "state"]
    list_filter = ["outcome", "state"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "candidate_name", "cqpt_title", "decided_on", "revoked_at"]
    search_fields = ["number", "code"]

    def has_change_permission(self, request, obj=None):
        return False
