from django.contrib import admin

from ashyq.dialogue.admin import ReadOnlyAdmin

from .models import Cause, ClassifierModel, Label


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    """An administrator may add causes beyond the study's nine and retire one (active off)."""

    list_display = ["slug", "name_en", "name_ru", "name_kk", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["active"]
    search_fields = ["slug", "name_en", "name_ru", "name_kk"]

    def get_readonly_fields(self, request, obj=None):
        # Labels refer to a cause by its slug: renaming it would cut them off from their cause.
        return ["slug"] if obj is not None and obj.pk else []

    def has_delete_permission(self, request, obj=None):
        # Retire a cause by making it inactive; its labels and the reports that count them keep their name.
        return False


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "task", "value", "source", "score", "model_number", "set_by", "set_at"]
    list_filter = ["task", "source"]
    search_fields = ["appeal__number", "value"]
    list_select_related = ["appeal", "set_by"]
    fields = ["appeal", "task", "value", "source", "score", "model_number", "set_by", "set_at"]
    readonly_fields = fields

    @admin.display(description="model")
    def model_number(self, obj):
        # The id only: showing the model itself would load its stored pipeline for every row.
        return obj.model_id


@admin.register(ClassifierModel)
class ClassifierModelAdmin(ReadOnlyAdmin):
    list_display = ["pk", "task", "created_at", "samples", "active", "trained_on"]
    list_filter = ["task", "active"]
    # The stored pipeline (blob) is neither shown nor loaded: it is large and only the services read it.
    fields = ["task", "created_at", "trained_on", "samples", "classes", "class_counts", "metrics", "active"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")
