//! GEXF 1.3, Gephi's native format (also `networkx.read_gexf(..., version="1.3")`).
//!
//! Attributes are declared with types; nodes carry `viz:color` by entity
//! type (the same palette as every other view) and a `viz:size` growing with
//! the number of mentions. Edges whose facts have a `date` qualifier carry
//! `start` (and, for ranges `a/b`, `end`) as full ISO dates, so Gephi's
//! timeline can play the story: reduced dates open at the first day of their
//! period (`2015-10` → `2015-10-01`), a range closes on the last day of its
//! end (`2010-01/2010-06` → `2010-06-30`), and recurring dates (`--10`) give
//! no time at all. Undated nodes and edges exist at every time.

use super::view::{date_interval, edge_attrs, node_attrs, type_color, GraphView, ViewOptions};
use super::xml::escape;
use crate::graph::KnowledgeGraph;
use std::io::{self, Write};

pub fn write(graph: &KnowledgeGraph, options: &ViewOptions, out: &mut dyn Write) -> io::Result<()> {
    let view = GraphView::new(graph, *options);
    let schema = view.schema();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    let docs: Vec<&str> = view.documents.iter().map(|d| d.id.as_str()).collect();
    writeln!(
        out,
        "  <meta>\n    <creator>newsgraph</creator>\n    <description>{}</description>\n  </meta>",
        escape(&format!(
            "Knowledge graph of {} document(s): {}",
            docs.len(),
            docs.join(", ")
        ))
    )?;
    writeln!(
        out,
        r#"  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">"#
    )?;
    writeln!(out, r#"    <attributes class="node" mode="static">"#)?;
    for (i, (name, ty)) in schema.node.iter().enumerate() {
        writeln!(
            out,
            r#"      <attribute id="n{i}" title="{}" type="{}"/>"#,
            escape(name),
            ty.gexf_name()
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, r#"    <attributes class="edge" mode="static">"#)?;
    for (i, (name, ty)) in schema.edge.iter().enumerate() {
        writeln!(
            out,
            r#"      <attribute id="e{i}" title="{}" type="{}"/>"#,
            escape(name),
            ty.gexf_name()
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, "    <nodes>")?;
    for n in &view.nodes {
        let attrs = node_attrs(view.graph, n);
        let label = attrs
            .iter()
            .find(|(k, _)| k == "label")
            .map(|(_, v)| v.text())
            .unwrap_or_default();
        writeln!(
            out,
            r#"      <node id="{}" label="{}">"#,
            escape(&n.node.id),
            escape(&label)
        )?;
        writeln!(out, "        <attvalues>")?;
        for (i, (name, _)) in schema.node.iter().enumerate() {
            if let Some((_, v)) = attrs.iter().find(|(k, _)| k == name) {
                writeln!(out, r#"          <attvalue for="n{i}" value="{}"/>"#, escape(&v.text()))?;
            }
        }
        writeln!(out, "        </attvalues>")?;
        let (r, g, b) = type_color(n.node.node_type);
        writeln!(out, r#"        <viz:color r="{r}" g="{g}" b="{b}"/>"#)?;
        let size = 10.0 + 4.0 * (n.node.mentions.len() as f64).sqrt();
        writeln!(out, r#"        <viz:size value="{size:.1}"/>"#)?;
        writeln!(out, "      </node>")?;
    }
    writeln!(out, "    </nodes>")?;
    writeln!(out, "    <edges>")?;
    for e in &view.edges {
        let attrs = edge_attrs(e);
        let label = attrs
            .iter()
            .find(|(k, _)| k == "label")
            .map(|(_, v)| v.text())
            .unwrap_or_default();
        let mut time = String::new();
        if let Some((start, end)) = e.edge.qualifiers.get("date").and_then(|d| date_interval(d)) {
            time = format!(r#" start="{start}""#);
            if let Some(end) = end {
                time.push_str(&format!(r#" end="{end}""#));
            }
        }
        writeln!(
            out,
            r#"      <edge id="{}" source="{}" target="{}" label="{}"{time}>"#,
            escape(&e.id),
            escape(&e.source.id),
            escape(&e.target.id),
            escape(&label)
        )?;
        writeln!(out, "        <attvalues>")?;
        for (i, (name, _)) in schema.edge.iter().enumerate() {
            if let Some((_, v)) = attrs.iter().find(|(k, _)| k == name) {
                writeln!(out, r#"          <attvalue for="e{i}" value="{}"/>"#, escape(&v.text()))?;
            }
        }
        writeln!(out, "        </attvalues>")?;
        writeln!(out, "      </edge>")?;
    }
    writeln!(out, "    </edges>")?;
    writeln!(out, "  </graph>")?;
    writeln!(out, "</gexf>")
}
