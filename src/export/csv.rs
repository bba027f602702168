//! CSV exports: tables for spreadsheets and pandas, and Neo4j import files.
//! Both are folders ([`super::write_to_path`]); each table is written by
//! [`write_table`] as RFC 4180 CSV in UTF-8 (no BOM, `\n` line ends, fields
//! quoted when they hold `,`, `"` or a line break), one row per node or
//! edge, in graph order (nodes by id, edges by source, predicate, target,
//! document).
//!
//! # `csv`: `nodes.csv` and `edges.csv`
//!
//! Stable columns, in this order:
//!
//! * nodes: `id,type,name,aliases,value,unit,currency,approx,mention_count,
//!   first_doc,first_start,first_end`. `aliases` is `;`-separated; `value` is
//!   the ISO date or the number (money in currency units, percent as a
//!   fraction); `unit`, `currency`, `approx` are empty where they do not
//!   apply; `first_*` locate the first mention (character offsets).
//! * edges: `source,predicate,target,title,date,measure,qualifiers_json,
//!   evidence_doc,evidence_start,evidence_end,evidence_text,rule`, where
//!   `qualifiers_json` holds every qualifier as a JSON object and the
//!   evidence is the first sentence stating the edge.
//!
//! # `neo4j`: `nodes.csv` and `relationships.csv`
//!
//! Headers follow the `neo4j-admin database import` header format: nodes
//! `id:ID,:LABEL,name,aliases:string[],value,unit,currency,approx:boolean,mention_count:int`
//! (label = node type; arrays use the default `;` delimiter), relationships
//! `:START_ID,:END_ID,:TYPE,predicate,title,date,measure,qualifiers_json,
//! evidence_doc,evidence_start:int,evidence_end:int,evidence_text,rule`
//! (`:TYPE` is the predicate in upper snake case, `worksFor` →
//! `WORKS_FOR`). Import with
//! `neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv --multiline-fields=true`.
//! An alias containing `;` would be split by Neo4j: the JSON export is the
//! lossless one.
//!
//! # Formula neutralization
//!
//! A text cell starting with `=`, `+`, `-`, `@`, TAB or CR could run as a
//! formula when the file is opened in a spreadsheet (CSV injection). Such
//! cells get a leading `'`, which spreadsheets hide and every other reader
//! sees: `-5%` is written `'-5%`. Numeric columns we write ourselves
//! (offsets, counts, amounts) are never changed.

use super::json::value_fields;
use crate::graph::{GraphEdge, GraphNode, KnowledgeGraph};
use serde_json::Value as Json;
use std::io::{self, Write};

/// One table of a folder export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Nodes,
    Edges,
    Neo4jNodes,
    Neo4jRelationships,
}

pub const NODE_COLUMNS: [&str; 12] = [
    "id", "type", "name", "aliases", "value", "unit", "currency", "approx", "mention_count", "first_doc", "first_start",
    "first_end",
];
pub const EDGE_COLUMNS: [&str; 12] = [
    "source", "predicate", "target", "title", "date", "measure", "qualifiers_json", "evidence_doc", "evidence_start",
    "evidence_end", "evidence_text", "rule",
];
pub const NEO4J_NODE_COLUMNS: [&str; 9] = [
    "id:ID", ":LABEL", "name", "aliases:string[]", "value", "unit", "currency", "approx:boolean", "mention_count:int",
];
pub const NEO4J_RELATIONSHIP_COLUMNS: [&str; 13] = [
    ":START_ID", ":END_ID", ":TYPE", "predicate", "title", "date", "measure", "qualifiers_json", "evidence_doc",
    "evidence_start:int", "evidence_end:int", "evidence_text", "rule",
];

