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

use crate::graph::{DocumentInfo, EvidenceRef, GraphEdge, GraphNode, KnowledgeGraph, Mentions, QualifierIter};
use crate::value::Value;
use serde_json::{json, Map, Value as Json};
use std::cmp::Ordering;
use std::io::{self, Write};
use std::ops::Range;

pub fn node_json(graph: &KnowledgeGraph, node: &GraphNode) -> Json {
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
    o.insert("mentions".into(), json!(graph.mentions(node).collect::<Vec<_>>()));
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

/// Appends `s` as serde_json writes a string. Most strings (Chinese text,
/// ids, rule ids) have no byte to escape and are copied whole; the rare one
/// with a quote, a backslash or a control character goes through
/// serde_json's own escaper, so the bytes are serde_json's either way.
fn push_str(out: &mut Vec<u8>, s: &str) {
    if has_byte_to_escape(s.as_bytes()) {
        serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
    } else {
        push_clean_str(out, s);
    }
}

/// Appends `s`, which has no byte to escape, in quotes (written in place,
/// see [`InPlace`]).
fn push_clean_str(out: &mut Vec<u8>, s: &str) {
    let mut w = InPlace::new(out, s.len() + 2);
    // SAFETY: room for the string and its quotes.
    unsafe {
        w.literal(b"\"");
        w.bytes(s.as_bytes());
        w.literal(b"\"");
        w.finish(out);
    }
}

/// The bytes serde_json escapes in a string (other bytes, UTF-8 included,
/// are written as they are).
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether a byte of `bytes` [`needs_escape`], eight bytes at a time
/// (every string of the output is scanned, sentences included). The last
/// word is read ending at the last byte, overlapping the one before it, and
/// a string of four to seven bytes is read as two overlapping halves: most
/// strings (ids, rule ids, names) are short, and testing their last bytes
/// one by one cost more than the words before them.
#[inline]
fn has_byte_to_escape(bytes: &[u8]) -> bool {
    let len = bytes.len();
    if len < 8 {
        if len < 4 {
            return bytes.iter().any(|&b| needs_escape(b));
        }
        let half_at = |at: usize| u64::from(u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes")));
        return word_needs_escape(half_at(0) | half_at(len - 4) << 32);
    }
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
    let mut words = bytes.chunks_exact(8);
    words.by_ref().any(|chunk| word_needs_escape(word(chunk)))
        || (!words.remainder().is_empty() && word_needs_escape(word(&bytes[len - 8..])))
}

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Whether a byte of `w` [`needs_escape`]. A word has a byte below `n` when
/// `(w - n*ONES) & !w & HIGHS` is not zero (exact as a yes or no for `n` up
/// to 0x80); a byte equal to `b` is a zero byte of `w ^ b*ONES`, that is one
/// below 1. The three tests are or-ed before the one branch.
#[inline]
fn word_needs_escape(w: u64) -> bool {
    // Eight bytes of multi-byte characters (most of Chinese text) are all
    // at or above 0x80: nothing to escape, and one test says so.
    if w & HIGHS == HIGHS {
        return false;
    }
    let below = |w: u64, n: u64| w.wrapping_sub(n * ONES) & !w;
    let quote = w ^ (b'"' as u64 * ONES);
    let backslash = w ^ (b'\\' as u64 * ONES);
    (below(w, 0x20) | below(quote, 1) | below(backslash, 1)) & HIGHS != 0
}

/// Appends an offset with serde_json's integer formatting (itoa), without
/// going through a serializer.
fn push_usize(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn push_strs<'a>(out: &mut Vec<u8>, strs: impl IntoIterator<Item = &'a str>) {
    out.push(b'[');
    for (i, s) in strs.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, s);
    }
    out.push(b']');
}

fn push_array<T>(out: &mut Vec<u8>, items: &[T], push_item: fn(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_item(out, item);
    }
    out.push(b']');
}

/// The longest offset written (`usize::MAX`), for reserving space.
const MAX_USIZE_DIGITS: usize = 20;

/// Bytes written straight into capacity reserved for them beforehand: no
/// length kept in the vector and checked per piece, and short strings
/// copied inline rather than by a call to `memcpy` (a mention is five
/// pieces, three of them of a few dozen bytes and two numbers of a few
/// digits; calls and checks would be most of its cost).
struct InPlace {
    at: *mut u8,
}

impl InPlace {
    /// Starts writing at the end of `out`, with room for `most` bytes.
    fn new(out: &mut Vec<u8>, most: usize) -> InPlace {
        out.reserve(most);
        // SAFETY: `len` is within the allocation.
        InPlace { at: unsafe { out.as_mut_ptr().add(out.len()) } }
    }

