//! Plain data shared by every stage: spans, types, mentions, facts and the
//! per-document extraction result. No logic beyond naming lives here, so any
//! module may import it without creating a dependency cycle.

use serde::{Serialize, Serializer};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, Range};
use rustc_hash::FxHashSet;
use std::sync::{Arc, LazyLock, Mutex};

pub use crate::value::Value;

/// A list that holds one item in place and allocates only for two or
/// more. Most nodes of a document are mentioned once, and a listed node is
/// listed in one gazetteer entry: a `Vec` of one cost an allocation, a
/// write into a block of its own and, when the document was dropped long
/// after on a cold cache, a free that touched that block again, for about
/// every node of every document. Held in place, the item is written with
/// the node and goes with it. It reads as a slice, as the `Vec` did.
pub type SmallList<T> = smallvec::SmallVec<[T; 1]>;

/// A half-open range of *character* (Unicode scalar) offsets into the
/// original document text. Characters, not bytes, because gold data and
/// Chinese readers count characters, and because script folding keeps the
/// character count unchanged while it changes byte lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Every kind of node the graph holds. Entities and values are scored by the
/// gold schema; quotations are the objects of `said` edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum NodeType {
    Person,
    Organization,
    Place,
    Event,
    Work,
    Date,
    Money,
    Percent,
    Quantity,
    Quotation,
}

impl NodeType {
    pub const ENTITIES: [NodeType; 5] = [
        NodeType::Person,
        NodeType::Organization,
        NodeType::Place,
        NodeType::Event,
        NodeType::Work,
    ];

    /// The name used in the gold schema and in every export.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Person => "Person",
            NodeType::Organization => "Organization",
            NodeType::Place => "Place",
            NodeType::Event => "Event",
            NodeType::Work => "Work",
            NodeType::Date => "Date",
            NodeType::Money => "Money",
            NodeType::Percent => "Percent",
            NodeType::Quantity => "Quantity",
            NodeType::Quotation => "Quotation",
        }
    }

    /// Lower-case prefix of node identifiers (`person/王坚`).
    pub fn slug(self) -> &'static str {
        match self {
            NodeType::Person => "person",
            NodeType::Organization => "organization",
            NodeType::Place => "place",
            NodeType::Event => "event",
            NodeType::Work => "work",
            NodeType::Date => "date",
            NodeType::Money => "money",
            NodeType::Percent => "percent",
            NodeType::Quantity => "quantity",
            NodeType::Quotation => "quotation",
        }
    }

    pub fn parse(s: &str) -> Option<NodeType> {
        Some(match s {
            "Person" => NodeType::Person,
            "Organization" => NodeType::Organization,
            "Place" => NodeType::Place,
            "Event" => NodeType::Event,
            "Work" => NodeType::Work,
            "Date" => NodeType::Date,
            "Money" => NodeType::Money,
            "Percent" => NodeType::Percent,
            "Quantity" => NodeType::Quantity,
            "Quotation" => NodeType::Quotation,
            _ => return None,
        })
    }

    pub fn is_entity(self) -> bool {
        NodeType::ENTITIES.contains(&self)
    }

    pub fn is_value(self) -> bool {
        matches!(
            self,
            NodeType::Date | NodeType::Money | NodeType::Percent | NodeType::Quantity
        )
    }
}

