//! Hostile text never breaks an output format. A property test mixes
//! Chinese news fragments (so extraction finds people, organizations,
//! money, dates and quotations) with hostile characters — markup, quotes,
//! backslashes, control characters, combining marks, right-to-left text,
//! characters outside the BMP, arbitrary chars — extracts, writes every
//! single-stream format and parses each output back with a real parser.
//! A binary test feeds JSON Lines with NUL and lone surrogates to every
//! format, folder formats included.

use crate::util::{extractor, newsgraph, stderr, stdout};
use newsgraph::export::{self, ExportFormat, ExportOptions};
use newsgraph::KnowledgeGraph;
use proptest::prelude::*;
use std::path::Path;

const NEWS: &[&str] = &[
    "阿里云总裁王坚表示",
    "浙江大学校长张三说：",
    "“我们可以。”",
    "杭州市政府投资7.5亿元",
    "2015年3月",
    "马化腾与马云会面",
    "百分之三十",
    "腾讯董事长马化腾说，",
    "云栖小镇管委会主任章根明",
    "。",
    "，",
    "《数字中国》",
    "\n",
];

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "</script>",
    "<!--",
    "]]>",
    "\"",
    "'",
    "\\",
    "\\\"",
    "&amp;",
    "&",
    "\u{0}",
    "\u{1}\u{b}\u{c}\u{1b}\u{7f}",
    "\u{85}\u{2028}\u{2029}",
    "\r\n",
    "\t",
    "e\u{301}\u{302}\u{303}",
    "\u{202e}مرحبا\u{202c}",
    "שלום",
    "😀𠀀𪚥",
    "\u{FEFF}",
    "\u{FFFE}\u{FFFF}",
    "\u{FFFD}",
    "{\"a\":1}",
    "@prefix x: <y> .",
    "_:b0",
    "<http://x/>",
    "\"\"\"",
    "#",
    "%00",
    "}",
    "\\u0000",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(NEWS).prop_map(str::to_string),
        3 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
        // A hostile character glued inside a name or a value.
        1 => (proptest::sample::select(HOSTILE), proptest::sample::select(NEWS))
            .prop_map(|(h, n)| { let mut s = n.to_string(); let at = s.char_indices().nth(2).map_or(s.len(), |(i, _)| i); s.insert_str(at, h); s }),
    ]
}

fn article() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 1..80).prop_map(|pieces| {
        let mut s = String::new();
        for p in pieces {
            if s.len() + p.len() > 2048 {
                break;
            }
            s.push_str(&p);
        }
        s
    })
}

fn xml_check(format: ExportFormat, xml: &str) {
    use quick_xml::events::Event;
    for c in xml.chars() {
        assert!(newsgraph::export::xml::is_xml_char(c), "{format:?}: character U+{:04X} not allowed in XML", c as u32);
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Err(e) => panic!("{format:?} not well-formed at {}: {e}\n{xml}", reader.buffer_position()),
            Ok(Event::Start(e)) => {
                depth += 1;
                for a in e.attributes() {
                    a.unwrap_or_else(|e| panic!("{format:?} attribute: {e}")).unescape_value().unwrap_or_else(|e| panic!("{format:?}: {e}"));
                }
            }
            Ok(Event::Empty(e)) => {
                for a in e.attributes() {
                    a.unwrap_or_else(|e| panic!("{format:?} attribute: {e}")).unescape_value().unwrap_or_else(|e| panic!("{format:?}: {e}"));
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::GeneralRef(r)) => {
                if let Some(c) = r.resolve_char_ref().unwrap_or_else(|e| panic!("{format:?} char ref: {e}")) {
                    assert!(newsgraph::export::xml::is_xml_char(c), "{format:?}: reference to U+{:04X}", c as u32);
                } else {
                    let name = r.decode().unwrap();
                    assert!(["lt", "gt", "amp", "quot", "apos"].contains(&&*name), "{format:?}: unknown entity {name}");
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    assert_eq!(depth, 0, "{format:?}: unclosed elements");
}

/// DOT: every string closes; outside strings no stray quote or backslash.
fn dot_check(dot: &str) {
    let mut in_string = false;
    let mut chars = dot.chars();
    let mut braces = 0i64;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next().expect("DOT: backslash at the end");
                }
                '"' => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                '{' => braces += 1,
                '}' => braces -= 1,
                '\\' => panic!("DOT: backslash outside a string"),
                _ => {}
            }
        }
    }
    assert!(!in_string, "DOT: unbalanced quotes\n{dot}");
    assert_eq!(braces, 0, "DOT: unbalanced braces outside strings");
}

/// HTML: the article cannot open or close a script element: exactly the
/// page's own two scripts (data block and viewer).
fn html_check(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert_eq!(lower.matches("<script").count(), 2, "HTML: a <script from the article");
    assert_eq!(lower.matches("</script").count(), 2, "HTML: a </script from the article");
    assert_eq!(lower.matches("<!--").count(), html.matches("<!--").count());
    let data_start = html.find("id=\"newsgraph-data\">").expect("data block") + "id=\"newsgraph-data\">".len();
    let data_end = data_start + html[data_start..].find("</script>").unwrap();
    let _: serde_json::Value = serde_json::from_str(&html[data_start..data_end]).expect("HTML data block is JSON");
}

