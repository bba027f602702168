//! Stage 6: many documents, one knowledge graph.
//!
//! Nodes are keyed by [`NodeKey`] (type + normalized name or value), so the
//! same person across documents is one node with mentions from each, and
//! graphs from separate runs merge by union of ids. Edges keep their
//! document: one edge per (subject, predicate, object, document), holding the
//! first evidence sentence and the others as `more_evidence`. Symmetric
//! predicates are stored with the smaller id first.
//!
//! Documents must be added in input order; then iteration order (sorted by
//! id) and every attribute are independent of thread count.

use crate::model::{Document, NodeKey, NodeType, Object, Predicate, RuleId, Span};
use crate::value::Value;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::NodeIndexable;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use smallvec::SmallVec;
use std::collections::{BTreeMap, BTreeSet};
use rayon::slice::ParallelSliceMut;
use std::sync::{Arc, OnceLock};

mod inline_text;
mod mentions;
mod merge_view;
mod node_keys;
pub use mentions::{MentionIter, Mentions, StoredMention};
use merge_view::MergeView;
use node_keys::NodeKeys;

/// A mention with its document, as exported: read from the graph's
/// compact record of it ([`StoredMention`]) by [`KnowledgeGraph::mentions`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MentionRef<'g> {
    pub doc: &'g str,
    pub start: usize,
    pub end: usize,
    pub text: &'g str,
    pub rule: RuleId,
}

/// A graph node.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    pub id: String,
    pub node_type: NodeType,
    pub name: String,
    pub aliases: BTreeSet<String>,
    pub value: Option<Value>,
    /// Surface texts of a value node.
    pub texts: BTreeSet<String>,
    pub mentions: Mentions,
}

/// The sentence behind an edge. Its strings are shared: a document's id
/// by all its edges, a sentence with several facts by them all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceRef {
    pub doc: Arc<str>,
    pub start: usize,
    pub end: usize,
    pub text: Arc<str>,
}

/// A graph edge.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphEdge {
    pub predicate: Predicate,
    pub qualifiers: Qualifiers,
    pub evidence: EvidenceRef,
    pub more_evidence: Vec<EvidenceRef>,
    pub rule: RuleId,
}

/// An edge's qualifiers (title, date, measure ...) by name, in name order.
/// An edge has none, one or two: a sorted vector holds them in a few dozen
/// bytes, where a `BTreeMap` allocates a node for eleven (540 bytes), for
/// each of the hundreds of thousands of edges of a large corpus.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Qualifiers(Vec<(String, String)>);

impl Qualifiers {
    pub fn get(&self, name: &str) -> Option<&String> {
        let i = self.0.binary_search_by(|(k, _)| k.as_str().cmp(name)).ok()?;
        Some(&self.0[i].1)
    }

    pub fn iter(&self) -> QualifierIter<'_> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `name` unless the edge has it: the first value stays.
    fn insert_missing(&mut self, name: &str, value: &str) {
        if let Err(i) = self.0.binary_search_by(|(k, _)| k.as_str().cmp(name)) {
            self.0.insert(i, (name.to_string(), value.to_string()));
        }
    }
}

/// The iterator of [`Qualifiers::iter`]: (name, value) as a map's.
pub type QualifierIter<'a> = std::iter::Map<std::slice::Iter<'a, (String, String)>, fn(&(String, String)) -> (&String, &String)>;

impl<'a> IntoIterator for &'a Qualifiers {
    type Item = (&'a String, &'a String);
    type IntoIter = QualifierIter<'a>;
    fn into_iter(self) -> QualifierIter<'a> {
        self.iter()
    }
}

