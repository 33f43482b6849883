"""Neo4j Browser on the local test server: sockets, auth, and a real headless Chromium.

Chromium and its driver are Debian's (`chromium`, `chromium-driver`, installed by .ci/run);
selenium drives them through the system chromedriver, so nothing is downloaded at test time.
The browser test logs in with the generated password, lets the post-connect commands apply the
ChickGraph style and open the guide, runs the guide's `orthologs` frame for ALAS2 and its
graph picture, and asserts on what the Browser rendered. Screenshots go to the test's tmp dir.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.load import cypher_files
from pipeline.queries import named
from pipeline.servers import browser, guide, neo4j_server
from pipeline.settings import Settings
from tests.conftest import REPO

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def site(settings: Settings, driver: Any) -> browser.BrowserSite:
    if settings.neo4j.external:
        pytest.skip("NEO4J_URI is set: the Browser of the local server is not under test")
    return browser.BrowserSite.from_settings(settings)


# ---------------------------------------------------------------------- sockets and auth


def _listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket the process holds, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            hex_addr, hex_port = local.split(":")
            raw = b"".join(bytes.fromhex(hex_addr[i:i + 8])[::-1]
                           for i in range(0, len(hex_addr), 8))
            address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(raw)
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            found.add((str(address), int(hex_port, 16)))
    return found


def test_server_and_guide_listen_on_127_0_0_1_only(site: browser.BrowserSite,
                                                    settings: Settings) -> None:
    neo4j_pid = neo4j_server.running_pid(settings)
    guide_pid = browser.guide_pid(settings)
    assert neo4j_pid is not None and guide_pid is not None
    neo4j = _listening(neo4j_pid)
    guide_server = _listening(guide_pid)
    assert {port for _, port in neo4j} >= {site.bolt_port, site.http_port}, neo4j
    assert {port for _, port in guide_server} == {site.guide_port}, guide_server
    everything = neo4j | guide_server
    assert {address for address, _ in everything} == {"127.0.0.1"}, everything


def _post_tx(site: browser.BrowserSite, auth: tuple[str, str] | None) -> tuple[int, Any]:
    body = json.dumps({"statements": [{"statement": "RETURN 1 AS one"}]}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(f"http://127.0.0.1:{site.http_port}/db/neo4j/tx/commit",
                                     data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def test_transactional_endpoint_refuses_requests_without_valid_credentials(
        site: browser.BrowserSite, settings: Settings) -> None:
    assert _post_tx(site, None)[0] == 401
    assert _post_tx(site, (settings.neo4j.username, "not-the-password"))[0] == 401
    # the endpoint is there: with the password it answers (so 401 above is auth, not a 404)
    status, answer = _post_tx(site, (settings.neo4j.username, settings.neo4j_password()))
    assert status == 200 and answer["results"][0]["data"][0]["row"] == [1], answer


def _get(url: str, origin: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read().decode()


def test_browser_and_guide_are_served_on_loopback(site: browser.BrowserSite) -> None:
    status, _, page = _get(f"http://127.0.0.1:{site.http_port}/browser/")
    assert status == 200 and "<title>Neo4j Browser</title>" in page
    status, headers, guide_page = _get(site.guide_url, origin=site.browser_origin)
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == site.browser_origin
    for name in named.catalogue():
        assert f'data-query="{name}"' in guide_page, name
    assert "node.Gene {" in _get(site.style_url, origin=site.browser_origin)[2]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120, cwd=REPO,
                          check=False)


def test_browser_command_prints_url_user_and_password_file_never_the_password(
        site: browser.BrowserSite, settings: Settings) -> None:
    result = _cli("browser", "--no-open")
    assert result.returncode == 0, result.stderr
    assert site.browser_url(settings.neo4j.username) in result.stdout
    assert str(settings.neo4j.local.home / "password") in result.stdout
    assert settings.neo4j_password() not in result.stdout + result.stderr
    external = _cli("browser", env={"NEO4J_URI": "neo4j://db.lab.example:7687",
                                    "NEO4J_PASSWORD": "x" * 12})
    assert external.returncode == 0, external.stderr
    assert "http://db.lab.example:7474/browser/" in external.stdout
    assert "nothing local is started" in external.stdout


# ------------------------------------------------------------------------ headless Chromium


@pytest.fixture
def chrome(tmp_path: Path) -> Iterator[Any]:
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver must be installed (.ci/run installs them)")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "driver.log"))
    chrome = webdriver.Chrome(service=service, options=options)
    chrome.set_page_load_timeout(120)
    try:
        yield chrome
    finally:
        chrome.save_screenshot(str(tmp_path / "browser-last.png"))  # what a failure looked like
        chrome.quit()


def _wait(what: str, check: Callable[[], Any], timeout: float = 120) -> Any:
    """Poll until `check` returns something truthy (the Browser renders asynchronously)."""
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except WebDriverException:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"the Browser did not show {what} within {timeout:.0f} s")


def _connect(chrome: Any, attempts: int = 3) -> None:
    """Click Connect once the form has stopped moving, until the form goes away. The connect
    frame lays itself out after it appears: in two fresh-clone CI runs the click came while
    the fields above the button were still growing. In one, chromedriver said "element click
    intercepted ... Other element would receive the click: <select
    data-testid=authenticationMethod>"; in the other the click was simply lost (the form
    stayed, password typed, through the 120 s wait for the guide)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    selector = "button[data-testid='connect']"

    def form_gone() -> bool:
        return not chrome.find_elements(By.CSS_SELECTOR, selector)

    def settled() -> Any:
        """The button, once its place on the page is the same twice, 0.3 s apart."""
        buttons = chrome.find_elements(By.CSS_SELECTOR, selector)
        if not buttons:
            return None
        before = buttons[0].rect
        time.sleep(0.3)
        return buttons[0] if buttons[0].rect == before else None

    for _ in range(attempts):
        if form_gone():
            return
        try:
            _wait("the connect form laid out", settled, timeout=30).click()
            _wait("the connect form gone", form_gone, timeout=15)
            return
        except (AssertionError, WebDriverException):
            continue
    raise AssertionError(f"the Browser kept its connect form after {attempts} clicks")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _frame(chrome: Any, command_prefix: str) -> Any:
    """The newest result frame whose command (whitespace squashed, as the Browser shows it)
    starts with the given text."""
    from selenium.webdriver.common.by import By

    for frame in chrome.find_elements(By.CSS_SELECTOR, "[data-testid='frame']"):
        command = frame.find_elements(By.CSS_SELECTOR, "[data-testid='frameCommand']")
        if command and _squash(command[0].text).startswith(_squash(command_prefix)):
            return frame
    return None