    /// Appends `bytes`. (A literal's copy is a few stores, inlined.)
    ///
    /// # Safety
    ///
    /// The room reserved by [`InPlace::new`] holds them.
    #[inline(always)]
    unsafe fn literal(&mut self, bytes: &[u8]) {
        // SAFETY: the caller's promise.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.at, bytes.len());
            self.at = self.at.add(bytes.len());
        }
    }

    /// Appends `bytes` of any length: up to 32 as two overlapping loads
    /// and stores of a power of two (nothing written outside `bytes`'
    /// place), longer ones by `memcpy`.
    ///
    /// # Safety
    ///
    /// The room reserved by [`InPlace::new`] holds them.
    #[inline(always)]
    unsafe fn bytes(&mut self, bytes: &[u8]) {
        let (len, from, to) = (bytes.len(), bytes.as_ptr(), self.at);
        // SAFETY: every read is within `bytes` and every write within the
        // `len` bytes at `to`, which the caller reserved.
        unsafe {
            match len {
                16..=32 => {
                    let (head, tail) = (from.cast::<u128>().read_unaligned(), from.add(len - 16).cast::<u128>().read_unaligned());
                    to.cast::<u128>().write_unaligned(head);
                    to.add(len - 16).cast::<u128>().write_unaligned(tail);
                }
                8..=15 => {
                    let (head, tail) = (from.cast::<u64>().read_unaligned(), from.add(len - 8).cast::<u64>().read_unaligned());
                    to.cast::<u64>().write_unaligned(head);
                    to.add(len - 8).cast::<u64>().write_unaligned(tail);
                }
                4..=7 => {
                    let (head, tail) = (from.cast::<u32>().read_unaligned(), from.add(len - 4).cast::<u32>().read_unaligned());
                    to.cast::<u32>().write_unaligned(head);
                    to.add(len - 4).cast::<u32>().write_unaligned(tail);
                }
                0..=3 => {
                    for i in 0..len {
                        to.add(i).write(*from.add(i));
                    }
                }
                _ => std::ptr::copy_nonoverlapping(from, to, len),
            }
            self.at = to.add(len);
        }
    }

    /// Appends `n` as serde_json writes an integer (itoa). Offsets below
    /// 10⁸ (all of them, in practice) are written as eight digits at once
    /// ([`eight_digits`]), of which the leading zeros are then stepped
    /// over: a call to itoa and a copy of its few digits cost several times
    /// that, twice per mention.
    ///
    /// # Safety
    ///
    /// The room reserved by [`InPlace::new`] holds [`MAX_USIZE_DIGITS`].
    #[inline(always)]
    unsafe fn number(&mut self, n: usize) {
        if n >= 100_000_000 {
            // SAFETY: the caller's promise.
            return unsafe { self.bytes(itoa::Buffer::new().format(n).as_bytes()) };
        }
        let (digits, len) = eight_digits(n as u32);
        // SAFETY: eight bytes fit in the room for MAX_USIZE_DIGITS; those
        // past `len` are written over by what comes next (or left beyond
        // the vector's length).
        unsafe {
            self.at.cast::<u64>().write_unaligned(digits.to_le());
            self.at = self.at.add(len);
        }
    }

    /// Ends the writing: the bytes written become part of `out`.
    ///
    /// # Safety
    ///
    /// `out` is the vector this started on, unchanged since.
    unsafe fn finish(self, out: &mut Vec<u8>) {
        // SAFETY: the bytes up to `at` are written (the caller's promise
        // that `out` is the vector they were reserved in).
        unsafe { out.set_len(self.at.offset_from(out.as_ptr()) as usize) }
    }
}

/// `n` (below 10⁸) as ASCII digits in the first bytes of a little-endian
/// word, without leading zeros, and their number. The eight digits are
/// split in parallel lanes (4 + 4, then 2 + 2 per half, then 1 + 1 per
/// quarter), each division by a multiplication that is exact in its range;
/// the word is then shifted past the leading zeros (`0` keeps one).
#[inline(always)]
fn eight_digits(n: u32) -> (u64, usize) {
    debug_assert!(n < 100_000_000);
    // Lanes of 32 bits: the high four digits first in memory.
    let x = u64::from(n / 10_000) | u64::from(n % 10_000) << 32;
    // Each lane below 10⁴ by 100: (x * 10486) >> 20 is exact there.
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let x = hundreds | (x - hundreds * 100) << 16;
    // Each 16-bit lane below 100 by 10: (x * 103) >> 10 is exact there.
    let tens = ((x * 103) >> 10) & 0x000f_000f_000f_000f;
    let values = tens | (x - tens * 10) << 8;
    let leading_zeros = ((values.trailing_zeros() / 8) as usize).min(7);
    ((values + 0x3030_3030_3030_3030) >> (8 * leading_zeros), 8 - leading_zeros)
}

