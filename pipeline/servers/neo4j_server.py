"""The project's own Neo4j Community server, provisioned from Maven Central without Docker.

Maven resolves `org.neo4j.app:neo4j-server` (the standalone server and its Bolt stack) and
the Neo4j Browser jar into one lib folder; the JVM is started on
`org.neo4j.server.CommunityEntryPoint` with a generated `neo4j.conf` that binds Bolt and HTTP
(the Browser, pipeline.servers.browser) to 127.0.0.1 with auth on. A new home starts with
Neo4j's built-in `neo4j`/`neo4j` (good for nothing but changing it); the generated password
is then set over Bolt, never passed on a command line (/proc/*/cmdline is world-readable).
Everything lives under `neo4j.local.home` (git-ignored); Maven's own cache (~/.m2) makes
re-installs cheap.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Neo4jAuthFailed, Neo4jServerError, Neo4jUnavailable
from pipeline.resources import config_file
from pipeline.servers import browser
from pipeline.servers.processes import ManagedProcess, port_open
from pipeline.settings import Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"

# The JVM needs these for Neo4j to reach the file descriptors and buffers under Java's
# channels (Neo4j's own neo4j.conf ships them). Without them every transaction-log file the
# server opens or rotates logs "Incorrect file descriptor" (preallocation and the kernel's
# cache advice fail), and neo4j-admin's stores are written the same way.
MODULE_OPTIONS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)
# The rest of the `server.jvm.additional` lines of the neo4j.conf that Neo4j 5.26 ships: its
# launcher (bin/neo4j) passes them, and the server is started here without that launcher.
# Netty's reflective access keeps Bolt's buffers direct; final fields trusted let the JIT fold
# the kernel's constants; the heap is touched once at start (~0.8 s for 4g here) instead of
# page-faulting through the first collections of a load.
SERVER_JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    *MODULE_OPTIONS,
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "-Dfile.encoding=UTF-8",
)
INITIAL_USER, INITIAL_PASSWORD = "neo4j", "neo4j"  # Neo4j's default, change required


@dataclass(frozen=True)
class ServerLayout:
    """Where the local server's pieces live, derived from settings only."""

    home: Path
    dist: Path
    version: str
    port: int

    @property
    def lib(self) -> Path:
        return self.dist / f"neo4j-{self.version}" / "lib"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def pid_file(self) -> Path:
        return self.run / "chickgraph-neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.logs / "console.log"

    @property
    def password_pending(self) -> Path:
        """Present from a new home's first start until the generated password is set."""
        return self.home / "password-pending"

    @property
    def installed_marker(self) -> Path:
        return self.lib / ".complete"

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLayout:
        local = settings.neo4j.local
        return cls(home=local.home, dist=local.dist, version=local.version,
                   port=local.bolt_port)


def install(settings: Settings, echo: Callable[[str], None] = print) -> ServerLayout:
    """Resolve the server jars with Maven once; later calls return at once."""
    layout = ServerLayout.from_settings(settings)
    if layout.installed_marker.exists() and browser.browser_jar(layout.lib) is not None:
        return layout
    echo(f"Installing Neo4j {layout.version} from Maven Central into {layout.lib} ...")
    layout.lib.mkdir(parents=True, exist_ok=True)
    cmd = [
        "mvn", "-q", "-B", "-f", str(config_file("neo4j/pom.xml")),
        f"-Dneo4j.version={layout.version}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={layout.lib}",
        "-DincludeScope=runtime",
    ]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    except FileNotFoundError as exc:
        raise Neo4jServerError("Maven (mvn) is not installed: apt-get install maven") from exc
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise Neo4jServerError(f"Maven could not resolve Neo4j {layout.version}:\n{tail}")
    if not any(layout.lib.glob(f"neo4j-{layout.version}.jar")):
        raise Neo4jServerError(f"Maven finished but neo4j-{layout.version}.jar is missing")
    layout.installed_marker.write_text(" ".join(cmd) + "\n", encoding="utf-8")
    return layout


