"""Places where a higher app adds to a lower app's pages or figures, without the lower app importing it.

Layers import one way (docs/ARCHITECTURE.md): the body page (dialogue) and the monitors' dashboard
(assessment) cannot import the apps above or beside them. Those apps register here in their
AppConfig.ready(); the lower page renders whatever is registered for its place.

- panels: `register_panel("body", func)`; `func(request, **context)` returns HTML (already escaped,
  usually render_to_string) or "" to show nothing. Places: "body" (context: body), "monitor_dashboard".
- sitemap: `register_sitemap(func)`; `func()` yields site paths for /data/sitemap.xml.
"""
from collections import defaultdict
from collections.abc import Callable, Iterable

_panels: dict[str, list[Callable]] = defaultdict(list)
_sitemaps: list[Callable[[], Iterable[str]]] = []


def register_panel(place: str, func: Callable) -> None:
    if func not in _panels[place]:
        _panels[place].append(func)


def render_panels(place: str, request, **context) -> list[str]:
    return [html for html in (func(request, **context) for func in _panels[place]) if html]


def register_sitemap(func: Callable[[], Iterable[str]]) -> None:
    if func not in _sitemaps:
        _sitemaps.append(func)


def sitemap_paths() -> list[str]:
    return [path for func in _sitemaps for path in func()]