/// A mention's JSON but its two offsets, rendered once per document and
/// once per spelling (text and rule) of the graph rather than once per
/// mention: the keys in byte order, as in [`node_json`]'s `mentions`,
/// `{"doc":D,"end":` before the end offset, `,"rule":R,"start":` between
/// the offsets and `,"text":T}` after them, the strings escaped as
/// serde_json escapes them. A graph holds far fewer documents and
/// spellings than mentions, and a mention is then three copies and two
/// numbers.
pub struct MentionPieces {
    bytes: Vec<u8>,
    /// Where each document's piece ends in `bytes` (it starts where the
    /// one before ends).
    document_ends: Vec<u32>,
    /// Where each spelling's rule piece and then its text piece end.
    spelling_ends: Vec<(u32, u32)>,
}

impl MentionPieces {
    pub fn of(graph: &KnowledgeGraph) -> MentionPieces {
        let documents = graph.mention_documents();
        let spellings = graph.mention_spellings();
        let mut pieces = MentionPieces { bytes: Vec::new(), document_ends: Vec::with_capacity(documents.len()), spelling_ends: Vec::with_capacity(spellings.len()) };
        for doc in documents {
            pieces.bytes.extend_from_slice(b"{\"doc\":");
            push_str(&mut pieces.bytes, doc);
            pieces.bytes.extend_from_slice(b",\"end\":");
            pieces.document_ends.push(pieces.written());
        }
        for (text, rule) in spellings {
            pieces.bytes.extend_from_slice(b",\"rule\":");
            push_str(&mut pieces.bytes, rule);
            pieces.bytes.extend_from_slice(b",\"start\":");
            let rule_end = pieces.written();
            pieces.bytes.extend_from_slice(b",\"text\":");
            push_str(&mut pieces.bytes, text);
            pieces.bytes.push(b'}');
            pieces.spelling_ends.push((rule_end, pieces.written()));
        }
        pieces
    }

    /// The bytes rendered so far, as an offset into `bytes`.
    fn written(&self) -> u32 {
        u32::try_from(self.bytes.len()).expect("mention pieces under 4 GiB")
    }

    /// The piece of a document (the documents' pieces come first).
    fn document(&self, number: u32) -> &[u8] {
        let i = number as usize;
        let start = if i == 0 { 0 } else { self.document_ends[i - 1] };
        &self.bytes[start as usize..self.document_ends[i] as usize]
    }

    /// Where the spellings' pieces start: after the documents'.
    fn spellings_start(&self) -> u32 {
        self.document_ends.last().copied().unwrap_or(0)
    }

    /// The rule piece and the text piece of a spelling.
    fn spelling(&self, number: u32) -> (&[u8], &[u8]) {
        let i = number as usize;
        let start = if i == 0 { self.spellings_start() } else { self.spelling_ends[i - 1].1 };
        let (rule_end, end) = self.spelling_ends[i];
        (&self.bytes[start as usize..rule_end as usize], &self.bytes[rule_end as usize..end as usize])
    }
}

/// Appends a node's mentions as a JSON array, each from its pieces and
/// its offsets, written in place.
fn push_mentions(out: &mut Vec<u8>, pieces: &MentionPieces, mentions: &Mentions) {
    out.push(b'[');
    let mut first = true;
    for chunk in mentions.chunks() {
        for m in chunk {
            let document = pieces.document(m.document);
            let (rule, text) = pieces.spelling(m.spelling);
            let mut w = InPlace::new(out, 1 + document.len() + rule.len() + text.len() + 2 * MAX_USIZE_DIGITS);
            // SAFETY: room for a comma, the pieces and two numbers.
            unsafe {
                if !first {
                    w.literal(b",");
                }
                w.bytes(document);
                w.number(m.end as usize);
                w.bytes(rule);
                w.number(m.start as usize);
                w.bytes(text);
                w.finish(out);
            }
            first = false;
        }
    }
    out.push(b']');
}

/// Written in place, as a mention is, when no string of it has a byte
/// to escape.
fn push_evidence(out: &mut Vec<u8>, e: &EvidenceRef) {
    const KEYS: usize = br#"{"doc":"","end":,"start":,"text":""}"#.len();
    if has_byte_to_escape(e.doc.as_bytes()) || has_byte_to_escape(e.text.as_bytes()) {
        return push_evidence_escaped(out, e);
    }
    let mut w = InPlace::new(out, KEYS + e.doc.len() + e.text.len() + 2 * MAX_USIZE_DIGITS);
    // SAFETY: `KEYS` counts the literals, then the strings and numbers.
    unsafe {
        w.literal(b"{\"doc\":\"");
        w.bytes(e.doc.as_bytes());
        w.literal(b"\",\"end\":");
        w.number(e.end);
        w.literal(b",\"start\":");
        w.number(e.start);
        w.literal(b",\"text\":\"");
        w.bytes(e.text.as_bytes());
        w.literal(b"\"}");
        w.finish(out);
    }
}

