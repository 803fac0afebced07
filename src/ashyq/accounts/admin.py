from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from ashyq.core.admin import ReadOnlyAdmin

from .forms import AdminLoginForm
from .models import ApiToken, PurgeRun, User

# The admin's sign-in honours the same lockout as the site's (accounts/services.py).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "body", "is_active"]
    list_filter = ["role", "is_active", ("anonymised_at", admin.EmptyFieldListFilter), "body"]
    fieldsets = BaseUserAdmin.fieldsets + (("Ashyq", {"fields": ("role", "body", "language", "anonymised_at")}),)
    readonly_fields = ["anonymised_at"]
    autocomplete_fields = ["body"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]


@admin.register(PurgeRun)
class PurgeRunAdmin(ReadOnlyAdmin):
    """The trace of each purge_personal_data run: read only, written by the command."""

    list_display = ["started_at", "finished_at", "counts", "failed"]