impl From<&BTreeMap<String, String>> for Qualifiers {
    fn from(map: &BTreeMap<String, String>) -> Qualifiers {
        Qualifiers(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

/// A JSON object (a map), as the `BTreeMap` it replaces.
impl Serialize for Qualifiers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// Per-document summary kept in the graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentInfo {
    pub id: String,
    pub chars: usize,
    pub sentences: usize,
}

#[derive(Clone, Debug, Default)]
pub struct KnowledgeGraph {
    graph: StableDiGraph<GraphNode, GraphEdge>,
    /// Nodes sorted by id: the order of every export, sorted once when
    /// first asked for ([`Self::sorted_nodes`]). (A B-tree by id, kept up
    /// to date per node, cost a copy of each id and a path of comparisons
    /// with ids far apart in memory per node, on the serial merge.)
    node_order: OnceLock<Vec<NodeIndex>>,
    /// The same nodes by key. Every node and fact of a document looks its
    /// node up, and hashing the key costs less than formatting the id and
    /// comparing it along a B-tree path (the merge runs serially).
    by_key: NodeKeys,
    /// Edges by node indexes and document number: one edge per slot.
    edge_by_nodes: FxHashMap<EdgeSlot, EdgeIndex>,
    /// Edges sorted by (source id, predicate, target id, document): the
    /// order of every export, sorted once when first asked for. (A B-tree
    /// keyed by those four strings, kept up to date per edge, cost three
    /// string copies and a path of string comparisons per edge on the
    /// serial merge.)
    edge_order: OnceLock<Vec<EdgeIndex>>,
    /// Document ids numbered in order of first appearance (an id that comes
    /// twice is one document for the edges).
    document_numbers: FxHashMap<String, usize>,
    documents: Vec<DocumentInfo>,
    /// The shared copy of every evidence sentence.
    sentences: Interner,
    /// What the nodes' stored mentions are numbers into.
    mention_tables: MentionTables,
    /// The gazetteer spellings ([`crate::model::Node::listed`]) already
    /// merged into each node: the same entry comes in document after
    /// document, and looking each spelling up again would find it there.
    merged_listings: FxHashSet<(NodeIndex, ListAddress)>,
    /// The lists of `merged_listings`, kept alive so that an address there
    /// is never reused by another list.
    merged_lists: Vec<Arc<[String]>>,
    /// Each node's [`MergeView`], by node index: what merging a document
    /// compares with, in one cache line per node.
    merge_views: Vec<MergeView>,
}

/// A node's listed spellings, told apart by the address of their shared
/// allocation: lists are shared from the compiled gazetteer, so comparing
/// addresses tells an entry's list from another's without reading the
/// strings, and looking a list up neither clones nor drops the `Arc` (an
/// atomic write to the count beside the list, in the gazetteer, far from
/// anything else the merge touches).
type ListAddress = usize;

fn list_address(list: &Arc<[String]>) -> ListAddress {
    Arc::as_ptr(list) as *const String as usize
}

/// One shared copy of each distinct string.
#[derive(Clone, Debug, Default)]
struct Interner(FxHashSet<Arc<str>>);

impl Interner {
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(shared.clone());
        shared
    }
}

/// The tables a [`StoredMention`] points into.
#[derive(Clone, Debug, Default)]
struct MentionTables {
    /// Document ids by document number.
    documents: Vec<Arc<str>>,
    /// Each distinct text and rule of a mention, numbered in order of
    /// first appearance.
    spellings: Vec<(Arc<str>, RuleId)>,
    /// The numbers of `spellings` by text: the rule's address and the
    /// number, one pair per rule that found the text (mostly one).
    spelling_numbers: FxHashMap<Arc<str>, SmallVec<[(usize, u32); 1]>>,
}

impl MentionTables {
    /// Whether spelling `number` is `text` by `rule`.
    fn spells(&self, number: u32, text: &str, rule: &RuleId) -> bool {
        let (known_text, known_rule) = &self.spellings[number as usize];
        **known_text == *text && known_rule.as_str().as_ptr() == rule.as_str().as_ptr()
    }

    /// The number of `text` by `rule`, numbered now if new.
    fn spelling(&mut self, text: &str, rule: &RuleId) -> u32 {
        let rule_address = rule.as_str().as_ptr() as usize;
        let number = u32::try_from(self.spellings.len()).expect("fewer than 2^32 spellings");
        let shared = match self.spelling_numbers.get_mut(text) {
            Some(numbers) => {
                if let Some(&(_, known)) = numbers.iter().find(|(address, _)| *address == rule_address) {
                    return known;
                }
                numbers.push((rule_address, number));
                // The text's one copy, in its first spelling.
                self.spellings[numbers[0].1 as usize].0.clone()
            }
            None => {
                let shared: Arc<str> = Arc::from(text);
                self.spelling_numbers.insert(shared.clone(), SmallVec::from_buf([(rule_address, number)]));
                shared
            }
        };
        self.spellings.push((shared, rule.clone()));
        number
    }

