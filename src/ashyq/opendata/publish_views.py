"""Publishers' pages: their body's datasets with what to fix, a dataset's description, new resources, new versions and
validation reports. Only officials and heads of the publishing body (or administrators) get past the first line of
each view; the services check again, in the transaction that changes anything."""

import string

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ashyq.core import confirmation
from ashyq.core.confirmation import Confirmation
from ashyq.core.forms import apply_errors, run_service

from . import links, quality, selectors, services
from .forms import DatasetForm, ResourceForm, UploadForm, WithdrawForm
from .models import Dataset, Resource, ResourceVersion, UploadJob, Withdrawal
from .views import _uuid, _withdrawal_of

PAGE = 50

# The validator's messages are English and technical: each kind of problem is also said plainly, in the reader's language.
MEANINGS = {
    "type-error": gettext_lazy(
        "The value is not of the column's type, which is read from the other rows (a word among numbers, a badly written date)."
    ),
    "extra-cell": gettext_lazy(
        "The row has more cells than the header has columns (a separator inside a value that is not quoted?)."
    ),
    "missing-cell": gettext_lazy("The row has fewer cells than the header has columns."),
    "blank-header": gettext_lazy("A column has no name in the first row."),
    "duplicate-label": gettext_lazy("Two columns have the same name in the first row."),
    "blank-row": gettext_lazy("The row is empty: delete it."),
    "encoding-error": gettext_lazy('The file is not saved as UTF-8: in a spreadsheet, choose "CSV UTF-8" when saving.'),
    "type-changed": gettext_lazy(
        "The column has another type in the version served now. Correct the cell, or, if the "
        'structure changes on purpose, upload the file again and tick "The structure changes on purpose".'
    ),
    "formula": gettext_lazy("The cell holds a formula: copy the sheet and paste it as values before uploading."),
    "not-tabular": gettext_lazy("The JSON is not a table of flat records."),
    "format-error": gettext_lazy("The file cannot be read in the format chosen for the resource."),
    "empty": gettext_lazy("The file is empty."),
}


def _may_publish_for(request, body):
    if not services.can_publish(request.user, body):
        raise PermissionDenied(_("Only the officials of the publishing body may change its data."))


def _publisher_bodies(request):
    bodies = selectors.publisher_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied(_("Only the officials of a publishing body may publish data."))
    return bodies


def _resource_of(request, slug, pk) -> Resource:
    resource = get_object_or_404(Resource.objects.select_related("dataset__body"), pk=_uuid(pk), dataset__slug=slug)
    _may_publish_for(request, resource.dataset.body)
    return resource


def _resource_state(resource) -> dict:
    """What a publisher needs to know of one resource: the version served, a failed newest upload, the link's check."""
    versions = list(resource.versions.all())  # prefetched, newest first
    current = next((v for v in versions if v.served), None)
    newest = versions[0] if versions else None
    return {
        "resource": resource,
        "current": current,
        "failed": newest if newest is not None and not newest.valid and not newest.withdrawal_id else None,
        "link_status": links.describe(resource.link_status) if resource.link_status else "",
    }


@login_required
def my_datasets(request):
    bodies = _publisher_bodies(request)
    chosen = request.GET.get("body", "")
    if chosen and bodies.count() > 1:
        bodies = bodies.filter(slug=chosen)
    page = Paginator(selectors.datasets_of_bodies(bodies), PAGE).get_page(request.GET.get("page"))
    rows = []
    for dataset in page:
        if dataset.withdrawal_id:
            # Listed for the publisher with when and why; nothing to fix or add (services._not_withdrawn).
            rows.append({"dataset": dataset, "withdrawal": dataset.withdrawal})
            continue
        items = quality.checklist(dataset)
        rows.append(
            {
                "dataset": dataset,
                "score": round(100 * sum(i["passed"] for i in items) / len(items)),
                "to_fix": quality.to_fix(items),
                "resources": [_resource_state(r) for r in dataset.resources.all()],
                "withdrawn_resources": dataset.withdrawn_resources,
            }
        )
    return render(
        request,
        "opendata/my_datasets.html",
        {
            "rows": rows,
            "page": page,
            "bodies": selectors.publisher_bodies(request.user),
            "chosen": chosen,
            "one_body": bodies.first() if bodies.count() == 1 else None,
        },
    )


def _form_page(request, template, context, form):
    return render(request, template, dict(context, form=form), status=400 if form.errors else 200)


