//! Cytoscape.js JSON (`.cyjs`), read by Cytoscape.js (`cy.add(json.elements)`)
//! and by Cytoscape desktop (File → Import → Network from File).
//!
//! `{"data": {...}, "elements": {"nodes": [{"data": {...}}], "edges":
//! [{"data": {"id", "source", "target", ...}}]}}`. Data values are flat:
//! strings, numbers, booleans and lists of strings (what Cytoscape desktop
//! turns into typed columns); `color` holds the type colour for a
//! `background-color: data(color)` style, and edges repeat the predicate as
//! `interaction`, the column Cytoscape desktop uses for edge types.

use super::view::{edge_attrs, node_attrs, type_color_hex, GraphView, ViewOptions};
use crate::graph::KnowledgeGraph;
use serde_json::{json, Map, Value as Json};
use std::io::{self, Write};

pub fn write(graph: &KnowledgeGraph, options: &ViewOptions, out: &mut dyn Write) -> io::Result<()> {
    let view = GraphView::new(graph, *options);
    let docs: Vec<&str> = view.documents.iter().map(|d| d.id.as_str()).collect();
    let head = json!({"name": "newsgraph", "documents": docs, "values": view.options.values.name()});
    write!(out, "{{\"data\": {head},\n\"elements\": {{\"nodes\": [")?;
    for (i, n) in view.nodes.iter().enumerate() {
        let mut data = Map::new();
        data.insert("id".into(), json!(n.node.id));
        for (k, v) in node_attrs(view.graph, n) {
            data.insert(k, v.json());
        }
        data.insert("color".into(), json!(type_color_hex(n.node.node_type)));
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &json!({"data": Json::Object(data)}))?;
    }
    out.write_all(b"\n],\n\"edges\": [")?;
    for (i, e) in view.edges.iter().enumerate() {
        let mut data = Map::new();
        data.insert("id".into(), json!(e.id));
        data.insert("source".into(), json!(e.source.id));
        data.insert("target".into(), json!(e.target.id));
        data.insert("interaction".into(), json!(e.edge.predicate.as_str()));
        for (k, v) in edge_attrs(e) {
            data.insert(k, v.json());
        }
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &json!({"data": Json::Object(data)}))?;
    }
    out.write_all(b"\n]}}\n")
}
