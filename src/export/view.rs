//! The graph as the visualization exporters (GraphML, GEXF, DOT, Cytoscape,
//! node-link, HTML) see it: one place that decides which nodes and edges are
//! drawn, what they are labelled and coloured, and which flat, typed
//! attributes they carry. Every such exporter builds a [`GraphView`] and
//! writes it, so `--values attributes` and the attribute naming behave the
//! same in every tool.
//!
//! With [`ValueMode::Attributes`] the value nodes (dates, money, percentages,
//! quantities) are dropped and each value edge (`monetaryFact`,
//! `foundingDate`, ...) becomes an attribute of its entity instead:
//! `monetaryFact: ["7.5億元 (A輪融資, 2017-07)"]`. Graph tools then show the
//! entities and their relations without a cloud of value leaves.
//!
//! Edge ids (`e0`, `e1`, ...) number the edges of the whole graph in its
//! sorted order, so an edge keeps its id whichever value mode is chosen.

use super::json::value_fields;
use crate::graph::{DocumentInfo, EvidenceRef, GraphEdge, GraphNode, KnowledgeGraph};
use crate::model::NodeType;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Whether value nodes are drawn as nodes or folded into their subjects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ValueMode {
    /// Every node of the graph, values included.
    #[default]
    Nodes,
    /// Value nodes dropped; value edges become attributes of the entity.
    Attributes,
}

impl ValueMode {
    pub const ALL: [ValueMode; 2] = [ValueMode::Nodes, ValueMode::Attributes];

    /// The `--values` name.
    pub fn name(self) -> &'static str {
        match self {
            ValueMode::Nodes => "nodes",
            ValueMode::Attributes => "attributes",
        }
    }

    pub fn from_name(name: &str) -> Option<ValueMode> {
        ValueMode::ALL
            .into_iter()
            .find(|m| m.name() == name.to_ascii_lowercase())
    }
}

/// Options shared by the visualization exporters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewOptions {
    pub values: ValueMode,
}

/// A drawn node, with the value facts folded into it (empty in
/// [`ValueMode::Nodes`]), keyed by predicate name.
#[derive(Clone, Debug)]
pub struct ViewNode<'g> {
    pub node: &'g GraphNode,
    pub folded: BTreeMap<&'static str, Vec<String>>,
}

/// A drawn edge with its stable id.
#[derive(Clone, Debug)]
pub struct ViewEdge<'g> {
    pub id: String,
    pub source: &'g GraphNode,
    pub edge: &'g GraphEdge,
    pub target: &'g GraphNode,
}

impl ViewEdge<'_> {
    /// The first evidence sentence and the others.
    pub fn evidence(&self) -> impl Iterator<Item = &EvidenceRef> {
        std::iter::once(&self.edge.evidence).chain(self.edge.more_evidence.iter())
    }
}

/// The nodes (sorted by id) and edges (sorted) to draw.
#[derive(Clone, Debug)]
pub struct GraphView<'g> {
    pub nodes: Vec<ViewNode<'g>>,
    pub edges: Vec<ViewEdge<'g>>,
    pub documents: &'g [DocumentInfo],
    pub options: ViewOptions,
    /// The graph drawn, for what its nodes do not hold themselves (their
    /// mentions' documents and texts).
    pub graph: &'g KnowledgeGraph,
}

