//! The RDF view of a knowledge graph: one function, [`quads`], turns the
//! graph into RDF quads; every RDF format (Turtle, N-Triples, N-Quads, TriG,
//! RDF/XML, JSON-LD) and the SPARQL store ([`crate::query`]) read that one
//! list, so they cannot disagree.
//!
//! # Shape
//!
//! * **Nodes** get IRIs `{base}entity/<type-slug>/<key>` where `<key>` is the
//!   node's normalized key, percent-encoded ([`iri_segment`]), so the same
//!   entity from two runs or two documents gets the same IRI. They are typed
//!   with schema.org classes where one exists (`schema:Person`,
//!   `schema:Organization`, `schema:Place`, `schema:Event`,
//!   `schema:CreativeWork`, `schema:MonetaryAmount`,
//!   `schema:QuantitativeValue`) and `newsgraph:` classes otherwise
//!   (`newsgraph:Date`, `newsgraph:Percent`, `newsgraph:Quotation`). Names are
//!   `schema:name` and `rdfs:label` literals tagged `zh-Hant` when the text
//!   holds a Han character that folds to a different simplified one,
//!   `zh-Hans` when it holds Han characters that do not, and untagged
//!   otherwise; aliases are `schema:alternateName`. Values are typed literals
//!   (see `ontology/newsgraph.ttl`). These descriptions live in the default
//!   graph: a node is shared by every document.
//! * **Edges** are a plain triple `s p o` (so simple queries stay simple) and
//!   a *statement node* `{base}statement/<hash>` of classes `rdf:Statement`
//!   and `newsgraph:Statement`, with `rdf:subject`, `rdf:predicate`,
//!   `rdf:object`, the qualifiers (`newsgraph:title`, `newsgraph:date`,
//!   `newsgraph:measure`, `newsgraph:money`), `newsgraph:rule`, and
//!   `prov:wasDerivedFrom` each evidence sentence.
//! * **Evidence and mentions** follow NIF 2.0: a string inside a document is
//!   `{base}document/<id>#char=<start>,<end>` (RFC 5147 fragment), a
//!   `nif:Sentence` (evidence) or `nif:Phrase` (mention) with
//!   `nif:referenceContext` the document, `nif:beginIndex`/`nif:endIndex`
//!   (character offsets, as in the JSON export), `nif:anchorOf` the text;
//!   a mention also has `itsrdf:taIdentRef` its node and `newsgraph:rule`.
//!   The document itself is a `nif:Context` and `schema:CreativeWork`
//!   (`nif:isString` is left out: the graph does not keep article text).
//! * Each document's edges, statements, evidence and mentions live in the
//!   named graph `{base}document/<id>`. Triple-only formats (Turtle,
//!   N-Triples, RDF/XML) get the union of all graphs.
//!
//! # Why classic statement nodes
//!
//! RDF 1.2 reifiers (`rdf:reifies`, triple terms) would be the modern shape,
//! but oxigraph 0.5 supports them only behind its `rdf-12` feature, RDF/XML
//! and JSON-LD 1.1 cannot carry them, and most deployed stores and
//! rdflib do not parse them yet. RDF 1.1 statement nodes with
//! `rdf:subject/predicate/object` parse everywhere, query with plain SPARQL
//! 1.1, and still keep the direct triple for the common case. Statement,
//! evidence and mention nodes all get deterministic IRIs rather than blank
//! nodes, so outputs compare as sets and merge across runs.
//!
//! # Stability
//!
//! IRIs, classes and properties are stable (the ontology declares them).
//! Literals are cleaned of control characters other than tab and line feed
//! (each becomes U+FFFD), because XML 1.0 cannot carry them and RDF/XML must
//! say the same as the other formats. Output order is sorted and byte-stable.

use super::{triple_order, ExportOptions};
use crate::graph::{GraphEdge, GraphNode, KnowledgeGraph};
use crate::model::{NodeType, Predicate};
use crate::normalize::fold_char;
use crate::value::Value;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term, Triple};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};

