"""Panels that higher apps add to a body's public page and to its scorecard.

The body page (dialogue) and the scorecard (assessment) sit below the apps that have something to add (the
budget, for one), and a lower app never imports a higher one. So the pages ask this registry, and each higher
app registers its panel in its AppConfig.ready(). A panel is `function(request, body, figures) -> HTML or None`;
`figures` is what the page already computed (the scorecard passes its card: period, counts, measures, scores),
so a panel never reaches into the app that drew the page.
"""
PLACES = ("body", "scorecard")
_panels: dict[str, list] = {place: [] for place in PLACES}


def register(place: str, panel) -> None:
    if place not in _panels:
        raise ValueError(f"unknown place {place!r}; one of {PLACES}")
    if panel not in _panels[place]:
        _panels[place].append(panel)


def render(place: str, request, body, figures: dict | None = None) -> list:
    """The panels' HTML for this page, in the order they were registered (those with nothing to say left out)."""
    return [html for html in (panel(request, body, figures or {}) for panel in _panels[place]) if html]
