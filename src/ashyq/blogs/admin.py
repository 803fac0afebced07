from django.contrib import admin

from .models import Conference, Delegation, Post


class ReadOnly(admin.ModelAdmin):
    """Posts and conferences change only through the head's pages (services.py), which check the head and record
    each change; the admin lets administrators read them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(ReadOnly):
    list_display = ("__str__", "body", "status", "published_at")
    list_filter = ("status",)


@admin.register(Conference)
class ConferenceAdmin(ReadOnly):
    list_display = ("__str__", "body", "starts_at", "announced_at", "cancelled_at")


@admin.register(Delegation)
class DelegationAdmin(ReadOnly):
    list_display = ("official", "body", "granted_by", "granted_at", "withdrawn_by", "withdrawn_at")
    list_filter = (("withdrawn_at", admin.EmptyFieldListFilter),)
