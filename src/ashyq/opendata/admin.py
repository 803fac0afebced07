from django.contrib import admin

from ashyq.core.admin import ReadOnlyAdmin

from .models import Dataset, Resource, ResourceVersion, Withdrawal


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ["name", "format", "url", "position", "flagged"]
    readonly_fields = ["flagged"]
    can_delete = False  # removing a resource is a withdrawal (services.withdraw), which keeps the public record

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_en", "body", "licence", "frequency", "modified_at"]
    list_filter = ["body", "licence", "frequency"]
    search_fields = ["slug", "title_en", "title_ru", "title_kk"]
    inlines = [ResourceInline]

    def has_delete_permission(self, request, obj=None):
        # Deleting here would drop its resources and versions without a tombstone, leave their files and datastore
        # tables behind and tell no one: a dataset leaves the public record only by a withdrawal (its page).
        return False


@admin.register(ResourceVersion)
class ResourceVersionAdmin(ReadOnlyAdmin):
    # Versions are made only by services.upload_version (validation, datastore) and taken back only by
    # services.withdraw; the admin reads them.
    list_display = ["resource", "number", "valid", "row_count", "created_at"]
    list_filter = ["valid"]
    readonly_fields = [f.name for f in ResourceVersion._meta.fields]


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    # Withdrawals are made only by services.withdraw (the publishers' pages); they are the record: read, never changed.
    list_display = ["dataset", "scope", "reason", "files_deleted", "withdrawn_by", "withdrawn_at"]
    list_filter = ["scope", "reason", "files_deleted"]
    readonly_fields = [f.name for f in Withdrawal._meta.fields]