/// The newsgraph vocabulary (`ontology/newsgraph.ttl`). Fixed, not derived
/// from `--base`, so the ontology is one file whatever the data's base.
pub const NG: &str = "https://newsgraph.example/ontology#";
pub const SCHEMA: &str = "http://schema.org/";
pub const PROV: &str = "http://www.w3.org/ns/prov#";
pub const NIF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
pub const ITSRDF: &str = "http://www.w3.org/2005/11/its/rdf#";

/// Prefixes written by the formats that abbreviate IRIs.
pub const PREFIXES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("schema", SCHEMA),
    ("ng", NG),
    ("prov", PROV),
    ("nif", NIF),
    ("itsrdf", ITSRDF),
];

fn ng(local: &str) -> NamedNode {
    NamedNode::new_unchecked(joined(&[NG, local]))
}
fn schema(local: &str) -> NamedNode {
    NamedNode::new_unchecked(joined(&[SCHEMA, local]))
}
fn nif(local: &str) -> NamedNode {
    NamedNode::new_unchecked(joined(&[NIF, local]))
}

/// The parts one after the other, allocated once at their exact size.
/// (`format!` starts small and grows: most of the cost of building an
/// IRI.)
fn joined(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Names longer than this (in UTF-8 bytes) are shortened and hashed.
const MAX_SEGMENT_BYTES: usize = 200;
/// Bytes of a long name kept readable before its hash.
const LONG_PREFIX_BYTES: usize = 64;

/// One IRI path segment for any string: RFC 3987 `iunreserved` characters
/// (ASCII letters, digits, `-._~` and the `ucschar` ranges, which cover CJK
/// and emoji) are kept, everything else (space, quotes, `<>`, `/`, `#`, `%`,
/// controls, invisible format characters) is percent-encoded as UTF-8.
/// Strings over 200 bytes keep their first 64 bytes and add `-h` and the
/// 64-bit FNV-1a hash of the whole string, so IRIs stay short, stable and
/// distinct.
pub fn iri_segment(key: &str) -> String {
    if key.len() > MAX_SEGMENT_BYTES {
        let mut cut = LONG_PREFIX_BYTES;
        while !key.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}-h{:016x}", percent_encode(&key[..cut]), fnv1a64(key.as_bytes()))
    } else {
        percent_encode(key)
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') || (is_ucschar(c) && !is_invisible(c)) {
            out.push(c);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

/// RFC 3987 `ucschar`.
fn is_ucschar(c: char) -> bool {
    let u = c as u32;
    matches!(u, 0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF)
        || ((0x10000..=0xEFFFD).contains(&u) && (u & 0xFFFF) <= 0xFFFD && !(0xE0000..=0xE0FFF).contains(&u))
}

/// Characters allowed in IRIs but invisible or bidi-changing: encoded so an
/// IRI reads the same as it is.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF0..=0xFFFF)
}

/// 64-bit FNV-1a: tiny, stable across platforms and versions.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The IRI of a node id (`person/王坚` → `{base}entity/person/王坚`).
pub fn node_iri(base: &str, id: &str) -> NamedNode {
    let (slug, key) = id.split_once('/').unwrap_or(("node", id));
    NamedNode::new_unchecked(joined(&[base, "entity/", &iri_segment(slug), "/", &iri_segment(key)]))
}

/// The IRI of a document, which also names its graph.
pub fn document_iri(base: &str, doc: &str) -> NamedNode {
    NamedNode::new_unchecked(joined(&[base, "document/", &iri_segment(doc)]))
}

/// The NIF string IRI of a character span of a document.
pub fn span_iri(base: &str, doc: &str, start: usize, end: usize) -> NamedNode {
    span_in(&document_iri(base, doc), start, end)
}

/// The NIF string IRI of a character span of the document `document`
/// (its [`document_iri`]).
fn span_in(document: &NamedNode, start: usize, end: usize) -> NamedNode {
    let mut iri = String::with_capacity(document.as_str().len() + 32);
    iri.push_str(document.as_str());
    write!(iri, "#char={start},{end}").expect("writing to a String cannot fail");
    NamedNode::new_unchecked(iri)
}

/// The IRI of the statement node of an edge: a hash of (source, predicate,
/// target, document), the edge's identity in the graph.
pub fn statement_iri(base: &str, source: &str, predicate: Predicate, target: &str, doc: &str) -> NamedNode {
    let key = joined(&[source, "\u{1f}", predicate.as_str(), "\u{1f}", target, "\u{1f}", doc]);
    let mut iri = String::with_capacity(base.len() + 26);
    iri.push_str(base);
    write!(iri, "statement/{:016x}", fnv1a64(key.as_bytes())).expect("writing to a String cannot fail");
    NamedNode::new_unchecked(iri)
}

/// The class of a node type.
pub fn class_of(t: NodeType) -> NamedNode {
    match t {
        NodeType::Person => schema("Person"),
        NodeType::Organization => schema("Organization"),
        NodeType::Place => schema("Place"),
        NodeType::Event => schema("Event"),
        NodeType::Work => schema("CreativeWork"),
        NodeType::Money => schema("MonetaryAmount"),
        NodeType::Quantity => schema("QuantitativeValue"),
        NodeType::Date => ng("Date"),
        NodeType::Percent => ng("Percent"),
        NodeType::Quotation => ng("Quotation"),
    }
}

/// The RDF property of an edge. Depends on the subject type only for
/// `locatedIn` (places are `schema:containedInPlace`, everything else
/// `schema:location`) and `partOf` (between organizations
/// `schema:parentOrganization`).
pub fn property_of(p: Predicate, subject: NodeType, object: NodeType) -> NamedNode {
    match p {
        Predicate::WorksFor => schema("worksFor"),
        Predicate::LocatedIn if subject == NodeType::Place => schema("containedInPlace"),
        Predicate::LocatedIn => schema("location"),
        Predicate::PartOf if subject == NodeType::Organization && object == NodeType::Organization => {
            schema("parentOrganization")
        }
        Predicate::Author => schema("author"),
        Predicate::Publisher => schema("publisher"),
        other => ng(other.as_str()),
    }
}

/// The property of a qualifier key; unknown keys use `newsgraph:qualifier`
/// with a `key=value` literal.
fn qualifier_property(key: &str) -> Option<NamedNode> {
    match key {
        "title" | "measure" | "money" => Some(ng(key)),
        _ => None,
    }
}

/// Replace characters XML 1.0 cannot carry (see the module doc).
fn clean(text: &str) -> String {
    let unfit = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}' | '\u{fffe}' | '\u{ffff}');
    if !text.contains(unfit) {
        return text.to_string();
    }
    text.chars().map(|c| if unfit(c) { '\u{fffd}' } else { c }).collect()
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// The language tag of a name by its script (see the module doc).
pub fn language_of(text: &str) -> Option<&'static str> {
    let mut han = false;
    for c in text.chars().filter(|&c| is_han(c)) {
        if fold_char(c) != c {
            return Some("zh-Hant");
        }
        han = true;
    }
    han.then_some("zh-Hans")
}

