//! Rule faults through the binary: a broken rule directory given with
//! --add-rules or --rules is reported whole — every error with file, line,
//! column and rule id — before any text is read, with exit status 2 and
//! nothing on stdout.

use crate::util::{newsgraph, root, stderr, stdout};
use std::path::Path;

/// Write `files` into a fresh rule directory (on top of a copy of the
/// built-in rules when `full`).
fn rule_dir(files: &[(&str, &str)], full: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if full {
        copy_tree(&root("rules"), dir.path());
    }
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Run extract with the broken layer; the input does not exist, so any
/// mention of it would show that text was read before the rules failed.
fn errors_with(flag: &str, dir: &Path) -> Vec<String> {
    let o = newsgraph(&["extract", flag, dir.to_str().unwrap(), "no-such-input.txt"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing on stdout: {}", stdout(&o));
    let err = stderr(&o);
    assert!(!err.contains("no-such-input"), "rules fail before any input is read: {err}");
    err.lines().map(|l| l.trim_start().trim_start_matches("error: ").to_string()).filter(|l| l.contains(".toml:") || l.contains(".tsv:")).collect()
}

fn added(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<String>) {
    let dir = rule_dir(files, false);
    let errors = errors_with("--add-rules", dir.path());
    (dir, errors)
}

fn one_error(files: &[(&str, &str)]) -> String {
    let (dir, errors) = added(files);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let prefix = format!("{}/", dir.path().display());
    errors[0].strip_prefix(&prefix).unwrap_or_else(|| panic!("the error names the file in the layer: {}", errors[0])).to_string()
}

const REL_HEAD: &str = "predicate = \"met\"\n[[rule]]\nid = \"r\"\n";

#[test]
fn a_relation_pattern_naming_a_missing_slot() {
    let e = one_error(&[("relations/x.toml", &format!("{REL_HEAD}pattern = '<Person:s>说'\nsubject = \"s\"\nobject = \"o\"\n"))]);
    assert!(e.starts_with("relations/x.toml:6:10: rule relations/x/r: object names slot \"o\""), "{e}");
}

#[test]
fn an_invalid_regex_in_a_relation_pattern() {
    let e = one_error(&[("relations/x.toml", &format!("{REL_HEAD}pattern = '<Person:s>和<Person:o>(见'\nsubject = \"s\"\nobject = \"o\"\n"))]);
    assert!(e.starts_with("relations/x.toml:4:") && e.contains("rule relations/x/r: ") && e.contains("regex"), "{e}");
}

#[test]
fn an_invalid_regex_in_an_entity_rule() {
    let e = one_error(&[("entities/x.toml", "type = \"Work\"\n[[rule]]\nid = \"w\"\nregex = '《[^》]+'\n[[rule]]\nid = \"bad\"\nregex = 'a{99999999}'\n")]);
    assert!(e.starts_with("entities/x.toml:7:9: rule entities/x/bad: invalid regex"), "{e}");
}

#[test]
fn an_unknown_entity_type() {
    let e = one_error(&[("relations/x.toml", &format!("{REL_HEAD}pattern = '<Persn:s>和<Person:o>'\nsubject = \"s\"\nobject = \"o\"\n"))]);
    assert!(e.starts_with("relations/x.toml:4:") && e.contains("rule relations/x/r: unknown entity type \"Persn\""), "{e}");
}

#[test]
fn an_unknown_predicate() {
    let e = one_error(&[("relations/x.toml", "predicate = \"employs\"\n[[rule]]\nid = \"r\"\npattern = '<Person:s>和<Person:o>'\nsubject = \"s\"\nobject = \"o\"\n")]);
    assert!(e.starts_with("relations/x.toml:1:") && e.contains("unknown predicate \"employs\""), "{e}");
}

#[test]
fn a_duplicate_rule_id() {
    let text = format!("{REL_HEAD}pattern = '<Person:s>和<Person:o>'\nsubject = \"s\"\nobject = \"o\"\n[[rule]]\nid = \"r\"\npattern = '<Person:s>与<Person:o>'\nsubject = \"s\"\nobject = \"o\"\n");
    let e = one_error(&[("relations/x.toml", &text)]);
    assert!(e.starts_with("relations/x.toml:8:") && e.contains("rule relations/x/r: duplicate rule id"), "{e}");
}

#[test]
fn an_empty_gazetteer_entry() {
    let e = one_error(&[("gazetteers/mine.tsv", "星河湾集团\tOrganization\n\tPerson\n")]);
    assert!(e.starts_with("gazetteers/mine.tsv:2:1") && e.contains("empty entry"), "{e}");
}

#[test]
fn a_toml_syntax_error() {
    let e = one_error(&[("entities/x.toml", "type = \"Work\"\n[[rule]]\nid = \"w\nregex = 'x'\n")]);
    assert!(e.starts_with("entities/x.toml:3:") && e.contains("TOML syntax"), "{e}");
}

/// Every kind of fault in one layer: all reported in one run, in file order.
#[test]
fn every_error_is_reported_at_once() {
    let (_dir, errors) = added(&[
        ("relations/a.toml", &format!("{REL_HEAD}pattern = '<Person:s>说'\nsubject = \"s\"\nobject = \"o\"\n")),
        ("relations/b.toml", &format!("{REL_HEAD}pattern = '<Persn:s>和<Person:o>('\nsubject = \"s\"\nobject = \"o\"\n")),
        ("relations/c.toml", "predicate = \"employs\"\n[[rule]]\nid = \"r\"\npattern = '<Person:s>和<Person:o>'\nsubject = \"s\"\nobject = \"o\"\n"),
        ("entities/d.toml", "type = \"Work\"\n[[rule]]\nid = \"a\"\nregex = 'x'\n[[rule]]\nid = \"a\"\nregex = 'y'\n"),
        ("entities/e.toml", "type = \"Work\"\n[[rule]\n"),
        ("gazetteers/f.tsv", "\tPerson\n某某\tPersn\n"),
    ]);
    let files = ["relations/a.toml:", "relations/b.toml:", "relations/c.toml:", "entities/d.toml:", "entities/e.toml:", "gazetteers/f.tsv:1:", "gazetteers/f.tsv:2:"];
    for f in files {
        assert!(errors.iter().any(|e| e.contains(f)), "{f} missing from {errors:#?}");
    }
    for e in &errors {
        let after = e.split(".toml:").nth(1).or_else(|| e.split(".tsv:").nth(1)).unwrap();
        let mut parts = after.splitn(3, ':');
        let line: usize = parts.next().unwrap().parse().unwrap_or_else(|_| panic!("line number in {e}"));
        let column: usize = parts.next().unwrap().parse().unwrap_or_else(|_| panic!("column in {e}"));
        assert!(line >= 1 && column >= 1, "{e}");
        if e.contains(".toml:") && !e.contains("TOML syntax") {
            assert!(e.contains(": rule "), "a rule error names its rule: {e}");
        }
    }
}

/// --rules DIR replaces the built-in rules: the same report, same exit.
#[test]
fn a_broken_replacement_rule_directory() {
    let dir = rule_dir(&[("relations/zz_bad.toml", &format!("{REL_HEAD}pattern = '<Person:s>说'\nsubject = \"s\"\nobject = \"o\"\n"))], true);
    let errors = errors_with("--rules", dir.path());
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("relations/zz_bad.toml:6:10: rule relations/zz_bad/r: object names slot \"o\""), "{}", errors[0]);
    // The intact copy works as a replacement.
    std::fs::remove_file(dir.path().join("relations/zz_bad.toml")).unwrap();
    let o = newsgraph(&["extract", "--rules", dir.path().to_str().unwrap(), root("fixtures/yunqi.txt").to_str().unwrap(), "--quiet"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_missing_rule_directory_is_named() {
    let o = newsgraph(&["extract", "--add-rules", "/nonexistent/rules", "no-such-input.txt"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/rules") && !stderr(&o).contains("no-such-input"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}
