//! Node-link JSON as NetworkX `node_link_data` writes it and
//! `node_link_graph` reads it, and as D3 force layouts consume it:
//! `{"directed": true, "multigraph": true, "graph": {...}, "nodes": [{"id",
//! ...}], "edges": [{"source", "target", "key", ...}]}`.
//!
//! The edge list is called `edges`, the default of NetworkX since 3.4
//! (`nx.node_link_graph(data)`); NetworkX before 3.4 and D3 examples that
//! expect `links` read it with `edges="edges"` / `link="edges"` or
//! `data.edges`. Nodes and edges are the JSON export's objects
//! ([`node_json`], [`edge_json`]: nested mentions and evidence included)
//! plus `label`, `color` and folded values; `key` is the edge id, unique
//! among parallel edges.

use super::json::{edge_json, node_json};
use super::view::{edge_label, node_label, type_color_hex, GraphView, ViewOptions};
use crate::graph::KnowledgeGraph;
use serde_json::{json, Value as Json};
use std::io::{self, Write};

pub fn write(graph: &KnowledgeGraph, options: &ViewOptions, out: &mut dyn Write) -> io::Result<()> {
    let view = GraphView::new(graph, *options);
    let head = json!({"name": "newsgraph", "documents": view.documents, "values": view.options.values.name()});
    write!(
        out,
        "{{\"directed\": true, \"multigraph\": true, \"graph\": {head},\n\"nodes\": ["
    )?;
    for (i, n) in view.nodes.iter().enumerate() {
        let mut j = node_json(view.graph, n.node);
        if let Json::Object(o) = &mut j {
            o.insert("label".into(), json!(node_label(n.node)));
            o.insert("color".into(), json!(type_color_hex(n.node.node_type)));
            for (k, v) in &n.folded {
                o.insert(k.to_string(), json!(v));
            }
        }
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &j)?;
    }
    out.write_all(b"\n],\n\"edges\": [")?;
    for (i, e) in view.edges.iter().enumerate() {
        let mut j = edge_json(e.source, e.edge, e.target);
        if let Json::Object(o) = &mut j {
            o.insert("key".into(), json!(e.id));
            o.insert("label".into(), json!(edge_label(e.edge)));
        }
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &j)?;
    }
    out.write_all(b"\n]}\n")
}