/// A name literal, language-tagged by script.
pub fn name_literal(text: &str) -> Literal {
    let text = clean(text);
    match language_of(&text) {
        Some(tag) => Literal::new_language_tagged_literal_unchecked(text, tag.to_ascii_lowercase()),
        None => Literal::new_simple_literal(text),
    }
}

fn string(text: &str) -> Literal {
    Literal::new_simple_literal(clean(text))
}

fn count(n: usize) -> Literal {
    Literal::new_typed_literal(n.to_string(), xsd::NON_NEGATIVE_INTEGER)
}

/// An `xsd:decimal` literal (Rust prints `f64` without exponent).
fn decimal(x: f64) -> Option<Literal> {
    if !x.is_finite() {
        return None;
    }
    let s = if x == 0.0 { "0".to_string() } else { format!("{x}") };
    Some(Literal::new_typed_literal(s, xsd::DECIMAL))
}

/// A single ISO date (`2013-01-23`, `2013-01`, `2013`, `--10`) as a typed
/// literal; `None` for anything else.
pub fn date_literal(iso: &str) -> Option<Literal> {
    let b = iso.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let datatype: NamedNodeRef<'_> = match b.len() {
        4 if digits(0..4) => xsd::G_YEAR,
        7 if digits(0..4) && b[4] == b'-' && digits(5..7) => xsd::G_YEAR_MONTH,
        10 if digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) => xsd::DATE,
        4 if b.starts_with(b"--") && digits(2..4) => xsd::G_MONTH,
        _ => return None,
    };
    Some(Literal::new_typed_literal(iso, datatype))
}

