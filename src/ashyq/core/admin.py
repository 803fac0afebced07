from django.contrib import admin

from .models import Region


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through their app's services, which check who acts and keep the record: the admin
    lets administrators read them, never add, change or delete one (that would bypass both)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["iso_code", "name_en", "kind", "population", "population_date"]
    search_fields = ["iso_code", "name_en", "name_ru", "name_kk"]