/// Write one stream format and parse it back; panics with the format name.
pub fn check_format(graph: &KnowledgeGraph, format: ExportFormat) {
    let mut out = Vec::new();
    export::write_with(graph, format, &ExportOptions::default(), &mut out).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    let text = String::from_utf8(out).unwrap_or_else(|e| panic!("{format:?}: not UTF-8: {e}"));
    check_text(format, &text);
}

fn check_text(format: ExportFormat, text: &str) {
    if let Some(rdf) = format.rdf_format() {
        let quads = oxigraph::io::RdfParser::from_format(rdf)
            .for_slice(text.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("{format:?} does not parse back: {e}\n{text}"));
        assert!(!quads.is_empty(), "{format:?}: no quads");
        if format == ExportFormat::RdfXml {
            xml_check(format, text);
        }
        return;
    }
    match format {
        ExportFormat::Json | ExportFormat::Cytoscape | ExportFormat::Nodelink => {
            let _: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{format:?}: {e}\n{text}"));
        }
        ExportFormat::Graphml | ExportFormat::Gexf => xml_check(format, text),
        ExportFormat::Dot => dot_check(text),
        ExportFormat::Html => html_check(text),
        other => panic!("no check for {other:?}"),
    }
}

/// A folder format: every table parses with the csv crate, rows as wide as
/// the header.
fn check_folder(graph: &KnowledgeGraph, format: ExportFormat, dir: &Path) {
    let out = dir.join(format.name());
    export::write_to_path(graph, format, &out, &ExportOptions::default()).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    check_csv_folder(&out);
}

fn check_csv_folder(out: &Path) {
    for entry in std::fs::read_dir(out).unwrap() {
        let path = entry.unwrap().path();
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_path(&path).unwrap();
        let width = reader.headers().unwrap_or_else(|e| panic!("{}: {e}", path.display())).len();
        for row in reader.records() {
            let row = row.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(row.len(), width, "{}", path.display());
        }
    }
}

fn stream_formats() -> impl Iterator<Item = ExportFormat> {
    ExportFormat::ALL.iter().copied().filter(|f| !f.is_directory())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_text_gives_valid_output_in_every_format(text in article(), id in "[a-z<>&\"' ]{1,8}") {
        let doc = extractor().extract(&id, &text);
        let mut graph = KnowledgeGraph::new();
        graph.add_document(&doc);
        check_every_format(&graph);
    }
}

/// Every export of the graph, files and folders, is valid.
fn check_every_format(graph: &KnowledgeGraph) {
    for format in stream_formats() {
        check_format(graph, format);
    }
    let dir = tempfile::tempdir().unwrap();
    check_folder(graph, ExportFormat::Csv, dir.path());
    check_folder(graph, ExportFormat::Neo4j, dir.path());
}

/// The generator does reach extraction: a fixed hostile sample yields
/// persons, values, quotations and edges, and every format holds them.
#[test]
fn a_hostile_sample_is_extracted_and_exported() {
    let text = "阿里云总裁王坚表示：“<script>alert(1)</script>]]>\"\\\u{0}\u{1b}e\u{301}\u{202e}مرحبا😀𠀀”。\
                2015年3月杭州市政府投资7.5亿元。腾讯董事长马化腾说，\u{FFFE}好。";
    let doc = extractor().extract("hostile\"<>&.txt", text);
    let mut graph = KnowledgeGraph::new();
    graph.add_document(&doc);
    let ids: Vec<String> = graph.nodes().map(|n| n.id.clone()).collect();
    for want in ["person/王坚", "person/马化腾", "organization/阿里云"] {
        assert!(ids.iter().any(|i| i == want), "{want} in {ids:?}");
    }
    assert!(graph.edge_count() >= 2, "edges: {}", graph.edge_count());
    check_every_format(&graph);
}

/// Through the binary: JSON Lines whose strings hold NUL, lone surrogates
/// and markup, in every format including the folders.
#[test]
fn hostile_jsonl_through_the_binary_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("hostile.jsonl");
    let lines = [
        r#"{"id": "nul\u0000<x>", "text": "阿里云总裁王坚表示：\u0000“<script>alert(1)</script>]]>\"\\”。"}"#,
        r#"{"id": "surrogate", "text": "腾讯董事长马化腾说，\ud800好\udfff。2015年投资7.5亿元。"}"#,
        r#"{"id": "pair", "text": "马云会见了王坚\ud83d\ude00。"}"#,
    ];
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    for format in ExportFormat::ALL {
        let out = dir.path().join(format!("out-{}", format.name()));
        let o = newsgraph(&["extract", corpus.to_str().unwrap(), "-f", format.name(), "-o", out.to_str().unwrap(), "--quiet"], None);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{format:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
        if format.is_directory() {
            check_csv_folder(&out);
        } else {
            check_text(*format, &std::fs::read_to_string(&out).unwrap());
        }
    }
    let o = newsgraph(&["extract", corpus.to_str().unwrap(), "--quiet"], None);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let docs = json["documents"].as_array().unwrap().len();
    assert_eq!(docs, 3, "every hostile line is a document: {}", stderr(&o));
}
