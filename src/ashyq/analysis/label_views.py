"""The appeal page's content-analysis panel posts here: a person confirms or corrects the cause or sector.

Thin views: the form reads the value, services.set_label checks who may label and which values are allowed,
and a refused value comes back on the appeal page beside its field, with nothing appended."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ashyq.core.forms import run_service
from ashyq.dialogue import selectors
from ashyq.dialogue import views as dialogue_views

from . import services
from .forms import LabelForm
from .models import LABELLED_TASKS, Task

PANEL_ANCHOR = "content-analysis"


@login_required
@require_POST
def set_label(request, pk, task):
    if task not in LABELLED_TASKS:
        raise Http404
    appeal = get_object_or_404(selectors.appeals_visible_to(request.user), pk=pk)
    if not services.can_label(request.user, appeal):
        raise PermissionDenied
    form = LabelForm(request.POST, task=task)
    saved = _("The cause is saved.") if task == Task.CAUSE else _("The criticised sector is saved.")
    if run_service(request, form, lambda data: services.set_label(request.user, appeal, task, form.value), success=saved).done:
        return redirect(f"{reverse('dialogue:detail', args=[appeal.pk])}#{PANEL_ANCHOR}")
    return dialogue_views.appeal_detail(request, appeal.pk, status=400, panel_data={"label_forms": {task: form}})
