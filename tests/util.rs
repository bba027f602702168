//! Helpers shared by the integration tests.

use newsgraph::{Extractor, KnowledgeGraph};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A path under the crate root.
pub fn root(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The graph of `fixtures/yunqi.txt`, extracted once per test binary.
pub fn seed_graph() -> &'static KnowledgeGraph {
    static GRAPH: OnceLock<KnowledgeGraph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let text = std::fs::read_to_string(root("fixtures/yunqi.txt")).unwrap();
        let doc = Extractor::builtin().unwrap().extract("yunqi.txt", &text);
        let mut graph = KnowledgeGraph::new();
        graph.add_document(&doc);
        graph
    })
}
