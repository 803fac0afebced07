"""Django's own messages that Ashyq's users see on sign-up and sign-in, listed so that they reach Ashyq's catalogs.

Django's Kazakh catalog leaves these untranslated, so the sign-up page showed English help texts and errors in
the Kazakh UI. Listing the exact msgids here makes `makemessages` put them in src/ashyq/locale, whose catalogs
take precedence over Django's (LOCALE_PATHS). Nothing calls this function.
"""

from django.utils.translation import gettext_noop, ngettext


def _listed_for_makemessages():  # pragma: no cover - never called
    return [
        # django.contrib.auth: user model, sign-up and sign-in forms, validators
        gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
        gettext_noop("Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
        gettext_noop("Enter the same password as before, for verification."),
        gettext_noop("Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."),
        gettext_noop("The password is too similar to the %(verbose_name)s."),
        gettext_noop("Your password can’t be too similar to your other personal information."),
        gettext_noop("This password is too common."),
        gettext_noop("Your password can’t be a commonly used password."),
        gettext_noop("This password is entirely numeric."),
        gettext_noop("Your password can’t be entirely numeric."),
        ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            0,
        ),
        ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            0,
        ),
        # django.core: form field validation
        gettext_noop("Enter a valid email address."),
        ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            0,
        ),
    ]
