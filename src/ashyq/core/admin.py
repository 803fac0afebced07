from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["iso_code", "name_en", "kind", "population", "population_date"]
    search_fields = ["iso_code", "name_en", "name_ru", "name_kk"]
