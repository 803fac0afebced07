"""The one registry of places where a higher app adds to a lower app's pages, without the lower app importing it.

Layers import one way (docs/ARCHITECTURE.md): the appeal page (dialogue), the body page (dialogue) and the
scorecard and monitors' dashboard (assessment) cannot import the apps above or beside them. Those apps register
here, in core, in their AppConfig.ready(); the lower page renders whatever is registered for its place.

- panels: `register_panel(place, func)`. `func(request, **context)` returns HTML (already escaped, usually
  render_to_string) or ""/None to show nothing. The page passes what it has as keyword arguments (PLACES says
  which); a panel takes what it needs, ignores the rest (`**_`) and decides itself whom it shows anything to.
  Pages render a place with `{% panels "place" key=value %}` or `render_panels(place, request, **context)`.
- sitemap: `register_sitemap(func)`; `func()` yields site paths for /data/sitemap.xml.
"""

from collections.abc import Callable, Iterable

# Each place: the page that shows it and what that page passes to its panels. A place not listed here is a typo.
PLACES = {
    "appeal_after_actions": "the appeal page, below the action forms (appeal; panel_data: what the panel's own "
    "view handed back to the page, such as a form that failed)",
    "appeal_end": "the appeal page, after the record (appeal, panel_data)",
    "body": "a body's public page (body)",
    "scorecard": "a body's scorecard (body; card: period, counts, measures, scores)",
    "monitor_dashboard": "the monitors' dashboard (nothing)",
}

_panels: dict[str, list[Callable]] = {place: [] for place in PLACES}
_sitemaps: list[Callable[[], Iterable[str]]] = []


def register_panel(place: str, func: Callable) -> None:
    if place not in PLACES:
        raise ValueError(f"Unknown place {place!r}; one of {sorted(PLACES)}.")
    if func not in _panels[place]:
        _panels[place].append(func)


def panels(place: str) -> list[Callable]:
    return list(_panels[place])


def render_panels(place: str, request, **context) -> list[str]:
    """The panels' HTML for this page, in the order they were registered (those with nothing to say left out)."""
    return [html for html in (func(request, **context) for func in _panels[place]) if html]


def register_sitemap(func: Callable[[], Iterable[str]]) -> None:
    if func not in _sitemaps:
        _sitemaps.append(func)


def sitemap_paths() -> list[str]:
    return [path for func in _sitemaps for path in func()]
