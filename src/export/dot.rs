//! Graphviz DOT (`dot -Tsvg`, `-Tpng`; also xdot, Gephi, yEd's importers).
//!
//! Written by hand rather than through petgraph's `Dot` so the order is the
//! graph's id order and every string goes through one escaping function:
//! node ids are quoted strings (only `"` needs escaping there, backslashes
//! are doubled so no id ends in an escaping backslash), labels are Graphviz
//! escStrings (`\\`, `\"`, line breaks as `\n`), and characters that are
//! not printable text (controls, U+FFFE/U+FFFF) become U+FFFD. Nodes are
//! shaped and filled by type with the shared palette, edges are labelled by
//! predicate (and title) and carry their evidence sentence as a tooltip
//! for SVG output.

use super::view::{edge_label, node_label, type_color_hex, GraphView, ViewOptions, NODE_TYPES};
use super::xml::is_xml_char;
use crate::graph::KnowledgeGraph;
use crate::model::NodeType;
use std::io::{self, Write};

/// A DOT double-quoted string, for ids and escString attributes alike.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push(' '),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out.push('"');
    out
}

fn shape(t: NodeType) -> &'static str {
    match t {
        NodeType::Person => "ellipse",
        NodeType::Organization => "box",
        NodeType::Place => "hexagon",
        NodeType::Event => "diamond",
        NodeType::Work => "parallelogram",
        NodeType::Quotation => "note",
        _ => "octagon",
    }
}

pub fn write(graph: &KnowledgeGraph, options: &ViewOptions, out: &mut dyn Write) -> io::Result<()> {
    let view = GraphView::new(graph, *options);
    writeln!(out, "digraph newsgraph {{")?;
    writeln!(
        out,
        "  graph [charset=\"UTF-8\", overlap=false, splines=true, fontsize=10];"
    )?;
    writeln!(out, "  node [style=\"filled\", fontsize=11, penwidth=0.5];")?;
    writeln!(out, "  edge [fontsize=9, color=\"#666666\", fontcolor=\"#333333\"];")?;
    let present: Vec<NodeType> = NODE_TYPES
        .into_iter()
        .filter(|t| view.nodes.iter().any(|n| n.node.node_type == *t))
        .collect();
    writeln!(
        out,
        "  // node types: {}",
        present.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
    )?;
    for n in &view.nodes {
        let mut tooltip = format!("{} {}", n.node.node_type, n.node.id);
        for (pred, facts) in &n.folded {
            for f in facts {
                tooltip.push_str(&format!("\n{pred}: {f}"));
            }
        }
        let mut label = node_label(n.node);
        for (pred, facts) in &n.folded {
            for f in facts {
                label.push_str(&format!("\n{pred}: {f}"));
            }
        }
        writeln!(
            out,
            "  {} [label={}, shape={}, fillcolor=\"{}\", tooltip={}];",
            quote(&n.node.id),
            quote(&label),
            shape(n.node.node_type),
            type_color_hex(n.node.node_type),
            quote(&tooltip)
        )?;
    }
    for e in &view.edges {
        writeln!(
            out,
            "  {} -> {} [id={}, label={}, tooltip={}];",
            quote(&e.source.id),
            quote(&e.target.id),
            quote(&e.id),
            quote(&edge_label(e.edge)),
            quote(&e.edge.evidence.text)
        )?;
    }
    writeln!(out, "}}")
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\u{FFFD}\"");
        assert_eq!(quote("王坚😀"), "\"王坚😀\"");
    }
}
