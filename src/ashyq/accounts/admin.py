from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .forms import AdminLoginForm
from .models import ApiToken, User

# The admin's sign-in honours the same lockout as the site's (accounts/services.py).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "body", "is_active"]
    list_filter = ["role", "is_active", "body"]
    fieldsets = BaseUserAdmin.fieldsets + (("Ashyq", {"fields": ("role", "body", "language")}),)
    autocomplete_fields = ["body"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]