def guide_query_start(text: str) -> str:
    """The first 100 characters of a query as the guide runs it (header dropped)."""
    return _squash(guide.query_body(text))[:100]


def _params_set(chrome: Any, count: int) -> bool:
    """True once the newest `:param` script frame shows `count` successful statements."""
    from selenium.webdriver.common.by import By

    frame = _frame(chrome, ":param ")
    if frame is None:
        return False
    icons = frame.find_elements(By.CSS_SELECTOR, "[data-testid='multi-statement-list-icon']")
    failed = [i for i in icons if i.get_attribute("title") != "Status: success"
              and "error" in (i.get_attribute("title") or "").lower()]
    assert not failed, frame.text
    return sum(i.get_attribute("title") == "Status: success" for i in icons) == count


def _go_to_slide(chrome: Any, number: int) -> None:
    """Click the guide's pager dot of slide `number` (1-based)."""
    from selenium.webdriver.common.by import By

    dot = _frame(chrome, ":play ").find_element(
        By.CSS_SELECTOR, f"[data-testid='carousel'] li[aria-label='{number}']")
    chrome.execute_script("arguments[0].click()", dot)


def _run_guide_slide(chrome: Any, site: browser.BrowserSite, name: str) -> None:
    """Go to the guide's slide of `name`, run its :param block, then its query block."""
    from selenium.webdriver.common.by import By

    page = _get(site.guide_url)[2]
    _go_to_slide(chrome, page[:page.index(f'data-query="{name}"')].count("<slide"))
    _wait(f"the guide's slide of {name}", lambda: _frame(chrome, ":play ").find_elements(
        By.CSS_SELECTOR, f"pre.runnable[data-query='{name}']"))
    for role in ("params", "query"):
        block = _frame(chrome, ":play ").find_element(By.CSS_SELECTOR,
                                                      f"pre.runnable[data-{role}='{name}']")
        statements = block.text.count(":param ")
        block.click()
        editor = chrome.find_element(By.CSS_SELECTOR, "[data-testid='activeEditor']")
        first_word = block.text.split()[0]
        _wait(f"the {role} block of {name} in the editor",
              lambda e=editor, w=first_word: w in e.text)
        chrome.find_element(By.CSS_SELECTOR, "[data-testid='editor-Run']").click()
        if role == "params":
            _wait(f"the parameters of {name} set", lambda n=statements: _params_set(chrome, n))