impl fmt::Display for NodeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The relation vocabulary of `fixtures/SCHEMA.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Predicate {
    WorksFor,
    FounderOf,
    FoundingDate,
    LocatedIn,
    PartOf,
    Met,
    StudentOf,
    InvestedIn,
    PartnerOf,
    HeldAt,
    MonetaryFact,
    QuantityFact,
    Said,
    Author,
    Publisher,
}

impl Predicate {
    pub const ALL: [Predicate; 15] = [
        Predicate::WorksFor,
        Predicate::FounderOf,
        Predicate::FoundingDate,
        Predicate::LocatedIn,
        Predicate::PartOf,
        Predicate::Met,
        Predicate::StudentOf,
        Predicate::InvestedIn,
        Predicate::PartnerOf,
        Predicate::HeldAt,
        Predicate::MonetaryFact,
        Predicate::QuantityFact,
        Predicate::Said,
        Predicate::Author,
        Predicate::Publisher,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Predicate::WorksFor => "worksFor",
            Predicate::FounderOf => "founderOf",
            Predicate::FoundingDate => "foundingDate",
            Predicate::LocatedIn => "locatedIn",
            Predicate::PartOf => "partOf",
            Predicate::Met => "met",
            Predicate::StudentOf => "studentOf",
            Predicate::InvestedIn => "investedIn",
            Predicate::PartnerOf => "partnerOf",
            Predicate::HeldAt => "heldAt",
            Predicate::MonetaryFact => "monetaryFact",
            Predicate::QuantityFact => "quantityFact",
            Predicate::Said => "said",
            Predicate::Author => "author",
            Predicate::Publisher => "publisher",
        }
    }

    pub fn parse(s: &str) -> Option<Predicate> {
        Predicate::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// `met` and `partnerOf` hold in both directions; the graph stores one
    /// direction (the smaller id first) so the same fact is one edge.
    pub fn is_symmetric(self) -> bool {
        matches!(self, Predicate::Met | Predicate::PartnerOf)
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identity of a node: its type and its normalized key (folded simplified
/// name for entities, canonical value text for values). Graphs built in
/// separate runs merge by this key alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeKey {
    pub node_type: NodeType,
    pub key: String,
}

impl NodeKey {
    pub fn new(node_type: NodeType, key: impl Into<String>) -> NodeKey {
        NodeKey { node_type, key: key.into() }
    }

    /// The node identifier used by every export: `person/王坚`,
    /// `money/CNY 750000000`.
    pub fn id(&self) -> String {
        // Built by hand rather than by format!: the graph merge and every
        // export call this per node.
        let slug = self.node_type.slug();
        let mut id = String::with_capacity(slug.len() + 1 + self.key.len());
        id.push_str(slug);
        id.push('/');
        id.push_str(&self.key);
        id
    }
}

/// The full id of the rule that found a mention or fact
/// (`entities/person/title-before`, `gazetteers/place.tsv:12`).
///
/// Every candidate, mention, fact and graph element carries one, and ids
/// come from a small fixed set: an id is made once, when the rules are
/// compiled (or is a literal of the code), and shared, so that carrying it
/// on never allocates. Compares, hashes, prints and serializes as its text.
///
/// An id is a plain `&'static str`: copied and dropped without a
/// reference count (a reference-counted id cost an atomic increment per
/// mention made and a decrement per mention dropped), and 16 bytes, the
/// size of the text it points at: every mention, fact and graph element
/// carries one (an enum telling ids written in the code from ids made at
/// run time took 24, for a difference nothing read).
#[derive(Clone)]
pub struct RuleId(&'static str);

/// The ids made at run time so far (see [`RuleId::from`]).
static INTERNED_RULE_IDS: LazyLock<Mutex<FxHashSet<&'static str>>> = LazyLock::new(Default::default);

impl RuleId {
    /// An id written in the code (`resolve/pronoun`). (Named as the enum
    /// variant it replaces, so that the code making ids reads unchanged.)
    #[allow(non_snake_case)]
    pub const fn Literal(id: &'static str) -> RuleId {
        RuleId(id)
    }

    pub fn as_str(&self) -> &str {
        self.0
    }

    /// The id's text, which lives as long as the process.
    pub fn as_static_str(&self) -> &'static str {
        self.0
    }

    /// The interned copy of `id`, made on its first use: one copy per
    /// distinct id for the life of the process, however many times rules
    /// are compiled.
    fn interned(id: &str) -> RuleId {
        let mut interned = INTERNED_RULE_IDS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&known) = interned.get(id) {
            return RuleId(known);
        }
        let leaked: &'static str = Box::leak(id.into());
        interned.insert(leaked);
        RuleId(leaked)
    }
}

impl Deref for RuleId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for RuleId {
    fn from(id: String) -> RuleId {
        RuleId::interned(&id)
    }
}

impl From<&str> for RuleId {
    fn from(id: &str) -> RuleId {
        RuleId::interned(id)
    }
}

impl PartialEq for RuleId {
    fn eq(&self, other: &RuleId) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RuleId {}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &RuleId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RuleId {
    fn cmp(&self, other: &RuleId) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for RuleId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One occurrence of a node in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub span: Span,
    /// Where the mention is written in [`Document::text`], in bytes: its
    /// text as written is that slice ([`Document::text_of`]). A document
    /// has a mention every few dozen characters, and a copy of each text
    /// cost an allocation, a copy and a free, for a text the document
    /// holds anyway.
    pub bytes: Range<usize>,
    /// Full id of the rule that found it (`entities/person/title-before`).
    pub rule: RuleId,
    /// Index into [`Document::sentences`].
    pub sentence: usize,
}

/// A sentence: its character span in the original text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sentence {
    pub span: Span,
}

