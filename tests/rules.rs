//! Rules test themselves: every built-in example passes, and broken rule
//! files are reported with file, line, column and rule id, all at once.

use newsgraph::check::check_examples;
use newsgraph::rules::{RuleSet, RuleSource};

#[test]
fn every_builtin_rule_example_passes() {
    let report = check_examples(RuleSet::builtin().unwrap());
    let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert!(report.examples > 100, "only {} examples", report.examples);
    assert!(failures.is_empty(), "{} failing examples:\n{}", failures.len(), failures.join("\n"));
}

fn errors_of(files: &[(&str, &str)]) -> Vec<String> {
    let layers = [RuleSource::builtin(), RuleSource::from_files("user", files)];
    match RuleSet::layered(&layers) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn a_toml_syntax_error_names_file_line_and_column() {
    let errors = errors_of(&[("relations/x.toml", "predicate = \"met\"\n[[rule]\nid = 1\n")]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("user/relations/x.toml:2:"), "{}", errors[0]);
    assert!(errors[0].contains("TOML syntax"), "{}", errors[0]);
}

#[test]
fn an_invalid_regex_names_the_rule() {
    let errors = errors_of(&[("entities/x.toml", "type = \"Person\"\n[[rule]]\nid = \"bad\"\nregex = '(unclosed'\n")]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("user/entities/x.toml:4:9: rule entities/x/bad: invalid regex"), "{}", errors[0]);
}

#[test]
fn unknown_types_predicates_and_slots_are_all_reported_together() {
    let text = r#"predicate = "worksFor"
[[rule]]
id = "a"
pattern = '<Persn:s>说'
subject = "s"
object = "s"
[[rule]]
id = "b"
predicate = "employs"
pattern = '<Person:s>说'
subject = "s"
object = "s"
[[rule]]
id = "c"
pattern = '<Person:s>和<Person:o>'
subject = "s"
object = "x"
"#;
    let errors = errors_of(&[("relations/x.toml", text)]);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].contains("rule relations/x/a: unknown entity type \"Persn\""), "{}", errors[0]);
    assert!(errors[1].contains("rule relations/x/b: unknown predicate \"employs\""), "{}", errors[1]);
    assert!(errors[2].contains("rule relations/x/c: object names slot \"x\""), "{}", errors[2]);
    assert!(errors[2].starts_with("user/relations/x.toml:17:"), "{}", errors[2]);
}

#[test]
fn duplicate_ids_and_empty_gazetteer_entries_are_errors() {
    let dup = "type = \"Work\"\n[[rule]]\nid = \"a\"\nregex = 'x'\n[[rule]]\nid = \"a\"\nregex = 'y'\n";
    let errors = errors_of(&[("entities/d.toml", dup), ("gazetteers/mine.tsv", "\tPerson\n")]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("user/entities/d.toml:6:") && e.contains("duplicate rule id")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("user/gazetteers/mine.tsv:1:1") && e.contains("empty entry")), "{errors:?}");
}

#[test]
fn an_unknown_entity_type_in_a_user_gazetteer_is_an_error() {
    let errors = errors_of(&[("gazetteers/mine.tsv", "某某\tPersn\n")]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("mine.tsv:1:4: unknown entity type \"Persn\""), "{}", errors[0]);
}

#[test]
fn a_one_line_user_gazetteer_beats_a_builtin_guess() {
    // Without the user entry 星河 is a place suffix guess or nothing.
    let layers = [RuleSource::builtin(), RuleSource::from_files("user", &[("gazetteers/mine.tsv", "星河湾集团\tOrganization\t星河湾\n")])];
    let rules = std::sync::Arc::new(RuleSet::layered(&layers).unwrap());
    let doc = newsgraph::Extractor::new(rules).extract("t", "星河湾集团董事长表示，星河湾将扩大投资。");
    let org = doc.nodes.iter().find(|n| n.name == "星河湾集团").expect("the user organization");
    assert_eq!(org.key.node_type, newsgraph::NodeType::Organization);
    assert_eq!(org.mentions.len(), 2, "the alias 星河湾 joins the node");
}