/// [`push_evidence`] for evidence with a string to escape.
#[cold]
fn push_evidence_escaped(out: &mut Vec<u8>, e: &EvidenceRef) {
    out.extend_from_slice(b"{\"doc\":");
    push_str(out, &e.doc);
    out.extend_from_slice(b",\"end\":");
    push_usize(out, e.end);
    out.extend_from_slice(b",\"start\":");
    push_usize(out, e.start);
    out.extend_from_slice(b",\"text\":");
    push_str(out, &e.text);
    out.push(b'}');
}

/// Writes the bytes of `serde_json::to_writer(out, &node_json(graph, node))`,
/// with the mention pieces of `graph` ([`MentionPieces::of`], made once for
/// all its nodes).
pub fn write_node<W: Write + ?Sized>(out: &mut W, pieces: &MentionPieces, node: &GraphNode) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(node_size(node));
    push_node(&mut bytes, pieces, node);
    out.write_all(&bytes)
}

/// Appends the bytes of `serde_json::to_writer(out, &node_json(graph, node))`: the
/// map's keys are fixed, so they are written in their byte order (`Map` is
/// a `BTreeMap`) as literals, with the value fields in their places.
fn push_node(out: &mut Vec<u8>, pieces: &MentionPieces, node: &GraphNode) {
    let values = node.value.as_ref().map(value_fields).unwrap_or_default();
    let push_value_field = |out: &mut Vec<u8>, key: &str| {
        if let Some((_, json)) = values.iter().find(|(k, _)| *k == key) {
            out.push(b',');
            push_str(out, key);
            out.push(b':');
            serde_json::to_writer(&mut *out, json).expect("writing to a Vec cannot fail");
        }
    };
    out.extend_from_slice(b"{\"aliases\":");
    push_strs(out, node.aliases.iter().map(String::as_str));
    push_value_field(out, "approx");
    push_value_field(out, "currency");
    out.extend_from_slice(b",\"id\":");
    push_str(out, &node.id);
    out.extend_from_slice(b",\"mentions\":");
    push_mentions(out, pieces, &node.mentions);
    out.extend_from_slice(b",\"name\":");
    push_str(out, &node.name);
    if node.value.is_some() {
        out.extend_from_slice(b",\"text\":");
        if node.texts.is_empty() {
            push_strs(out, [node.name.as_str()]);
        } else {
            push_strs(out, node.texts.iter().map(String::as_str));
        }
    }
    out.extend_from_slice(b",\"type\":");
    push_str(out, node.node_type.as_str());
    push_value_field(out, "unit");
    push_value_field(out, "value");
    out.push(b'}');
}

/// Writes the bytes of `serde_json::to_writer(out, &edge_json(source, edge, target))`.
pub fn write_edge<W: Write + ?Sized>(out: &mut W, source: &GraphNode, edge: &GraphEdge, target: &GraphNode) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(edge_size(source, edge, target));
    push_edge(&mut bytes, source, edge, target);
    out.write_all(&bytes)
}

/// Appends the bytes of `serde_json::to_writer(out, &edge_json(source, edge, target))`:
/// the edge's own fields (in key order) merged with its qualifiers (in name
/// order, one per name). Where a qualifier has the name of an own field,
/// the one [`edge_json`] inserts last wins, as in its map: the qualifier
/// over `source`, `target` and `predicate`; `evidence`, `more_evidence`
/// and `rule` over the qualifier. The own fields are written one after the
/// other, each after the qualifiers named before it ([`QualifiersBefore::until`]).
fn push_edge(out: &mut Vec<u8>, source: &GraphNode, edge: &GraphEdge, target: &GraphNode) {
    let mut qualifiers = QualifiersBefore { rest: edge.qualifiers.iter().peekable(), first: true };
    out.push(b'{');
    if qualifiers.until(out, "evidence", true) {
        out.extend_from_slice(b"\"evidence\":");
        push_evidence(out, &edge.evidence);
    }
    // An empty list is no field: a qualifier of that name is written as
    // any other.
    if !edge.more_evidence.is_empty() && qualifiers.until(out, "more_evidence", true) {
        out.extend_from_slice(b"\"more_evidence\":");
        push_array(out, &edge.more_evidence, push_evidence);
    }
    if qualifiers.until(out, "predicate", false) {
        out.extend_from_slice(b"\"predicate\":");
        // ASCII letters: nothing to escape.
        push_clean_str(out, edge.predicate.as_str());
    }
    if qualifiers.until(out, "rule", true) {
        out.extend_from_slice(b"\"rule\":");
        push_str(out, &edge.rule);
    }
    if qualifiers.until(out, "source", false) {
        out.extend_from_slice(b"\"source\":");
        push_str(out, &source.id);
    }
    if qualifiers.until(out, "target", false) {
        out.extend_from_slice(b"\"target\":");
        push_str(out, &target.id);
    }
    qualifiers.write_rest(out);
    out.push(b'}');
}