/// Collects triples per graph, unordered.
struct Sink {
    default: Vec<Triple>,
    named: BTreeMap<String, (NamedNode, Vec<Triple>)>,
    /// The IRI of each document id met so far: every mention and evidence
    /// names its document, and percent-encoding the id each time cost more
    /// than looking it up.
    document_iris: HashMap<String, NamedNode>,
    /// The room a named graph gets when it is made (see
    /// [`expected_triples`]).
    named_capacity: usize,
}

impl Sink {
    fn document_iri(&mut self, base: &str, doc: &str) -> NamedNode {
        if let Some(iri) = self.document_iris.get(doc) {
            return iri.clone();
        }
        let iri = document_iri(base, doc);
        self.document_iris.insert(doc.to_string(), iri.clone());
        iri
    }

    fn add(&mut self, graph: Option<&NamedNode>, s: &NamedNode, p: impl Into<NamedNode>, o: impl Into<Term>) {
        let triple = Triple::new(s.clone(), p, o);
        match graph {
            None => self.default.push(triple),
            Some(g) => match self.named.get_mut(g.as_str()) {
                Some((_, triples)) => triples.push(triple),
                None => {
                    let mut triples = Vec::with_capacity(self.named_capacity);
                    triples.push(triple);
                    self.named.insert(g.as_str().to_string(), (g.clone(), triples));
                }
            },
        }
    }
}

/// The graph's triples: the default graph, then one named graph per
/// document in document order.
struct Graphs {
    default: Vec<Triple>,
    named: Vec<(NamedNode, Vec<Triple>)>,
}

impl Graphs {
    /// Each graph in output order ([`triple_order`]).
    fn sorted(mut self) -> Graphs {
        triple_order::sort_and_dedup(&mut self.default);
        for (_, triples) in &mut self.named {
            triple_order::sort_and_dedup(triples);
        }
        self
    }

    /// Every graph's triples in one list, for the triple-only formats.
    fn union(self) -> Vec<Triple> {
        let mut all = self.default;
        all.extend(self.named.into_iter().flat_map(|(_, triples)| triples));
        all
    }

    fn quads(&self) -> impl Iterator<Item = QuadRef<'_>> {
        let default = self.default.iter().map(|t| t.as_ref().in_graph(GraphNameRef::DefaultGraph));
        let named = self.named.iter().flat_map(|(g, ts)| ts.iter().map(move |t| t.as_ref().in_graph(g.as_ref())));
        default.chain(named)
    }
}

/// About how many triples [`collect`] makes for the default graph and for
/// each named graph, so their vectors do not grow (moving every triple at
/// each doubling). Bounds, except that the named graphs of a graph of many
/// documents get no room ahead: the one-document graphs of `--stream`
/// are the ones exported by the thousand.
fn expected_triples(graph: &KnowledgeGraph) -> (usize, usize) {
    let mut default = 0;
    let mut named = 6;
    for node in graph.nodes() {
        default += 7 + node.aliases.len() + node.texts.len();
        named += 7 * node.mentions.len();
    }
    for (_, edge, _) in graph.edges() {
        named += 8 + edge.qualifiers.iter().count() + 6 * (1 + edge.more_evidence.len());
    }
    let named = if graph.documents().len() == 1 { named } else { 0 };
    (default, named)
}

