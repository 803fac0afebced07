"""What every page whose form keeps typed text across a switch of language must render (core/language_draft.py,
templates/_language_buttons.html): checked the same way for the appeal form, the appeal page and moderation."""

import re

LANGUAGE_BUTTON = re.compile(r"<button[^>]*name=\"language\"[^>]*>")


def assert_language_buttons_keep(page: str, form_id: str, next_url: str) -> None:
    """The header's three language buttons belong to the form `form_id` and post its fields, unvalidated and as
    plain fields, to the switch that keeps them for `next_url`; the form's first button is the disabled one, so
    that Enter in a field neither switches the language nor takes a step."""
    buttons = LANGUAGE_BUTTON.findall(page)
    assert len(buttons) == 3
    for button in buttons:
        assert f'form="{form_id}"' in button and f'formaction="/i18n/keep/?next={next_url}"' in button
        assert "formnovalidate" in button and 'formenctype="application/x-www-form-urlencoded"' in button
    first = re.search(rf"<button[^>]*form=\"{form_id}\"[^>]*>", page)[0]
    assert "disabled" in first and 'name="language"' not in first