/// An entity or value of one document after alias resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub key: NodeKey,
    /// Preferred name as written (longest full-form mention).
    pub name: String,
    /// Other spellings and short forms seen in the document, and the folded
    /// (simplified) spelling of the name.
    pub aliases: BTreeSet<String>,
    /// The spellings of the gazetteer entries the node's mentions matched
    /// (names, aliases and their folded forms): aliases too, but the name.
    /// Shared with the compiled gazetteer, not copied into `aliases`: most
    /// nodes of a document are listed ones, and the graph merges a list
    /// into a node once ([`Node::all_aliases`] reads both).
    /// (One list held in place: see [`SmallList`].)
    pub listed: SmallList<Arc<[String]>>,
    /// Normalized value, for value nodes.
    pub value: Option<Value>,
    /// (One mention held in place, as most nodes of a document have: see
    /// [`SmallList`].)
    pub mentions: SmallList<Mention>,
}

impl Node {
    /// Every alias of the node: `aliases` and the listed spellings but the
    /// name. (A spelling both seen and listed comes twice.)
    pub fn all_aliases(&self) -> impl Iterator<Item = &str> + '_ {
        let listed = self.listed.iter().flat_map(|names| names.iter()).filter(move |n| **n != self.name);
        self.aliases.iter().chain(listed).map(String::as_str)
    }
}

/// What a fact points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Object {
    Node(NodeKey),
    /// Quoted words, for `said`; the span covers the words without quotes.
    Quote { text: String, span: Span },
}

/// The sentence that states a fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub sentence: usize,
    pub span: Span,
    pub text: String,
}

/// One extracted statement with its provenance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fact {
    pub subject: NodeKey,
    pub predicate: Predicate,
    pub object: Object,
    /// title, date, measure, money ... as text (dates in ISO 8601).
    pub qualifiers: BTreeMap<String, String>,
    pub evidence: Evidence,
    pub rule: RuleId,
}

/// Everything extracted from one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub id: String,
    pub text: String,
    /// Number of characters of `text`.
    pub chars: usize,
    pub sentences: Vec<Sentence>,
    pub nodes: Vec<Node>,
    pub facts: Vec<Fact>,
}

impl Document {
    /// The text of one of the document's mentions, as written.
    pub fn text_of(&self, mention: &Mention) -> &str {
        &self.text[mention.bytes.clone()]
    }

    /// The original text of a span.
    pub fn slice(&self, span: Span) -> String {
        self.text.chars().skip(span.start).take(span.len()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(id: &RuleId) -> u64 {
        let mut h = DefaultHasher::new();
        id.hash(&mut h);
        h.finish()
    }

    #[test]
    fn a_rule_id_is_its_text_whether_written_in_the_code_or_made_at_run_time() {
        let literal = RuleId::Literal("entities/person/title-before");
        let shared = RuleId::from(String::from("entities/person/title-before"));
        assert_eq!(literal, shared);
        assert_eq!(hash_of(&literal), hash_of(&shared));
        assert!(RuleId::Literal("a") < RuleId::from("b"));
        assert_eq!(literal, "entities/person/title-before");
        assert_eq!(literal.to_string(), "entities/person/title-before");
        assert_eq!(format!("{shared:?}"), format!("{:?}", "entities/person/title-before"));
    }

    #[test]
    fn a_rule_id_made_at_run_time_is_one_copy_per_distinct_id() {
        let a = RuleId::from("entities/test/interned");
        let b = RuleId::from(String::from("entities/test/interned"));
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(RuleId::from("entities/test/other").as_str(), a.as_str());
    }

    /// A node's first mention and first gazetteer list are written into the
    /// node itself; only a second one allocates.
    #[test]
    fn a_nodes_one_mention_and_one_list_are_held_in_place() {
        let mention = Mention { span: Span::new(0, 2), bytes: 0..6, rule: RuleId::Literal("test/rule"), sentence: 0 };
        let mut mentions = SmallList::new();
        mentions.push(mention.clone());
        let mut listed: SmallList<Arc<[String]>> = SmallList::new();
        listed.push(Arc::from(vec!["王坚".to_string()]));
        assert!(!mentions.spilled() && !listed.spilled());
        assert_eq!(&mentions[..], &[mention.clone()]);
        mentions.push(mention);
        assert!(mentions.spilled());
        assert_eq!(mentions.len(), 2);
    }

    #[test]
    fn a_rule_id_serializes_as_a_plain_string() {
        let id = RuleId::from("gazetteers/place.tsv:12");
        assert_eq!(serde_json::to_string(&id).unwrap(), serde_json::to_string("gazetteers/place.tsv:12").unwrap());
    }
}