impl<'g> GraphView<'g> {
    pub fn new(graph: &'g KnowledgeGraph, options: ViewOptions) -> GraphView<'g> {
        let fold = options.values == ValueMode::Attributes;
        let hidden = |n: &GraphNode| fold && n.node_type.is_value();
        let mut folded: BTreeMap<&str, BTreeMap<&'static str, Vec<String>>> = BTreeMap::new();
        let mut edges = Vec::new();
        for (i, (s, e, t)) in graph.edges().enumerate() {
            match (hidden(s), hidden(t)) {
                (false, false) => edges.push(ViewEdge {
                    id: format!("e{i}"),
                    source: s,
                    edge: e,
                    target: t,
                }),
                (false, true) => folded
                    .entry(&s.id)
                    .or_default()
                    .entry(e.predicate.as_str())
                    .or_default()
                    .push(fold_text(t, e)),
                (true, false) => folded
                    .entry(&t.id)
                    .or_default()
                    .entry(e.predicate.as_str())
                    .or_default()
                    .push(fold_text(s, e)),
                (true, true) => {}
            }
        }
        let nodes = graph
            .nodes()
            .filter(|n| !hidden(n))
            .map(|n| ViewNode {
                node: n,
                folded: folded.remove(n.id.as_str()).unwrap_or_default(),
            })
            .collect();
        GraphView {
            nodes,
            edges,
            documents: graph.documents(),
            options,
            graph,
        }
    }

    /// The attribute names and types of nodes and edges, over the whole view:
    /// the fixed attributes first, then folded predicates and qualifiers by
    /// name.
    pub fn schema(&self) -> Schema {
        let mut node = Vec::new();
        for n in &self.nodes {
            merge_schema(&mut node, node_attrs(self.graph, n));
        }
        let mut edge = Vec::new();
        for e in &self.edges {
            merge_schema(&mut edge, edge_attrs(e));
        }
        let rank = |fixed: &[&str], name: &str| fixed.iter().position(|f| *f == name).unwrap_or(fixed.len());
        node.sort_by(|a, b| (rank(NODE_ATTRS, &a.0), &a.0).cmp(&(rank(NODE_ATTRS, &b.0), &b.0)));
        edge.sort_by(|a, b| (rank(EDGE_ATTRS, &a.0), &a.0).cmp(&(rank(EDGE_ATTRS, &b.0), &b.0)));
        Schema { node, edge }
    }
}

fn merge_schema(into: &mut Vec<(String, AttrType)>, attrs: Vec<(String, Attr)>) {
    for (k, v) in attrs {
        if !into.iter().any(|(name, _)| *name == k) {
            into.push((k, v.attr_type()));
        }
    }
}

/// A value fact as one line of text: the value as written, then the
/// qualifiers, measure first: `7.5億元 (A輪融資, 2017-07)`.
pub fn fold_text(value: &GraphNode, edge: &GraphEdge) -> String {
    let q = &edge.qualifiers;
    let quals: Vec<&str> = q
        .get("measure")
        .into_iter()
        .chain(q.iter().filter(|(k, _)| *k != "measure").map(|(_, v)| v))
        .map(String::as_str)
        .collect();
    if quals.is_empty() {
        value.name.clone()
    } else {
        format!("{} ({})", value.name, quals.join(", "))
    }
}

/// The text a tool shows on a node: its name, quotations cut to 24
/// characters in quotation marks.
pub fn node_label(node: &GraphNode) -> String {
    if node.node_type == NodeType::Quotation {
        let mut s: String = node.name.chars().take(24).collect();
        if node.name.chars().count() > 24 {
            s.push('…');
        }
        format!("“{s}”")
    } else {
        node.name.clone()
    }
}

/// The text a tool shows on an edge: the predicate, with the title of a
/// `worksFor` (`worksFor 总裁`).
pub fn edge_label(edge: &GraphEdge) -> String {
    match edge.qualifiers.get("title") {
        Some(t) => format!("{} {t}", edge.predicate),
        None => edge.predicate.as_str().to_string(),
    }
}

/// Colour of a node type, as RGB: one hue per entity type, greys and muted
/// tones for values and quotations. Shared by every format and the legend.
pub fn type_color(t: NodeType) -> (u8, u8, u8) {
    match t {
        NodeType::Person => (0x4e, 0x79, 0xa7),
        NodeType::Organization => (0xf2, 0x8e, 0x2b),
        NodeType::Place => (0x59, 0xa1, 0x4f),
        NodeType::Event => (0xe1, 0x57, 0x59),
        NodeType::Work => (0xb0, 0x7a, 0xa1),
        NodeType::Date => (0x76, 0xb7, 0xb2),
        NodeType::Money => (0xed, 0xc9, 0x48),
        NodeType::Percent => (0xff, 0x9d, 0xa7),
        NodeType::Quantity => (0x9c, 0x75, 0x5f),
        NodeType::Quotation => (0xba, 0xb0, 0xac),
    }
}

/// `#rrggbb` of [`type_color`].
pub fn type_color_hex(t: NodeType) -> String {
    let (r, g, b) = type_color(t);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Every node type in legend order.
pub const NODE_TYPES: [NodeType; 10] = [
    NodeType::Person,
    NodeType::Organization,
    NodeType::Place,
    NodeType::Event,
    NodeType::Work,
    NodeType::Date,
    NodeType::Money,
    NodeType::Percent,
    NodeType::Quantity,
    NodeType::Quotation,
];

/// Type of a flat attribute, as graph formats declare it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    String,
    Int,
    Double,
    Bool,
}

impl AttrType {
    /// The GraphML `attr.type` name.
    pub fn xml_name(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Int => "int",
            AttrType::Double => "double",
            AttrType::Bool => "boolean",
        }
    }