/// An edge's qualifiers not written yet, written in name order between
/// its own fields by [`push_edge`].
struct QualifiersBefore<'a> {
    rest: std::iter::Peekable<QualifierIter<'a>>,
    /// Whether nothing is written yet (no comma before the next field).
    first: bool,
}

impl QualifiersBefore<'_> {
    /// Writes the qualifiers named before `key`, then the comma before the
    /// own field `key`, and says whether that field is to be written: a
    /// qualifier named `key` is dropped if the field `wins`, else written
    /// in its place.
    fn until(&mut self, out: &mut Vec<u8>, key: &str, wins: bool) -> bool {
        while let Some(&(name, value)) = self.rest.peek() {
            match name.as_str().cmp(key) {
                Ordering::Less => {}
                Ordering::Equal if wins => {
                    self.rest.next();
                    break;
                }
                Ordering::Equal => {
                    self.rest.next();
                    push_qualifier(out, &mut self.first, name, value);
                    return false;
                }
                Ordering::Greater => break,
            }
            self.rest.next();
            push_qualifier(out, &mut self.first, name, value);
        }
        push_comma(out, &mut self.first);
        true
    }

    /// Writes the qualifiers left.
    fn write_rest(self, out: &mut Vec<u8>) {
        let QualifiersBefore { rest, mut first } = self;
        for (name, value) in rest {
            push_qualifier(out, &mut first, name, value);
        }
    }
}

/// A comma unless this is the `first` field.
fn push_comma(out: &mut Vec<u8>, first: &mut bool) {
    if !*first {
        out.push(b',');
    }
    *first = false;
}

fn push_qualifier(out: &mut Vec<u8>, first: &mut bool, name: &str, value: &str) {
    push_comma(out, first);
    push_str(out, name);
    out.push(b':');
    push_str(out, value);
}

/// Output bytes one rendering task aims at: large enough to amortize a
/// task, small enough that every thread gets work, and that the buffers of
/// a batch of tasks (256 KB) stay in the cache from one batch to the next.
/// (Tasks of 256 KB, 4 MB of buffers, wrote every line of output into
/// memory the cache had lost since the batch before.)
const TASK_BYTES: usize = 16 << 10;
/// Tasks rendered between two writes: the rendered bytes held at once stay
/// near `TASK_BYTES * TASKS_PER_BATCH` whatever the size of the graph
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
    size: impl Fn(&T) -> usize + Sync,
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
            // Sized at the estimate: grown by doubling from what the batch
            // before left, a buffer was copied on every reallocation (about
            // its size again), and one let go after a large item grew from
            // nothing again. A buffer short of the estimate is replaced,
            // not grown: growing copies its whole old allocation, though
            // none of its bytes are kept.
            // (At least a task's room: a buffer made for the estimate of
            // one task fell short of the next one's, and was made anew.)
            let estimate = range.clone().map(|i| size(&items[i])).sum();
            if bytes.capacity() < estimate {
                *bytes = Vec::with_capacity(estimate.max(TASK_BYTES));
            }
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

/// About the bytes of an edge's JSON, and no fewer unless its strings have
/// bytes to escape: its evidence sentences make up most of it. (An
/// estimate short of the output made every task buffer of edges grow, that
/// is be copied, at its end.)
fn edge_size(source: &GraphNode, edge: &GraphEdge, target: &GraphNode) -> usize {
    let evidence = |e: &EvidenceRef| EVIDENCE_KEYS_AND_NUMBERS + e.doc.len() + e.text.len();
    let qualifiers: usize = edge.qualifiers.iter().map(|(k, v)| 8 + k.len() + v.len()).sum();
    EDGE_KEYS + source.id.len() + target.id.len() + edge.rule.len() + qualifiers + std::iter::once(&edge.evidence).chain(&edge.more_evidence).map(evidence).sum::<usize>()
}

/// Room for an edge's keys, punctuation and predicate name
/// (`{"evidence":,"more_evidence":[],"predicate":"","rule":"","source":"","target":""}`
/// is 82 bytes).
const EDGE_KEYS: usize = 128;

/// Room for an evidence object's keys, punctuation and two offsets.
const EVIDENCE_KEYS_AND_NUMBERS: usize = br#",{"doc":"","end":,"start":,"text":""}"#.len() + 2 * MAX_USIZE_DIGITS;

/// Appends the bytes of `serde_json::to_writer(out, document)` (the
/// derived `Serialize` writes the fields in declaration order).
fn push_document(out: &mut Vec<u8>, document: &DocumentInfo) {
    out.extend_from_slice(b"{\"id\":");
    push_str(out, &document.id);
    out.extend_from_slice(b",\"chars\":");
    push_usize(out, document.chars);
    out.extend_from_slice(b",\"sentences\":");
    push_usize(out, document.sentences);
    out.push(b'}');
}

