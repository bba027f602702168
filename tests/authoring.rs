//! The rule author's loop: a one-line user gazetteer takes effect in the
//! very next run and beats conflicting built-in matches; `explain` shows
//! which rule won and which lost; `rules check` reports by rule id; `eval
//! --compare` shows what a rule change gained and lost.

use crate::util::{fixture, newsgraph, stderr, stdout};
use newsgraph::rules::{RuleSet, RuleSource};
use newsgraph::{Document, Extractor};
use std::path::Path;
use std::sync::Arc;

/// Extract `text` with the built-in rules plus one user gazetteer file.
fn with_user_gazetteer(lines: &str, text: &str) -> Document {
    let layers = [RuleSource::builtin(), RuleSource::from_files("user", &[("gazetteers/mine.tsv", lines)])];
    let rules = RuleSet::layered(&layers).unwrap_or_else(|e| panic!("{e}"));
    Extractor::new(Arc::new(rules)).extract("t", text)
}

/// A rule directory holding one gazetteer file.
fn user_dir(lines: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("gazetteers")).unwrap();
    std::fs::write(dir.path().join("gazetteers/mine.tsv"), lines).unwrap();
    dir
}

/// Nodes of `newsgraph extract --add-rules DIR` on `text`, as JSON.
fn extract_cli(dir: &Path, text: &str) -> Vec<serde_json::Value> {
    let input = dir.join("article.txt");
    std::fs::write(&input, text).unwrap();
    let o = newsgraph(&["extract", input.to_str().unwrap(), "--add-rules", dir.to_str().unwrap(), "--quiet"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    json["nodes"].as_array().unwrap().clone()
}

fn builtin_ids(text: &str) -> Vec<String> {
    crate::util::extract(text).nodes.iter().map(|n| n.key.id()).collect()
}

/// The user line `name<TAB>Type<TAB>alias` makes `name` one node of that type
/// whose mentions include the alias standing alone, through the library
/// and through the binary, and the conflicting built-in node is gone.
fn assert_user_entry_wins(line: &str, text: &str, id: &str, alias: &str, builtin_conflict: &str) {
    assert!(builtin_ids(text).iter().any(|i| i == builtin_conflict), "without the user line: {:?}", builtin_ids(text));
    let doc = with_user_gazetteer(line, text);
    let ids: Vec<String> = doc.nodes.iter().map(|n| n.key.id()).collect();
    assert!(!ids.iter().any(|i| i == builtin_conflict), "{ids:?}");
    let node = doc.nodes.iter().find(|n| n.key.id() == id).unwrap_or_else(|| panic!("{id} not in {ids:?}"));
    assert!(node.aliases.contains(alias), "{:?}", node.aliases);
    assert!(node.mentions.iter().any(|m| doc.text_of(m) == alias), "the alias joins the node: {:?}", node.mentions);
    assert!(node.mentions.iter().all(|m| m.rule == "user/gazetteers/mine.tsv:1"), "{:?}", node.mentions);

    let dir = user_dir(line);
    let nodes = extract_cli(dir.path(), text);
    let node = nodes.iter().find(|n| n["id"] == id).unwrap_or_else(|| panic!("{id} not in {nodes:#?}"));
    assert!(node["aliases"].as_array().unwrap().iter().any(|a| a == alias), "{node}");
    let rule = format!("{}/gazetteers/mine.tsv:1", dir.path().display());
    assert!(node["mentions"].as_array().unwrap().iter().all(|m| m["rule"] == rule.as_str()), "{node}");
    assert!(!nodes.iter().any(|n| n["id"] == builtin_conflict), "{nodes:#?}");
}

#[test]
fn a_user_person_beats_a_builtin_place_inside_it() {
    // Built in: the river 黄河 (place.tsv), no person.
    assert_user_entry_wins("黄河清\tPerson\t河清\n", "昨天黄河清来到杭州。河清说，很好。", "person/黄河清", "河清", "place/黄河");
}

#[test]
fn a_user_organization_beats_a_builtin_place_of_the_same_text_and_a_longer_suffix_guess() {
    // Built in: 长城 is a landmark (place.tsv).
    assert_user_entry_wins("长城\tOrganization\t长城公司\n", "长城宣布新计划。长城公司表示欢迎。", "organization/长城", "长城公司", "place/长城");
    // Built in: the suffix guess 云徙科技有限公司 (org_suffix.tsv), longer.
    let text = "云徙科技有限公司成立于杭州。云徙表示欢迎。";
    assert!(builtin_ids(text).iter().any(|i| i == "organization/云徙科技有限公司"), "{:?}", builtin_ids(text));
    assert_user_entry_wins("云徙科技\tOrganization\t云徙\n", text, "organization/云徙科技", "云徙", "organization/云徙科技有限公司");
}

#[test]
fn a_user_place_beats_a_builtin_organization_suffix_guess() {
    // Built in: 黄龙体育中心 is an organization (中心, org_suffix.tsv).
    assert_user_entry_wins(
        "黄龙体育中心\tPlace\t黄龙中心\n",
        "比赛在黄龙体育中心举行。黄龙中心座无虚席。",
        "place/黄龙体育中心",
        "黄龙中心",
        "organization/黄龙体育中心",
    );
}

#[test]
fn a_user_entry_is_found_even_inside_a_longer_builtin_name() {
    // 浙江大学 is a built-in organization; the user's (made-up) name crosses
    // its end, and the user layer wins the overlap anyway.
    let text = "他在浙江大学堂读书。";
    let doc = with_user_gazetteer("江大学堂\tPlace\n", text);
    let ids: Vec<String> = doc.nodes.iter().map(|n| n.key.id()).collect();
    assert!(ids.contains(&"place/江大学堂".to_string()), "{ids:?}");
    assert!(!ids.contains(&"organization/浙江大学".to_string()), "{ids:?}");
}

#[test]
fn explain_shows_the_winning_and_the_losing_rules_of_a_seed_sentence() {
    let o = newsgraph(&["explain", fixture("yunqi.txt").to_str().unwrap(), "--sentence", "5", "--color", "never"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("[5] 云棲小鎮管委會主任呂鋼鋒經歷了所有變化。\n"), "{out}");
    assert!(!out.contains('\x1b'), "no colours with --color never");
    let line = |needle: &str| out.lines().find(|l| l.trim_start().starts_with(needle)).unwrap_or_else(|| panic!("no line with {needle}:\n{out}"));
    // Kept: the organization, the title and the person it gives evidence for, with their rules.
    assert!(line("云棲小鎮管委會 ").contains("Organization") && line("云棲小鎮管委會 ").contains("121..128  rules/gazetteers/org_suffix.tsv:"), "{out}");
    assert!(line("主任 ").contains("Title"), "{out}");
    assert!(line("呂鋼鋒 ").contains("Person") && line("呂鋼鋒 ").contains("130..133  entities/person/title-before"), "{out}");
    // The fact, with its rule.
    assert!(out.contains("呂鋼鋒 —worksFor→ 云棲小鎮管委會  [title=主任]  relations/works_for/"), "{out}");
    // Lost: the place suffix guess inside the longer organization, and the
    // shorter person shape, each with the kept mention that beat it.
    let lost = out.split("  lost:\n").nth(1).unwrap_or_else(|| panic!("no lost section:\n{out}"));
    let lost_line = |text: &str, tail: &str| lost.lines().any(|l| l.trim_start().starts_with(text) && l.ends_with(tail));
    assert!(
        lost.lines().any(|l| l.trim_start().starts_with("云棲小鎮 ")
            && l.contains("lost to 云棲小鎮管委會 (Organization, rules/gazetteers/org_suffix.tsv:")
            && l.ends_with("): longer")),
        "{out}"
    );
    assert!(lost.lines().any(|l| l.trim_start().starts_with("云棲小鎮 ") && l.contains("Place") && l.contains("rules/gazetteers/place_suffix.tsv:")), "{out}");
    assert!(lost_line("呂鋼 ", "lost to 呂鋼鋒 (Person, entities/person/title-before): longer"), "{out}");

    // Colours on request: the person in red in the sentence.
    let o = newsgraph(&["explain", fixture("yunqi.txt").to_str().unwrap(), "-s", "5", "--color", "always"], None);
    assert!(stdout(&o).lines().next().unwrap().contains("\x1b[1;31m呂鋼鋒\x1b[0m"), "{}", stdout(&o));
    // A sentence that does not exist is an error.
    let o = newsgraph(&["explain", fixture("yunqi.txt").to_str().unwrap(), "-s", "999"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no sentence 999"), "{}", stderr(&o));
}

#[test]
fn explain_shows_builtin_matches_losing_to_user_entries() {
    let user = "长城\tOrganization\n云徙科技\tOrganization\t云徙\n";
    let rules = RuleSet::layered(&[RuleSource::builtin(), RuleSource::from_files("user", &[("gazetteers/mine.tsv", user)])]).unwrap();
    let sentences = newsgraph::explain::explain(Arc::new(rules), "t", "长城宣布新计划。云徙科技有限公司成立于杭州。");
    let s = &sentences[0];
    assert!(s.mentions.iter().any(|m| m.text == "长城" && m.kind == "Organization" && m.rule == "user/gazetteers/mine.tsv:1"), "{s:#?}");
    // The built-in entry of the same text.
    let lost = s.lost.iter().find(|l| l.text == "长城").unwrap_or_else(|| panic!("{s:#?}"));
    assert_eq!(lost.kind, "Place");
    assert_eq!(lost.rule, "rules/gazetteers/place.tsv:4227");
    assert_eq!(lost.beaten_by.rule, "user/gazetteers/mine.tsv:1");
    assert_eq!(lost.reason, "user layer");
    // The longer suffix guess.
    let s = &sentences[1];
    let lost = s.lost.iter().find(|l| l.text == "云徙科技有限公司").unwrap_or_else(|| panic!("{s:#?}"));
    assert!(lost.rule.starts_with("rules/gazetteers/org_suffix.tsv:"), "{lost:?}");
    let text = newsgraph::explain::render(&sentences, false);
    assert!(text.contains("lost to 云徙科技 (Organization, user/gazetteers/mine.tsv:2): user layer"), "{text}");
}

const TEA_RULE: &str = r#"predicate = "met"

[[rule]]
id = "tea"
pattern = '<Person:s>和<Person:o>喝茶'
subject = "s"
object = "o"

[[rule.example]]
text = "总裁王坚说好。总裁王坚和市长张三喝茶。"
expect = [["王坚", "met", "张三"]]

[[rule.example]]
text = "总裁王坚和市长张三吃饭。"
expect = []
"#;

#[test]
fn rules_check_lists_the_directory_rules_and_each_failure_with_expected_and_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("relations")).unwrap();
    std::fs::write(dir.path().join("relations/tea.toml"), TEA_RULE).unwrap();
    let o = newsgraph(&["rules", "check", "--add", dir.path().to_str().unwrap()], None);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("PASS rule relations/tea/tea (2 examples)"), "{out}");
    assert!(!out.contains("PASS rule relations/met/"), "built-in rules are listed only with -v: {out}");
    assert!(out.lines().last().unwrap().ends_with(" 0 failed"), "{out}");

    let broken = TEA_RULE.replace("\"张三\"]]", "\"李四\"]]");
    std::fs::write(dir.path().join("relations/tea.toml"), broken).unwrap();
    let o = newsgraph(&["rules", "check", "--add", dir.path().to_str().unwrap()], None);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL rule relations/tea/tea: 1 of 2 examples failed"), "{out}");
    assert!(out.contains("    expected: [王坚, met, 李四]"), "{out}");
    assert!(out.contains("    found:    facts [王坚 met 张三 ("), "{out}");
    assert!(out.lines().last().unwrap().ends_with("1 failed (in 1 rule)"), "{out}");
}

#[test]
fn rules_check_reports_rule_file_errors_with_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("relations")).unwrap();
    std::fs::write(dir.path().join("relations/tea.toml"), TEA_RULE.replace("<Person:o>", "<Persn:o>")).unwrap();
    std::fs::create_dir_all(dir.path().join("gazetteers")).unwrap();
    std::fs::write(dir.path().join("gazetteers/mine.tsv"), "云徙科技\tOrganisation\n").unwrap();
    let o = newsgraph(&["rules", "check", "--add", dir.path().to_str().unwrap()], None);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.lines().any(|l| l.starts_with("ERROR ") && l.contains("relations/tea.toml:5:") && l.contains("rule relations/tea/tea: unknown entity type \"Persn\"")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("ERROR ") && l.contains("gazetteers/mine.tsv:1:6: unknown entity type \"Organisation\"")), "{out}");
    assert!(out.contains("2 error(s) in the rule files; no example was run"), "{out}");
}