    /// The GEXF attribute `type` name.
    pub fn gexf_name(self) -> &'static str {
        match self {
            AttrType::Int => "integer",
            other => other.xml_name(),
        }
    }
}

/// A flat attribute value. Lists are strings to the XML formats (joined
/// with `"; "`) and arrays to the JSON ones.
#[derive(Clone, Debug, PartialEq)]
pub enum Attr {
    Str(String),
    Int(i64),
    Double(f64),
    Bool(bool),
    List(Vec<String>),
}

impl Attr {
    pub fn attr_type(&self) -> AttrType {
        match self {
            Attr::Str(_) | Attr::List(_) => AttrType::String,
            Attr::Int(_) => AttrType::Int,
            Attr::Double(_) => AttrType::Double,
            Attr::Bool(_) => AttrType::Bool,
        }
    }

    /// The value as text (lists joined with `"; "`).
    pub fn text(&self) -> String {
        match self {
            Attr::Str(s) => s.clone(),
            Attr::Int(i) => i.to_string(),
            Attr::Double(x) => format!("{x}"),
            Attr::Bool(b) => b.to_string(),
            Attr::List(l) => l.join("; "),
        }
    }

    pub fn json(&self) -> Json {
        match self {
            Attr::Str(s) => Json::from(s.as_str()),
            Attr::Int(i) => Json::from(*i),
            Attr::Double(x) => Json::from(*x),
            Attr::Bool(b) => Json::from(*b),
            Attr::List(l) => Json::from(l.clone()),
        }
    }
}

/// Attribute names and types for nodes and edges.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub node: Vec<(String, AttrType)>,
    pub edge: Vec<(String, AttrType)>,
}

/// Fixed node attributes, in declaration order.
pub const NODE_ATTRS: &[&str] = &[
    "label",
    "type",
    "name",
    "aliases",
    "value",
    "amount",
    "unit",
    "currency",
    "approx",
    "texts",
    "mention_count",
    "docs",
];
/// Fixed edge attributes, in declaration order (qualifiers come between
/// `label`/`predicate` and the evidence).
pub const EDGE_ATTRS: &[&str] = &[
    "label",
    "predicate",
    "evidence_doc",
    "evidence_start",
    "evidence_end",
    "evidence_text",
    "evidence_count",
    "rule",
];

/// The flat, typed attributes of a node: the fields of the JSON export
/// (through [`value_fields`]) with mentions summarised, plus folded values.
/// `value` is text (an ISO date or a number); numeric values also give
/// `amount` as a double.
pub fn node_attrs(graph: &KnowledgeGraph, n: &ViewNode) -> Vec<(String, Attr)> {
    let node = n.node;
    let mut out = vec![
        ("label".to_string(), Attr::Str(node_label(node))),
        ("type".to_string(), Attr::Str(node.node_type.as_str().to_string())),
        ("name".to_string(), Attr::Str(node.name.clone())),
    ];
    if !node.aliases.is_empty() {
        out.push(("aliases".into(), Attr::List(node.aliases.iter().cloned().collect())));
    }
    if let Some(v) = &node.value {
        for (k, j) in value_fields(v) {
            match j {
                Json::String(s) => out.push((k.into(), Attr::Str(s))),
                Json::Bool(b) => out.push((k.into(), Attr::Bool(b))),
                Json::Number(x) => {
                    out.push((k.into(), Attr::Str(x.to_string())));
                    if let Some(f) = x.as_f64() {
                        out.push(("amount".into(), Attr::Double(f)));
                    }
                }
                other => out.push((k.into(), Attr::Str(other.to_string()))),
            }
        }
        if !node.texts.is_empty() {
            out.push(("texts".into(), Attr::List(node.texts.iter().cloned().collect())));
        }
    }
    out.push(("mention_count".into(), Attr::Int(node.mentions.len() as i64)));
    let mut docs: Vec<&str> = graph.mentions(node).map(|m| m.doc).collect();
    docs.sort();
    docs.dedup();
    out.push(("docs".into(), Attr::List(docs.into_iter().map(String::from).collect())));
    for (pred, facts) in &n.folded {
        out.push((pred.to_string(), Attr::List(facts.clone())));
    }
    out
}

