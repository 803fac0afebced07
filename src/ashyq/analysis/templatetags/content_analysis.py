"""{% content_analysis_panel appeal %}: the appeal page's content-analysis panel, for those who may label
the appeal and no one else (the applicant and the public never get it)."""
from django import template

from ..appeal_labels import labels_of
from ..forms import LabelForm
from ..models import LABELLED_TASKS, Source
from ..services import can_label

register = template.Library()


@register.inclusion_tag("analysis/_label_panel.html", takes_context=True)
def content_analysis_panel(context, appeal):
    request = context["request"]
    if not can_label(request.user, appeal):
        return {"show": False}
    labels = labels_of(appeal, request.user)
    bound = context.get("label_forms") or {}
    tasks = []
    for task in LABELLED_TASKS:
        current = labels.current.get(task)
        tasks.append({
            "task": task,
            "current": current,
            # A model's suggestion can be confirmed as it is; a correction picks another value.
            "confirmable": current is not None and current.source == Source.MODEL,
            "form": bound.get(task) or LabelForm(task=task, initial={task: current.value if current else ""}),
        })
    return {"show": True, "appeal": appeal, "labels": labels, "tasks": tasks, "csrf_token": context.get("csrf_token"),
            "request": request}
