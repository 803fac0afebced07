"""Open311 GeoReport v2 endpoints over the appeals (views.py); docs/api.md describes them."""