/// The flat, typed attributes of an edge: label, predicate, qualifiers
/// (renamed `qualifier_<key>` if they would clash with a fixed name), the
/// first evidence sentence, the number of evidence sentences, and the rule.
pub fn edge_attrs(e: &ViewEdge) -> Vec<(String, Attr)> {
    let edge = e.edge;
    let mut out = vec![
        ("label".to_string(), Attr::Str(edge_label(edge))),
        ("predicate".to_string(), Attr::Str(edge.predicate.as_str().to_string())),
    ];
    for (k, v) in &edge.qualifiers {
        let name = if EDGE_ATTRS.contains(&k.as_str()) || k == "id" || k == "source" || k == "target" || k == "key" {
            format!("qualifier_{k}")
        } else {
            k.clone()
        };
        out.push((name, Attr::Str(v.clone())));
    }
    out.push(("evidence_doc".into(), Attr::Str(edge.evidence.doc.to_string())));
    out.push(("evidence_start".into(), Attr::Int(edge.evidence.start as i64)));
    out.push(("evidence_end".into(), Attr::Int(edge.evidence.end as i64)));
    out.push(("evidence_text".into(), Attr::Str(edge.evidence.text.to_string())));
    out.push(("evidence_count".into(), Attr::Int(1 + edge.more_evidence.len() as i64)));
    out.push(("rule".into(), Attr::Str(edge.rule.to_string())));
    out
}

/// A date qualifier as a time interval for timelines: the first day of the
/// period and, for ranges `a/b`, the last day of `b`. Recurring dates
/// (`--10`) and anything unparsable give `None`.
pub fn date_interval(iso: &str) -> Option<(String, Option<String>)> {
    match iso.split_once('/') {
        Some((a, b)) => Some((first_day(a)?, Some(last_day(b)?))),
        None => Some((first_day(iso)?, None)),
    }
}

fn parse_ymd(s: &str) -> Option<(i32, Option<u32>, Option<u32>)> {
    let mut parts = s.split('-');
    let y = parts.next()?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |p: Option<&str>, max: u32| -> Option<Option<u32>> {
        match p {
            None => Some(None),
            Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                let v: u32 = p.parse().ok()?;
                (1..=max).contains(&v).then_some(Some(v))
            }
            Some(_) => None,
        }
    };
    let m = num(parts.next(), 12)?;
    let d = num(parts.next(), 31)?;
    if parts.next().is_some() || (m.is_none() && d.is_some()) {
        return None;
    }
    Some((y.parse().ok()?, m, d))
}

fn first_day(s: &str) -> Option<String> {
    let (y, m, d) = parse_ymd(s)?;
    Some(format!("{y:04}-{:02}-{:02}", m.unwrap_or(1), d.unwrap_or(1)))
}

fn last_day(s: &str) -> Option<String> {
    let (y, m, d) = parse_ymd(s)?;
    let m = m.unwrap_or(12);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m as usize - 1];
    Some(format!("{y:04}-{m:02}-{:02}", d.unwrap_or(days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(date_interval("2015-10"), Some(("2015-10-01".into(), None)));
        assert_eq!(date_interval("2013-01-23"), Some(("2013-01-23".into(), None)));
        assert_eq!(
            date_interval("2010-01/2010-06"),
            Some(("2010-01-01".into(), Some("2010-06-30".into())))
        );
        assert_eq!(
            date_interval("2016/2017"),
            Some(("2016-01-01".into(), Some("2017-12-31".into())))
        );
        assert_eq!(
            date_interval("2016-02/2016-02"),
            Some(("2016-02-01".into(), Some("2016-02-29".into())))
        );
        assert_eq!(date_interval("--10"), None);
        assert_eq!(date_interval("2015-13"), None);
    }
}
