"""A post's text, Markdown or plain text, as safe HTML.

CommonMark through markdown-it-py with raw HTML switched off: every `<` the author typed is shown, never run.
Links keep markdown-it's scheme check (no `javascript:`, `vbscript:`, `file:` or `data:`) and open no window
with access to ours; images are not rendered (no pixels that track readers from another site), their text is.
Plain text is Markdown too: paragraphs stay paragraphs.
"""

from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


def render(text: str) -> SafeString:
    return mark_safe(_parser().render(text or ""))  # noqa: S308 - raw HTML is off: markdown-it escapes it