def render_conf(settings: Settings, layout: ServerLayout) -> str:
    """neo4j.conf: loopback only, auth on, HTTP for the Browser, memory sized for a 2-core/24 GB
    box."""
    local = settings.neo4j.local
    lines = [
        "# Generated by chickgraph from config/chickgraph.yaml; edits are overwritten.",
        "server.default_listen_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{layout.port}",
        f"server.bolt.advertised_address=127.0.0.1:{layout.port}",
        *browser.conf_lines(settings),
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        "dbms.usage_report.enabled=false",
        f"server.directories.data={layout.data}",
        f"server.directories.logs={layout.logs}",
        f"server.directories.run={layout.run}",
        f"server.directories.import={layout.home / 'import'}",
        f"server.memory.heap.initial_size={local.heap}",
        f"server.memory.heap.max_size={local.heap}",
        f"server.memory.pagecache.size={local.pagecache}",
        "db.tx_log.rotation.retention_policy=1 files",
        # A standalone server has applied every transaction whose bookmark it handed out, so
        # waiting for a bookmark it has not reached (the default 30 s) can only be waiting for
        # a store that was replaced by an older one (`chickgraph neo4j load`): fail fast, the
        # driver then forgets its bookmarks (pipeline.load.db.Bookmarks) and retries.
        "db.transaction.bookmark_ready_timeout=2s",
        # what the server's JVM is started with (server_cmd), for anyone reading this file
        *(f"server.jvm.additional={option}" for option in SERVER_JVM_OPTIONS),
    ]
    if local.version.startswith("5.26."):
        # Stopping waits out Netty's quiet period for the Bolt server (5 s) after every
        # database has stopped and every connection is closed: nothing is left to wait for.
        # `neo4j dump` / `load` stop the server too, so each of those is 5 s shorter. An
        # internal setting, checked in the 5.26 jars: strict validation refuses to start a
        # server on an unknown key, so another version gets the default wait.
        lines.append("internal.dbms.bolt.netty_server_shutdown_quiet_period=0")
    if local.checkpoint_interval is not None:
        lines.append(f"db.checkpoint.interval.time={local.checkpoint_interval}")
    if not local.background_index_sampling:
        lines.append("db.index_sampling.background_enabled=false")
    return "\n".join(lines) + "\n"


def _java_cmd(settings: Settings, layout: ServerLayout, options: tuple[str, ...], main: str,
              *args: str) -> list[str]:
    return [settings.neo4j.local.java, *options, "-cp", f"{layout.lib}/*", main, *args]


def server_cmd(settings: Settings, layout: ServerLayout, *args: str) -> list[str]:
    """The command line of the server (CommunityEntryPoint) with these arguments."""
    heap = settings.neo4j.local.heap
    return _java_cmd(settings, layout, (f"-Xms{heap}", f"-Xmx{heap}", *SERVER_JVM_OPTIONS),
                     ENTRY_POINT, *args)


def admin_cmd(settings: Settings, layout: ServerLayout, *args: str) -> list[str]:
    """The command line of `neo4j-admin` (the AdminTool class) with these arguments."""
    return _java_cmd(settings, layout, MODULE_OPTIONS, ADMIN_TOOL, *args)


