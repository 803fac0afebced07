"""What the apps above plug into the lower ones (core/registry.py for panels, dialogue/registry.py for the public
copies and the appeal form), registered in their AppConfig.ready()."""

import pytest

from ashyq.analysis.appeal_panel import appeal_panel
from ashyq.budget import panels as budget_panels
from ashyq.core import registry as core_registry
from ashyq.dialogue import registry
from ashyq.legalacts import panels as legalacts_panels
from ashyq.moderation import redaction
from ashyq.moderation.appeal_panel import report_abuse_panel


def test_the_apps_above_register_their_panels_in_the_one_registry_and_the_redaction():
    assert appeal_panel in core_registry.panels("appeal_after_actions")
    assert report_abuse_panel in core_registry.panels("appeal_end")
    assert {budget_panels.body_panel, legalacts_panels.body_panel} <= set(core_registry.panels("body"))
    assert budget_panels.scorecard_panel in core_registry.panels("scorecard")
    assert legalacts_panels.monitor_panel in core_registry.panels("monitor_dashboard")
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


def test_a_panel_for_a_place_no_page_shows_is_refused():
    # A typo would otherwise register a panel that silently never appears.
    with pytest.raises(ValueError, match="Unknown place"):
        core_registry.register_panel("appeal_ending", report_abuse_panel)


def test_a_place_renders_its_panels_in_order_and_leaves_out_the_silent(monkeypatch, rf):
    monkeypatch.setitem(
        core_registry._panels,
        "body",
        [
            lambda request, body, **_: f"<p>{body}</p>",
            lambda request, **_: "",
            lambda request, **_: None,
            lambda request, body, **_: "<p>second</p>",
        ],
    )
    assert core_registry.render_panels("body", rf.get("/"), body="ACA") == ["<p>ACA</p>", "<p>second</p>"]
