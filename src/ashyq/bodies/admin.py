from django.contrib import admin

from .models import Body, Topic


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "kind", "parent", "region", "accepts_appeals"]
    list_filter = ["kind", "accepts_appeals", "region"]
    search_fields = ["slug", "name_en", "name_ru", "name_kk"]
    filter_horizontal = ["topics"]
    autocomplete_fields = ["parent"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_ru", "name_kk"]
    search_fields = ["slug", "name_en", "name_ru", "name_kk"]
