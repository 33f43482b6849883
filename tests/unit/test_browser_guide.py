"""The Browser guide, style and config lines (pure), and the guide's loopback HTTP server.

What the Browser does with them is tested in a real headless Chromium
(tests/integration/test_browser.py); here: every named query is in the guide with its
parameters bound as `chickgraph query` binds them, a new query file appears by itself, the
style covers every label, the ports never collide, and the guide server answers CORS for the
Browser's origin only.
"""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.load import cypher_files
from pipeline.queries import named
from pipeline.servers import browser, guide, guide_http
from pipeline.settings import DEFAULT_CONFIG, load_settings


def _runnables(page: str, role: str = "query") -> dict[str, str]:
    """name -> the text of its runnable block (role `query` or `params`), unescaped as the
    Browser shows it."""
    return {m["name"]: html.unescape(m["text"]) for m in re.finditer(
        rf'<pre class="runnable" data-{role}="(?P<name>[^"]+)">(?P<text>.*?)</pre>', page, re.S)}


def _frames(page: str) -> dict[str, str]:
    """name -> its parameter lines and its query, as one text."""
    params = _runnables(page, "params")
    return {name: (params[name] + "\n" if name in params else "") + query
            for name, query in _runnables(page).items()}


@pytest.fixture(scope="module")
def page() -> str:
    queries = [named.get(name) for name in sorted(named.catalogue())]
    return guide.render_guide(queries, guide.picture_specs())


def test_every_named_query_is_a_runnable_frame_with_every_parameter_set(page: str) -> None:
    frames = _frames(page)
    assert set(named.catalogue()) <= set(frames)
    assert len(named.catalogue()) >= 13  # the nine of issue 6, three of 13, one of 17
    for name, spec in named.catalogue().items():
        command = frames[name]
        set_params = re.findall(r"^:param (\w+) => (.+);$", command, re.M)
        assert [p for p, _ in set_params] == [p.name for p in spec.params], name
        # the query block is the file's Cypher alone, header comments dropped
        assert _runnables(page)[name] == guide.query_body(spec.text), name
        assert guide.query_body(spec.text).splitlines()[0].strip(), name
        # no required parameter is left without a value
        values = dict(set_params)
        for param in spec.params:
            if param.required:
                assert values[param.name] != "null", (name, param.name)


def test_examples_are_converted_as_the_command_line_converts_them(page: str) -> None:
    orthologs = _runnables(page, "params")["orthologs"]
    assert ':param symbol => "ALAS2";' in orthologs
    assert ":param species => 9606;" in orthologs  # "human" as its taxon id
    assert ":param limit => 10000;" in orthologs  # an integer, for LIMIT
    tissue = _runnables(page, "params")["genes-in-tissue"]
    assert ':param structure => "heart";' in tissue
    assert ":param from_stage => 24.0;" in tissue  # HH10
    assert ":param to_stage => 34.0;" in tissue  # HH20
    chick = _runnables(page, "params")["chick-expression-of"]
    assert ':param id => "211";' in chick  # human ALAS2's NCBI id
    conserved = _runnables(page, "params")["conserved-orthologs"]
    assert ":param species => [9606, 10090];" in conserved


def test_a_new_query_file_appears_in_the_guide_without_editing_it() -> None:
    text = ("// Genes named like a prefix.\n"
            "// @param prefix: string (required) e.g. ALA\n"
            "// @param at: stage = HH12 a stage (no example by that name: the default)\n"
            "MATCH (g:Gene) WHERE g.symbol STARTS WITH $prefix RETURN g.symbol LIMIT 5\n")
    spec = named.parse_header("prefix-genes", text)
    frames = _frames(guide.render_guide([spec], []))
    assert frames["prefix-genes"] == (
        ":param prefix => null;\n:param at => 26.0;\n"
        "MATCH (g:Gene) WHERE g.symbol STARTS WITH $prefix RETURN g.symbol LIMIT 5")


def test_cypher_literals_escape_quotes_and_keep_types() -> None:
    assert guide.cypher_literal('say "hi"\\') == '"say \\"hi\\"\\\\"'
    assert guide.cypher_literal(None) == "null"
    assert guide.cypher_literal(True) == "true"
    assert guide.cypher_literal([9606, 10090]) == "[9606, 10090]"
    assert guide.cypher_literal(24.5) == "24.5"


def test_guide_pictures_come_from_cypher_browser_and_the_model_is_inline(page: str) -> None:
    names = [p.stem for p in cypher_files.available("browser")]
    assert "gene-neighbourhood" in names
    assert "gene-neighbourhood" in _runnables(page)
    # the Browser's CSP allows guide images only as data: URIs (or from neo4j.com)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)
    assert page.count("<slide") == 2 + len(names) + len(named.catalogue())


