from django.contrib import admin

from .models import FundingScheme


@admin.register(FundingScheme)
class FundingSchemeAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "covered_by_auvicom", "flat_fee", "handled_elsewhere", "valid_from", "valid_until"]
