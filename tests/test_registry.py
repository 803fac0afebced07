"""What the apps above dialogue plug into it (dialogue/registry.py), registered in their AppConfig.ready()."""
from ashyq.dialogue import registry
from ashyq.moderation import redaction


def test_the_apps_above_register_their_panels_and_the_redaction():
    panels = registry.panels()
    assert "analysis/_appeal_panel.html" in panels["after_actions"]
    assert "moderation/_report_form.html" in panels["end"]
    assert redaction.redact in registry._public_text_filters
    assert registry.form_assistant() is not None


def test_the_public_reads_officials_texts_only_through_the_redaction():
    reason = "Call the clerk at +7 701 123 45 67 about it."
    assert "701 123 45 67" not in registry.for_public(reason)
    assert registry.for_public(reason) == redaction.redact(reason)


def test_without_a_registered_filter_the_public_reads_nothing(monkeypatch):
    # Fail closed: an installation that lost moderation must not show officials' texts unchecked.
    monkeypatch.setattr(registry, "_public_text_filters", [])
    assert registry.for_public("Call the clerk at +7 701 123 45 67.") == ""