    fn read(&self, m: &StoredMention) -> MentionRef<'_> {
        let (text, rule) = &self.spellings[m.spelling as usize];
        MentionRef { doc: &self.documents[m.document as usize], start: m.start as usize, end: m.end as usize, text, rule: rule.clone() }
    }
}

/// A character offset as a stored mention holds it.
fn offset(at: usize) -> u32 {
    u32::try_from(at).expect("a document of fewer than 2^32 characters")
}

/// An edge's identity: source, predicate, target, document number.
type EdgeSlot = (NodeIndex, Predicate, NodeIndex, usize);

impl KnowledgeGraph {
    pub fn new() -> KnowledgeGraph {
        KnowledgeGraph::default()
    }

    /// Merge one document's nodes and facts into the graph.
    ///
    /// # Panics
    ///
    /// If the document has 2^32 characters or more, which no extracted
    /// document has: extraction takes texts of fewer bytes
    /// ([`crate::normalize::MAX_TEXT_BYTES`]), and input reading lets
    /// through far fewer ([`crate::input::InputOptions::max_document_bytes`]).
    pub fn add_document(&mut self, doc: &Document) {
        self.edge_order.take();
        self.node_order.take();
        self.documents.push(DocumentInfo { id: doc.id.clone(), chars: doc.chars, sentences: doc.sentences.len() });
        let document = self.document_number(&doc.id);
        let doc_id = self.mention_tables.documents[document].clone();
        let stored_document = u32::try_from(document).expect("fewer than 2^32 documents");
        for node in &doc.nodes {
            let idx = self.node_for(&node.key, &node.name);
            let view = &mut self.merge_views[idx.index()];
            let n = &mut self.graph[idx];
            let names_node = |name: &str, n: &GraphNode| view.is_named(name).unwrap_or_else(|| name == n.name);
            if !names_node(&node.name, n) {
                insert_missing(&mut n.aliases, &node.name);
            }
            for alias in &node.aliases {
                if !names_node(alias, n) {
                    insert_missing(&mut n.aliases, alias);
                }
            }
            for spellings in &node.listed {
                // A node's name never changes, so a list merged once has
                // left nothing to add.
                if self.merged_listings.insert((idx, list_address(spellings))) {
                    self.merged_lists.push(spellings.clone());
                    for alias in spellings.iter() {
                        if !names_node(alias, n) {
                            insert_missing(&mut n.aliases, alias);
                        }
                    }
                }
            }
            if node.value.is_some() && n.value.is_none() {
                n.value = node.value.clone();
            }
            if node.key.node_type.is_value() {
                insert_missing(&mut n.texts, &node.name);
                for text in &node.aliases {
                    insert_missing(&mut n.texts, text);
                }
            }
            for m in &node.mentions {
                let text = doc.text_of(m);
                // A node is mostly written one way by one rule, document
                // after document: its last mention's spelling is most
                // often this one's, and comparing the two costs less than
                // hashing the text to look it up among all texts of the
                // graph.
                let spelling = match view.spelling(text, &m.rule) {
                    Some(held) => held,
                    None => {
                        let number = match n.mentions.last() {
                            Some(last) if self.mention_tables.spells(last.spelling, text, &m.rule) => last.spelling,
                            _ => self.mention_tables.spelling(text, &m.rule),
                        };
                        view.hold_spelling(number, text, &m.rule);
                        number
                    }
                };
                n.mentions.push(StoredMention { document: stored_document, start: offset(m.span.start), end: offset(m.span.end), spelling });
            }
        }
        // The sentence of the fact before: a sentence states most facts
        // along with others, which come one after another, and comparing
        // the two texts costs less than hashing the sentence to look it
        // up among all sentences of the graph.
        let mut last_sentence: Option<(&str, Arc<str>)> = None;
        for fact in &doc.facts {
            let text = match &last_sentence {
                Some((written, shared)) if *written == fact.evidence.text => shared.clone(),
                _ => {
                    let shared = self.sentences.get(&fact.evidence.text);
                    last_sentence = Some((&fact.evidence.text, shared.clone()));
                    shared
                }
            };
            let evidence = EvidenceRef { doc: doc_id.clone(), start: fact.evidence.span.start, end: fact.evidence.span.end, text };
            let source = self.node_for(&fact.subject, &fact.subject.key);
            let target = match &fact.object {
                Object::Node(key) => self.node_for(key, &key.key),
                Object::Quote { text, span } => self.quotation(stored_document, text, *span),
            };
            let (mut s, mut t) = (source, target);
            if fact.predicate.is_symmetric() && self.graph[t].id < self.graph[s].id {
                std::mem::swap(&mut s, &mut t);
            }
            let slot = (s, fact.predicate, t, document);
            if let Some(&e) = self.edge_by_nodes.get(&slot) {
                let edge = &mut self.graph[e];
                if edge.evidence != evidence && !edge.more_evidence.contains(&evidence) {
                    edge.more_evidence.push(evidence);
                }
                for (k, v) in &fact.qualifiers {
                    edge.qualifiers.insert_missing(k, v);
                }
                continue;
            }
            let e = self.graph.add_edge(s, t, GraphEdge {
                predicate: fact.predicate,
                qualifiers: Qualifiers::from(&fact.qualifiers),
                evidence,
                more_evidence: Vec::new(),
                rule: fact.rule.clone(),
            });
            self.edge_by_nodes.insert(slot, e);
        }
    }

