"""`chickgraph browser`: where Neo4j Browser and the ChickGraph guide are, and how to log in."""

from __future__ import annotations

import os
import sys
import webbrowser
from typing import Annotated

import typer

from pipeline.cli.output import echo
from pipeline.errors import ChickGraphError
from pipeline.servers import browser, neo4j_server
from pipeline.settings import Settings, get_settings


def _has_desktop() -> bool:
    """A graphical session that `webbrowser` can open a window in (not SSH, CI or a box)."""
    return sys.platform == "darwin" or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _password_hint(settings: Settings) -> str:
    if settings.neo4j.password is not None:
        return "the value of NEO4J_PASSWORD"
    return f"in {settings.neo4j.local.home / 'password'} (generated; readable by you only)"


def browser_cmd(
    open_it: Annotated[bool, typer.Option(
        "--open/--no-open",
        help="Open the URL in a web browser when a desktop session is there.")] = True,
) -> None:
    """Neo4j Browser on the local server: its URL, the user and where the password is.

    Never prints the password; opens the URL when a desktop is there. After login the Browser
    applies the ChickGraph style and opens the ChickGraph guide: the graph model and every
    named query as a runnable frame. The local server must be running (`make run` or
    `chickgraph neo4j start`). With NEO4J_URI set, says where that server's own Browser
    usually is and starts nothing.
    """
    settings = get_settings()
    user = settings.neo4j.username
    if settings.neo4j.external:
        uri = settings.neo4j.uri or ""
        print(f"NEO4J_URI is set: nothing local is started. That server's own Browser (if its "
              f"HTTP connector is on) is usually at {browser.external_browser_url(uri)}; "
              f"connect to {uri} as {user!r} with {_password_hint(settings)}.")
        return
    if neo4j_server.running_pid(settings) is None:
        raise ChickGraphError("the local Neo4j is not running: start it with `make run` or "
                              "`chickgraph neo4j start`")
    site = browser.start_guide(settings)
    if not browser.port_open(site.http_port):
        raise ChickGraphError(
            f"the local Neo4j does not serve HTTP on port {site.http_port} (started before the "
            "Browser was set up?): restart it with `chickgraph neo4j stop` then `start`")
    url = site.browser_url(user)
    print(f"Neo4j Browser: {url}")
    print(f"user:          {user}")
    print(f"password:      {_password_hint(settings)}")
    print(f"guide:         {site.guide_url} (opens after login; `:play` it again any time)")
    if open_it and _has_desktop():
        echo("opening it in your web browser ...")
        webbrowser.open(url)