/// Every triple the graph says, by graph, unordered.
fn collect(graph: &KnowledgeGraph, opts: &ExportOptions) -> Graphs {
    let base = opts.base.as_str();
    let (default_capacity, named_capacity) = expected_triples(graph);
    let mut sink = Sink {
        default: Vec::with_capacity(default_capacity),
        named: BTreeMap::new(),
        document_iris: HashMap::new(),
        named_capacity,
    };
    let mut doc_order: Vec<String> = Vec::new();
    for d in graph.documents() {
        let doc = sink.document_iri(base, &d.id);
        if !doc_order.contains(&doc.as_str().to_string()) {
            doc_order.push(doc.as_str().to_string());
        }
        let g = Some(&doc);
        sink.add(g, &doc, rdf::TYPE, nif("Context"));
        sink.add(g, &doc, rdf::TYPE, schema("CreativeWork"));
        sink.add(g, &doc, schema("identifier"), string(&d.id));
        sink.add(g, &doc, nif("beginIndex"), count(0));
        sink.add(g, &doc, nif("endIndex"), count(d.chars));
        sink.add(g, &doc, ng("sentenceCount"), count(d.sentences));
    }
    let mut dates_described = BTreeSet::new();
    for node in graph.nodes() {
        describe_node(&mut sink, base, graph, node);
        if let Some(Value::Date(d)) = &node.value {
            dates_described.insert(d.iso.clone());
        }
    }
    let mut dates_needed = BTreeSet::new();
    for (s, e, o) in graph.edges() {
        describe_edge(&mut sink, base, s, e, o);
        if let Some(iso) = e.qualifiers.get("date") {
            dates_needed.insert(iso.clone());
        }
    }
    // Qualifier dates point at date nodes; describe those the graph lacks.
    for iso in dates_needed.difference(&dates_described) {
        let n = node_iri(base, &format!("date/{iso}"));
        sink.add(None, &n, rdf::TYPE, ng("Date"));
        sink.add(None, &n, ng("id"), string(&format!("date/{iso}")));
        sink.add(None, &n, schema("name"), string(iso));
        sink.add(None, &n, rdfs::LABEL, string(iso));
        date_value(&mut sink, &n, iso);
    }
    let mut order: Vec<String> = doc_order;
    for k in sink.named.keys() {
        if !order.contains(k) {
            order.push(k.clone());
        }
    }
    let named = order.iter().filter_map(|k| sink.named.remove(k)).collect();
    Graphs { default: sink.default, named }
}

/// The graph as RDF quads: the default graph first, then one named graph per
/// document in document order; each graph sorted.
pub fn quads(graph: &KnowledgeGraph, opts: &ExportOptions) -> Vec<Quad> {
    collect(graph, opts).sorted().quads().map(QuadRef::into_owned).collect()
}

/// The union of all graphs as sorted triples, for triple-only formats.
pub fn triples(graph: &KnowledgeGraph, opts: &ExportOptions) -> Vec<Triple> {
    let mut all = collect(graph, opts).union();
    triple_order::sort_and_dedup(&mut all);
    all
}

fn date_value(sink: &mut Sink, n: &NamedNode, iso: &str) {
    sink.add(None, n, ng("iso"), Literal::new_simple_literal(iso));
    match iso.split_once('/') {
        Some((start, end)) => {
            if let Some(l) = date_literal(start) {
                sink.add(None, n, ng("start"), l);
            }
            if let Some(l) = date_literal(end) {
                sink.add(None, n, ng("end"), l);
            }
        }
        None => {
            if let Some(l) = date_literal(iso) {
                sink.add(None, n, rdf::VALUE, l);
            }
        }
    }
}

