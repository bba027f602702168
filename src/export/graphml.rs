//! GraphML, for yEd, Cytoscape, Gephi and NetworkX (`read_graphml`).
//!
//! Every node and edge attribute of the [`GraphView`] is declared as a typed
//! `<key>` (`string`, `int`, `double`, `boolean`), so tools import numbers
//! as numbers. Labels are given twice: a plain `label` key (Cytoscape and
//! Gephi map it) and yEd's `y:ShapeNode`/`y:NodeLabel` graphics (yEd shows
//! them with no mapping step; the other readers ignore unknown graphics
//! keys). Lists (aliases, folded values) are joined with `"; "`.

use super::view::{edge_attrs, node_attrs, type_color_hex, Attr, AttrType, GraphView, ViewOptions};
use super::xml::escape;
use crate::graph::KnowledgeGraph;
use crate::model::NodeType;
use std::io::{self, Write};

/// yEd shape names per node type.
fn yed_shape(t: NodeType) -> &'static str {
    match t {
        NodeType::Person => "ellipse",
        NodeType::Organization => "roundrectangle",
        NodeType::Place => "hexagon",
        NodeType::Event => "diamond",
        NodeType::Work => "parallelogram",
        NodeType::Quotation => "rectangle",
        _ => "octagon",
    }
}

pub fn write(graph: &KnowledgeGraph, options: &ViewOptions, out: &mut dyn Write) -> io::Result<()> {
    let view = GraphView::new(graph, *options);
    let schema = view.schema();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:y="http://www.yworks.com/xml/graphml" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd">"#
    )?;
    for (i, (name, ty)) in schema.node.iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="n{i}" for="node" attr.name="{}" attr.type="{}"/>"#,
            escape(name),
            ty.xml_name()
        )?;
    }
    for (i, (name, ty)) in schema.edge.iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="e{i}" for="edge" attr.name="{}" attr.type="{}"/>"#,
            escape(name),
            ty.xml_name()
        )?;
    }
    writeln!(out, r#"  <key id="ng" for="node" yfiles.type="nodegraphics"/>"#)?;
    writeln!(out, r#"  <key id="eg" for="edge" yfiles.type="edgegraphics"/>"#)?;
    writeln!(out, r#"  <graph id="newsgraph" edgedefault="directed">"#)?;
    for n in &view.nodes {
        writeln!(out, r#"    <node id="{}">"#, escape(&n.node.id))?;
        let attrs = node_attrs(view.graph, n);
        let label = write_data(out, "n", &schema.node, &attrs)?;
        writeln!(
            out,
            r##"      <data key="ng"><y:ShapeNode><y:Fill color="{}" transparent="false"/><y:NodeLabel>{}</y:NodeLabel><y:Shape type="{}"/></y:ShapeNode></data>"##,
            type_color_hex(n.node.node_type),
            escape(&label),
            yed_shape(n.node.node_type)
        )?;
        writeln!(out, "    </node>")?;
    }
    for e in &view.edges {
        writeln!(
            out,
            r#"    <edge id="{}" source="{}" target="{}">"#,
            escape(&e.id),
            escape(&e.source.id),
            escape(&e.target.id)
        )?;
        let attrs = edge_attrs(e);
        let label = write_data(out, "e", &schema.edge, &attrs)?;
        writeln!(
            out,
            r#"      <data key="eg"><y:PolyLineEdge><y:Arrows source="none" target="standard"/><y:EdgeLabel>{}</y:EdgeLabel></y:PolyLineEdge></data>"#,
            escape(&label)
        )?;
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}

/// Write one `<data>` element per declared key the element has (keys are
/// `{prefix}{index}` in declaration order) and return its label.
fn write_data(
    out: &mut dyn Write,
    prefix: &str,
    declared: &[(String, AttrType)],
    attrs: &[(String, Attr)],
) -> io::Result<String> {
    for (i, (name, _)) in declared.iter().enumerate() {
        if let Some((_, v)) = attrs.iter().find(|(k, _)| k == name) {
            writeln!(out, r#"      <data key="{prefix}{i}">{}</data>"#, escape(&v.text()))?;
        }
    }
    Ok(attrs.iter().find(|(k, _)| k == "label").map(|(_, v)| v.text()).unwrap_or_default())
}