#[test]
fn eval_names_the_rule_that_came_closest_and_compare_shows_what_a_rule_change_gained() {
    let gold = fixture("yunqi.gold.json");
    let article = fixture("yunqi.txt");
    let work = tempfile::tempdir().unwrap();
    let saved = work.path().join("before.json");
    // A user line that types 达摩院 wrongly: the miss names the rule that typed it.
    let wrong = user_dir("达摩院\tPlace\n");
    let o = newsgraph(&["eval", "--gold", gold.to_str().unwrap(), article.to_str().unwrap(), "--add-rules", wrong.path().to_str().unwrap(),
        "--show-misses", "--save", saved.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("  Organization: 達摩院  (found as Place by ") && l.contains("gazetteers/mine.tsv:1")), "{out}");
    let before: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert!(before["missed"].as_array().unwrap().iter().any(|m| m == "Organization: 達摩院"));

    // One gazetteer line, then compare.
    let dir = user_dir("达摩院\tOrganization\n");
    let o = newsgraph(&["eval", "--gold", gold.to_str().unwrap(), article.to_str().unwrap(), "--add-rules", dir.path().to_str().unwrap(),
        "--compare", saved.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("compared with {}:", saved.display())), "{out}");
    assert!(out.contains("  + found   Organization: 達摩院"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("  entities Organization: F1 ") && l.contains(" -> ")), "{out}");
}
