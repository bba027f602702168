use crate::util::seed_graph;
use newsgraph::export::csv::{neutralize, EDGE_COLUMNS, NEO4J_NODE_COLUMNS, NEO4J_RELATIONSHIP_COLUMNS, NODE_COLUMNS};
use newsgraph::export::{self, ExportFormat, ExportOptions};
use std::path::Path;

fn read(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    (header, r.records().map(Result::unwrap).collect())
}

#[test]
fn csv_round_trips_to_the_json_counts() {
    let graph = seed_graph();
    let mut json = Vec::new();
    export::write(graph, ExportFormat::Json, &mut json).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let dir = tempfile::tempdir().unwrap();
    export::write_to_path(graph, ExportFormat::Csv, dir.path(), &ExportOptions::default()).unwrap();
    let (nh, nodes) = read(&dir.path().join("nodes.csv"));
    let (eh, edges) = read(&dir.path().join("edges.csv"));
    assert_eq!(nh, NODE_COLUMNS);
    assert_eq!(eh, EDGE_COLUMNS);
    assert_eq!(nodes.len(), json["nodes"].as_array().unwrap().len());
    assert_eq!(edges.len(), json["edges"].as_array().unwrap().len());
    let wang = nodes.iter().find(|r| &r[0] == "person/王坚").unwrap();
    assert_eq!(&wang[1], "Person");
    assert_eq!(&wang[2], "王堅");
    let money = nodes.iter().find(|r| &r[0] == "money/CNY 750000000").unwrap();
    assert_eq!((&money[4], &money[6], &money[7]), ("750000000", "CNY", "false"));
    let e = edges.iter().find(|r| &r[1] == "monetaryFact" && &r[0] == "organization/数梦工场").unwrap();
    assert_eq!(&e[5], "A轮融资");
    let quals: serde_json::Value = serde_json::from_str(&e[6]).unwrap();
    assert_eq!(quals["date"], "2017-07");
    assert_eq!((&e[8], &e[9]), ("5096", "5137"));
}

#[test]
fn neo4j_headers_follow_the_import_format() {
    let dir = tempfile::tempdir().unwrap();
    export::write_to_path(seed_graph(), ExportFormat::Neo4j, dir.path(), &ExportOptions::default()).unwrap();
    let (nh, nodes) = read(&dir.path().join("nodes.csv"));
    let (rh, rels) = read(&dir.path().join("relationships.csv"));
    assert_eq!(nh, NEO4J_NODE_COLUMNS);
    assert_eq!(rh, NEO4J_RELATIONSHIP_COLUMNS);
    // Neo4j's header grammar: name:type, with :ID, :LABEL, :START_ID, :END_ID, :TYPE special.
    let types = ["", "ID", "LABEL", "START_ID", "END_ID", "TYPE", "string", "string[]", "int", "boolean"];
    for h in nh.iter().chain(&rh) {
        let (_, ty) = h.split_once(':').unwrap_or((h, ""));
        assert!(types.contains(&ty), "{h}");
    }
    assert_eq!(nh[0], "id:ID");
    assert_eq!(nh[1], ":LABEL");
    assert_eq!(&rh[..3], [":START_ID", ":END_ID", ":TYPE"]);
    let ids: std::collections::BTreeSet<&str> = nodes.iter().map(|r| r.get(0).unwrap()).collect();
    for r in &rels {
        assert!(ids.contains(&r[0]) && ids.contains(&r[1]), "{r:?}");
        assert!(r[2].chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{r:?}");
    }
    assert!(rels.iter().any(|r| &r[2] == "WORKS_FOR"));
    let wang = nodes.iter().find(|r| &r[0] == "person/王坚").unwrap();
    assert!(wang[3].split(';').any(|a| a == "王坚"), "{wang:?}");
}

#[test]
fn formula_cells_are_neutralized() {
    for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert_eq!(neutralize(bad), format!("'{bad}"));
    }
    assert_eq!(neutralize("王坚"), "王坚");
    assert_eq!(neutralize("2017"), "2017");
}

#[test]
fn folder_formats_refuse_a_stream() {
    let mut out = Vec::new();
    assert!(export::write(seed_graph(), ExportFormat::Csv, &mut out).is_err());
    assert_eq!(ExportFormat::from_extension("ttl"), Some(ExportFormat::Turtle));
    assert_eq!(ExportFormat::from_extension("csv"), None);
    assert_eq!(ExportFormat::from_name("neo4j"), Some(ExportFormat::Neo4j));
}
