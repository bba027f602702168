//! Score floors. The floors are the figures measured when they were last
//! raised; a change that lowers a score fails here. Raise them as the rules
//! improve (never lower them to make a change pass).

use crate::util::{fixture, seed_graph, shared, extractor};
use newsgraph::eval::{score_graph, score_ner, GoldGraph, NerLine};
use newsgraph::KnowledgeGraph;

fn assert_floor(what: &str, f1: f64, floor: f64) {
    println!("{what}: F1 {f1:.3} (floor {floor:.3})");
    assert!(f1 >= floor, "{what}: F1 {f1:.3} fell below its floor {floor:.3}");
}

#[test]
fn seed_article_scores_hold_their_floors() {
    let gold: GoldGraph = serde_json::from_str(&std::fs::read_to_string(fixture("yunqi.gold.json")).unwrap()).unwrap();
    let score = score_graph(&gold, seed_graph());
    assert_floor("seed entities", score.all("entities").f1(), 0.95);
    assert_floor("seed values", score.all("values").f1(), 0.96);
    assert_floor("seed relations", score.all("relations").f1(), 0.66);
}

#[test]
fn peoples_daily_dev_set_holds_its_floor() {
    let Some(path) = shared("data/peoples-daily-ner-dev.jsonl") else {
        println!("SKIPPED: ../shared/data/peoples-daily-ner-dev.jsonl not present");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<NerLine> = text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut graph = KnowledgeGraph::new();
    for line in &lines {
        graph.add_document(&extractor().extract(&line.id, &line.text));
    }
    let (scores, _, _) = score_ner(&lines, &graph);
    assert_floor("People's Daily dev PER", scores["PER"].f1(), 0.63);
    assert_floor("People's Daily dev ORG", scores["ORG"].f1(), 0.58);
    assert_floor("People's Daily dev LOC", scores["LOC"].f1(), 0.80);
    assert_floor("People's Daily dev ALL", scores["ALL"].f1(), 0.71);
}

#[test]
fn our_scorer_agrees_with_the_reference_scorer() {
    // The reference scorer is Python; when python3 is here, both must give
    // the same entity F1 on the seed article.
    let Some(score_py) = shared("eval/score.py") else { return };
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("seed.json");
    let mut out = Vec::new();
    newsgraph::export::write(seed_graph(), newsgraph::export::ExportFormat::Json, &mut out).unwrap();
    std::fs::write(&json, out).unwrap();
    let Ok(o) = std::process::Command::new("python3").arg(score_py).arg(fixture("yunqi.gold.json")).arg(&json).arg("--json").output() else {
        println!("SKIPPED: no python3");
        return;
    };
    let reference: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let gold: GoldGraph = serde_json::from_str(&std::fs::read_to_string(fixture("yunqi.gold.json")).unwrap()).unwrap();
    let ours = score_graph(&gold, seed_graph());
    for kind in ["entities", "values", "relations"] {
        let theirs = reference[kind]["ALL"]["f1"].as_f64().unwrap();
        let mine = (ours.all(kind).f1() * 10000.0).round() / 10000.0;
        assert!((theirs - mine).abs() < 1e-3, "{kind}: reference {theirs}, ours {mine}");
    }
}
