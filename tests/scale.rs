//! Corpus-scale runs: parallel output identical to one thread, streaming
//! output, the summary line.

use crate::util::{newsgraph, seed_text, shared, stderr};
use std::collections::BTreeSet;
use std::path::Path;

/// A JSON Lines corpus of many documents: the seed article cut into
/// overlapping pieces, plus the People's Daily dev lines when present.
fn corpus(dir: &Path) -> String {
    let seed = seed_text();
    let sentences: Vec<&str> = seed.split_inclusive('。').collect();
    let mut lines = Vec::new();
    for i in 0..sentences.len() {
        let text: String = sentences[i..(i + 1 + i % 7).min(sentences.len())].concat();
        lines.push(serde_json::json!({"id": format!("seed-{i}"), "text": text}).to_string());
    }
    if let Some(pd) = shared("data/peoples-daily-ner-dev.jsonl") {
        let text = std::fs::read_to_string(pd).unwrap();
        lines.extend(text.lines().take(600).map(str::to_string));
    }
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_str().unwrap().to_string()
}

fn run(args: &[&str]) -> Vec<u8> {
    let o = newsgraph(args, None);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o.stdout
}

#[test]
fn jobs_1_and_jobs_2_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());
    for extra in [&["--format", "json"][..], &["--format", "nquads"], &["--stream", "--format", "nquads"], &["--stream", "--format", "jsonl"]] {
        let one = run(&[&["extract", "-q", "--jobs", "1", &c][..], extra].concat());
        let two = run(&[&["extract", "-q", "--jobs", "2", &c][..], extra].concat());
        assert!(!one.is_empty());
        assert!(one == two, "--jobs 1 and --jobs 2 differ for {extra:?}");
    }
}

/// Quads that name a node (its name, label and other names): the only ones
/// that differ between the stream and the merged export.
fn is_naming(quad: &str) -> bool {
    ["<http://schema.org/name>", "<http://www.w3.org/2000/01/rdf-schema#label>", "<http://schema.org/alternateName>"]
        .iter()
        .any(|p| quad.split(' ').nth(1) == Some(*p))
}

#[test]
fn streamed_nquads_union_equals_the_merged_export_up_to_node_names() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());
    let lines = |b: Vec<u8>| -> BTreeSet<String> { String::from_utf8(b).unwrap().lines().map(str::to_string).collect() };
    let stream = lines(run(&["extract", "-q", "--stream", "-f", "nquads", &c]));
    let full = lines(run(&["extract", "-q", "-f", "nquads", &c]));
    let (stream_names, stream_rest): (BTreeSet<_>, BTreeSet<_>) = stream.into_iter().partition(|q| is_naming(q));
    let (full_names, full_rest): (BTreeSet<_>, BTreeSet<_>) = full.into_iter().partition(|q| is_naming(q));
    assert_eq!(stream_rest, full_rest);
    // Every surface name is there, as a name in one and an alternate name in the other.
    let object = |q: &String| q.split(' ').next().unwrap().to_string() + &q[q.find('"').unwrap_or(0)..];
    let a: BTreeSet<String> = stream_names.iter().map(object).collect();
    let b: BTreeSet<String> = full_names.iter().map(object).collect();
    assert_eq!(a, b);
}

#[test]
fn summary_line_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());
    let o = newsgraph(&["extract", &c, "-o", dir.path().join("g.json").to_str().unwrap()], None);
    assert!(o.status.success());
    let err = stderr(&o);
    assert!(err.contains(" documents, ") && err.contains(" edges, 0 failures"), "{err}");
    let o = newsgraph(&["extract", "-q", &c, "-o", dir.path().join("g.json").to_str().unwrap()], None);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}
