from django.contrib import admin

from .models import Company, Competency, CompetencyBlock, Cqpt, EvaluatorOrganisation


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


@admin.register(EvaluatorOrganisation)
class EvaluatorOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["cqpts"]
