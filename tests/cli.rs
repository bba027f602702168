//! The command line as a user meets it.

use crate::util::{fixture, newsgraph, stderr, stdout};

#[test]
fn extract_writes_the_json_contract() {
    let o = newsgraph(&["extract", fixture("yunqi.txt").to_str().unwrap(), "--format", "json", "--quiet"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["documents"][0]["id"], "yunqi.txt");
    let node = &json["nodes"].as_array().unwrap().iter().find(|n| n["name"] == "王堅").expect("王堅").clone();
    assert_eq!(node["type"], "Person");
    assert_eq!(node["id"], "person/王坚");
    assert!(node["aliases"].as_array().unwrap().iter().any(|a| a == "王坚"));
    let m = &node["mentions"][0];
    assert!(m["doc"].is_string() && m["start"].is_u64() && m["end"].is_u64() && m["text"] == "王堅");
    let money = json["nodes"].as_array().unwrap().iter().find(|n| n["type"] == "Money" && n["value"] == 750000000).expect("7.5億元");
    assert_eq!(money["currency"], "CNY");
    let edge = &json["edges"][0];
    for key in ["source", "target", "predicate", "evidence", "rule"] {
        assert!(!edge[key].is_null(), "edge lacks {key}: {edge}");
    }
}

#[test]
fn jsonl_ids_become_document_ids_and_a_broken_line_does_not_lose_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    std::fs::write(&corpus, "{\"id\": \"a\", \"text\": \"阿里云总裁王坚表示同意。\"}\n{\"id\": \"b\", \"text\": \n{\"id\": 7, \"text\": \"腾讯董事长马化腾说，好。\"}\n").unwrap();
    let o = newsgraph(&["extract", corpus.to_str().unwrap(), "--quiet"], None);
    assert_eq!(o.status.code(), Some(1), "a failed document makes the exit status 1");
    assert!(stderr(&o).contains("c.jsonl:2:"), "the error names file and line: {}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let docs: Vec<&str> = json["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(docs, ["a", "7"]);
}

#[test]
fn invalid_utf8_is_reported_with_file_and_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.txt"), "阿里云总裁王坚表示同意。").unwrap();
    let mut bad = "王坚".as_bytes().to_vec();
    bad.extend_from_slice(&[0xff, 0xfe, 0x00, 0x41]);
    std::fs::write(dir.path().join("bad.txt"), bad).unwrap();
    let o = newsgraph(&["extract", dir.path().to_str().unwrap(), "--quiet"], None);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.txt"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["documents"].as_array().unwrap().len(), 1, "good.txt is still extracted");
}

#[test]
fn stdin_is_one_document() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsgraph"))
        .args(["extract", "-", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all("\u{feff}阿里云总裁王坚表示同意。\r\n".as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["documents"][0]["id"], "-");
    let wang = json["nodes"].as_array().unwrap().iter().find(|n| n["name"] == "王坚").unwrap().clone();
    assert_eq!(wang["mentions"][0]["start"], 5, "the BOM is not counted");
}

#[test]
fn a_broken_rule_directory_fails_before_any_text_with_every_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("relations")).unwrap();
    std::fs::write(dir.path().join("relations/bad.toml"), "predicate = \"met\"\n[[rule]]\nid = \"x\"\npattern = '<Persn:s>(' \nsubject = \"s\"\nobject = \"s\"\n").unwrap();
    let o = newsgraph(&["extract", "--add-rules", dir.path().to_str().unwrap(), fixture("yunqi.txt").to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("relations/bad.toml:4:") && err.contains("rule relations/bad/x"), "{err}");
    assert!(stdout(&o).is_empty(), "no output when the rules are broken");
}

#[test]
fn rules_check_passes_on_the_builtin_rules_and_names_a_broken_example() {
    let o = newsgraph(&["rules", "check"], None);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains(" 0 failed"), "{}", stdout(&o));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("relations")).unwrap();
    std::fs::write(dir.path().join("relations/mine.toml"), "predicate = \"met\"\n[[rule]]\nid = \"tea\"\npattern = '<Person:s>和<Person:o>喝茶'\nsubject = \"s\"\nobject = \"o\"\n[[rule.example]]\ntext = \"总裁王坚说好。总裁王坚和陈某某在吃饭\"\nexpect = [[\"王坚\", \"met\", \"陈某某\"]]\n").unwrap();
    let o = newsgraph(&["rules", "check", "--add", dir.path().to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("FAIL rule relations/mine/tea"), "{}", stdout(&o));
}

#[test]
fn eval_reports_scores_against_the_gold_file() {
    let o = newsgraph(&["eval", "--gold", fixture("yunqi.gold.json").to_str().unwrap(), fixture("yunqi.txt").to_str().unwrap(), "--show-misses"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("entities:") && out.contains("relations:") && out.contains("missed:"), "{out}");
}