@login_required
def dataset_new(request):
    bodies = _publisher_bodies(request)
    form = DatasetForm(request.POST or None, bodies=bodies)
    if request.method == "POST":
        if form.is_valid() and Dataset.objects.filter(slug=form.cleaned_data["slug"]).exists():
            # Said on the form at once, not after a confirmation (the service refuses it too).
            form.add_error("slug", _("A dataset with this identifier exists already; choose another."))
        # A dataset is public at once, for good, at an address that never changes (made from the title when left
        # empty, so not seen until now): a second page reads it back first.
        asked = confirmation.ask_first(
            request,
            form,
            lambda: _new_dataset(form.cleaned_data),
            page=reverse("opendata:dataset-new"),
            back=lambda: _form_page(request, "opendata/dataset_form.html", {"dataset": None}, form),
        )
        if asked is not None:
            return asked
        ran = run_service(
            request,
            form,
            lambda data: services.create_dataset(
                request.user, data.get("body") or bodies.get(), data["slug"], **form.dataset_fields()
            ),
            success=_("The dataset is published. Add its resources: files or links."),
        )
        if ran.done:
            return redirect("opendata:resource-new", slug=ran.result.slug)
    return _form_page(request, "opendata/dataset_form.html", {"dataset": None}, form)


def _new_dataset(data) -> Confirmation:
    title = data.get("title_kk") or data.get("title_ru") or data.get("title_en")
    return Confirmation(
        question=_("Publish the dataset?"),
        about=title,
        happens=[
            _(
                "Its description is public at once at %(address)s, in the catalogue and in its DCAT and CKAN feeds, "
                "from which other catalogues copy it."
            )
            % {"address": reverse("opendata:dataset", args=[data["slug"]])},
            _("You can change the description later; its files and links are added on the next page."),
            _("This cannot be undone: a published dataset cannot be deleted, and its identifier %(slug)s cannot change.")
            % {"slug": data["slug"]},
        ],
        button=_("Yes, publish the dataset"),
    )


@login_required
def dataset_edit(request, slug):
    dataset = get_object_or_404(Dataset.objects.select_related("body"), slug=slug)
    _may_publish_for(request, dataset.body)
    form = DatasetForm(request.POST or None, initial=DatasetForm.initial_for(dataset), creating=False)
    if (
        request.method == "POST"
        and run_service(
            request,
            form,
            lambda data: services.update_dataset(request.user, dataset, **form.dataset_fields()),
            success=_("The dataset's description is saved."),
        ).done
    ):
        return redirect("opendata:publisher")
    return _form_page(request, "opendata/dataset_form.html", {"dataset": dataset}, form)


