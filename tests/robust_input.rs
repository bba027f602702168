//! Input faults end to end through the binary: each bad input is reported
//! with its file and position, the good documents are still extracted
//! completely, the exit status is 1, and no partial output is left behind.

use crate::util::{newsgraph, stderr, stdout};
use std::path::Path;

const GOOD: &str = "阿里云总裁王坚表示同意。";
const GOOD2: &str = "腾讯董事长马化腾说，好。";

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let o = newsgraph(args, None);
    (o.status.code(), stdout(&o), stderr(&o))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Node ids of a JSON export.
fn node_ids(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_string()).collect()
}

fn doc_ids(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["documents"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_string()).collect()
}

/// The good document's nodes, as a clean run finds them.
fn good_nodes() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("good.txt");
    std::fs::write(&f, GOOD).unwrap();
    let (code, out, err) = run(&["extract", p(&f), "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let ids = node_ids(&out);
    assert!(ids.contains(&"person/王坚".to_string()) && ids.contains(&"organization/阿里云".to_string()), "{ids:?}");
    ids
}

/// A folder holding good.txt and one bad file; returns (code, stdout, stderr).
fn folder_with_bad(name: &str, bytes: &[u8]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.txt"), GOOD).unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    run(&["extract", p(dir.path()), "--quiet"])
}

fn assert_good_complete(out: &str) {
    assert_eq!(node_ids(out), good_nodes(), "the good document's graph is complete");
}

#[test]
fn invalid_utf8_names_file_and_byte_offset() {
    let mut bad = "王坚".as_bytes().to_vec();
    bad.extend_from_slice(&[0xff, 0x41]);
    bad.extend_from_slice("说。".as_bytes());
    let (code, out, err) = folder_with_bad("bad.txt", &bad);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("bad.txt: invalid UTF-8 at byte 6"), "{err}");
    assert_good_complete(&out);
}

#[test]
fn nul_bytes_mark_a_binary_file_with_the_offset() {
    let mut bad = GOOD.as_bytes().to_vec();
    bad.insert(9, 0);
    let (code, out, err) = folder_with_bad("nul.txt", &bad);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("nul.txt: binary file, skipped (NUL byte at byte 9)"), "{err}");
    assert_good_complete(&out);
}

#[test]
fn a_binary_file_is_skipped_with_the_reason() {
    // A PNG header and control bytes, no NUL in the first bytes.
    let mut bad = b"\x89PNG\r\n\x1a\n".to_vec();
    bad.extend((0..4000u32).map(|i| [1u8, 2, 3, 4, 5, 6, 7, 0x0e, 0x10, 0x1b][i as usize % 10]));
    let (code, out, err) = folder_with_bad("image.txt", &bad);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("image.txt: binary file, skipped ("), "{err}");
    assert_good_complete(&out);
}

#[test]
fn an_empty_file_is_a_warning_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.txt"), GOOD).unwrap();
    std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
    std::fs::write(dir.path().join("blank.txt"), b" \n\r\n\t").unwrap();
    let (code, out, err) = run(&["extract", p(dir.path())]);
    assert_eq!(code, Some(0), "nothing is lost by skipping an empty document: {err}");
    assert!(err.contains("warning: ") && err.contains("empty.txt: empty document"), "{err}");
    assert!(err.contains("blank.txt: empty document"), "{err}");
    assert_good_complete(&out);
}

/// A 100 MB file with no line break: refused by the 64 MiB document limit
/// without reading it whole, in bounded time; the same as a JSONL line.
#[test]
fn a_100_mb_file_without_line_breaks_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.txt"), GOOD).unwrap();
    let chunk = "王坚".repeat(1 << 16); // 384 KiB
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.path().join("huge.txt")).unwrap());
        let mut jl = std::io::BufWriter::new(std::fs::File::create(dir.path().join("huge.jsonl")).unwrap());
        writeln!(jl, "{{\"id\": \"first\", \"text\": \"{GOOD2}\"}}").unwrap();
        write!(jl, "{{\"id\": \"huge\", \"text\": \"").unwrap();
        for _ in 0..(100 << 20) / chunk.len() + 1 {
            f.write_all(chunk.as_bytes()).unwrap();
            jl.write_all(chunk.as_bytes()).unwrap();
        }
        writeln!(jl, "\"}}").unwrap();
        writeln!(jl, "{{\"id\": \"last\", \"text\": \"{GOOD}\"}}").unwrap();
    }
    let started = std::time::Instant::now();
    let (code, out, err) = run(&["extract", p(dir.path()), "--quiet"]);
    let took = started.elapsed();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("huge.txt: document of ") && err.contains("bytes or more exceeds the limit of 67108864 bytes, skipped"), "{err}");
    assert!(err.contains("huge.jsonl:2: document of"), "{err}");
    let mut docs = doc_ids(&out);
    docs.sort();
    assert_eq!(docs, ["first", "good.txt", "last"]);
    assert!(took.as_secs() < 60, "refusing 200 MB took {took:?}");
}