/// Prefix `'` to a text cell a spreadsheet would run as a formula.
pub fn neutralize(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// `worksFor` → `WORKS_FOR`.
pub fn neo4j_type(predicate: &str) -> String {
    let mut out = String::new();
    for c in predicate.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// The value columns of a node: value, unit, currency, approx.
fn value_cells(node: &GraphNode) -> [String; 4] {
    let mut cells: [String; 4] = Default::default();
    if let Some(v) = &node.value {
        for (k, val) in value_fields(v) {
            let text = match val {
                Json::String(s) => neutralize(&s),
                other => other.to_string(),
            };
            let i = match k {
                "value" => 0,
                "unit" => 1,
                "currency" => 2,
                "approx" => 3,
                _ => continue,
            };
            cells[i] = text;
        }
    }
    cells
}

fn aliases(node: &GraphNode) -> String {
    node.aliases.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(";")
}

fn qualifier(edge: &GraphEdge, key: &str) -> String {
    edge.qualifiers.get(key).map(|v| neutralize(v)).unwrap_or_default()
}

fn evidence_cells(edge: &GraphEdge) -> [String; 5] {
    let ev = &edge.evidence;
    [
        neutralize(&serde_json::to_string(&edge.qualifiers).unwrap_or_default()),
        neutralize(&ev.doc),
        ev.start.to_string(),
        ev.end.to_string(),
        neutralize(&ev.text),
    ]
}

/// Write one table (header and rows).
pub fn write_table(graph: &KnowledgeGraph, table: Table, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    let mut row = |cells: &[String]| w.write_record(cells).map_err(csv_err);
    match table {
        Table::Nodes => {
            row(&NODE_COLUMNS.map(String::from))?;
            for n in graph.nodes() {
                let first = graph.first_mention(n);
                let mut cells = node_cells(n);
                cells.extend([
                    first.as_ref().map(|m| neutralize(m.doc)).unwrap_or_default(),
                    first.as_ref().map(|m| m.start.to_string()).unwrap_or_default(),
                    first.map(|m| m.end.to_string()).unwrap_or_default(),
                ]);
                row(&cells)?;
            }
        }
        Table::Edges => {
            row(&EDGE_COLUMNS.map(String::from))?;
            for (s, e, t) in graph.edges() {
                let mut cells = vec![neutralize(&s.id), e.predicate.as_str().to_string(), neutralize(&t.id)];
                cells.extend(edge_cells(e));
                row(&cells)?;
            }
        }
        Table::Neo4jNodes => {
            row(&NEO4J_NODE_COLUMNS.map(String::from))?;
            for n in graph.nodes() {
                row(&node_cells(n))?;
            }
        }
        Table::Neo4jRelationships => {
            row(&NEO4J_RELATIONSHIP_COLUMNS.map(String::from))?;
            for (s, e, t) in graph.edges() {
                let mut cells =
                    vec![neutralize(&s.id), neutralize(&t.id), neo4j_type(e.predicate.as_str()), e.predicate.as_str().to_string()];
                cells.extend(edge_cells(e));
                row(&cells)?;
            }
        }
    }
    w.flush()
}

/// The cells both node tables start with: id, type, name, aliases, value,
/// unit, currency, approx, mention count.
fn node_cells(n: &GraphNode) -> Vec<String> {
    let [value, unit, currency, approx] = value_cells(n);
    vec![
        neutralize(&n.id),
        n.node_type.as_str().to_string(),
        neutralize(&n.name),
        neutralize(&aliases(n)),
        value,
        unit,
        currency,
        approx,
        n.mentions.len().to_string(),
    ]
}

/// The cells both edge tables end with: title, date, measure, the other
/// qualifiers as JSON, the evidence (doc, start, end, text) and the rule.
fn edge_cells(e: &GraphEdge) -> Vec<String> {
    let [quals, doc, start, end, text] = evidence_cells(e);
    vec![
        qualifier(e, "title"),
        qualifier(e, "date"),
        qualifier(e, "measure"),
        quals,
        doc,
        start,
        end,
        text,
        neutralize(&e.rule),
    ]
}