    /// The number of a document id, the same for every document with it.
    fn document_number(&mut self, id: &str) -> usize {
        if let Some(&n) = self.document_numbers.get(id) {
            return n;
        }
        let n = self.document_numbers.len();
        self.document_numbers.insert(id.to_string(), n);
        self.mention_tables.documents.push(Arc::from(id));
        n
    }

    fn node_for(&mut self, key: &NodeKey, name: &str) -> NodeIndex {
        if let Some(idx) = self.by_key.get(key) {
            return idx;
        }
        // (A key and an id are one another's: the slug of the type, a
        // slash and the key; a key not seen is an id not seen.)
        let idx = self.add_node(key, name);
        self.by_key.insert(key, idx);
        idx
    }

    /// A new node with key `key`, named `name`.
    fn add_node(&mut self, key: &NodeKey, name: &str) -> NodeIndex {
        // (Nodes are never removed, so a new node's index is the next
        // one, where its view goes.)
        self.merge_views.push(MergeView::new(name));
        let idx = self.graph.add_node(GraphNode {
            id: key.id(),
            node_type: key.node_type,
            name: name.to_string(),
            aliases: BTreeSet::new(),
            value: None,
            texts: BTreeSet::new(),
            mentions: Mentions::default(),
        });
        debug_assert_eq!(idx.index() + 1, self.merge_views.len());
        idx
    }

    /// Quotations are per document: the same words said twice in one
    /// article are one node, in two articles two nodes.
    fn quotation(&mut self, document: u32, text: &str, span: Span) -> NodeIndex {
        let doc = &self.mention_tables.documents[document as usize];
        let key = NodeKey::new(NodeType::Quotation, format!("{doc}#{}-{}", span.start, span.end));
        let idx = self.node_for(&key, text);
        let node = &mut self.graph[idx];
        if node.mentions.is_empty() {
            let spelling = self.mention_tables.spelling(text, &RuleId::Literal("segment/quotation"));
            node.mentions.push(StoredMention { document, start: offset(span.start), end: offset(span.end), spelling });
        }
        idx
    }

