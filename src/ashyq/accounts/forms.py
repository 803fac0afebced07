from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from ashyq.core.forms import signature_field
from ashyq.core.net import client_ip

from . import services
from .models import ANONYMISED_USERNAME_PREFIX, User


class LockoutMixin:
    """Refuse a username locked from this client's address by repeated failures, before checking the password
    (services.login_locked_for). Other addresses, the owner's own among them, are not affected."""

    def clean(self):
        username = self.cleaned_data.get("username")
        seconds = services.login_locked_for(username, client_ip(self.request)) if username and self.request else 0
        if seconds:
            raise forms.ValidationError(services.lockout_message(seconds), code="locked")
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

    def validate_unique(self):
        # The email's uniqueness is checked by services.sign_up, which answers the same either way; here only the
        # username's (a username is chosen, not a secret).
        exclude = self._get_validation_exclusions() | {"email"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)

    def clean_email(self):
        # An email already registered is not refused here: the form would tell anyone which addresses have accounts.
        # services.sign_up answers the same and emails the address's owner instead.
        return self.cleaned_data["email"].strip().lower()


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class AnonymiseAccountForm(forms.Form):
    """The confirmation step of anonymising one's account: the password, and an explicit yes."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone: I will not be able to sign in to this account again."),
        required=False,  # checked by the service, so a missing tick and a wrong password are reported together
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        help_text=_(
            "A Kazakhstan mobile number, such as +7 701 123 45 67. We send a one-time code to it; the number "
            "itself is not stored, only a fingerprint of it that nobody can read back."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        from .identifiers import normalise_phone

        return normalise_phone(self.cleaned_data["phone"])


class SignatureForm(forms.Form):
    """Verify the account by EDS: the page's script puts NCALayer's signature of the page's text here."""

    signature = signature_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signature"].required = True
        self.fields["signature"].error_messages["required"] = _(
            "Nothing was signed. Press “Sign with EDS” and sign in NCALayer first."
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class InPersonForm(forms.Form):
    """An official verifies the person in front of them: their account, their IIN, and that the document was seen."""

    person = forms.CharField(label=_("The person's username or email on Ashyq"), max_length=254)
    iin = forms.CharField(
        label=_("IIN from the identity document"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    document_seen = forms.BooleanField(
        label=_("I have seen the person's identity document and it shows this IIN."), required=False
    )