def test_headless_chromium_logs_in_sees_the_guide_and_runs_orthologs_for_alas2(
        current_graph: Any, site: browser.BrowserSite, settings: Settings, chrome: Any,
        tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    chrome.get(site.browser_url(settings.neo4j.username))
    password = _wait("the connect form", lambda: chrome.find_element(
        By.CSS_SELECTOR, "input[data-testid='password']"))
    username = chrome.find_element(By.CSS_SELECTOR, "input[data-testid='username']")
    assert username.get_attribute("value") == settings.neo4j.username  # from the URL
    password.send_keys(settings.neo4j_password())
    _connect(chrome)

    # post-connect commands: the style, then the guide
    play = f":play {site.guide_url}"
    guide_frame = _wait("the ChickGraph guide's first slide", lambda: (
        (frame := _frame(chrome, play)) and "ChickGraph" in frame.text and frame))
    assert _frame(chrome, f":style {site.style_url}") is not None
    guide_frame.screenshot(str(tmp_path / "browser-guide.png"))
    # slide 2: the model picture, drawn (a data: URI, the only kind the Browser's CSP allows)
    _go_to_slide(chrome, 2)
    picture = _wait("the model picture", lambda: _frame(chrome, play).find_elements(
        By.CSS_SELECTOR, "img[src^='data:image/svg+xml;base64,']"))
    _wait("the model picture loaded", lambda: chrome.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", picture[0]))

    _run_guide_slide(chrome, site, "orthologs")
    orthologs = named.get("orthologs").text
    table = _wait("the orthologs table", lambda: (
        (frame := _frame(chrome, guide_query_start(orthologs)))
        and "NCBITaxon:9606/NCBIGene:211" in frame.text and frame))
    rows = [row.text for row in table.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    human = [row for row in rows if '"Homo sapiens"' in row]
    assert len(human) == 1, rows
    assert '"ALAS2"' in human[0] and '"211"' in human[0] and "9606" in human[0], human
    table.screenshot(str(tmp_path / "browser-orthologs-table.png"))

    _run_guide_slide(chrome, site, "gene-neighbourhood")
    neighbourhood = cypher_files.load("browser/gene-neighbourhood")
    picture = _wait("the ALAS2 graph picture", lambda: (
        (frame := _frame(chrome, guide_query_start(neighbourhood)))
        and frame.find_elements(By.CSS_SELECTOR, "svg g.node") and frame))
    time.sleep(3)  # let the force layout settle before the screenshot
    captions = {t.text for t in picture.find_elements(By.CSS_SELECTOR, "svg g.node text")}
    words = {word for caption in captions for word in caption.split()}
    assert {"ALAS2", "211", "human", "mouse", "Heart"} <= words, sorted(words)
    fills = {circle.get_attribute("fill") for circle in
             picture.find_elements(By.CSS_SELECTOR, "svg g.node circle.b-outline")}
    # the ChickGraph style: genes orange, species cyan, structures green
    assert {"#F79767", "#57C7E3", "#8DCC93"} <= {f.upper() for f in fills if f}, fills
    picture.screenshot(str(tmp_path / "browser-alas2-graph.png"))
    chrome.save_screenshot(str(tmp_path / "browser-window.png"))
    for png in ("browser-guide.png", "browser-orthologs-table.png", "browser-alas2-graph.png"):
        assert re.match(rb"\x89PNG", (tmp_path / png).read_bytes()[:4]), png
    print(f"\n[chickgraph] Browser screenshots in {tmp_path}")
