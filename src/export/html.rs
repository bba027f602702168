//! `--format html`: one self-contained page to explore the graph and the
//! sentences behind it, opening offline with no network request.
//!
//! The page is the template below plus two embedded assets
//! (`html/view.css`, `html/view.js`: a seeded force layout and an SVG
//! renderer in plain JavaScript, no library) and the graph as JSON in a
//! `<script type="application/json">` block. The JSON has every `<` written
//! as `\u003c`, so article text holding `</script>` cannot end the block;
//! the script reads it with `JSON.parse` and puts every article string into
//! the page as DOM text nodes, never as markup. A Content-Security-Policy
//! forbids any fetch, so a page that tried would be blocked and report it.
//!
//! Evidence highlighting is computed here: each evidence sentence carries
//! `marks`, character ranges (Unicode scalars, as in every offset of the
//! graph) of the source and target mentions inside it.
//!
//! Layout runs in the browser from a fixed seed, so the bytes depend only on
//! the graph and the picture only on the bytes.

use super::json::node_json;
use super::view::{edge_label, node_label, type_color_hex, GraphView, ViewEdge, ViewOptions, NODE_TYPES};
use crate::graph::{EvidenceRef, GraphNode, KnowledgeGraph};
use crate::model::Predicate;
use serde_json::{json, Value as Json};
use std::io::{self, Write};

const CSS: &str = include_str!("html/view.css");
const JS: &str = include_str!("html/view.js");

/// The CSP of the page: inline script and style only, images only as data.
pub const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/// JSON for a `<script>` data block: `<` as `\u003c` (it can only occur
/// inside JSON strings, where the escape means the same character).
pub fn script_json(value: &Json) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// Ranges of a node's mentions inside an evidence sentence, relative to it.
fn marks(graph: &KnowledgeGraph, ev: &EvidenceRef, node: &GraphNode, role: &str, out: &mut Vec<Json>) {
    for m in graph.mentions(node) {
        if m.doc == &*ev.doc && m.start >= ev.start && m.end <= ev.end && m.start < m.end {
            out.push(json!([m.start - ev.start, m.end - ev.start, role]));
        }
    }
}

fn edge_data(graph: &KnowledgeGraph, e: &ViewEdge) -> Json {
    let evidence: Vec<Json> = e
        .evidence()
        .map(|ev| {
            let mut ms = Vec::new();
            marks(graph, ev, e.source, "s", &mut ms);
            marks(graph, ev, e.target, "t", &mut ms);
            ms.sort_by_key(|m| (m[0].as_u64(), m[1].as_u64()));
            json!({"doc": ev.doc, "start": ev.start, "end": ev.end, "text": ev.text, "marks": ms})
        })
        .collect();
    json!({
        "id": e.id,
        "source": e.source.id,
        "target": e.target.id,
        "predicate": e.edge.predicate.as_str(),
        "label": edge_label(e.edge),
        "qualifiers": e.edge.qualifiers,
        "rule": e.edge.rule,
        "evidence": evidence,
    })
}

/// The data block: documents, legend entries, nodes and edges.
pub fn page_data(view: &GraphView) -> Json {
    let types: Vec<Json> = NODE_TYPES
        .iter()
        .filter_map(|t| {
            let count = view.nodes.iter().filter(|n| n.node.node_type == *t).count();
            (count > 0).then(|| json!({"type": t.as_str(), "color": type_color_hex(*t), "count": count}))
        })
        .collect();
    let predicates: Vec<Json> = Predicate::ALL
        .iter()
        .filter_map(|p| {
            let count = view.edges.iter().filter(|e| e.edge.predicate == *p).count();
            (count > 0).then(|| json!({"predicate": p.as_str(), "count": count}))
        })
        .collect();
    let nodes: Vec<Json> = view
        .nodes
        .iter()
        .map(|n| {
            let mut j = node_json(view.graph, n.node);
            if let Json::Object(o) = &mut j {
                o.insert("label".into(), json!(node_label(n.node)));
                o.insert("folded".into(), json!(n.folded));
            }
            j
        })
        .collect();
    let edges: Vec<Json> = view.edges.iter().map(|e| edge_data(view.graph, e)).collect();
    json!({
        "documents": view.documents,
        "values": view.options.values.name(),
        "types": types,
        "predicates": predicates,
        "nodes": nodes,
        "edges": edges,
    })
}

pub fn write(graph: &KnowledgeGraph, options: &ViewOptions, out: &mut dyn Write) -> io::Result<()> {
    let view = GraphView::new(graph, *options);
    let data = script_json(&page_data(&view));
    let docs: Vec<&str> = view.documents.iter().map(|d| d.id.as_str()).collect();
    let title = super::xml::escape(&format!("newsgraph: {}", docs.join(", "))).into_owned();
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
{CSS}</style>
</head>
<body>
<div id="app">
<aside id="sidebar">
<h1>newsgraph</h1>
<input id="search" type="search" placeholder="Search names…" autocomplete="off">
<div id="search-status"></div>
<h2>Node types</h2>
<div id="legend"></div>
<h2>Predicates</h2>
<div id="predicates"></div>
<div id="zoom-buttons"><button id="zoom-in" title="Zoom in">+</button><button id="zoom-out" title="Zoom out">−</button><button id="zoom-fit" title="Fit">Fit</button></div>
<p class="hint">Drag to pan, wheel to zoom, click a node or edge for its evidence.</p>
</aside>
<main id="canvas"><svg id="graph" xmlns="http://www.w3.org/2000/svg"><g id="viewport"><g id="edges"></g><g id="nodes"></g></g></svg></main>
<aside id="panel" hidden><button id="panel-close" title="Close">×</button><div id="panel-body"></div></aside>
</div>
<pre id="selftest-result" hidden></pre>
<script type="application/json" id="newsgraph-data">{data}</script>
<script>
{JS}</script>
</body>
</html>
"#
    )
}
