//! newsgraph: Chinese news text in, a knowledge graph out, by rules that are
//! data.
//!
//! The pipeline runs one way, one module per stage:
//!
//! 1. [`normalize`]: fold traditional/simplified script and full-width
//!    characters to one matching form, keeping character offsets.
//! 2. [`segment`]: sentences and quotations.
//! 3. [`mention`]: entities, titles and values found by the rules.
//! 4. [`resolve`]: aliases and short forms merged into document entities.
//! 5. [`relation`]: relation patterns over entity-tagged sentences.
//! 6. [`graph`]: documents merged into one petgraph knowledge graph, whose
//!    node ids derive from normalized names.
//! 7. [`export`]: JSON, CSV, RDF and graph-tool formats; [`query`] runs
//!    SPARQL over the RDF view.
//!
//! ```
//! use newsgraph::{Extractor, KnowledgeGraph};
//! let extractor = Extractor::builtin().unwrap();
//! let doc = extractor.extract("demo", "浙江大学校长张三表示，合作很重要。");
//! let mut graph = KnowledgeGraph::new();
//! graph.add_document(&doc);
//! assert!(graph.nodes().any(|n| n.name == "浙江大学"));
//! assert!(graph.nodes().any(|n| n.name == "张三"));
//! ```

pub mod error;
pub mod check;
pub mod chars;
pub mod eval;
pub mod explain;
pub mod export;
pub mod extract;
pub mod graph;
pub mod atomic_write;
pub mod input;
pub mod mention;
pub mod model;
pub mod normalize;
pub mod query;
pub mod relation;
pub mod resolve;
pub mod rules;
pub mod segment;
pub mod stream;
pub mod value;
#[cfg(test)]
mod test_random;

pub use error::{Error, RuleError, RuleErrors};
pub use extract::Extractor;
pub use graph::KnowledgeGraph;
pub use model::{Document, Fact, Mention, NodeKey, NodeType, Predicate, Span};
pub use rules::RuleSet;
