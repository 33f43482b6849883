"""Neo4j Browser for the local server: its config lines, URLs, and the ChickGraph guide server.

The Browser itself is the `org.neo4j.client:neo4j-browser` jar in the server's lib (see
config/neo4j/pom.xml); Neo4j serves it at `/browser/` on its HTTP connector, which listens on
127.0.0.1 only, with auth on. Neo4j cannot serve other static files, so the guide, the graph
style and the model picture (pipeline.servers.guide) are written into `<home>/browser/` and
served by a tiny loopback HTTP server (pipeline.servers.guide_http) that `neo4j start` starts
beside the JVM and `neo4j stop` stops. The Browser fetches them cross-origin, so that server
answers with CORS headers for the Browser's origin only.

Host names: the Browser's allowlist (`browser.remote_content_hostname_whitelist`) compares
host names, and its default holds `localhost` but not `127.0.0.1`; every URL the Browser is
given therefore says `localhost` while every socket binds 127.0.0.1.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from pipeline.errors import Neo4jServerError
from pipeline.servers.processes import ManagedProcess, port_open
from pipeline.settings import Settings

GUIDE_FILE = "guide.html"
STYLE_FILE = "chickgraph.grass"
MODEL_FILE = "model.svg"
BROWSER_JAR_GLOB = "neo4j-browser-*.jar"


@dataclass(frozen=True)
class BrowserSite:
    """Ports, folders and URLs of the Browser and the guide of one local server home."""

    home: Path
    bolt_port: int
    http_port: int
    guide_port: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BrowserSite:
        local = settings.neo4j.local
        return cls(home=local.home, bolt_port=local.bolt_port,
                   http_port=local.browser_http_port, guide_port=local.browser_guide_port)

    @property
    def root(self) -> Path:
        """The generated guide, style and picture (rewritten at every start)."""
        return self.home / "browser"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "chickgraph-guide.pid"

    @property
    def log(self) -> Path:
        return self.home / "logs" / "guide-http.log"

    @property
    def browser_origin(self) -> str:
        return f"http://localhost:{self.http_port}"

    @property
    def guide_base(self) -> str:
        return f"http://localhost:{self.guide_port}"

    @property
    def guide_url(self) -> str:
        return f"{self.guide_base}/{GUIDE_FILE}"

    @property
    def style_url(self) -> str:
        return f"{self.guide_base}/{STYLE_FILE}"

    def browser_url(self, username: str) -> str:
        """The Browser with its connect form filled in (user name, Bolt URL; never a password)."""
        dbms = quote(f"bolt://{username}@localhost:{self.bolt_port}", safe="")
        return f"{self.browser_origin}/browser/?dbms={dbms}&preselectAuthMethod=NATIVE"

    def post_connect_cmd(self) -> str:
        """What the Browser runs after a login: apply the style, then open the guide."""
        return f"style {self.style_url}; play {self.guide_url}"


def conf_lines(settings: Settings) -> list[str]:
    """neo4j.conf lines for the HTTP connector and the Browser (all declared in Community 5.26,
    which refuses undeclared keys at start-up)."""
    site = BrowserSite.from_settings(settings)
    return [
        "server.http.enabled=true",
        f"server.http.listen_address=127.0.0.1:{site.http_port}",
        f"server.http.advertised_address=localhost:{site.http_port}",
        "browser.remote_content_hostname_whitelist=localhost",
        f"browser.post_connect_cmd={site.post_connect_cmd()}",
        "client.allow_telemetry=false",
    ]


def browser_jar(lib: Path) -> Path | None:
    """The Browser jar in a server's lib folder, if Maven put it there."""
    return next(iter(sorted(lib.glob(BROWSER_JAR_GLOB))), None)


def _process(site: BrowserSite) -> ManagedProcess:
    return ManagedProcess(site.pid_file, f"--root={site.root}")


def start_guide(settings: Settings, timeout_s: float = 20) -> BrowserSite:
    """Write the guide files and start their loopback server (idempotent; files refreshed)."""
    from pipeline.servers import guide

    site = BrowserSite.from_settings(settings)
    guide.write_site(site.root)
    process = _process(site)
    if process.pid() is not None:
        return site
    if port_open(site.guide_port):
        raise Neo4jServerError(
            f"port {site.guide_port} on 127.0.0.1 (the Browser guide) is taken by another "
            "process; set CHICKGRAPH_GUIDE_PORT or neo4j.local.guide_port to a free port")
    cmd = [sys.executable, "-m", "pipeline.servers.guide_http", f"--root={site.root}",
           f"--port={site.guide_port}", f"--origin={site.browser_origin}"]
    proc = process.spawn(cmd, site.log, cwd=site.home)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            site.pid_file.unlink(missing_ok=True)
            raise Neo4jServerError(f"the guide server exited with code {proc.returncode}; "
                                   f"see {site.log}")
        if port_open(site.guide_port):
            return site
        time.sleep(0.1)
    raise Neo4jServerError(f"the guide server did not listen on {site.guide_port} within "
                           f"{timeout_s:.0f} s; see {site.log}")


def stop_guide(settings: Settings) -> bool:
    """Stop the guide server; False if it was not running."""
    return _process(BrowserSite.from_settings(settings)).stop(timeout_s=10)


def guide_pid(settings: Settings) -> int | None:
    return _process(BrowserSite.from_settings(settings)).pid()


def external_browser_url(uri: str) -> str:
    """Where an external server's own Browser usually is (its HTTP port is not known here)."""
    parts = urlsplit(uri)
    host = parts.hostname or "localhost"
    if parts.scheme.endswith(("+s", "+ssc")):
        return f"https://{host}:7473/browser/"
    return f"http://{host}:7474/browser/"
