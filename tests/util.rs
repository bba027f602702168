//! Helpers shared by the integration tests.

use newsgraph::{Document, Extractor, KnowledgeGraph};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A path under the crate root.
pub fn root(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn fixture(name: &str) -> PathBuf {
    root("fixtures").join(name)
}

/// `../shared` beside the checkout (present for developers and in CI).
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = root("../shared").join(rel);
    p.exists().then_some(p)
}

pub fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(|| Extractor::builtin().unwrap_or_else(|e| panic!("{e}")))
}

pub fn extract(text: &str) -> Document {
    extractor().extract("test", text)
}

pub fn seed_text() -> String {
    std::fs::read_to_string(fixture("yunqi.txt")).unwrap()
}

pub fn seed_graph() -> &'static KnowledgeGraph {
    static G: OnceLock<KnowledgeGraph> = OnceLock::new();
    G.get_or_init(|| {
        let doc = extractor().extract("yunqi.txt", &seed_text());
        let mut g = KnowledgeGraph::new();
        g.add_document(&doc);
        g
    })
}

/// Run the `newsgraph` binary.
pub fn newsgraph(args: &[&str], dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsgraph"));
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.output().expect("run newsgraph")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Names (and aliases) of nodes of a type, folded.
pub fn names(doc: &Document, ty: newsgraph::NodeType) -> Vec<String> {
    doc.nodes
        .iter()
        .filter(|n| n.key.node_type == ty)
        .map(|n| newsgraph::normalize::fold(&n.name))
        .collect()
}