fn describe_node(sink: &mut Sink, base: &str, graph: &KnowledgeGraph, node: &GraphNode) {
    let n = node_iri(base, &node.id);
    sink.add(None, &n, rdf::TYPE, class_of(node.node_type));
    sink.add(None, &n, ng("id"), string(&node.id));
    sink.add(None, &n, schema("name"), name_literal(&node.name));
    sink.add(None, &n, rdfs::LABEL, name_literal(&node.name));
    for alias in node.aliases.iter().chain(&node.texts).filter(|a| **a != node.name) {
        sink.add(None, &n, schema("alternateName"), name_literal(alias));
    }
    let approx = |sink: &mut Sink, a: bool| sink.add(None, &n, ng("approx"), Literal::from(a));
    match &node.value {
        Some(Value::Date(d)) => date_value(sink, &n, &d.iso),
        Some(Value::Money { amount, currency, approx: a }) => {
            if let Some(l) = decimal(*amount) {
                sink.add(None, &n, schema("value"), l);
            }
            sink.add(None, &n, schema("currency"), string(currency));
            approx(sink, *a);
        }
        Some(Value::Percent { fraction, approx: a }) => {
            if let Some(l) = decimal(*fraction) {
                sink.add(None, &n, schema("value"), l);
            }
            approx(sink, *a);
        }
        Some(Value::Quantity { amount, unit, approx: a }) => {
            if let Some(l) = decimal(*amount) {
                sink.add(None, &n, schema("value"), l);
            }
            sink.add(None, &n, schema("unitText"), name_literal(unit));
            approx(sink, *a);
        }
        None => {}
    }
    // (A chunk at a time, each a slice: over the chained iterator of the
    // whole list, the compiler stopped building the IRIs below inline.)
    for chunk in node.mentions.chunks() {
        for m in chunk.iter().map(|m| graph.mention(m)) {
            let doc = sink.document_iri(base, m.doc);
            let span = span_in(&doc, m.start, m.end);
            let g = Some(&doc);
            sink.add(g, &span, rdf::TYPE, nif("Phrase"));
            sink.add(g, &span, nif("referenceContext"), doc.clone());
            sink.add(g, &span, nif("beginIndex"), count(m.start));
            sink.add(g, &span, nif("endIndex"), count(m.end));
            sink.add(g, &span, nif("anchorOf"), string(m.text));
            sink.add(g, &span, NamedNode::new_unchecked(joined(&[ITSRDF, "taIdentRef"])), n.clone());
            sink.add(g, &span, ng("rule"), string(&m.rule));
        }
    }
}

fn describe_edge(sink: &mut Sink, base: &str, source: &GraphNode, edge: &GraphEdge, target: &GraphNode) {
    let s = node_iri(base, &source.id);
    let o = node_iri(base, &target.id);
    let doc_id = &edge.evidence.doc;
    let doc = sink.document_iri(base, doc_id);
    let g = Some(&doc);
    let p = property_of(edge.predicate, source.node_type, target.node_type);
    sink.add(g, &s, p.clone(), o.clone());
    match edge.predicate {
        Predicate::FounderOf => sink.add(g, &o, schema("founder"), s.clone()),
        Predicate::FoundingDate => {
            if let Some(l) = target.value.as_ref().and_then(|v| match v {
                Value::Date(d) => date_literal(&d.iso),
                _ => None,
            }) {
                sink.add(g, &s, schema("foundingDate"), l);
            }
        }
        _ => {}
    }
    let st = statement_iri(base, &source.id, edge.predicate, &target.id, doc_id);
    sink.add(g, &st, rdf::TYPE, rdf::STATEMENT);
    sink.add(g, &st, rdf::TYPE, ng("Statement"));
    sink.add(g, &st, rdf::SUBJECT, s);
    sink.add(g, &st, rdf::PREDICATE, p);
    sink.add(g, &st, rdf::OBJECT, o);
    sink.add(g, &st, ng("rule"), string(&edge.rule));
    for (k, v) in &edge.qualifiers {
        if k == "date" {
            sink.add(g, &st, ng("date"), node_iri(base, &format!("date/{v}")));
        } else if let Some(prop) = qualifier_property(k) {
            sink.add(g, &st, prop, name_literal(v));
        } else {
            sink.add(g, &st, ng("qualifier"), string(&format!("{k}={v}")));
        }
    }
    for ev in std::iter::once(&edge.evidence).chain(&edge.more_evidence) {
        let ev_doc = sink.document_iri(base, &ev.doc);
        let span = span_in(&ev_doc, ev.start, ev.end);
        sink.add(g, &st, NamedNode::new_unchecked(joined(&[PROV, "wasDerivedFrom"])), span.clone());
        sink.add(g, &span, rdf::TYPE, nif("Sentence"));
        sink.add(g, &span, nif("referenceContext"), ev_doc);
        sink.add(g, &span, nif("beginIndex"), count(ev.start));
        sink.add(g, &span, nif("endIndex"), count(ev.end));
        sink.add(g, &span, nif("anchorOf"), string(&ev.text));
    }
}

