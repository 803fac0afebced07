from django.contrib import admin

from ashyq.core.admin import ReadOnlyAdmin

from .models import Dataset, Resource, ResourceVersion, Withdrawal


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ["name", "format", "url", "position", "flagged"]
    readonly_fields = ["flagged"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_en", "body", "licence", "frequency", "modified_at"]
    list_filter = ["body", "licence", "frequency"]
    search_fields = ["slug", "title_en", "title_ru", "title_kk"]
    inlines = [ResourceInline]


@admin.register(ResourceVersion)
class ResourceVersionAdmin(admin.ModelAdmin):
    # Versions are made only by services.upload_version (validation, datastore); the admin reads them.
    list_display = ["resource", "number", "valid", "row_count", "created_at"]
    list_filter = ["valid"]
    readonly_fields = [f.name for f in ResourceVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    # Withdrawals are made only by services.withdraw (the publishers' pages); they are the record: read, never changed.
    list_display = ["dataset", "scope", "reason", "files_deleted", "withdrawn_by", "withdrawn_at"]
    list_filter = ["scope", "reason", "files_deleted"]
    readonly_fields = [f.name for f in Withdrawal._meta.fields]
