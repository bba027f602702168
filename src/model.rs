//! Plain data shared by every stage: spans, types, mentions, facts and the
//! per-document extraction result. No logic beyond naming lives here, so any
//! module may import it without creating a dependency cycle.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use crate::value::Value;

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

/// One occurrence of a node in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub span: Span,
    /// As written in the original document.
    pub text: String,
    /// Full id of the rule that found it (`entities/person/title-before`).
    pub rule: String,
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
    /// Normalized value, for value nodes.
    pub value: Option<Value>,
    pub mentions: Vec<Mention>,
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
    pub rule: String,
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
    /// The original text of a span.
    pub fn slice(&self, span: Span) -> String {
        self.text.chars().skip(span.start).take(span.len()).collect()
    }
}