def test_style_covers_every_constrained_label_with_a_caption() -> None:
    grass = guide.render_grass()
    schema = cypher_files.load("schema")
    labels = set(re.findall(r"FOR \(n:(\w+)\) REQUIRE", schema))
    assert labels >= {"Gene", "Species", "AnatomicalStructure", "DevelopmentalStage", "Image",
                      "Publication"}
    for label in labels:
        block = re.search(rf"node\.{label} \{{\n(.*?)\n\}}", grass, re.S)
        assert block, label
        assert re.search(r'caption: "\{\w+\}', block[1]), label
    colours = [s.color for s in guide.NODE_STYLES if s.label in labels - {"GraphMeta",
                                                                           "IngestLock"}]
    assert len(colours) == len(set(colours)), "distinct colours per kind"
    assert 'caption: "<type>"' in grass


def test_model_picture_draws_every_styled_kind_of_the_model() -> None:
    svg = guide.render_model_svg()
    for label in ("Gene", "Species", "AnatomicalStructure", "DevelopmentalStage", "Image",
                  "Publication", "ORTHOLOG_OF", "EXPRESSED_IN", "IN_SPECIES"):
        assert f">{label}</text>" in svg, label
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")


# ------------------------------------------------------------------ ports and config lines


def test_browser_ports_follow_bolt_unless_set() -> None:
    local = load_settings(DEFAULT_CONFIG, environ={}).neo4j.local
    assert (local.bolt_port, local.browser_http_port, local.browser_guide_port) == (
        17687, 18687, 19687)
    tests = load_settings(DEFAULT_CONFIG, environ={"CHICKGRAPH_BOLT_PORT": "17688"})
    assert tests.neo4j.local.browser_http_port == 18688
    explicit = load_settings(DEFAULT_CONFIG, environ={
        "CHICKGRAPH_HTTP_PORT": "17721", "CHICKGRAPH_GUIDE_PORT": "17722"}).neo4j.local
    assert (explicit.browser_http_port, explicit.browser_guide_port) == (17721, 17722)
    high = load_settings(DEFAULT_CONFIG, environ={"CHICKGRAPH_BOLT_PORT": "65000"})
    with pytest.raises(ConfigError, match=r"neo4j\.local\.http_port"):
        _ = high.neo4j.local.browser_http_port


def test_conf_lines_bind_loopback_and_allow_only_localhost_content() -> None:
    settings = load_settings(DEFAULT_CONFIG, environ={
        "CHICKGRAPH_BOLT_PORT": "17720", "CHICKGRAPH_HTTP_PORT": "17721",
        "CHICKGRAPH_GUIDE_PORT": "17722"})
    lines = dict(line.split("=", 1) for line in browser.conf_lines(settings))
    assert lines["server.http.listen_address"] == "127.0.0.1:17721"
    assert lines["browser.remote_content_hostname_whitelist"] == "localhost"
    assert lines["browser.post_connect_cmd"] == (
        "style http://localhost:17722/chickgraph.grass; play http://localhost:17722/guide.html")
    site = browser.BrowserSite.from_settings(settings)
    url = site.browser_url("neo4j")
    assert url == ("http://localhost:17721/browser/?dbms=bolt%3A%2F%2Fneo4j%40localhost%3A17720"
                   "&preselectAuthMethod=NATIVE")
    assert "password" not in url


def test_external_browser_url_names_the_servers_host() -> None:
    assert browser.external_browser_url("neo4j://db.lab.org:7687") == \
        "http://db.lab.org:7474/browser/"
    assert browser.external_browser_url("neo4j+s://x.databases.example") == \
        "https://x.databases.example:7473/browser/"


# ------------------------------------------------------------------ the guide's HTTP server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    guide.write_site(tmp_path)
    # port 0: the kernel picks a free port, so this test can never collide with a server
    server = guide_http.make_server(tmp_path, 0, ["http://localhost:17721"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _get(url: str, origin: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), ""


def test_guide_server_allows_the_browsers_origin_only(served: str) -> None:
    status, headers, body = _get(f"{served}/guide.html", origin="http://localhost:17721")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:17721"
    assert '<pre class="runnable" data-query="orthologs">' in body
    status, headers, _ = _get(f"{served}/chickgraph.grass", origin="http://evil.example")
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_guide_server_lists_no_folders_and_leaves_no_path(served: str) -> None:
    assert _get(f"{served}/")[0] == 404
    assert _get(f"{served}/../../etc/passwd")[0] == 404


def test_guide_server_answers_the_browsers_cors_preflight(served: str) -> None:
    # the Browser's fetch of a :play or :style URL is pre-flighted (a 501 here made it fail)
    request = urllib.request.Request(f"{served}/guide.html", method="OPTIONS", headers={
        "Origin": "http://localhost:17721", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-ajax-browser-auth"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:17721"
        assert "GET" in response.headers["Access-Control-Allow-Methods"]
        assert response.headers["Access-Control-Allow-Headers"] == "x-ajax-browser-auth"
