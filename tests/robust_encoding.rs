//! Legacy encodings: GBK and Big5 copies of the seed article give the same
//! graph as the UTF-8 original, whether the encoding is detected or named
//! with --encoding, modulo the characters the legacy encoding cannot hold
//! (Big5 has no simplified-only characters such as 云; encoding_rs writes
//! them as numeric character references `&#20113;`).
//!
//! The encoded copies are committed as `fixtures/encodings/yunqi.{gbk,big5}.txt`;
//! `NEWSGRAPH_WRITE_FIXTURES=1 cargo test robust_encoding` rewrites them.

use crate::util::{fixture, newsgraph, seed_text, stderr, stdout};
use encoding_rs::{Encoding, BIG5, GBK};
use std::collections::BTreeSet;

fn encoded_fixture(encoding: &'static Encoding, file: &str) -> std::path::PathBuf {
    let text = seed_text();
    let (bytes, _, _) = encoding.encode(&text);
    let path = fixture("encodings").join(file);
    if std::env::var_os("NEWSGRAPH_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
    }
    let stored = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(stored == bytes.as_ref(), "{} is not the {} encoding of yunqi.txt", path.display(), encoding.name());
    path
}

/// The characters of the seed that `encoding` cannot represent.
fn unencodable(encoding: &'static Encoding) -> BTreeSet<char> {
    seed_text()
        .chars()
        .filter(|c| {
            let mut buf = [0u8; 4];
            encoding.encode(c.encode_utf8(&mut buf)).2
        })
        .collect()
}

fn node_ids(json: &str) -> BTreeSet<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    // Quotation ids carry the document id (quotation/yunqi.gbk.txt#393-458):
    // keep only the span.
    let id = |n: &serde_json::Value| {
        let id = n["id"].as_str().unwrap();
        match (id.strip_prefix("quotation/"), id.rfind('#')) {
            (Some(_), Some(hash)) => format!("quotation/{}", &id[hash..]),
            _ => id.to_string(),
        }
    };
    v["nodes"].as_array().unwrap().iter().map(id).collect()
}

fn node_ids_of_run(args: &[&str]) -> (BTreeSet<String>, String) {
    let o = newsgraph(args, None);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    (node_ids(&stdout(&o)), stderr(&o))
}

/// Extract the encoded copy detected and named; both give the same ids,
/// which differ from the UTF-8 graph only in nodes touched by `lost`
/// characters. Returns (only in UTF-8, only in the legacy copy).
fn compare(encoding: &'static Encoding, file: &str, label: &str) -> (Vec<String>, Vec<String>) {
    let path = encoded_fixture(encoding, file);
    let (utf8, _) = node_ids_of_run(&["extract", fixture("yunqi.txt").to_str().unwrap(), "--quiet"]);
    let (detected, note) = node_ids_of_run(&["extract", path.to_str().unwrap()]);
    assert!(note.contains(&format!("decoded as {}", encoding.name())), "detection note: {note}");
    let (named, _) = node_ids_of_run(&["extract", path.to_str().unwrap(), "--encoding", label, "--quiet"]);
    assert_eq!(detected, named, "detected and named {label} give the same graph");
    let lost: Vec<String> = unencodable(encoding)
        .iter()
        .flat_map(|&c| [c.to_string(), newsgraph::normalize::fold(&c.to_string())])
        .collect();
    let touched = |id: &str| id.contains("&#") || lost.iter().any(|c| id.contains(c.as_str()));
    let only_utf8: Vec<String> = utf8.difference(&named).cloned().collect();
    let only_legacy: Vec<String> = named.difference(&utf8).cloned().collect();
    let unexplained: Vec<&String> = only_utf8.iter().chain(&only_legacy).filter(|id| !touched(id)).collect();
    eprintln!("{label}: unencodable {:?}\n  only in UTF-8: {only_utf8:?}\n  only in {label}: {only_legacy:?}", unencodable(encoding));
    // A lost character may also change what is found around it (a person
    // cue or a suffix next to it); allow a few such knock-on differences
    // but not a different graph.
    assert!(unexplained.len() <= 3, "{label}: differences not explained by unencodable characters: {unexplained:?}");
    let common = utf8.intersection(&named).count();
    assert!(common * 100 >= utf8.len() * 95, "{label}: only {common} of {} nodes kept", utf8.len());
    (only_utf8, only_legacy)
}

#[test]
fn gbk_copy_gives_the_same_graph() {
    assert!(unencodable(GBK).is_empty(), "GBK holds every character of the seed");
    let (only_utf8, only_gbk) = compare(GBK, "yunqi.gbk.txt", "gbk");
    assert!(only_utf8.is_empty() && only_gbk.is_empty(), "GBK is lossless here: {only_utf8:?} {only_gbk:?}");
}

#[test]
fn big5_copy_gives_the_same_graph_modulo_simplified_only_characters() {
    // The seed's simplified characters (云, 后, ...) all exist in Big5 too,
    // as traditional characters of their own: nothing is lost.
    assert!(unencodable(BIG5).is_empty(), "{:?}", unencodable(BIG5));
    let (only_utf8, only_big5) = compare(BIG5, "yunqi.big5.txt", "big5");
    assert!(only_utf8.is_empty() && only_big5.is_empty(), "Big5 is lossless here: {only_utf8:?} {only_big5:?}");
}

/// Characters Big5 lacks become numeric references: the graph keeps every
/// node not spelled with them.
#[test]
fn big5_without_simplified_only_characters_loses_only_those_names() {
    let text = "阿里云总裁王坚表示，杭州市政府2015年投资7.5亿元。马化腾说：“这很好。”";
    let lost: Vec<char> = text.chars().filter(|c| BIG5.encode(&c.to_string()).2).collect();
    assert!(!lost.is_empty(), "simplified-only characters in the sample");
    let (bytes, _, _) = BIG5.encode(text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big5.txt");
    std::fs::write(&path, &bytes).unwrap();
    let (named, _) = node_ids_of_run(&["extract", path.to_str().unwrap(), "--encoding", "big5", "--quiet"]);
    let utf8_path = dir.path().join("utf8.txt");
    std::fs::write(&utf8_path, text).unwrap();
    let (utf8, _) = node_ids_of_run(&["extract", utf8_path.to_str().unwrap(), "--quiet"]);
    // Entities spelled without a lost character survive; values and
    // quotations whose surface holds one (7.5亿元) may not.
    let is_entity = |id: &str| ["person/", "organization/", "place/"].iter().any(|p| id.starts_with(p));
    let kept: Vec<&String> = utf8.iter().filter(|id| is_entity(id) && !id.chars().any(|c| lost.contains(&c))).collect();
    assert!(kept.len() >= 2, "{kept:?}");
    eprintln!("big5 sample: lost {lost:?}; UTF-8 {utf8:?}; Big5 {named:?}");
    for id in kept {
        assert!(named.contains(id), "{id} lost although Big5 can spell it: {named:?}");
    }
}
