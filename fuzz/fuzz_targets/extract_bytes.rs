//! Arbitrary bytes through the whole pipeline: decode (UTF-8 or a detected
//! legacy encoding), extract with the built-in rules, export as JSON, and
//! parse the JSON back. Any panic, or JSON that does not parse, is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsgraph::export::{self, ExportFormat};
use newsgraph::{Extractor, KnowledgeGraph};
use std::sync::OnceLock;

fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(|| Extractor::builtin().expect("built-in rules"))
}

fuzz_target!(|data: &[u8]| {
    let Ok((text, _encoding)) = newsgraph::input::decode(data, None) else { return };
    let doc = extractor().extract("fuzz", &text);
    let mut graph = KnowledgeGraph::new();
    graph.add_document(&doc);
    let mut out = Vec::new();
    export::write(&graph, ExportFormat::Json, &mut out).expect("JSON export");
    let _: serde_json::Value = serde_json::from_slice(&out).expect("JSON export parses");
});
