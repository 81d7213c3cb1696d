from django.contrib import admin

from .models import DataArchive, ErasureRequest, NameChangeRequest, RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "dry_run", "trigger", "finished_at")
    readonly_fields = ("started_at", "finished_at", "dry_run", "trigger", "periods", "report")


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "requested_at", "processed_at", "acknowledged_at")
    readonly_fields = ("user", "requested_at", "processed_at", "dossier_numbers", "deleted", "kept")


admin.site.register(DataArchive)
admin.site.register(NameChangeRequest)
