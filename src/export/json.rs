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

use crate::graph::{EvidenceRef, GraphEdge, GraphNode, KnowledgeGraph, MentionRef};
use crate::value::Value;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::ops::Range;

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

/// One field value of an object written by [`write_object`]: what
/// `node_json` and `edge_json` put in their maps, by reference.
enum Field<'a> {
    Str(&'a str),
    Strs(Vec<&'a str>),
    Set(&'a BTreeSet<String>),
    Mentions(&'a [MentionRef]),
    Evidence(&'a EvidenceRef),
    Evidences(&'a [EvidenceRef]),
    Json(Json),
}

/// Writes `{"k":v,...}` with the keys in byte order and, for a repeated
/// key, the last value: exactly the bytes serde_json writes for the map
/// [`node_json`] or [`edge_json`] builds (its `Map` is a `BTreeMap`), without
/// building it. The JSON export writes every node and edge, so this is on
/// the serial path of every run.
fn write_object(out: &mut dyn Write, mut fields: Vec<(&str, Field)>) -> io::Result<()> {
    fields.reverse();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    fields.dedup_by(|later, kept| later.0 == kept.0);
    out.write_all(b"{")?;
    for (i, (key, field)) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, key)?;
        out.write_all(b":")?;
        match field {
            Field::Str(s) => serde_json::to_writer(&mut *out, s)?,
            Field::Strs(v) => serde_json::to_writer(&mut *out, v)?,
            Field::Set(v) => serde_json::to_writer(&mut *out, v)?,
            Field::Mentions(ms) => write_array(out, ms, write_mention)?,
            Field::Evidence(e) => write_evidence(out, e)?,
            Field::Evidences(es) => write_array(out, es, write_evidence)?,
            Field::Json(j) => serde_json::to_writer(&mut *out, j)?,
        }
    }
    out.write_all(b"}")
}

fn write_array<T>(out: &mut dyn Write, items: &[T], write_item: fn(&mut dyn Write, &T) -> io::Result<()>) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_item(out, item)?;
    }
    out.write_all(b"]")
}

/// Keys in byte order, as in [`node_json`]'s `mentions`.
fn write_mention(out: &mut dyn Write, m: &MentionRef) -> io::Result<()> {
    out.write_all(b"{\"doc\":")?;
    serde_json::to_writer(&mut *out, &m.doc)?;
    write!(out, ",\"end\":{},\"rule\":", m.end)?;
    serde_json::to_writer(&mut *out, &m.rule)?;
    write!(out, ",\"start\":{},\"text\":", m.start)?;
    serde_json::to_writer(&mut *out, &m.text)?;
    out.write_all(b"}")
}

fn write_evidence(out: &mut dyn Write, e: &EvidenceRef) -> io::Result<()> {
    out.write_all(b"{\"doc\":")?;
    serde_json::to_writer(&mut *out, &e.doc)?;
    write!(out, ",\"end\":{},\"start\":{},\"text\":", e.end, e.start)?;
    serde_json::to_writer(&mut *out, &e.text)?;
    out.write_all(b"}")
}

/// Writes the bytes of `serde_json::to_writer(out, &node_json(node))`.
pub fn write_node(out: &mut dyn Write, node: &GraphNode) -> io::Result<()> {
    let mut fields = vec![
        ("id", Field::Str(&node.id)),
        ("type", Field::Str(node.node_type.as_str())),
        ("name", Field::Str(&node.name)),
        ("aliases", Field::Set(&node.aliases)),
    ];
    if let Some(v) = &node.value {
        fields.extend(value_fields(v).into_iter().map(|(k, j)| (k, Field::Json(j))));
        let texts = if node.texts.is_empty() { vec![node.name.as_str()] } else { node.texts.iter().map(String::as_str).collect() };
        fields.push(("text", Field::Strs(texts)));
    }
    fields.push(("mentions", Field::Mentions(&node.mentions)));
    write_object(out, fields)
}

/// Writes the bytes of `serde_json::to_writer(out, &edge_json(source, edge, target))`.
pub fn write_edge(out: &mut dyn Write, source: &GraphNode, edge: &GraphEdge, target: &GraphNode) -> io::Result<()> {
    let mut fields = vec![
        ("source", Field::Str(&source.id)),
        ("target", Field::Str(&target.id)),
        ("predicate", Field::Str(edge.predicate.as_str())),
    ];
    fields.extend(edge.qualifiers.iter().map(|(k, v)| (k.as_str(), Field::Str(v))));
    fields.push(("evidence", Field::Evidence(&edge.evidence)));
    if !edge.more_evidence.is_empty() {
        fields.push(("more_evidence", Field::Evidences(&edge.more_evidence)));
    }
    fields.push(("rule", Field::Str(&edge.rule)));
    write_object(out, fields)
}

/// Output bytes one rendering task aims at: large enough to amortize a
/// task, small enough that every thread gets work.
const TASK_BYTES: usize = 256 << 10;
/// Tasks rendered between two writes: the rendered bytes held at once stay
/// near `TASK_BYTES * TASKS_PER_BATCH` (4 MB) whatever the size of the graph
/// (holding the whole output cost hundreds of megabytes on a large corpus).
const TASKS_PER_BATCH: usize = 16;

/// Consecutive ranges of `items` whose estimated output (`size`) fills
/// [`TASK_BYTES`]: an item that would overflow a task starts the next one,
/// so an item larger than a task is a task of its own. Ranges by size
/// rather than by item count, because one node with thousands of mentions
/// outweighs thousands of small ones.
fn task_ranges<'a, T>(items: &'a [T], size: &'a impl Fn(&T) -> usize) -> impl Iterator<Item = Range<usize>> + 'a {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start == items.len() {
            return None;
        }
        let mut end = start + 1;
        let mut bytes = size(&items[start]);
        while end < items.len() && bytes + size(&items[end]) <= TASK_BYTES {
            bytes += size(&items[end]);
            end += 1;
        }
        let range = start..end;
        start = end;
        Some(range)
    })
}

