"""The small form to report a published appeal or answer, at the end of the appeal page (registered in apps.py at
core/registry.py's "appeal_end"); nothing for an appeal that is not public, nor for its own applicant."""

from django.template.loader import render_to_string

from ashyq.dialogue import permissions

from .forms import ReportForm


def report_abuse_panel(request, appeal, **_):
    if not appeal.is_published or permissions.is_applicant(request.user, appeal):
        return ""
    answer = getattr(appeal, "answer", None)
    return render_to_string(
        "moderation/_report_form_body.html",
        {
            "show": True,
            "appeal": appeal,
            "report_form": ReportForm(answer_published=answer is not None and answer.published_at is not None),
            # A visitor who is not signed in gets a link to the form's own page: the appeal page they read is the
            # shared cached one (core/pagecache.py), which must hold no CSRF token.
            "as_link": not request.user.is_authenticated,
        },
        request=request,
    )
