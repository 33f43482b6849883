"""The loopback HTTP server of the Browser guide: `python -m pipeline.servers.guide_http`.

Serves one folder (guide, style, model picture) read-only on 127.0.0.1, with CORS headers for
the Browser's origin, because the Browser fetches `:play` and `:style` URLs from its own page.
Started and stopped by `chickgraph neo4j start|stop` (pipeline.servers.browser); standard
library only, so it starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class GuideHandler(SimpleHTTPRequestHandler):
    """GET/HEAD of the folder's files, CORS pre-flights; no directory listings."""

    allowed_origins: frozenset[str] = frozenset()

    def end_headers(self) -> None:
        origin = self.headers.get("Origin")
        if origin in self.allowed_origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_OPTIONS(self) -> None:
        """CORS pre-flight: the Browser's fetch sends one (it adds a request header)."""
        self.send_response(204)
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers",
                         self.headers.get("Access-Control-Request-Headers") or "*")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def list_directory(self, path: str) -> None:  # type: ignore[override]
        self.send_error(404, "No listing")
        return None


def make_server(root: Path, port: int, origins: list[str]) -> ThreadingHTTPServer:
    """Bind 127.0.0.1:port (never another address) to a handler serving `root`."""
    handler_cls = type("BoundGuideHandler", (GuideHandler,),
                       {"allowed_origins": frozenset(origins)})
    handler = functools.partial(handler_cls, directory=str(root))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, required=True, help="folder to serve")
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--origin", action="append", default=[],
                        help="an origin allowed by CORS (the Browser's), repeatable")
    args = parser.parse_args(argv)
    origins = list(args.origin)
    origins += [o.replace("//localhost:", "//127.0.0.1:") for o in args.origin]
    server = make_server(args.root, args.port, origins)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
