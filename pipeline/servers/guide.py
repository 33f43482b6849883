"""The ChickGraph Browser guide, graph style and model picture, generated (pure functions).

The guide (a `:play` page) has one slide per named query of `cypher/queries/` and per graph
picture of `cypher/browser/`, built from the files and their headers (pipeline.queries.named):
a new query appears without editing anything here. A slide has two runnable blocks: the
query's parameters as `:param name => value` lines (evaluated by the server, so an integer
stays an integer for LIMIT, where `:params {...}` would send a float), filled in with the
examples below and converted exactly as `chickgraph query` converts them (a stage label
becomes its ordinal, a species its taxon id); then the query alone, so that the Browser shows
its table or graph at once (a script's results stay folded).

The style (GraSS) and the picture's colours come from one table, so they always agree.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.load import cypher_files
from pipeline.queries import named
from pipeline.servers.browser import GUIDE_FILE, MODEL_FILE, STYLE_FILE

# Good examples, by parameter name (then by type); what a biologist would try first.
EXAMPLES: dict[str, Any] = {
    "symbol": "ALAS2",
    "id": "211",
    "structure": "heart",
    "from_stage": "HH10",
    "to_stage": "HH20",
    "stage": "HH10",
    "species": "human",
    "facet": "WNT",
}
TYPE_EXAMPLES: dict[str, Any] = {"species_list": "human,mouse"}


@dataclass(frozen=True)
class NodeStyle:
    label: str
    color: str
    border: str
    text: str
    caption: str
    diameter: int = 50


# Colours, borders and captions: distinct per kind, readable text (dark on light fills).
NODE_STYLES: tuple[NodeStyle, ...] = (
    NodeStyle("Gene", "#F79767", "#F36924", "#FFFFFF", "{symbol} {ncbi_id}", 60),
    NodeStyle("Species", "#57C7E3", "#23B3D7", "#2A2C34", "{common_name}", 55),
    NodeStyle("AnatomicalStructure", "#8DCC93", "#5DB665", "#2A2C34", "{name}"),
    NodeStyle("DevelopmentalStage", "#F16667", "#EB2728", "#FFFFFF", "{key}", 45),
    NodeStyle("DevelopmentalPeriod", "#D9C8AE", "#C0A378", "#2A2C34", "{name}"),
    NodeStyle("Image", "#C990C0", "#B261A5", "#FFFFFF", "{stage}", 40),
    NodeStyle("Publication", "#4C8EDA", "#2870C2", "#FFFFFF", "{key}"),
    NodeStyle("Source", "#FFC454", "#D7A013", "#2A2C34", "{name}"),
    NodeStyle("Page", "#DA7194", "#CC3C6C", "#FFFFFF", "{symbol}"),
    NodeStyle("OrthologRow", "#ECB5C9", "#DA7298", "#2A2C34", "{species}", 40),
    NodeStyle("OmimEntry", "#FF756E", "#E0403A", "#FFFFFF", "{mim_id}", 45),
    NodeStyle("ProcessTerm", "#6DCE9E", "#3FB97A", "#2A2C34", "{name}", 45),
    NodeStyle("Facet", "#FFD86E", "#EDBA39", "#2A2C34", "{name}"),
    NodeStyle("Enrichment", "#B4A7D6", "#8E7CC3", "#2A2C34", "{key}"),
    NodeStyle("DataFile", "#A0C4C4", "#6FA3A3", "#2A2C34", "{path}"),
    NodeStyle("Site", "#C7D38F", "#A4B35A", "#2A2C34", "{key}", 40),
    NodeStyle("IngestRun", "#569480", "#447666", "#FFFFFF", "{status}"),
    NodeStyle("GraphMeta", "#A5ABB6", "#9AA1AC", "#FFFFFF", "{key}"),
    NodeStyle("IngestLock", "#A5ABB6", "#9AA1AC", "#FFFFFF", "{name}"),
)


def render_grass() -> str:
    """The Browser style sheet: one block per label, relationships captioned by type (an
    EXPRESSED_IN edge by its stage)."""
    blocks = [
        "node {\n  diameter: 50px;\n  color: #A5ABB6;\n  border-color: #9AA1AC;\n"
        "  border-width: 2px;\n  text-color-internal: #FFFFFF;\n  font-size: 10px;\n}",
        "relationship {\n  color: #A5ABB6;\n  shaft-width: 1px;\n  font-size: 8px;\n"
        "  padding: 3px;\n  text-color-external: #000000;\n  text-color-internal: #FFFFFF;\n"
        '  caption: "<type>";\n}',
    ]
    blocks.append('relationship.EXPRESSED_IN {\n  color: #8DCC93;\n  shaft-width: 2px;\n'
                  '  caption: "{stage_key}";\n}')
    for style in NODE_STYLES:
        blocks.append(
            f"node.{style.label} {{\n  color: {style.color};\n  border-color: {style.border};\n"
            f"  text-color-internal: {style.text};\n  diameter: {style.diameter}px;\n"
            f'  caption: "{style.caption}";\n}}')
    return "\n".join(blocks) + "\n"


# ------------------------------------------------------------------------- model picture

# (label, x, y) of the model picture, and the relationships drawn between them
_LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("Page", 90, 70), ("Gene", 330, 70), ("Species", 570, 70),
    ("Publication", 90, 210), ("OrthologRow", 570, 210), ("Source", 90, 350),
    ("Image", 330, 350), ("AnatomicalStructure", 570, 350),
    ("DevelopmentalStage", 330, 480), ("DevelopmentalPeriod", 570, 480),
)
_EDGES: tuple[tuple[str, str, str], ...] = (
    ("Page", "Gene", "DESCRIBES"), ("Gene", "Species", "IN_SPECIES"),
    ("Gene", "Publication", "CITES"), ("Gene", "OrthologRow", "HAS_ORTHOLOG_ROW"),
    ("Gene", "Image", "HAS_IMAGE"), ("Gene", "AnatomicalStructure", "EXPRESSED_IN"),
    ("Image", "Source", "FROM_SOURCE"), ("Image", "AnatomicalStructure", "SHOWS"),
    ("Image", "DevelopmentalStage", "AT_STAGE"),
    ("DevelopmentalStage", "DevelopmentalPeriod", "DURING"),
)
_SELF_EDGES: dict[str, str] = {"Gene": "ORTHOLOG_OF", "AnatomicalStructure": "PART_OF",
                               "DevelopmentalStage": "NEXT"}


def render_model_svg() -> str:
    """A picture of the graph model in the style's colours (an SVG the guide shows)."""
    styles = {s.label: s for s in NODE_STYLES}
    where = {label: (x, y) for label, x, y in _LAYOUT}
    radius = 42
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="680" height="560" '
        'viewBox="0 0 680 560" font-family="Helvetica, Arial, sans-serif">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#6b7280"/></marker></defs>',
        '<rect width="680" height="560" fill="#ffffff"/>',
    ]
    for start, end, rel in _EDGES:
        (x1, y1), (x2, y2) = where[start], where[end]
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        dx, dy = (x2 - x1) / length, (y2 - y1) / length
        ax, ay = x1 + dx * radius, y1 + dy * radius
        bx, by = x2 - dx * (radius + 2), y2 - dy * (radius + 2)
        parts.append(f'<line x1="{ax:.0f}" y1="{ay:.0f}" x2="{bx:.0f}" y2="{by:.0f}" '
                     'stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{(ax + bx) / 2:.0f}" y="{(ay + by) / 2 - 4:.0f}" '
                     f'font-size="10" fill="#374151" text-anchor="middle">{rel}</text>')
    for label, rel in _SELF_EDGES.items():
        x, y = where[label]
        parts.append(f'<path d="M{x - 18},{y - radius + 4} C{x - 40},{y - radius - 50} '
                     f'{x + 40},{y - radius - 50} {x + 18},{y - radius + 4}" fill="none" '
                     'stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{x}" y="{y - radius - 34}" font-size="10" fill="#374151" '
                     f'text-anchor="middle">{rel}</text>')
    for label, x, y in _LAYOUT:
        style = styles[label]
        size = 11 if len(label) < 12 else 8
        parts.append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{style.color}" '
                     f'stroke="{style.border}" stroke-width="2"/>')
        parts.append(f'<text x="{x}" y="{y + 4}" font-size="{size}" fill="{style.text}" '
                     f'text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def svg_data_uri(svg: str) -> str:
    """The picture inlined: the Browser's Content-Security-Policy lets a guide show images
    only from itself, guides.neo4j.com or `data:` URIs."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# ------------------------------------------------------------------------------- guide


@dataclass(frozen=True)
class Frame:
    """One runnable frame: a named query or picture with example parameters bound."""

    name: str
    description: str
    shown: tuple[tuple[str, str, str], ...]  # (parameter, example as typed, what it is)
    params: dict[str, Any]
    body: str

    @property
    def param_command(self) -> str:
        """The `:param` lines that set the example (the Browser runs them as one script)."""
        return "\n".join(f":param {name} => {cypher_literal(value)};"
                         for name, value in self.params.items())


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a parameter value (str, int, float, bool, None or lists of them);
    JSON's spelling of these is valid Cypher."""
    return json.dumps(value, ensure_ascii=False)


def example_for(param: named.ParamSpec) -> Any:
    """The example of a parameter as a person would type it, else its default."""
    if param.type in TYPE_EXAMPLES:
        return TYPE_EXAMPLES[param.type]
    return EXAMPLES.get(param.name, param.default)


def query_body(text: str) -> str:
    """The Cypher without its header comment block (shown as the frame's text instead)."""
    lines = text.splitlines()
    start = 0
    while start < len(lines) and lines[start].startswith("//"):
        start += 1
    return "\n".join(lines[start:]).strip()


def frame_for(spec: named.QuerySpec) -> Frame:
    """Convert a query's examples exactly as `chickgraph query` does (named.convert); a
    required parameter without an example stays null, for the reader to fill in."""
    given = {p.name: example_for(p) for p in spec.params}
    params = {p.name: named.convert(p, given[p.name]) for p in spec.params}
    shown = tuple((p.name, "" if given[p.name] is None else str(given[p.name]), p.help)
                  for p in spec.params)
    return Frame(spec.name, spec.description, shown, params, query_body(spec.text))


def picture_specs() -> list[named.QuerySpec]:
    """The graph pictures of `cypher/browser/` (same header format as named queries)."""
    return [named.parse_header(path.stem, cypher_files.load(f"browser/{path.stem}"))
            for path in cypher_files.available("browser")]


_MODEL_LINES = (
    "One <b>Page</b> per chicken gene (GEISHA via ChickyBase) <b>DESCRIBES</b> a "
    "<b>Gene</b>; the gene <b>HAS_IMAGE</b> in-situ <b>Image</b>s, each <b>AT_STAGE</b> a "
    "<b>DevelopmentalStage</b> (EGK I&ndash;XIV, HH1&ndash;HH46) and <b>SHOWS</b> "
    "<b>AnatomicalStructure</b>s (curated terms, <b>PART_OF</b> a hierarchy).",
    "<b>EXPRESSED_IN</b> summarises the images: one edge per gene, structure and stage, "
    "with <code>stage_key</code>, <code>stage_ordinal</code> and <code>image_count</code>.",
    "<b>ORTHOLOG_OF</b> links a chicken gene to the genes of other species named by its "
    "ortholog table (human, mouse, Xenopus, zebrafish, fly), each <b>IN_SPECIES</b> a "
    "<b>Species</b>; the table's rows are kept as <b>OrthologRow</b>s.",
    "Provenance: <b>Source</b>s (GEISHA, NCBI Gene, papers) and cited <b>Publication</b>s.",
)


def _frame_slide(frame: Frame, title: str) -> str:
    pad = ' style="padding:2px 16px 2px 0"'
    rows = "".join(
        f"<tr><td{pad}><code>{html.escape(name)}</code></td>"
        f"<td{pad}>{html.escape(example) or '&ndash;'}</td><td>{html.escape(what)}</td></tr>"
        for name, example, what in frame.shown)
    table = (f"<table><tr><th{pad}>parameter</th><th{pad}>example</th><th>what</th></tr>"
             f"{rows}</table>" if rows else "")
    return (
        '<slide class="row-fluid">\n'
        f'<div class="col-sm-12">\n<h3>{html.escape(title)}</h3>\n'
        f"<p>{html.escape(frame.description)}</p>\n{table}\n"
        + (f"<p>1. Set the example parameters: click the block (it goes to the editor), run "
           "it (Ctrl+Enter). Edit a line to ask about another gene, structure or stage.</p>\n"
           f'<pre class="runnable" data-params="{html.escape(frame.name)}">'
           f"{html.escape(frame.param_command)}</pre>\n<p>2. Run the query:</p>\n"
           if frame.params else "<p>Click the block, then run it (Ctrl+Enter).</p>\n")
        + f'<pre class="runnable" data-query="{html.escape(frame.name)}">'
        f"{html.escape(frame.body)}</pre>\n</div>\n</slide>"
    )


def render_guide(queries: list[named.QuerySpec], pictures: list[named.QuerySpec]) -> str:
    """The whole `:play` page: what the graph holds, its model as a picture, then one slide
    per graph picture and per named query."""
    toc = "".join(f"<li><code>{html.escape(q.name)}</code>: {html.escape(q.description)}</li>"
                  for q in queries)
    intro = (
        '<slide class="row-fluid">\n<div class="col-sm-12">\n'
        "<h3>ChickGraph: chick-embryo gene expression across species</h3>\n"
        + "".join(f"<p>{line}</p>" for line in _MODEL_LINES)
        + f"\n<p>Next: the model as a picture, {len(pictures)} graph picture(s), then the "
        "named queries (the same as <code>chickgraph query NAME</code>), each with a worked "
        f"example:</p>\n<ul>{toc}</ul>\n</div>\n</slide>"
    )
    model = (
        '<slide class="row-fluid">\n<div class="col-sm-12">\n<h3>The graph model</h3>\n'
        f'<img src="{svg_data_uri(render_model_svg())}" alt="the ChickGraph graph model" '
        'style="max-height:360px;max-width:100%;width:auto">\n'
        "<p>The same, drawn by Neo4j from the live database:</p>"
        '<pre class="runnable">CALL db.schema.visualization()</pre>\n</div>\n</slide>'
    )
    slides = [intro, model]
    slides += [_frame_slide(frame_for(p), f"Picture: {p.name}") for p in pictures]
    slides += [_frame_slide(frame_for(q), f"Query: {q.name}") for q in queries]
    return (
        '<article class="guide">\n<carousel class="deck container-fluid">\n'
        + "\n".join(slides)
        + "\n</carousel>\n</article>\n"
    )


def write_site(root: Path) -> list[Path]:
    """Write guide.html, chickgraph.grass and model.svg into `root` (replacing old ones)."""
    root.mkdir(parents=True, exist_ok=True)
    queries = [named.get(name) for name in sorted(named.catalogue())]
    contents = {
        GUIDE_FILE: render_guide(queries, picture_specs()),
        STYLE_FILE: render_grass(),
        MODEL_FILE: render_model_svg(),
    }
    written = []
    for name, text in contents.items():
        path = root / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