/// Writes `items` as the elements of a JSON array (one per line), rendering
/// them on the current rayon pool a batch of tasks at a time and writing the
/// bytes in order: the same bytes as a serial loop, whatever the thread
/// count. `size` estimates an item's output in bytes. The task buffers are
/// reused from batch to batch: fresh ones would grow by reallocation and
/// fault in new pages every time. One that grew for a single large item
/// is let go, so that the buffers do not all end up the size of the
/// largest item.
fn write_elements<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    size: impl Fn(&T) -> usize,
    render: impl Fn(&mut Vec<u8>, &T) -> io::Result<()> + Sync,
) -> io::Result<()> {
    use rayon::prelude::*;
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); TASKS_PER_BATCH];
    let mut tasks = task_ranges(items, &size);
    loop {
        let batch: Vec<Range<usize>> = tasks.by_ref().take(TASKS_PER_BATCH).collect();
        if batch.is_empty() {
            return Ok(());
        }
        buffers.par_iter_mut().zip(&batch).try_for_each(|(bytes, range)| {
            bytes.clear();
            for i in range.clone() {
                bytes.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
                render(bytes, &items[i])?;
            }
            Ok::<(), io::Error>(())
        })?;
        for bytes in &mut buffers[..batch.len()] {
            out.write_all(bytes)?;
            if bytes.capacity() > 2 * TASK_BYTES {
                *bytes = Vec::new();
            }
        }
    }
}

/// About the bytes of a node's JSON: its mentions make up most of it.
fn node_size(node: &GraphNode) -> usize {
    128 + 128 * node.mentions.len()
}

/// About the bytes of an edge's JSON: its evidence sentences make up most of it.
fn edge_size(edge: &GraphEdge) -> usize {
    128 + std::iter::once(&edge.evidence).chain(&edge.more_evidence).map(|e| 64 + e.text.len()).sum::<usize>()
}

pub fn write(graph: &KnowledgeGraph, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\"documents\": [")?;
    for (i, d) in graph.documents().iter().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, d)?;
    }
    out.write_all(b"\n],\n\"nodes\": [")?;
    let nodes: Vec<&GraphNode> = graph.nodes().collect();
    write_elements(out, &nodes, |n| node_size(n), |bytes, n| write_node(bytes, n))?;
    out.write_all(b"\n],\n\"edges\": [")?;
    let edges: Vec<(&GraphNode, &GraphEdge, &GraphNode)> = graph.edges().collect();
    write_elements(out, &edges, |&(_, e, _)| edge_size(e), |bytes, &(s, e, t)| write_edge(bytes, s, e, t))?;
    out.write_all(b"\n]}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_rendered_in_parallel_come_out_in_order_with_one_separator_each() {
        // Three items a task: several batches, and a count that leaves
        // partial tasks and a partial batch.
        let size = |_: &u32| TASK_BYTES / 3;
        let items: Vec<u32> = (0..(3 * TASKS_PER_BATCH * 2 + 37) as u32).collect();
        let serial: String = items.iter().enumerate().map(|(i, n)| format!("{}{n}", if i == 0 { "\n  " } else { ",\n  " })).collect();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut parallel = Vec::new();
        pool.install(|| write_elements(&mut parallel, &items, size, |bytes, n| write!(bytes, "{n}"))).unwrap();
        assert_eq!(String::from_utf8(parallel).unwrap(), serial);
    }

    #[test]
    fn a_task_ends_before_the_item_that_would_overflow_it() {
        let sizes = [TASK_BYTES / 2, TASK_BYTES / 2, 3 * TASK_BYTES, 1, 1, TASK_BYTES, 1];
        let ranges: Vec<Range<usize>> = task_ranges(&sizes, &|s: &usize| *s).collect();
        assert_eq!(ranges, [0..2, 2..3, 3..5, 5..6, 6..7]);
    }

    #[test]
    fn a_rendering_error_is_returned_not_lost() {
        let items = [1, 2, 3];
        let failing = |_: &mut Vec<u8>, n: &i32| if *n == 2 { Err(io::Error::other("bad item")) } else { Ok(()) };
        let err = write_elements(&mut Vec::new(), &items, |_| 1, failing).unwrap_err();
        assert_eq!(err.to_string(), "bad item");
    }
}