    /// A node's mentions, in the order their documents were added.
    pub fn mentions<'g>(&'g self, node: &'g GraphNode) -> impl Iterator<Item = MentionRef<'g>> + 'g {
        node.mentions.iter().map(|m| self.mention_tables.read(m))
    }

    /// A node's first mention.
    pub fn first_mention<'g>(&'g self, node: &'g GraphNode) -> Option<MentionRef<'g>> {
        node.mentions.first().map(|m| self.mention_tables.read(m))
    }

    /// A stored mention of one of the graph's nodes, as exported.
    pub fn mention(&self, stored: &StoredMention) -> MentionRef<'_> {
        self.mention_tables.read(stored)
    }

    /// The document ids stored mentions are numbered by.
    pub(crate) fn mention_documents(&self) -> &[Arc<str>] {
        &self.mention_tables.documents
    }

    /// The texts and rules stored mentions are numbered by.
    pub(crate) fn mention_spellings(&self) -> &[(Arc<str>, RuleId)] {
        &self.mention_tables.spellings
    }

    /// A graph of `node` alone, with `mentions` (of any documents, texts
    /// and rules): for the writers' tests, which need nodes of every make.
    #[cfg(test)]
    pub(crate) fn of_node(node: GraphNode, mentions: &[MentionRef]) -> KnowledgeGraph {
        let mut graph = KnowledgeGraph::new();
        let key = NodeKey::new(node.node_type, node.id.clone());
        graph.merge_views.push(MergeView::new(&node.name));
        let idx = graph.graph.add_node(node);
        graph.by_key.insert(&key, idx);
        for m in mentions {
            let document = u32::try_from(graph.document_number(m.doc)).unwrap();
            let spelling = graph.mention_tables.spelling(m.text, &m.rule);
            graph.graph[idx].mentions.push(StoredMention { document, start: offset(m.start), end: offset(m.end), spelling });
        }
        graph
    }

    /// Nodes sorted by id.
    pub fn nodes(&self) -> impl Iterator<Item = &GraphNode> + '_ {
        self.node_order().iter().map(move |&i| &self.graph[i])
    }

    pub fn node(&self, id: &str) -> Option<&GraphNode> {
        let order = self.node_order();
        let at = order.binary_search_by(|&i| self.graph[i].id.as_str().cmp(id)).ok()?;
        Some(&self.graph[order[at]])
    }

    /// Node indexes in id order.
    fn node_order(&self) -> &[NodeIndex] {
        self.node_order.get_or_init(|| self.sorted_nodes())
    }

    /// Node indexes sorted by id, first by the id's first bytes packed
    /// into an integer ([`id_prefix`]), then, between nodes whose ids
    /// begin alike, by the ids. Comparing integers costs less than
    /// comparing strings, each in memory of its own, and ids mostly differ
    /// within their first sixteen bytes.
    fn sorted_nodes(&self) -> Vec<NodeIndex> {
        let mut keyed: Vec<(u128, NodeIndex)> = self.graph.node_indices().map(|i| (id_prefix(&self.graph[i].id), i)).collect();
        keyed.sort_unstable_by(|(pa, a), (pb, b)| pa.cmp(pb).then_with(|| self.graph[*a].id.cmp(&self.graph[*b].id)));
        keyed.into_iter().map(|(_, i)| i).collect()
    }

    /// Edges sorted by (source id, predicate, target id, document).
    pub fn edges(&self) -> impl Iterator<Item = (&GraphNode, &GraphEdge, &GraphNode)> + '_ {
        let order = self.edge_order.get_or_init(|| self.sorted_edges());
        order.iter().map(move |&e| {
            let (s, t) = self.graph.edge_endpoints(e).expect("edge in order exists");
            (&self.graph[s], &self.graph[e], &self.graph[t])
        })
    }

    /// Each node's place in id order, by node index: comparing two places
    /// orders two nodes as comparing their ids does, without reading the
    /// strings (which share long prefixes such as `org:`).
    fn node_ranks(&self) -> Vec<u32> {
        let mut ranks = vec![u32::MAX; NodeIndexable::node_bound(&self.graph)];
        for (rank, &i) in self.node_order().iter().enumerate() {
            ranks[i.index()] = u32::try_from(rank).expect("fewer than 2^32 nodes");
        }
        ranks
    }

    /// Edge indexes sorted by (source id, predicate, target id, document).
    /// Sorted first as integers, (source, predicate, target) packed with
    /// the edge index ([`Self::edge_key`]); then each run of edges between
    /// the same nodes by the same predicate, one per document, by document
    /// id. Comparing two integers costs less than comparing tuples that end
    /// in a string, and such runs are short.
    fn sorted_edges(&self) -> Vec<EdgeIndex> {
        let ranks = self.node_ranks();
        let mut keyed: Vec<u128> = self.graph.edge_indices().map(|e| self.edge_key(e, &ranks)).collect();
        keyed.par_sort_unstable();
        let mut order: Vec<EdgeIndex> = Vec::with_capacity(keyed.len());
        for run in keyed.chunk_by(|a, b| a >> 32 == b >> 32) {
            let start = order.len();
            order.extend(run.iter().map(|&key| EdgeIndex::new((key as u32) as usize)));
            if run.len() > 1 {
                // Unique: an edge is one per document number, and a
                // document id is one document number.
                order[start..].sort_unstable_by(|&a, &b| self.graph[a].evidence.doc.cmp(&self.graph[b].evidence.doc));
            }
        }
        order
    }

    /// An edge's (source, predicate, target, edge index) packed into an
    /// integer, 32 bits each, the ids as their places in id order
    /// ([`Self::node_ranks`]): ordered as (source id, predicate, target id).
    fn edge_key(&self, e: EdgeIndex, ranks: &[u32]) -> u128 {
        let (s, t) = self.graph.edge_endpoints(e).expect("edge exists");
        let index = u32::try_from(e.index()).expect("fewer than 2^32 edges");
        (u128::from(ranks[s.index()]) << 96) | (u128::from(self.graph[e].predicate as u32) << 64) | (u128::from(ranks[t.index()]) << 32) | u128::from(index)
    }

    pub fn documents(&self) -> &[DocumentInfo] {
        &self.documents
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The underlying petgraph graph, for algorithms.
    pub fn petgraph(&self) -> &StableDiGraph<GraphNode, GraphEdge> {
        &self.graph
    }
}

