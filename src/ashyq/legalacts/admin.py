from django.contrib import admin

from .models import AdoptedAct, Agreement, Citation, DiscussionRule


@admin.register(DiscussionRule)
class DiscussionRuleAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_from", "min_calendar_days", "standard_min_working_days", "report_working_days"]

    def has_change_permission(self, request, obj=None):
        # A version processes were published under is frozen (DiscussionRule.save refuses): shown read-only
        # instead of a form whose "Save" ends in a server error. Add a new version instead.
        if obj is not None and obj.pk and obj.processes.exists():
            return False
        return super().has_change_permission(request, obj)


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_en", "parties", "signed_year", "status"]
    inlines = [CitationInline]


@admin.register(AdoptedAct)
class AdoptedActAdmin(admin.ModelAdmin):
    list_display = ["code", "title_ru", "number", "adopted_on", "status"]
    search_fields = ["code", "title_ru", "title_kk", "number"]
