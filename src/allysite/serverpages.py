"""What the preview server adds to pages: the reload script, and the page shown on errors.

Every message is escaped: a diagnostic quotes the editor's own text, which may hold markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from allysite.errors import Diagnostic, Level

HEAD_END = b"</head>"
LAST_GOOD = "last-good"

# (links get colours of their own: the browser's default blue is 1.9:1 on the dark background)
ERROR_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fff;color:#1a1a1a}
main{max-width:60rem;margin:0 auto;padding:2rem 1.25rem}
h1{color:#a4000f;font-size:1.6rem;margin:0 0 .5rem}
a{color:#0a58a5}
ol{padding:0;list-style:none}
li{border-inline-start:.35rem solid #a4000f;background:#fdf0f1;padding:.75rem 1rem;margin:1rem 0}
li.warning{border-color:#8a5a00;background:#fdf6e7}
code{font:600 .95rem/1.4 ui-monospace,monospace;overflow-wrap:anywhere}
.level{text-transform:uppercase;font-size:.8rem;font-weight:700;letter-spacing:.05em}
.hint{color:#404040;margin:.25rem 0 0}
@media (prefers-color-scheme:dark){body{background:#161616;color:#eee}
li{background:#3a1518}li.warning{background:#33280f}.hint{color:#ccc}h1{color:#ff8a8a}
a{color:#8cbcff}}
"""


def reload_script(port: int) -> bytes:
    """livereload.js from this server; it reads the port from its own address. Loaded
    `async`: a script in the head without it stops the parser until it is fetched, so every
    reload showed the page one round trip to the busy server later (45-145 ms of the 0.2-0.36
    s from a save to the reloaded page's DOM, with a partner added)."""
    return f'<script async src="/livereload.js?port={int(port)}"></script>'.encode()


def inject_reload_script(page: bytes, port: int) -> bytes:
    script = reload_script(port)
    if HEAD_END in page:
        return page.replace(HEAD_END, script + HEAD_END, 1)
    return page + script


def error_page(problems: Iterable[Diagnostic], path: str) -> bytes:
    """A page listing every problem as `file:line:column`, the message and what to do."""
    problems = tuple(problems)
    errors = sum(problem.level is Level.ERROR for problem in problems)
    items = []
    for problem in problems:
        where = f"<code>{escape(str(problem.pos))}</code> " if problem.pos else ""
        hint = f'<p class="hint">{escape(problem.hint)}</p>' if problem.hint else ""
        items.append(
            f'<li class="{problem.level.value}">{where}'
            f'<span class="level">{escape(problem.level.value)}</span>'
            f'<p dir="auto">{escape(problem.message)}</p>{hint}</li>'
        )
    # (one leading slash: a request for `//evil.example/x` made the link `//evil.example/x`,
    # which a browser reads as another host; a backslash counts as a slash to it)
    own = "/" + path.lstrip("/\\")
    last_good = escape(f"{own}?{LAST_GOOD}", quote=True)
    body = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Site errors ({errors}) · allysite preview</title>"
        f"<style>{ERROR_STYLE}</style></head><body><main>"
        # (announced as an alert when a tab reloads onto it: the role on a wrapper, as the
        # heading's own role may not be changed)
        f'<div role="alert"><h1>The site has {errors} error(s)</h1></div>'
        "<p>Fix the file named below and save it: this page reloads by itself. Until then the "
        f'last good version of the site is still served: <a href="{last_good}">see this page '
        "as it was</a>.</p>"
        f"<ol>{''.join(items)}</ol></main></body></html>\n"
    )
    return body.encode("utf-8")
