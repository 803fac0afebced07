from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogsConfig(AppConfig):
    name = "ashyq.blogs"
    label = "blogs"
    verbose_name = _("Heads' blogs and web conferences")

    def ready(self):
        # Lower apps show our panel and link to our pages through core's registries; they never import us.
        from ashyq.core import registry
        from ashyq.core.permissions import register_rule

        from . import panels, permissions

        register_rule("write_blog", permissions.writes_blog)
        registry.register_panel("body", panels.body_panel)
        registry.register_sitemap(panels.sitemap_paths)
