from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ANONYMISED_USERNAME_PREFIX, User


class LockoutMixin:
    """Refuse a username locked by repeated failures before checking the password (services.login_locked)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and services.login_locked(username):
            raise forms.ValidationError(services.lockout_message(), code="locked")
        return super().clean()


class LoginForm(LockoutMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    pass


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), help_text=_("We send a confirmation link and news of your appeals here."))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    class Meta:
        model = User
        fields = ["username", "email", "first_name", "last_name", "language"]
        labels = {"language": _("Language of emails")}

    def clean_username(self):
        username = self.cleaned_data["username"]
        if username.lower().startswith(ANONYMISED_USERNAME_PREFIX):
            # Reserved for anonymised accounts (services.anonymised_username).
            raise forms.ValidationError(_("Please choose another username."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        return email


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class AnonymiseAccountForm(forms.Form):
    """The confirmation step of anonymising one's account: the password, and an explicit yes."""

    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone: I will not be able to sign in to this account again."),
        required=False,  # checked by the service, so a missing tick and a wrong password are reported together
    )
