"""Graphviz DOT: nodes colored by owner, clustered by framework, party-crossing edges in red."""

from __future__ import annotations

from ctrlmap.formats import register
from ctrlmap.models.results import GraphResult

COLORS = {
    "internal": "#cfe3ff",
    "provider": "#ffe2b8",
    "shared": "#d9f2d0",
    "unassigned": "#ffc9c9",
    None: "#eeeeee",
}
"""Fill color per owner (null: not applicable or external)."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


@register("graph", "dot")
def graph(result: GraphResult) -> str:
    """A digraph; `dot -Tsvg` draws it. Edges point from a control to its prerequisite."""
    lines = [
        f"digraph {_quote('ctrlmap: ' + result.organization)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [color="#777777", arrowsize=0.6];',
    ]
    clusters = [*result.frameworks, *sorted({n.framework for n in result.nodes if n.external})]
    for index, framework in enumerate(dict.fromkeys(clusters)):
        members = [n for n in result.nodes if n.framework == framework]
        if not members:
            continue
        external = all(n.external for n in members)
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_quote(framework + (' (external)' if external else ''))};")
        for n in members:
            style = (
                ', style="rounded,dashed"'
                if n.external
                else (', style="rounded,filled,dotted"' if not n.applicable else "")
            )
            owner = n.owner or ("external" if n.external else "n/a")
            label = _quote(n.id.partition(":")[2]).removesuffix('"') + "\\n" + owner + '"'
            lines.append(
                f'    {_quote(n.id)} [label={label}, fillcolor="{COLORS[n.owner]}"{style}, '
                f"tooltip={_quote(n.title)}];"
            )
        lines.append("  }")
    for e in result.edges:
        attrs = ['color="#c0392b"', "penwidth=2"] if e.crosses else []
        if e.kind == "parent":
            attrs.append("style=dashed")
        if e.basis == "inferred":
            attrs.append("arrowhead=empty")
        if e.dropped:
            attrs.extend(['color="#bbbbbb"', "style=dotted"])
        lines.append(
            f"  {_quote(e.from_)} -> {_quote(e.to)}"
            + (f" [{', '.join(attrs)}]" if attrs else "")
            + ";"
        )
    lines.append(
        '  legend [shape=note, style=filled, fillcolor=white, label="blue internal, orange provider, '
        'green shared, red unassigned; red edges cross parties; dashed: child to parent; hollow arrow: inferred; gray dotted: the prerequisite does not apply here"];'
    )
    lines.append("}")
    return "\n".join(lines) + "\n"
