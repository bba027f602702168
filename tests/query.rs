use crate::util::{root, seed_graph};
use newsgraph::export::ExportOptions;
use newsgraph::query::{write_results, QueryStore, ResultsFormat};
use oxigraph::io::RdfFormat;

fn store() -> QueryStore {
    QueryStore::from_graph(seed_graph(), &ExportOptions::default()).unwrap()
}

fn run(store: &QueryStore, query: &str, format: ResultsFormat) -> String {
    let results = store.run(query, "test.rq").unwrap();
    let mut out = Vec::new();
    write_results(results, format, RdfFormat::Turtle, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn example_queries_return_their_expected_rows() {
    let store = store();
    let dir = root("fixtures/queries");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for rq in names {
        let query = std::fs::read_to_string(&rq).unwrap();
        let want = std::fs::read_to_string(rq.with_extension("tsv")).unwrap();
        let got = run(&store, &query, ResultsFormat::Tsv);
        // The expected rows are checked facts (fixtures/yunqi.gold.json):
        // each must come back, in the same header. Rows the extractor adds
        // as it improves are printed, not failed, so the fixtures stay a
        // regression floor rather than a snapshot of today's mistakes.
        let (want_head, got_head) = (want.lines().next(), got.lines().next());
        assert_eq!(want_head, got_head, "{}: header", rq.display());
        let got_rows: Vec<&str> = got.lines().skip(1).collect();
        for row in want.lines().skip(1) {
            assert!(got_rows.contains(&row), "{}: expected row {row:?} missing; got:\n{got}", rq.display());
        }
        for row in got_rows.iter().filter(|r| !want.lines().skip(1).any(|w| w == **r)) {
            println!("{}: additional row {row}", rq.display());
        }
        assert!(want.lines().count() > 1, "{}: no rows expected", rq.display());
    }
}

#[test]
fn every_results_format_and_construct() {
    let store = store();
    let q = "PREFIX ng: <https://newsgraph.example/ontology#> SELECT ?id WHERE { ?n ng:id ?id } ORDER BY ?id LIMIT 2";
    let table = run(&store, q, ResultsFormat::Table);
    assert_eq!(table, "id\n---------\ndate/--10\ndate/2002\n(2 rows)\n");
    assert!(run(&store, q, ResultsFormat::Csv).starts_with("id\r\ndate/--10\r\n"));
    assert!(run(&store, q, ResultsFormat::Json).contains("\"value\":\"date/--10\""));
    assert!(run(&store, q, ResultsFormat::Xml).contains("<literal>date/--10</literal>"));
    assert_eq!(run(&store, "ASK { ?s ?p ?o }", ResultsFormat::Table), "true\n");
    let construct = "PREFIX schema: <http://schema.org/> CONSTRUCT { ?p schema:worksFor ?o } WHERE { ?p schema:worksFor ?o }";
    let ttl = run(&store, construct, ResultsFormat::Table);
    assert!(ttl.contains("schema:worksFor"), "{ttl}");
    let describe = run(&store, "DESCRIBE <https://newsgraph.example/entity/person/王坚>", ResultsFormat::Table);
    assert!(describe.contains("王堅"), "{describe}");
}

#[test]
fn named_graphs_stay_queryable() {
    let q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }";
    assert!(run(&store(), q, ResultsFormat::Tsv).contains("<https://newsgraph.example/document/yunqi.txt>"));
}

#[test]
fn syntax_errors_have_line_and_column() {
    let err = store().run("SELECT ?x\nWHERE {\n  ?x ?y ?z\n  FILTER(\n}", "bad.rq").err().unwrap().to_string();
    // file:line:column: message, at the position oxigraph (peg) reports.
    assert!(err.starts_with("bad.rq:5:") && err.contains(": expected "), "{err}");
}

#[test]
fn rdf_files_load_by_extension() {
    let store = QueryStore::new().unwrap();
    store.load_file(&root("ontology/newsgraph.ttl")).unwrap();
    assert!(store.len() > 100);
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("a.txt");
    std::fs::write(&txt, "x").unwrap();
    assert!(store.load_file(&txt).is_err());
    let bad = dir.path().join("bad.ttl");
    std::fs::write(&bad, "<a> <b> .").unwrap();
    let err = store.load_file(&bad).err().unwrap().to_string();
    assert!(err.contains("bad.ttl"), "{err}");
}
