from django.contrib import admin

from ashyq.core.admin import ReadOnlyAdmin

from .models import Conference, Delegation, Post

# Posts, conferences and delegations change only through the head's pages (services.py), which check the head and
# record each change; the admin lets administrators read them.


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "body", "status", "published_at")
    list_filter = ("status",)


@admin.register(Conference)
class ConferenceAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "body", "starts_at", "announced_at", "cancelled_at")


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("official", "body", "granted_by", "granted_at", "withdrawn_by", "withdrawn_at")
    list_filter = (("withdrawn_at", admin.EmptyFieldListFilter),)
