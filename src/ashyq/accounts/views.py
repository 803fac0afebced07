from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from ashyq.core.forms import run_service

from . import selectors, services
from .forms import AnonymiseAccountForm, LoginForm, ResendConfirmationForm, SignUpForm
from .models import Role


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
    context = {"can_anonymise": user.role == Role.APPLICANT}
    if user.role == Role.APPLICANT:
        context["open_appeals"] = selectors.open_appeals(user)
    return render(request, "accounts/account.html", context)


@login_required
@ratelimit(key="user", rate="10/h", method="POST", block=True)
def anonymise(request):
    services.require_can_anonymise(request.user)
    form = AnonymiseAccountForm(request.POST if request.method == "POST" else None)  # an empty POST is refused too
    if request.method == "POST" and run_service(request, form, lambda data: services.anonymise_own_account(
            request.user, password=data["password"], confirmed=data["confirm"])).done:
        logout(request)  # this session ends now; the others fail at their next request (services.anonymise)
        messages.success(request, _("Your account is anonymised and you are signed out. Your appeals remain in "
                                    "the state record without your name."))
        return redirect("home")
    return render(request, "accounts/anonymise.html", {"form": form, "open_appeals": selectors.open_appeals(request.user)},
                  status=400 if form.errors else 200)
