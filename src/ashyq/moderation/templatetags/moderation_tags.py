from django import template

from ashyq.dialogue import permissions

from ..forms import ReportForm

register = template.Library()


@register.inclusion_tag("moderation/_report_form_body.html", takes_context=True)
def report_abuse_form(context, appeal):
    """The small form to report a published appeal or answer; nothing for an appeal that is not public."""
    answer = getattr(appeal, "answer", None)
    return {
        "appeal": appeal,
        "show": appeal.is_published and not permissions.is_applicant(context["request"].user, appeal),
        "report_form": ReportForm(answer_published=answer is not None and answer.published_at is not None),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
