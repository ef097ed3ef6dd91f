"""HTML: code shown in a web page, a ticket, an e-mail, with tags and entities.

``<pre><code><span class="k">if</span> a &lt; b</code></pre>`` is ``if a < b``. Only text
with the entities escaped code needs (``&lt;``, ``&amp;``, ``&quot;``, ...) is decoded:
its character references are unescaped and, when it has the closing tags of a page
showing code (``</pre>``, ``</code>``, ...), its tags removed (block-level ones become
line breaks). JSX, or Javadoc's ``<code>``, whose tags are code, triggers nothing.
"""

from __future__ import annotations

import re

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.decode.view import View

# Tags of a page that shows code; JSX's <div> alone does not make a text a web page.
_CLOSING = re.compile(r"</(?:pre|code|html|body|td|font)\s*>", re.I)
_ESCAPED_CODE = re.compile(r"&(?:lt|gt|amp|quot|#39|#x27);")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?/?>")
_BLOCK = frozenset({"br", "p", "div", "pre", "tr", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6"})


def _tag(match: re.Match[str]) -> str:
    closing, name = match.group(1), match.group(2).lower()
    return "\n" if name in _BLOCK and (closing or name == "br") else ""


def decode_markup(view: View) -> View | None:
    """Strip HTML tags (only in HTML-looking text) and unescape entities; None if neither."""
    if not _ESCAPED_CODE.search(view.text):
        return None  # code shown in a page escapes its quotes, < and &: no entity, no page
    current = view
    if _CLOSING.search(view.text):
        stripped = current.substitute(_TAG, _tag)
        if stripped is not None:
            current = stripped
    if "&" in current.text:
        unescaped = current.decoded(_core.unescape_entities(codepoints(current.text)))
        if unescaped is not None:
            current = unescaped
    return None if current is view else current
