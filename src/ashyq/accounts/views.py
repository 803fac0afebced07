from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from ashyq.core import identity
from ashyq.core.forms import apply_errors, run_service

from . import permissions, selectors, services, sms, sms_limits
from .forms import (
    AnonymiseAccountForm,
    CodeForm,
    InPersonForm,
    LoginForm,
    PhoneForm,
    ResendConfirmationForm,
    SignatureForm,
    SignUpForm,
)
from .models import Role, User


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_up(form)  # the same page whether or not the email had an account (services.sign_up)
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@ratelimit(key="post:email", rate="3/h", method="POST", block=True)
def resend_confirmation(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resend_confirmation(form.cleaned_data["email"])
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"], "resent": True})
    return render(request, "accounts/resend.html", {"form": form}, status=400 if form.errors else 200)


def confirm(request, token):
    user = services.confirm_email(token)
    if user is None:
        return render(request, "accounts/confirm_failed.html", status=400)
    messages.success(request, _("Your email is confirmed. You can sign in now."))
    return redirect("accounts:login")


@method_decorator(ratelimit(key="ip", rate="30/15m", method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


@login_required
def account(request):
    """The signed-in person's own account: what Ashyq holds about them, and the way to anonymise it."""
    user = request.user
    context = {"can_anonymise": user.role == Role.APPLICANT, "level": identity.level_of(user)}
    if user.role == Role.APPLICANT:
        context["open_appeals"] = selectors.open_appeals(user)
    return render(request, "accounts/account.html", context)


@login_required
@ratelimit(key="user", rate="10/h", method="POST", block=True)
def anonymise(request):
    services.require_can_anonymise(request.user)
    form = AnonymiseAccountForm(request.POST if request.method == "POST" else None)  # an empty POST is refused too
    if (
        request.method == "POST"
        and run_service(
            request,
            form,
            lambda data: services.anonymise_own_account(request.user, password=data["password"], confirmed=data["confirm"]),
        ).done
    ):
        logout(request)  # this session ends now; the others fail at their next request (services.anonymise)
        messages.success(
            request,
            _("Your account is anonymised and you are signed out. Your appeals remain in the state record without your name."),
        )
        return redirect("home")
    return render(
        request,
        "accounts/anonymise.html",
        {"form": form, "open_appeals": selectors.open_appeals(request.user)},
        status=400 if form.errors else 200,
    )


# --- Verification of identity (services: send_phone_code, confirm_phone_code, grant_in_person) ---------------------

PENDING_PHONE = "ashyq.verification.phone"  # the number being confirmed: in the server-side session until confirmed


def _next_url(request) -> str:
    """Where to go back after reaching a level (e.g. the appeal form that asked for it): a path on this site only."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False) else ""


@login_required
def verification(request):
    """The person's level, their verifications, what each step needs, and how to reach each level."""
    level = identity.level_of(request.user)
    return render(
        request,
        "accounts/verification.html",
        {
            "level": level,
            "verifications": selectors.current_verifications(request.user),
            "requirements": [dict(r, met=level >= r["level"]) for r in identity.requirements()],
            "levels": identity.Level,
            "next": _next_url(request),
        },
    )


@login_required
@ratelimit(key="ip", rate="30/h", method="POST", block=True)
def verify_phone(request):
    form = PhoneForm(request.POST or None)
    if request.method == "POST":
        return _send_code(request, form)
    return render(request, "accounts/verify_phone.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
@ratelimit(key="ip", rate="30/h", method="POST", block=True)
def resend_code(request):
    """Another code to the number being confirmed (after the wait, within the same limits as the first)."""
    phone = request.session.get(PENDING_PHONE)
    if not phone:
        return redirect("accounts:verify-phone")
    return _send_code(request, PhoneForm({"phone": phone}))


def _send_code(request, form):
    """Send a code for a bound PhoneForm: on to the code page, or the phone page again with the reason."""
    status = 400
    if form.is_valid():
        wait = sms_limits.wait_seconds(request, form.cleaned_data["phone"])
        if wait:
            form.add_error(None, sms_limits.message(wait))
            status = 429
        else:
            try:
                result = services.send_phone_code(request.user, form.cleaned_data["phone"])
            except services.SmsNotSent as exc:
                apply_errors(form, exc)
                status = 503  # the SMS service is down: not the person's mistake; the form keeps what they typed
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                request.session[PENDING_PHONE] = result["phone"]
                messages.success(request, _("We have sent a code to %(phone)s.") % {"phone": sms.masked(result["phone"])})
                target = reverse("accounts:verify-code")
                return redirect(target + (f"?{urlencode({'next': _next_url(request)})}" if _next_url(request) else ""))
    return render(request, "accounts/verify_phone.html", {"form": form, "next": _next_url(request)}, status=status)


@login_required
@ratelimit(key="ip", rate="60/h", method="POST", block=True)
@ratelimit(key="user", rate="30/h", method="POST", block=True)
def verify_code(request):
    phone = request.session.get(PENDING_PHONE)
    if not phone:
        messages.info(request, _("Enter your phone number first: we send the code to it."))
        return redirect("accounts:verify-phone")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        ran = run_service(request, form, lambda data: services.confirm_phone_code(request.user, phone, data["code"]))
        if ran.done:
            request.session.pop(PENDING_PHONE, None)
            messages.success(request, _("Your phone is confirmed: your account now has the SMS level."))
            return redirect(_next_url(request) or "accounts:verification")
    return render(
        request,
        "accounts/verify_code.html",
        {
            "form": form,
            "phone": sms.masked(phone),
            "next": _next_url(request),
            "resend_after": settings.ASHYQ_SMS_RESEND_SECONDS,
        },
        status=400 if form.errors else 200,
    )


PENDING_EDS = "ashyq.verification.eds"  # the text to sign, kept server-side so the post is checked against it


@login_required
@ratelimit(key="user", rate="30/h", method="POST", block=True)
@ratelimit(key="ip", rate="60/h", method="POST", block=True)
def verify_eds(request):
    """Verify the account by signing a one-time text with EDS through NCALayer: the signature level."""
    import secrets

    from ashyq.core import eds

    form = SignatureForm(request.POST or None)
    challenge = request.session.get(PENDING_EDS)
    if request.method == "POST":
        ran = run_service(
            request,
            form,
            lambda data: services.verify_by_signature(request.user, signature=data["signature"], challenge=challenge),
        )
        if ran.done:
            request.session.pop(PENDING_EDS, None)
            messages.success(
                request,
                _("Your digital signature is checked: your account has the signature level until %(date)s.")
                % {"date": ran.result.expires_at.strftime("%d.%m.%Y") if ran.result.expires_at else "—"},
            )
            return redirect(_next_url(request) or "accounts:verification")
    if not challenge:
        challenge = services.eds_challenge_text(request.user, secrets.token_hex(4).upper())
        request.session[PENDING_EDS] = challenge
    return render(
        request,
        "accounts/verify_eds.html",
        {"form": form, "challenge": challenge, "enabled": eds.enabled(), "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def verify_in_person(request):
    """For the staff of a body at its reception: verify the person in front of them by their identity document."""
    if not permissions.verifies_in_person(request.user):
        raise PermissionDenied
    form = InPersonForm(request.POST or None)
    if request.method == "POST":

        def grant(data):
            from django.db.models import Q

            person = User.objects.filter(
                Q(username__iexact=data["person"].strip()) | Q(email__iexact=data["person"].strip())
            ).first()
            return services.grant_in_person(request.user, person, iin=data["iin"], document_seen=data["document_seen"])

        ran = run_service(
            request,
            form,
            grant,
            success=lambda v: (
                _("%(name)s is verified in person until %(date)s.")
                % {"name": v.user.username, "date": v.expires_at.strftime("%d.%m.%Y") if v.expires_at else "—"}
            ),
        )
        if ran.done:
            return redirect("accounts:verify-in-person")
    return render(request, "accounts/verify_in_person.html", {"form": form}, status=400 if form.errors else 200)
