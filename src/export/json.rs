//! The JSON export: `{"documents": [...], "nodes": [...], "edges": [...]}`.
//!
//! Stable fields (read by `../shared/eval/score.py` and `score_ner.py`):
//! a node has `id`, `type`, `name`, `aliases`, `mentions: [{doc, start, end,
//! text, rule}]` (character offsets into the original document), and for
//! values `value` (ISO date string, or number), `text` (surface texts),
//! and where they apply `currency`, `unit`, `approx`. An edge has `source`,
//! `target`, `predicate`, its qualifiers as top-level fields (`title`,
//! `date`, `measure`, ...), `evidence: {doc, start, end, text}` (the
//! sentence), `more_evidence` and `rule`. One array element per line.

use crate::graph::{GraphEdge, GraphNode, KnowledgeGraph};
use crate::value::Value;
use serde_json::{json, Map, Value as Json};
use std::io::{self, Write};

pub fn node_json(node: &GraphNode) -> Json {
    let mut o = Map::new();
    o.insert("id".into(), json!(node.id));
    o.insert("type".into(), json!(node.node_type.as_str()));
    o.insert("name".into(), json!(node.name));
    o.insert("aliases".into(), json!(node.aliases));
    if let Some(v) = &node.value {
        for (k, val) in value_fields(v) {
            o.insert(k.into(), val);
        }
        let mut texts: Vec<&String> = node.texts.iter().collect();
        if texts.is_empty() {
            texts.push(&node.name);
        }
        o.insert("text".into(), json!(texts));
    }
    o.insert("mentions".into(), json!(node.mentions));
    Json::Object(o)
}

/// The normalized value as JSON fields.
pub fn value_fields(v: &Value) -> Vec<(&'static str, Json)> {
    match v {
        Value::Date(d) => vec![("value", json!(d.iso))],
        Value::Money { amount, currency, approx } => {
            vec![("value", number(*amount)), ("currency", json!(currency)), ("approx", json!(approx))]
        }
        Value::Percent { fraction, approx } => vec![("value", number(*fraction)), ("approx", json!(approx))],
        Value::Quantity { amount, unit, approx } => {
            vec![("value", number(*amount)), ("unit", json!(unit)), ("approx", json!(approx))]
        }
    }
}

/// Integral amounts print without a fraction (750000000, not 750000000.0).
fn number(x: f64) -> Json {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

pub fn edge_json(source: &GraphNode, edge: &GraphEdge, target: &GraphNode) -> Json {
    let mut o = Map::new();
    o.insert("source".into(), json!(source.id));
    o.insert("target".into(), json!(target.id));
    o.insert("predicate".into(), json!(edge.predicate.as_str()));
    for (k, v) in &edge.qualifiers {
        o.insert(k.clone(), json!(v));
    }
    o.insert("evidence".into(), json!(edge.evidence));
    if !edge.more_evidence.is_empty() {
        o.insert("more_evidence".into(), json!(edge.more_evidence));
    }
    o.insert("rule".into(), json!(edge.rule));
    Json::Object(o)
}

pub fn write(graph: &KnowledgeGraph, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\"documents\": [")?;
    for (i, d) in graph.documents().iter().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, d)?;
    }
    out.write_all(b"\n],\n\"nodes\": [")?;
    for (i, n) in graph.nodes().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &node_json(n))?;
    }
    out.write_all(b"\n],\n\"edges\": [")?;
    for (i, (s, e, t)) in graph.edges().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &edge_json(s, e, t))?;
    }
    out.write_all(b"\n]}\n")
}
