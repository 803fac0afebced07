from django.contrib import admin

from .models import Conference, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "body", "status", "published_at")
    list_filter = ("status",)
    # Changes go through the head's pages (services.py) so that each is recorded; the admin only reads.
    readonly_fields = [f.name for f in Post._meta.fields]


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "body", "starts_at", "announced_at", "cancelled_at")
    readonly_fields = [f.name for f in Conference._meta.fields]
