"""What Open Legal Acts adds to lower apps' pages through core's registry (registered in apps.py)."""

from ashyq.core import registry


def register():
    from . import panels

    registry.register_panel("body", panels.body_panel)
    registry.register_panel("monitor_dashboard", panels.monitor_panel)
    registry.register_sitemap(panels.sitemap_paths)
