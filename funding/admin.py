from django.contrib import admin

from .models import Fee, FundingScheme, Statement, StatementLine


@admin.register(FundingScheme)
class FundingSchemeAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "covered_by_auvicom", "flat_fee", "handled_elsewhere", "valid_from", "valid_until"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Fees and statements change only through funding.workflow (audited): the admin only reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fee)
class FeeAdmin(ReadOnlyAdmin):
    list_display = ["evaluation", "payer", "organisation", "amount", "state", "committed_at", "due_at", "paid_on"]
    list_filter = ["state", "payer", "organisation"]
    list_select_related = ["evaluation__dossier", "organisation"]
    search_fields = ["evaluation__dossier__number", "evaluation__dossier__last_name"]


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fields = ["fee", "amount", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "state", "total", "fee_count", "created_at", "paid_on"]
    list_filter = ["state", "organisation"]
    search_fields = ["number", "payment_reference"]
    inlines = [StatementLineInline]
