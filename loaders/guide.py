"""``cypher/guide.md`` as a Neo4j Browser guide: the same slides, with each query it names embedded as a
runnable block, served over HTTP for Browser's ``:guide URL`` (or ``:play URL``).

Browser fetches a guide from a host on its allow-list (``browser.remote_content_hostname_whitelist``; Neo4j 5
allows ``localhost`` by default) with a cross-origin request, so the server answers with a CORS header.
"""

from __future__ import annotations

import html
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from loaders.evaluate import CYPHER

GUIDE_PATH = "/graphgen.html"
_RUN = re.compile(r"Run `cypher/(0\d_\w+\.cypher)`")


def _inline(text: str) -> str:
    """Escaped text with `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def _runnable(code: str) -> str:
    return f'<pre class="pre-scrollable code runnable">{html.escape(code.strip(), quote=False)}</pre>'


def _query(file: str) -> str:
    """A query file without its comment lines: what Browser's editor gets when the block is clicked."""
    return "\n".join(line for line in (CYPHER / file).read_text().splitlines() if not line.startswith("//"))


def _slide(markdown: str) -> str:
    parts, paragraph = [], []

    def close_paragraph() -> None:
        if paragraph:
            text = " ".join(paragraph)
            parts.append(f"<p>{_inline(text)}</p>")
            parts.extend(_runnable(_query(file)) for file in _RUN.findall(text))
            paragraph.clear()

    blocks = re.split(r"^```\w*\n(.*?)^```\n?", markdown.strip() + "\n", flags=re.M | re.S)
    for i, block in enumerate(blocks):
        if i % 2:  # inside a fenced block
            close_paragraph()
            parts.append(_runnable(block))
            continue
        for line in block.splitlines():
            heading = re.match(r"^#+ (.*)", line)
            if heading:
                close_paragraph()
                parts.append(f"<h3>{_inline(heading.group(1))}</h3>")
            elif line.strip():
                paragraph.append(line.strip())
            else:
                close_paragraph()
    close_paragraph()
    return '<slide class="row-fluid"><div class="col-sm-12">\n' + "\n".join(parts) + "\n</div></slide>"


def guide_html(markdown: str | None = None) -> str:
    """The Browser guide made from ``cypher/guide.md`` (or ``markdown``): one slide per ``---`` section."""
    text = (CYPHER / "guide.md").read_text() if markdown is None else markdown
    slides = "\n".join(_slide(section) for section in re.split(r"^---$", text, flags=re.M))
    return f'<article class="guide">\n<carousel class="deck container-fluid">\n{slides}\n</carousel>\n</article>\n'


def serve_guide(port: int, host: str = "localhost") -> ThreadingHTTPServer:
    """Serve the guide at ``http://HOST:PORT/graphgen.html`` from a background thread; ``shutdown()`` stops it."""
    page = guide_html().encode()

    class Handler(BaseHTTPRequestHandler):
        def _headers(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "*")
            self.end_headers()

        def do_OPTIONS(self) -> None:  # noqa: N802 (the http.server API): Browser's CORS preflight
            self._headers(204)

        def do_GET(self) -> None:  # noqa: N802
            found = self.path.split("?")[0] == GUIDE_PATH
            self._headers(200 if found else 404)
            if found:
                self.wfile.write(page)

        def log_message(self, *args) -> None:  # requests are not news
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="graphgen-guide").start()
    return server


def guide_url(server: ThreadingHTTPServer) -> str:
    return f"http://localhost:{server.server_address[1]}{GUIDE_PATH}"