#[test]
fn a_broken_jsonl_line_in_the_middle_loses_only_that_line() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let lines = [
        format!("{{\"id\": \"a\", \"text\": \"{GOOD}\"}}"),
        format!("{{\"id\": \"b\", \"text\": \"{GOOD}\"}}"),
        "{\"id\": \"broken\", \"text\": \"王坚说".to_string(),
        "[1, 2]".to_string(),
        "{\"id\": \"notext\"}".to_string(),
        format!("{{\"id\": \"c\", \"text\": \"{GOOD2}\"}}"),
    ];
    std::fs::write(&corpus, lines.join("\n") + "\n").unwrap();
    let (code, out, err) = run(&["extract", p(&corpus), "--quiet"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("corpus.jsonl:3: invalid JSON: "), "{err}");
    assert!(err.contains("corpus.jsonl:4: not a document record"), "{err}");
    assert!(err.contains("corpus.jsonl:5: no string \"text\" field"), "{err}");
    assert_eq!(doc_ids(&out), ["a", "b", "c"]);
    let ids = node_ids(&out);
    for id in ["person/王坚", "organization/阿里云", "person/马化腾", "organization/腾讯"] {
        assert!(ids.contains(&id.to_string()), "{id} missing: {ids:?}");
    }
}

#[test]
fn unreadable_entries_in_a_folder_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.txt"), GOOD).unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere.txt"), dir.path().join("dangling.txt")).unwrap();
    let (code, out, err) = run(&["extract", p(dir.path()), "--quiet"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("dangling.txt: cannot read: "), "{err}");
    assert_good_complete(&out);
    // Named directly: a missing file and a directory where a file was expected.
    let missing = dir.path().join("missing.txt");
    let good = dir.path().join("good.txt");
    let (code, out, err) = run(&["extract", p(&missing), p(&good), "--quiet"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("missing.txt: cannot read: "), "{err}");
    assert_good_complete(&out);
}

#[test]
fn a_summary_line_counts_documents_and_failures() {
    let mut bad = "王坚".as_bytes().to_vec();
    bad.push(0xff);
    let (code, _, err) = folder_with_bad("bad.txt", &bad);
    assert_eq!(code, Some(1));
    let last = err.lines().last().unwrap_or_default();
    assert!(last.contains("2 documents, 1 failed"), "summary as the last line: {err}");
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn output_into_a_missing_folder_fails_with_the_path_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("good.txt");
    std::fs::write(&input, GOOD).unwrap();
    for target in [dir.path().join("missing/out.json"), dir.path().join("good.txt/out.json")] {
        let (code, out, err) = run(&["extract", p(&input), "-o", p(&target), "--quiet"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains(p(&target)), "the error names the output path: {err}");
        assert_eq!(leftovers(dir.path()), ["good.txt"], "no temporary file left");
    }
}

#[test]
fn a_failed_overwrite_keeps_the_old_file() {
    // The output path is an existing folder: the rename fails after the
    // temporary file was written; it is removed and the folder untouched.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("good.txt");
    std::fs::write(&input, GOOD).unwrap();
    let target = dir.path().join("out.json");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "old").unwrap();
    let (code, _, err) = run(&["extract", p(&input), "-o", p(&target), "--quiet"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("out.json"), "{err}");
    assert_eq!(leftovers(dir.path()), ["good.txt", "out.json"], "no temporary file left");
    assert_eq!(std::fs::read_to_string(target.join("keep")).unwrap(), "old");
}
