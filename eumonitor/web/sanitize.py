"""The call description as safe HTML: the source's structure kept, scripts, handlers and styles removed."""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup

# No images (they would load from foreign hosts), no style or class (foreign styles), no forms.
TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "blockquote", "div", "span", "sup", "sub", "dl", "dt", "dd",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
SCHEMES = {"http", "https", "mailto"}
HREFLESS_LINK = re.compile(r"<a\b(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL | re.IGNORECASE)


NULL_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>\s*null\s*</p>", re.IGNORECASE)


def safe_html(html: str) -> Markup:
    """Sanitised description HTML; headings shifted below the page's own h1/h2 by the template's CSS."""
    cleaned = nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )
    # nh3 drops a javascript: href but keeps the <a>: an empty link that looks clickable. Keep its text only.
    cleaned = HREFLESS_LINK.sub(r"\1", cleaned)
    # The portal writes "null" paragraphs where a section is empty (<p class="topicdescriptionkind">null</p>).
    cleaned = NULL_PARAGRAPH.sub("", cleaned)
    return Markup(cleaned)  # noqa: S704 - nh3 output is the sanitised form
