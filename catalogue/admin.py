from django.contrib import admin

from .models import Company, Competency, CompetencyBlock, Cqpt, EvaluatorOrganisation, OrganisationCompanyLink


class CompetencyBlockInline(admin.TabularInline):
    model = CompetencyBlock
    extra = 0
    show_change_link = True


class CompetencyInline(admin.TabularInline):
    model = Competency
    extra = 0


@admin.register(Cqpt)
class CqptAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "is_active"]
    search_fields = ["title", "code"]
    inlines = [CompetencyBlockInline]


@admin.register(CompetencyBlock)
class CompetencyBlockAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "cqpt"]
    list_filter = ["cqpt"]
    list_select_related = ["cqpt"]
    inlines = [CompetencyInline]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "idcc", "city"]
    search_fields = ["name", "siret"]
    list_filter = ["idcc"]


class OrganisationCompanyLinkInline(admin.TabularInline):
    """Companies the organisation is tied to (conflict of interest): it is never offered for their employees."""

    model = OrganisationCompanyLink
    extra = 0
    autocomplete_fields = ["company"]


@admin.register(EvaluatorOrganisation)
class EvaluatorOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "is_active", "evaluator_transmits"]
    search_fields = ["name"]
    filter_horizontal = ["cqpts"]
    inlines = [OrganisationCompanyLinkInline]