def admin(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `neo4j-admin` (the AdminTool class) against the local home."""
    layout = install(settings)
    env = dict(os.environ, NEO4J_HOME=str(layout.home), NEO4J_CONF=str(layout.conf_dir))
    cmd = admin_cmd(settings, layout, *args)
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if check and result.returncode != 0:
        raise Neo4jServerError(f"neo4j-admin {' '.join(args[:3])} failed: {result.stderr.strip()}")
    return result


def _process(layout: ServerLayout) -> ManagedProcess:
    return ManagedProcess(layout.pid_file, f"--home-dir={layout.home}")


def log_tail(layout: ServerLayout, lines: int = 20) -> str:
    """The end of the server's logs, for error messages that explain a failed start."""
    chunks = []
    for path in (layout.logs / "neo4j.log", layout.console_log):
        if path.exists():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            chunks.append(f"--- {path} ---\n" + "\n".join(text))
    return "\n".join(chunks) or "(no log written)"


def start(settings: Settings, echo: Callable[[str], None] = print) -> str:
    """Start the local server (idempotent) and wait until Bolt answers; returns its version."""
    from pipeline.load.db import server_version

    if settings.neo4j.external:
        raise Neo4jServerError(
            f"NEO4J_URI is set ({settings.neo4j.uri}): that server is used, nothing local starts"
        )
    layout = install(settings, echo)
    process = _process(layout)
    if process.pid() is not None:
        _set_initial_password(settings, layout)
        browser.start_guide(settings)
        return server_version(settings)
    http_port = settings.neo4j.local.browser_http_port
    for port, name in ((layout.port, "BOLT_PORT"), (http_port, "HTTP_PORT")):
        if port_open(port):
            raise Neo4jServerError(
                f"port {port} on 127.0.0.1 is taken by another process; "
                f"set CHICKGRAPH_{name} or neo4j.local.{name.lower()} to a free port"
            )
    browser.start_guide(settings)
    for folder in (layout.conf_dir, layout.data, layout.logs, layout.run, layout.home / "import"):
        folder.mkdir(parents=True, exist_ok=True)
    (layout.conf_dir / "neo4j.conf").write_text(render_conf(settings, layout), encoding="utf-8")
    if not (layout.data / "databases").exists():
        settings.neo4j_password()  # generated (0600) before anything can use it
        layout.password_pending.touch()
    cmd = server_cmd(settings, layout, f"--home-dir={layout.home}",
                     f"--config-dir={layout.conf_dir}")
    proc = process.spawn(cmd, layout.console_log, cwd=layout.home)
    echo(f"Starting Neo4j {layout.version} on bolt://127.0.0.1:{layout.port} (pid {proc.pid}) ...")
    deadline = time.monotonic() + settings.neo4j.local.start_timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            layout.pid_file.unlink(missing_ok=True)
            browser.stop_guide(settings)
            raise Neo4jServerError(
                f"Neo4j exited with code {proc.returncode} during start-up\n{log_tail(layout)}"
            )
        if port_open(layout.port):
            try:
                _set_initial_password(settings, layout)
                return server_version(settings)
            except Neo4jUnavailable:
                pass
            except Neo4jAuthFailed:
                raise
        time.sleep(0.1)  # a port check: cheap; each start returned up to 0.5 s late
    raise Neo4jServerError(
        f"Neo4j did not answer on Bolt within {settings.neo4j.local.start_timeout_s:.0f} s; "
        f"it is still starting as pid {proc.pid} (stop it with `chickgraph neo4j stop`)\n"
        f"{log_tail(layout)}"
    )


def _set_initial_password(settings: Settings, layout: ServerLayout) -> None:
    """Replace the built-in password by the generated one over Bolt, once per new home.
    Raises Neo4jUnavailable while the server is still starting (the caller retries)."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, DriverError, Neo4jError

    from pipeline.load import cypher_files

    if not layout.password_pending.exists():
        return
    uri = settings.neo4j.effective_uri
    driver = GraphDatabase.driver(uri, auth=(INITIAL_USER, INITIAL_PASSWORD),
                                  connection_timeout=settings.neo4j.connect_timeout_s,
                                  user_agent="chickgraph", notifications_min_severity="OFF")
    try:
        driver.execute_query(
            cypher_files.load("admin/set_initial_password"),  # type: ignore[arg-type]
            initial=INITIAL_PASSWORD, password=settings.neo4j_password(), database_="system")
    except AuthError:
        pass  # set by an earlier start that died before removing the marker: checked below
    except (Neo4jError, DriverError, OSError) as exc:
        raise Neo4jUnavailable(f"Neo4j at {uri} is not ready to take its password: "
                               f"{type(exc).__name__}") from exc
    finally:
        driver.close()
    layout.password_pending.unlink(missing_ok=True)


def stop(settings: Settings, timeout_s: float = 60) -> bool:
    """Stop the local server (and its Browser guide server) until the JVM is gone; False if
    it was not running.

    This process's shared driver of the server goes with it (`db.forget_shared_driver`):
    what comes up next on that port may be another server (a test's second one, with
    another password) or this one on a replaced store (a dump loaded, a bulk import), whose
    transaction history the old driver's bookmarks would wait for in vain. A crash
    (`kill`) keeps it: the same store comes back, and the driver reconnects."""
    from pipeline.load import db  # here: starting and checking a server needs no driver

    browser.stop_guide(settings)
    try:
        return _process(ServerLayout.from_settings(settings)).stop(timeout_s)
    finally:
        db.forget_shared_driver(settings)


def kill(settings: Settings) -> bool:
    """SIGKILL the local server, as a crash would (used by fault tests)."""
    browser.stop_guide(settings)
    return _process(ServerLayout.from_settings(settings)).kill()


def running_pid(settings: Settings) -> int | None:
    """The local server's pid, or None when it is not running."""
    return _process(ServerLayout.from_settings(settings)).pid()