@login_required
def resource_new(request, slug):
    dataset = get_object_or_404(Dataset.objects.select_related("body"), slug=slug)
    _may_publish_for(request, dataset.body)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"] and services.in_background(data["file"].size):
                resource, job = services.queue_file_resource(
                    request.user,
                    dataset,
                    data["name"],
                    data["format"],
                    data["file"].read(),
                    data["file"].name,
                    data["description"],
                )
                return redirect("opendata:upload-progress", slug=dataset.slug, pk=resource.pk, job=job.pk)
            if data["file"]:
                resource, version = services.add_file_resource(
                    request.user,
                    dataset,
                    data["name"],
                    data["format"],
                    data["file"].read(),
                    data["file"].name,
                    data["description"],
                )
            else:
                resource, version = (
                    services.add_resource(
                        request.user, dataset, data["name"], data["format"], url=data["url"], description=data["description"]
                    ),
                    None,
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _after_upload(request, dataset, resource, version)
    return _form_page(request, "opendata/resource_form.html", {"dataset": dataset}, form)


def _after_upload(request, dataset, resource, version):
    if version is not None and not version.valid:
        messages.error(request, _("The file was not published: it has problems, listed below with their row and column."))
        return redirect("opendata:report", slug=dataset.slug, pk=resource.pk, version_number=version.number)
    if version is not None:
        messages.success(
            request, _("Version %(number)s is published: %(rows)s rows.") % {"number": version.number, "rows": version.row_count}
        )
    else:
        messages.success(request, _("The link is added. It will be checked tonight."))
    return redirect("opendata:publisher")


@login_required
def upload(request, slug, pk):
    resource = _resource_of(request, slug, pk)
    form = UploadForm(request.POST or None, request.FILES or None, resource=resource)
    page = lambda form: _form_page(  # noqa: E731
        request,
        "opendata/upload.html",
        {"resource": resource, "dataset": resource.dataset, "current": resource.current_version},
        form,
    )
    if request.method == "POST" and request.POST.get(confirmation.CHANGE) == "yes":
        # Back from the question about a new structure: a browser sends no file back, so the form comes again
        # with the box still ticked, and without an error about the file it was not asked to send.
        return page(UploadForm(initial={"new_schema": form["new_schema"].data}, resource=resource))
    if request.method == "POST" and form.is_valid() and form.cleaned_data["new_schema"] and resource.current_version:
        # A new structure changes the column types everyone reads, for this version and the next: asked first.
        asked = confirmation.ask_first(
            request,
            form,
            lambda: _new_structure(resource),
            page=reverse("opendata:upload", args=[resource.dataset.slug, resource.pk]),
            back=lambda: page(form),
        )
        if asked is not None:
            return asked
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if services.in_background(upload.size):
                job = services.queue_upload(
                    request.user, resource, upload.read(), upload.name, new_schema=form.cleaned_data["new_schema"]
                )
                return redirect("opendata:upload-progress", slug=resource.dataset.slug, pk=resource.pk, job=job.pk)
            version = services.upload_version(
                request.user, resource, upload.read(), upload.name, new_schema=form.cleaned_data["new_schema"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _after_upload(request, resource.dataset, resource, version)
    return page(form)


def _new_structure(resource) -> Confirmation:
    number = resource.current_version.number
    return Confirmation(
        question=_("Publish this file with a new structure?"),
        about=f"{resource.dataset.title}: {resource.name}",
        happens=[
            _(
                "The column types are read afresh from this file instead of being kept from version %(number)s: a "
                "column of numbers or dates may become text, for everyone who reads or filters the data, the API included."
            )
            % {"number": number},
            _("If the file validates, it is the version served at once, and the next versions keep its types."),
            _(
                "This cannot be undone: a published version stays in the history and can be downloaded; to return to "
                "the old structure, upload a file with it and confirm again."
            ),
        ],
        button=_("Yes, publish with the new structure"),
    )


def _column_letters(column) -> str:
    """A spreadsheet's column letters: 1 A, 27 AA."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


@login_required
def report(request, slug, pk, version_number):
    resource = _resource_of(request, slug, pk)
    version = get_object_or_404(ResourceVersion, resource=resource, number=version_number)
    problems = [
        dict(p, letter=_column_letters(p["column"]) if p.get("column") else "", meaning=MEANINGS.get(p.get("type"), ""))
        for p in version.report
    ]
    current = resource.current_version
    return render(
        request,
        "opendata/report.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "version": version,
            "problems": problems,
            "current": current if current is None or current.number != version.number else None,
            "capped": len(problems) >= 200,
            "form": UploadForm(resource=resource),
        },
    )


def _job_text(job, ahead: int) -> str:
    if job.state == UploadJob.State.QUEUED:
        if ahead:
            return ngettext(
                "Waiting in the queue: %(n)s upload is ahead of it.",
                "Waiting in the queue: %(n)s uploads are ahead of it.",
                ahead,
            ) % {"n": ahead}
        return _("Waiting in the queue: it is next.")
    return ngettext(
        "Being read and checked: %(n)s row read so far.", "Being read and checked: %(n)s rows read so far.", job.rows_read
    ) % {"n": job.rows_read}


@login_required
def upload_progress(request, slug, pk, job):
    """Where a large upload stands: waiting, being checked (rows read so far), or done. The page reloads itself
    every few seconds while the worker has it (a meta refresh: no script needed); once checked it leads to the
    version's report, or says why the file was refused."""
    resource = _resource_of(request, slug, pk)
    job = get_object_or_404(UploadJob.objects.select_related("version"), pk=_uuid(job), resource=resource)
    if job.state == UploadJob.State.DONE and job.version is not None:
        if job.version.valid:
            messages.success(
                request,
                _("Version %(number)s is published: %(rows)s rows.")
                % {"number": job.version.number, "rows": job.version.row_count},
            )
            return redirect("opendata:publisher")
        messages.error(request, _("The file was not published: it has problems, listed below with their row and column."))
        return redirect("opendata:report", slug=slug, pk=resource.pk, version_number=job.version.number)
    ahead = (
        UploadJob.objects.filter(state=UploadJob.State.QUEUED, created_at__lt=job.created_at).count()
        if job.state == UploadJob.State.QUEUED
        else 0
    )
    text = _job_text(job, ahead)
    if request.GET.get("format") == "json":
        return JsonResponse({"state": job.state, "rows_read": job.rows_read, "finished": job.finished, "text": text})
    return render(
        request,
        "opendata/upload_progress.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "job": job,
            "status_text": text,
            "form": UploadForm(resource=resource) if job.state == UploadJob.State.REFUSED else None,
        },
    )


@login_required
def withdraw(request, slug, pk=None, version_number=None):
    """Withdraw the dataset, one of its resources (pk) or one version of it (version_number): the reason is chosen
    here, a second page (core/confirmation.py) says what happens and that it cannot be undone, and only its "Yes"
    runs services.withdraw. Whoever may publish the dataset's data, no one else (403, nothing changes)."""
    dataset = get_object_or_404(Dataset.objects.select_related("body", "withdrawal"), slug=slug)
    _may_publish_for(request, dataset.body)
    resource = version = None
    if pk is not None:
        resource = get_object_or_404(Resource.objects.select_related("withdrawal"), pk=_uuid(pk), dataset=dataset)
    if version_number is not None:
        version = get_object_or_404(
            ResourceVersion.objects.select_related("withdrawal"), resource=resource, number=version_number, valid=True
        )
    if _withdrawal_of(dataset, resource, version) is not None:
        messages.info(request, _("This was withdrawn already."))
        return redirect("opendata:dataset", slug=dataset.slug)
    form = WithdrawForm(request.POST or None)
    context = {"dataset": dataset, "resource": resource, "version": version, "what": _withdrawn_thing(dataset, resource, version)}

    def page():
        return render(request, "opendata/withdraw.html", dict(context, form=form), status=400 if form.errors else 200)

    if request.method == "POST":
        asked = confirmation.ask_first(
            request,
            form,
            lambda: _withdrawal_question(dataset, resource, version, form.cleaned_data["reason"]),
            page=request.path,
            back=page,
        )
        if asked is not None:
            return asked
        ran = run_service(
            request,
            form,
            lambda data: services.withdraw(
                request.user, dataset, data["reason"], data["note"], resource=resource, version=version
            ),
            success=_("%(what)s is withdrawn.") % {"what": context["what"]},
        )
        if ran.done:
            return redirect("opendata:dataset", slug=dataset.slug)
    return page()


def _withdrawn_thing(dataset, resource, version) -> str:
    if version is not None:
        return _("Version %(number)s of %(resource)s") % {"number": version.number, "resource": resource.name}
    if resource is not None:
        return _("The resource %(resource)s") % {"resource": resource.name}
    return _("The dataset %(title)s") % {"title": dataset.title}


def _withdrawal_question(dataset, resource, version, reason) -> Confirmation:
    happens = [
        _(
            "Its files can no longer be downloaded: their address says when they were withdrawn and why. Their rows are "
            "deleted from the preview and from the API's datastore_search."
        )
    ]
    if version is not None:
        current = resource.current_version
        previous = resource.versions.served().filter(number__lt=version.number).order_by("-number").first()
        if current is not None and current.pk == version.pk and previous is not None:
            happens.append(
                _("Version %(number)s is served again, in the preview and the API, as it was before.")
                % {"number": previous.number}
            )
        elif current is not None and current.pk == version.pk:
            happens.append(_("The resource has no version to serve until a new file is uploaded."))
        elif current is not None:
            happens.append(_("Version %(number)s stays the one served.") % {"number": current.number})
    elif resource is not None:
        happens.append(
            _(
                "The resource leaves the dataset's page, the CKAN API and the DCAT catalogue; the dataset's history says when it was withdrawn and why."
            )
        )
    else:
        happens.append(
            _(
                "The dataset leaves the catalogue, its search, the CKAN API and the DCAT catalogue. Its page stays, "
                "saying that it was withdrawn, when and why, so that links and citations do not break."
            )
        )
    if reason == Withdrawal.Reason.PERSONAL_DATA:
        happens.append(
            _(
                "The stored files are deleted for good: no one, the operator included, can restore them. Your explanation "
                "is shown only to your body's staff and the administrators."
            )
        )
    else:
        happens.append(
            _("The stored files are kept for the operator, out of public reach. Your explanation is public, with the reason.")
        )
    happens.append(
        _(
            "This cannot be undone: what is withdrawn is never published again. To publish corrected data, upload it as "
            "a new version or a new resource."
        )
    )
    if version is not None:
        question = _("Withdraw version %(number)s?") % {"number": version.number}
    elif resource is not None:
        question = _("Withdraw the resource?")
    else:
        question = _("Withdraw the dataset?")
    about = dataset.title + (f": {resource.name}" if resource is not None else "")
    return Confirmation(question=question, about=about, happens=happens, button=_("Yes, withdraw"))