pub fn write(graph: &KnowledgeGraph, out: &mut dyn Write) -> io::Result<()> {
    // One buffer and one write for the document list: serde_json through
    // a `dyn Write` cost a call per piece.
    let mut documents = b"{\"documents\": [".to_vec();
    for (i, d) in graph.documents().iter().enumerate() {
        documents.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
        push_document(&mut documents, d);
    }
    documents.extend_from_slice(b"\n],\n\"nodes\": [");
    out.write_all(&documents)?;
    let nodes: Vec<&GraphNode> = graph.nodes().collect();
    let pieces = MentionPieces::of(graph);
    write_elements(out, &nodes, |n| node_size(n), |bytes, n| {
        push_node(bytes, &pieces, n);
        Ok(())
    })?;
    out.write_all(b"\n],\n\"edges\": [")?;
    let edges: Vec<(&GraphNode, &GraphEdge, &GraphNode)> = graph.edges().collect();
    write_elements(out, &edges, |&(s, e, t)| edge_size(s, e, t), |bytes, &(s, e, t)| {
        push_edge(bytes, s, e, t);
        Ok(())
    })?;
    out.write_all(b"\n]}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{MentionRef, Qualifiers};
    use crate::model::{NodeType, Predicate, RuleId};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    /// Strings that need escaping (quote, backslash, control characters),
    /// non-ASCII and plain ones, in every string field.
    const ODD_STRINGS: [&str; 6] = ["plain", "say \"hi\"", "back\\slash", "tab\tnew\nline\u{1}\u{1f}", "中文“引号”\u{7f}é", ""];

    fn mention(i: usize) -> MentionRef<'static> {
        let s = ODD_STRINGS[i % ODD_STRINGS.len()];
        MentionRef { doc: s, start: i, end: i * 1000 + 7, text: ODD_STRINGS[(i + 1) % ODD_STRINGS.len()], rule: s.into() }
    }

    fn evidence(i: usize) -> EvidenceRef {
        EvidenceRef { doc: ODD_STRINGS[i % ODD_STRINGS.len()].into(), start: i, end: usize::MAX - i, text: ODD_STRINGS[(i + 2) % ODD_STRINGS.len()].into() }
    }

    fn node(i: usize, value: Option<Value>, texts: &[&str]) -> GraphNode {
        let s = ODD_STRINGS[i % ODD_STRINGS.len()];
        GraphNode {
            id: format!("{s}:{i}"),
            node_type: if value.is_some() { NodeType::Money } else { NodeType::Person },
            name: ODD_STRINGS[(i + 3) % ODD_STRINGS.len()].to_string(),
            aliases: ODD_STRINGS.iter().take(i % 4).map(|s| s.to_string()).collect(),
            value,
            texts: texts.iter().map(|s| s.to_string()).collect(),
            mentions: Mentions::default(),
        }
    }

    /// `node` written directly and through serde_json, with `mentions`.
    fn assert_node_as_serde_json(node: GraphNode, mentions: &[MentionRef]) {
        let graph = KnowledgeGraph::of_node(node, mentions);
        let node = graph.nodes().next().unwrap();
        let mut direct = Vec::new();
        write_node(&mut direct, &MentionPieces::of(&graph), node).unwrap();
        assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&node_json(&graph, node)).unwrap());
    }

    #[test]
    #[allow(clippy::approx_constant)] // 104.71% is not π/3
    fn a_node_is_written_as_serde_json_writes_its_map_whatever_its_strings() {
        let values = [
            None,
            Some(Value::Money { amount: 7.5e8, currency: "C\"NY".into(), approx: true }),
            Some(Value::Money { amount: 0.125, currency: "元".into(), approx: false }),
            Some(Value::Percent { fraction: 1.0471, approx: false }),
            Some(Value::Quantity { amount: 22000.0, unit: "个\\城市".into(), approx: true }),
            Some(Value::Quantity { amount: 1e20, unit: "人".into(), approx: false }),
        ];
        for i in 0..24 {
            for value in &values {
                let mentions: Vec<MentionRef> = (0..i % 3).map(|k| mention(i + k)).collect();
                assert_node_as_serde_json(node(i, value.clone(), &[]), &mentions);
                assert_node_as_serde_json(node(i, value.clone(), &ODD_STRINGS[..i % ODD_STRINGS.len()]), &mentions);
            }
        }
    }

    #[test]
    fn mentions_sharing_their_document_and_rule_strings_are_written_as_serde_json_writes_them() {
        // Documents, texts and rules that repeat, as in a graph, so that a
        // string found clean (or not) is met again.
        let rules: Vec<RuleId> = ODD_STRINGS.iter().map(|s| RuleId::from(*s)).collect();
        for i in 0..ODD_STRINGS.len() {
            let mentions: Vec<MentionRef> = (0..12)
                .map(|k| MentionRef {
                    doc: ODD_STRINGS[(i + k / 4) % ODD_STRINGS.len()],
                    start: k,
                    end: k + 2,
                    text: ODD_STRINGS[k % ODD_STRINGS.len()],
                    rule: rules[(i + k / 3) % rules.len()].clone(),
                })
                .collect();
            assert_node_as_serde_json(node(i, None, &[]), &mentions);
        }
    }

    #[test]
    fn bytes_of_every_length_are_copied_in_place_exactly() {
        let source: Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        for len in 0..=source.len() {
            let mut out = b"###".to_vec();
            let mut w = InPlace::new(&mut out, len + 1);
            // SAFETY: room for `len` bytes and one.
            unsafe {
                w.bytes(&source[..len]);
                w.literal(b"!");
                w.finish(&mut out);
            }
            assert_eq!(out, [b"###", &source[..len], b"!"].concat());
        }
    }

    #[test]
    fn mentions_and_evidence_with_clean_strings_of_every_length_are_written_as_serde_json_writes_them() {
        // Strings and numbers of every length the in-place copy treats
        // differently (up to 4, 8, 16, 32 bytes and beyond).
        let text = |len: usize| -> Arc<str> { "中文ab".chars().cycle().take(len).collect::<String>().into() };
        for len in 0..40 {
            let n = node(0, None, &[]);
            let (docs, texts): (Vec<Arc<str>>, Arc<str>) = ((0..3).map(|k| text(len + k)).collect(), text(len));
            let mentions: Vec<MentionRef> = (0..3)
                .map(|k| MentionRef { doc: &docs[k], start: len.pow(k as u32 + 1), end: u32::MAX as usize >> len, text: &texts, rule: RuleId::from(&*text(40 - len)) })
                .collect();
            assert_node_as_serde_json(n.clone(), &mentions);
            let edge = GraphEdge {
                predicate: Predicate::Said,
                qualifiers: Qualifiers::from(&BTreeMap::new()),
                evidence: EvidenceRef { doc: text(len), start: len, end: 10usize.pow(len as u32 % 20), text: text(len * 3) },
                more_evidence: Vec::new(),
                rule: text(len).to_string().into(),
            };
            let mut direct = Vec::new();
            write_edge(&mut direct, &n, &edge, &n).unwrap();
            assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&edge_json(&n, &edge, &n)).unwrap());
        }
    }

    #[test]
    fn an_edge_is_written_as_serde_json_writes_its_map_whatever_its_strings_and_qualifier_names() {
        // Qualifier names before, between, after and equal to the edge's
        // own keys: a qualifier replaces source, target and predicate, and
        // is replaced by evidence, more_evidence and rule (insertion order
        // in edge_json).
        let names = ["a", "date", "evidence", "more_evidence", "predicate", "rule", "source", "target", "title", "zz", "say \"q\""];
        for i in 0..40 {
            let source = node(i, None, &[]);
            let target = node(i + 1, None, &[]);
            let qualifiers: BTreeMap<String, String> =
                names.iter().enumerate().filter(|(k, _)| (i >> (k % 6)) & 1 == 1 || k % 7 == i % 7).map(|(k, n)| (n.to_string(), ODD_STRINGS[k % ODD_STRINGS.len()].to_string())).collect();
            let edge = GraphEdge {
                predicate: Predicate::WorksFor,
                qualifiers: Qualifiers::from(&qualifiers),
                evidence: evidence(i),
                more_evidence: (0..i % 3).map(|k| evidence(i + k)).collect(),
                rule: ODD_STRINGS[i % ODD_STRINGS.len()].into(),
            };
            let mut direct = Vec::new();
            write_edge(&mut direct, &source, &edge, &target).unwrap();
            assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&edge_json(&source, &edge, &target)).unwrap(), "qualifiers {qualifiers:?}");
        }
    }

    #[test]
    fn offsets_are_written_as_itoa_writes_them() {
        // Every number up to two million, every power of ten and its
        // neighbours (the digit counts, and the switch to itoa at 10⁸), and
        // pseudo-random ones of every size, each between two literals.
        let mut numbers: Vec<usize> = (0..2_000_000).collect();
        let mut power = 1usize;
        while let Some(next) = power.checked_mul(10) {
            numbers.extend([power - 1, power, power + 1, next - 1]);
            power = next;
        }
        numbers.extend([usize::MAX, usize::MAX - 1, 99_999_999, 100_000_000]);
        let mut next = crate::test_random::xorshift64(13);
        for _ in 0..200_000 {
            let r = next() as usize;
            numbers.extend([r % 100_000_000, r >> (r % 64)]);
        }
        let mut out = Vec::new();
        for n in numbers {
            out.clear();
            out.extend_from_slice(b"[");
            let mut w = InPlace::new(&mut out, 2 + MAX_USIZE_DIGITS);
            // SAFETY: room for a number and a literal.
            unsafe {
                w.number(n);
                w.literal(b"]");
                w.finish(&mut out);
            }
            assert_eq!(out, format!("[{}]", itoa::Buffer::new().format(n)).as_bytes(), "{n}");
        }
    }

    #[test]
    fn a_document_is_written_as_serde_json_writes_it() {
        for (i, id) in ODD_STRINGS.iter().enumerate() {
            let document = DocumentInfo { id: id.to_string(), chars: usize::MAX >> i, sentences: i };
            let mut direct = Vec::new();
            push_document(&mut direct, &document);
            assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&document).unwrap());
        }
    }

    #[test]
    fn predicate_names_have_nothing_to_escape() {
        // push_edge writes them without scanning.
        for p in Predicate::ALL {
            assert!(!has_byte_to_escape(p.as_str().as_bytes()), "{p:?}");
        }
    }

    #[test]
    fn the_estimated_size_of_an_edge_is_not_short_of_its_json_with_clean_strings() {
        // A task buffer sized at the estimate is then filled without
        // growing (growth copies it).
        let text = |len: usize| -> String { "中文ab".chars().cycle().take(len).collect() };
        for i in 0..30 {
            let source = GraphNode { id: text(i * 3), ..node(0, None, &[]) };
            let target = GraphNode { id: text(i * 5 % 17), ..node(1, None, &[]) };
            let evidence = |k: usize| EvidenceRef { doc: text(i + k).into(), start: usize::MAX - k, end: usize::MAX, text: text(i * 40 + k).into() };
            let qualifiers: BTreeMap<String, String> = (0..i % 4).map(|k| (text(k + 3), text(i + k))).collect();
            let edge = GraphEdge {
                predicate: Predicate::ALL[i % Predicate::ALL.len()],
                qualifiers: Qualifiers::from(&qualifiers),
                evidence: evidence(0),
                more_evidence: (1..i % 3).map(evidence).collect(),
                rule: text(i * 2).into(),
            };
            let mut direct = Vec::new();
            write_edge(&mut direct, &source, &edge, &target).unwrap();
            assert!(direct.len() <= edge_size(&source, &edge, &target), "{} bytes", direct.len());
        }
    }

    #[test]
    fn the_word_at_a_time_escape_scan_agrees_with_the_byte_test() {
        // Every byte value at every position of strings of 0 to 24 bytes,
        // among neighbours just above the escaped range and high bytes, and
        // among high bytes only (Chinese text).
        let mixed = [b' ', b'#', b'[', b']', 0xe4, 0x80, 0xff, b'!'];
        let high = [0xe4, 0xb8, 0xad, 0x80, 0xff, 0xbf, 0xc0, 0x81];
        for neighbours in [mixed, high] {
            for len in 0..25 {
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut bytes: Vec<u8> = (0..len).map(|i| neighbours[i % 8]).collect();
                        bytes[at] = byte;
                        assert_eq!(has_byte_to_escape(&bytes), bytes.iter().any(|&b| needs_escape(b)), "{bytes:?}");
                    }
                }
                assert!(!has_byte_to_escape(&vec![b'a'; len]));
            }
        }
    }

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

    /// Buffers are reused from batch to batch, made anew, grown past their
    /// estimate and let go after a large item: whichever, the bytes are the
    /// serial loop's. Items estimated small and large (several a task, one
    /// a task of its own), rendered longer or shorter than estimated.
    #[test]
    fn elements_come_out_as_rendered_whatever_their_estimates() {
        let mut random = crate::test_random::xorshift32(0x7a5c);
        let items: Vec<(usize, usize)> = (0..600)
            .map(|_| {
                let estimate = match random() % 8 {
                    0 => 2 * TASK_BYTES + random() as usize % TASK_BYTES,
                    1 => TASK_BYTES / 2,
                    _ => 1 + random() as usize % 3000,
                };
                // Rendered up to twice as long as estimated, or shorter.
                (estimate, random() as usize % (2 * estimate + 1))
            })
            .collect();
        let render = |bytes: &mut Vec<u8>, &(_, len): &(usize, usize)| -> io::Result<()> {
            bytes.extend((0..len).map(|i| b'a' + (i % 26) as u8));
            Ok(())
        };
        let mut serial = Vec::new();
        for (i, item) in items.iter().enumerate() {
            serial.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
            render(&mut serial, item).unwrap();
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut parallel = Vec::new();
        pool.install(|| write_elements(&mut parallel, &items, |&(estimate, _)| estimate, render)).unwrap();
        assert!(parallel == serial);
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
