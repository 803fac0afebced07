from django.contrib import admin

from ashyq.core.admin import ReadOnlyAdmin  # appeals change only through the services, which keep the record

from .models import Answer, Appeal, AppealEvent, Regulation


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "body", "status", "due_on", "registered_at"]
    list_filter = ["status", "type", "body"]
    search_fields = ["number", "subject"]


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "seq", "kind", "at", "actor", "from_body", "to_body"]
    list_filter = ["kind"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "body", "outcome", "answered_at", "answered_on_time"]


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_from", "answer_working_days", "redirect_working_days", "extension_max_months"]

    def has_change_permission(self, request, obj=None):
        # A version appeals were registered under is frozen (Regulation.save refuses with a ValueError):
        # the admin shows it read-only instead of a form whose "Save" ends in a server error.
        if obj is not None and obj.pk and obj.appeals.exists():
            return False
        return super().has_change_permission(request, obj)