/// The first sixteen bytes of `id`, big-endian, padded with zeros: for
/// two ids whose prefixes differ, the prefixes compare as the ids do.
fn id_prefix(id: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = id.len().min(16);
    bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// Insert a clone of `item` unless the set has it: most names and aliases
/// of a document are already in the graph, and a lookup costs less than a
/// clone that is dropped.
fn insert_missing(set: &mut BTreeSet<String>, item: &str) {
    if !set.contains(item) {
        set.insert(item.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, Fact, Mention, Node};

    fn fact(person: &str, predicate: Predicate, organization: &str) -> Fact {
        Fact {
            subject: NodeKey::new(NodeType::Person, person),
            predicate,
            object: Object::Node(NodeKey::new(NodeType::Organization, organization)),
            qualifiers: BTreeMap::new(),
            evidence: Evidence { sentence: 0, span: Span::new(0, 1), text: "s".into() },
            rule: RuleId::Literal("test"),
        }
    }

    fn document(id: &str, facts: Vec<Fact>) -> Document {
        Document { id: id.into(), text: "s".into(), chars: 1, sentences: Vec::new(), nodes: Vec::new(), facts }
    }

    fn listed(graph: &KnowledgeGraph) -> Vec<String> {
        graph.edges().map(|(s, e, t)| format!("{} {} {} {}", s.id, e.predicate, t.id, e.evidence.doc)).collect()
    }

    #[test]
    fn edges_come_out_by_source_predicate_target_and_document_whatever_the_order_they_came_in() {
        let mut graph = KnowledgeGraph::new();
        graph.add_document(&document("d2", vec![
            fact("b", Predicate::WorksFor, "x"),
            fact("a", Predicate::FounderOf, "x"),
            fact("a", Predicate::WorksFor, "x"),
        ]));
        graph.add_document(&document("d1", vec![fact("a", Predicate::WorksFor, "x")]));
        // Predicates in the order of the vocabulary, not of their names.
        assert_eq!(listed(&graph), [
            "person/a worksFor organization/x d1",
            "person/a worksFor organization/x d2",
            "person/a founderOf organization/x d2",
            "person/b worksFor organization/x d2",
        ]);
        // A document merged after a listing is in the next one.
        graph.add_document(&document("d0", vec![fact("a", Predicate::WorksFor, "x")]));
        assert_eq!(listed(&graph)[0], "person/a worksFor organization/x d0");
        assert_eq!(graph.edge_count(), 5);
    }

    #[test]
    fn edges_come_out_as_sorting_their_ids_and_documents_as_strings_orders_them() {
        let mut next = crate::test_random::xorshift32(7);
        let mut graph = KnowledgeGraph::new();
        for d in 0..40 {
            let facts = (0..30)
                .map(|_| {
                    let predicate = Predicate::ALL[next() as usize % 3];
                    fact(&format!("p{}", next() % 12), predicate, &format!("o{}", next() % 12))
                })
                .collect();
            graph.add_document(&document(&format!("d{}", (d * 7) % 40), facts));
        }
        // The order as plainly stated: every edge, sorted by its strings.
        let g = graph.petgraph();
        let mut expected: Vec<(String, Predicate, String, String)> = g
            .edge_indices()
            .map(|e| {
                let (s, t) = g.edge_endpoints(e).unwrap();
                (g[s].id.clone(), g[e].predicate, g[t].id.clone(), g[e].evidence.doc.to_string())
            })
            .collect();
        expected.sort();
        let listed: Vec<_> = graph.edges().map(|(s, e, t)| (s.id.clone(), e.predicate, t.id.clone(), e.evidence.doc.to_string())).collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn nodes_come_out_as_sorting_their_ids_as_strings_orders_them_and_are_found_by_id() {
        let mut next = crate::test_random::xorshift32(0x1d5);
        // Keys of a few letters from a small alphabet (some multi-byte,
        // one a zero byte) after prefixes shorter and longer than sixteen
        // bytes, so that many ids begin alike.
        let prefixes = ["", "浙江省杭州市", "organization/", "阿里巴巴集团控股有限公司"];
        let letters = ["a", "b", "\0", "云", "é", "/"];
        let mut graph = KnowledgeGraph::new();
        for d in 0..30 {
            let facts = (0..20)
                .map(|_| {
                    let mut key = prefixes[next() as usize % prefixes.len()].to_string();
                    for _ in 0..next() % 4 {
                        key.push_str(letters[next() as usize % letters.len()]);
                    }
                    let predicate = Predicate::ALL[next() as usize % 3];
                    fact(&key, predicate, &format!("o{}", next() % 5))
                })
                .collect();
            graph.add_document(&document(&format!("d{d}"), facts));
            if d % 10 == 0 {
                // Asked for between documents, as well as at the end.
                assert!(graph.nodes().is_sorted_by(|a, b| a.id < b.id));
            }
        }
        let mut expected: Vec<String> = graph.petgraph().node_weights().map(|n| n.id.clone()).collect();
        expected.sort();
        let listed: Vec<String> = graph.nodes().map(|n| n.id.clone()).collect();
        assert_eq!(listed, expected);
        for id in &expected {
            assert_eq!(graph.node(id).map(|n| &n.id), Some(id));
        }
        assert!(graph.node("person/none").is_none());
    }

    /// A document `text` with one node, mentioned at each of `at` (byte
    /// ranges as start and end).
    fn mentioned(id: &str, text: &str, at: &[(usize, usize)]) -> Document {
        let mentions = at.iter().map(|&(start, end)| Mention { span: Span::new(start, end), bytes: start..end, rule: RuleId::Literal("test"), sentence: 0 }).collect();
        let node = Node { key: NodeKey::new(NodeType::Person, "王坚"), name: "王坚".into(), aliases: BTreeSet::new(), listed: Default::default(), value: None, mentions };
        Document { id: id.into(), text: text.into(), chars: text.chars().count(), sentences: Vec::new(), nodes: vec![node], facts: Vec::new() }
    }

    #[test]
    fn mention_texts_are_one_shared_copy_per_text_whichever_mention_came_before() {
        let mut graph = KnowledgeGraph::new();
        graph.add_document(&mentioned("d1", "王坚王博士", &[(0, 6), (6, 15), (0, 6)]));
        graph.add_document(&mentioned("d2", "王坚", &[(0, 6)]));
        let node = graph.node("person/王坚").unwrap();
        let texts: Vec<&str> = graph.mentions(node).map(|m| m.text).collect();
        assert_eq!(texts, ["王坚", "王博士", "王坚", "王坚"]);
        assert!(std::ptr::eq(texts[0], texts[2]));
        assert!(std::ptr::eq(texts[0], texts[3]));
    }

    /// Stored in 16 bytes with its document and spelling as numbers, a
    /// mention reads back as the document had it, whichever spellings,
    /// rules and documents came before (the node's last spelling, one
    /// known from another node, a new one; a document id that comes again).
    #[test]
    fn every_mention_reads_back_with_its_document_offsets_text_and_rule() {
        let mut next = crate::test_random::xorshift32(0x5eed);
        let text = "王坚王博士王坚他王院士";
        // (Texts of up to and over the bytes a merge view holds in place.)
        let words: Vec<(usize, usize)> = vec![(0, 6), (6, 15), (15, 18), (18, 24), (24, 33), (0, 15), (0, 24), (0, 33)];
        let rules = [RuleId::Literal("a"), RuleId::Literal("b"), RuleId::from("gazetteers/x.tsv:1")];
        let keys = ["王坚", "王院士", "他"];
        let mut graph = KnowledgeGraph::new();
        type Read = (String, usize, usize, String, String);
        let mut expected: BTreeMap<String, Vec<Read>> = BTreeMap::new();
        for d in 0..60 {
            let id = format!("d{}", next() % 40);
            let mut nodes = Vec::new();
            for key in keys {
                if next().is_multiple_of(3) {
                    continue;
                }
                let mentions: Vec<Mention> = (0..1 + next() % 4)
                    .map(|_| {
                        let (from, to) = words[next() as usize % words.len()];
                        let start = (next() % 5000) as usize;
                        Mention { span: Span::new(start, start + 2), bytes: from..to, rule: rules[next() as usize % rules.len()].clone(), sentence: 0 }
                    })
                    .collect();
                let list = expected.entry(format!("person/{key}")).or_default();
                list.extend(mentions.iter().map(|m| (id.clone(), m.span.start, m.span.end, text[m.bytes.clone()].to_string(), m.rule.to_string())));
                nodes.push(Node { key: NodeKey::new(NodeType::Person, key), name: key.to_string(), aliases: BTreeSet::new(), listed: Default::default(), value: None, mentions: mentions.into() });
            }
            graph.add_document(&Document { id, text: text.into(), chars: 11 + d, sentences: Vec::new(), nodes, facts: Vec::new() });
        }
        for (id, list) in &expected {
            let node = graph.node(id).unwrap();
            let read: Vec<Read> =
                graph.mentions(node).map(|m| (m.doc.to_string(), m.start, m.end, m.text.to_string(), m.rule.to_string())).collect();
            assert_eq!(&read, list, "{id}");
            assert_eq!(graph.first_mention(node).map(|m| m.start), list.first().map(|m| m.1));
        }
    }

    /// Names short enough for the merge view and longer ones, written as
    /// a node's name or among its aliases, document after document.
    #[test]
    fn a_node_merged_from_many_documents_has_every_other_name_it_came_with_as_an_alias() {
        let mut next = crate::test_random::xorshift32(0xa11a5);
        let names = ["王坚", "王堅", "阿里巴巴集团控股有限公司", "阿里巴巴集團控股有限公司", "阿里云"];
        let mut graph = KnowledgeGraph::new();
        let mut first_name: Option<String> = None;
        let mut expected = BTreeSet::new();
        for d in 0..40 {
            let name = names[next() as usize % names.len()].to_string();
            let aliases: BTreeSet<String> = (0..next() % 3).map(|_| names[next() as usize % names.len()].to_string()).collect();
            let own = first_name.get_or_insert_with(|| name.clone()).clone();
            expected.extend(std::iter::once(&name).chain(&aliases).filter(|n| **n != own).cloned());
            let node = Node { key: NodeKey::new(NodeType::Organization, "阿里"), name, aliases, listed: Default::default(), value: None, mentions: Default::default() };
            graph.add_document(&Document { id: format!("d{d}"), text: String::new(), chars: 0, sentences: Vec::new(), nodes: vec![node], facts: Vec::new() });
            let merged = graph.node("organization/阿里").unwrap();
            assert_eq!(merged.name, own);
            assert_eq!(merged.aliases, expected, "after document {d}");
        }
    }

    #[test]
    fn qualifiers_read_and_serialize_as_the_map_they_are_made_from() {
        let map = BTreeMap::from([("title".to_string(), "总裁".to_string()), ("date".to_string(), "2015".to_string())]);
        let mut q = Qualifiers::from(&map);
        assert_eq!(q.get("title").map(String::as_str), Some("总裁"));
        assert_eq!(q.get("measure"), None);
        assert!(q.iter().eq(map.iter()));
        assert_eq!(serde_json::to_string(&q).unwrap(), serde_json::to_string(&map).unwrap());
        // A later fact adds what is missing and keeps what is there.
        q.insert_missing("measure", "营收");
        q.insert_missing("title", "董事长");
        let mut map = map;
        map.insert("measure".into(), "营收".into());
        assert!(q.iter().eq(map.iter()));
    }
}