/// Write the graph in an RDF format. Dataset formats (N-Quads, TriG,
/// JSON-LD) keep the named graphs; the others get the union.
pub fn write(graph: &KnowledgeGraph, format: RdfFormat, opts: &ExportOptions, out: &mut dyn Write) -> io::Result<()> {
    if matches!(format, RdfFormat::NTriples | RdfFormat::NQuads) {
        return write_lines(graph, format, opts, out);
    }
    let mut serializer = RdfSerializer::from_format(format);
    for (name, iri) in PREFIXES {
        serializer = serializer.with_prefix(*name, *iri).map_err(io::Error::other)?;
    }
    let mut w = serializer.for_writer(out);
    if format.supports_datasets() {
        for q in collect(graph, opts).sorted().quads() {
            w.serialize_quad(q)?;
        }
    } else {
        for t in triples(graph, opts) {
            w.serialize_triple(&t)?;
        }
    }
    w.finish()?;
    Ok(())
}

/// N-Triples or N-Quads: one line per triple, written from the renderings
/// the sort made ([`triple_order::Rendered::write_lines`], the same bytes
/// as oxigraph's serializer; rendering every term a second time was most
/// of the cost of a `--stream --format nquads` run).
fn write_lines(graph: &KnowledgeGraph, format: RdfFormat, opts: &ExportOptions, out: &mut dyn Write) -> io::Result<()> {
    let graphs = collect(graph, opts);
    if format == RdfFormat::NTriples {
        return triple_order::sort_and_dedup(&mut graphs.union()).write_lines(None, out);
    }
    let Graphs { mut default, mut named } = graphs;
    triple_order::sort_and_dedup(&mut default).write_lines(None, out)?;
    for (g, triples) in &mut named {
        triple_order::sort_and_dedup(triples).write_lines(Some(g.as_str()), out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_replaces_exactly_what_xml_cannot_carry() {
        let first_written = |text: &str| -> String {
            text.chars()
                .map(|c| match c {
                    '\t' | '\n' => c,
                    '\u{0}'..='\u{1f}' | '\u{7f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
                    _ => c,
                })
                .collect()
        };
        let every_low_char: String = (0u32..0x90).filter_map(char::from_u32).collect();
        for text in ["", "王堅", "a\tb\nc", "\r", "\u{0}x", "\u{fffe}\u{ffff}\u{fffd}", &every_low_char] {
            assert_eq!(clean(text), first_written(text), "{text:?}");
        }
    }

    #[test]
    fn iris_are_built_from_their_parts() {
        let base = "https://newsgraph.example/";
        assert_eq!(node_iri(base, "person/王堅").as_str(), "https://newsgraph.example/entity/person/王堅");
        assert_eq!(document_iri(base, "a b").as_str(), "https://newsgraph.example/document/a%20b");
        assert_eq!(span_iri(base, "d/1", 3, 17).as_str(), "https://newsgraph.example/document/d%2F1#char=3,17");
        let key = "person/王堅\u{1f}worksFor\u{1f}organization/阿里雲\u{1f}d1";
        assert_eq!(
            statement_iri(base, "person/王堅", Predicate::WorksFor, "organization/阿里雲", "d1").as_str(),
            format!("https://newsgraph.example/statement/{:016x}", fnv1a64(key.as_bytes()))
        );
        assert_eq!(iri_segment("\u{200b}é"), "%E2%80%8Bé");
    }
}
