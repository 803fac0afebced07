"""The appeal page's content-analysis panel (registered in apps.py at core/registry.py's "appeal_after_actions"),
for those who may label the appeal and no one else (the applicant and the public never get it)."""

from django.template.loader import render_to_string

from .appeal_labels import labels_of
from .forms import LabelForm
from .models import LABELLED_TASKS, Source
from .services import can_label


def appeal_panel(request, appeal, panel_data=None, **_):
    if not can_label(request.user, appeal):
        return ""
    labels = labels_of(appeal, request.user)
    bound = (panel_data or {}).get("label_forms") or {}  # a label form that failed comes back with its errors
    tasks = []
    for task in LABELLED_TASKS:
        current = labels.current.get(task)
        tasks.append(
            {
                "task": task,
                "current": current,
                # A model's suggestion can be confirmed as it is; a correction picks another value.
                "confirmable": current is not None and current.source == Source.MODEL,
                "form": bound.get(task) or LabelForm(task=task, initial={task: current.value if current else ""}),
            }
        )
    return render_to_string(
        "analysis/_label_panel.html", {"show": True, "appeal": appeal, "labels": labels, "tasks": tasks}, request=request
    )
