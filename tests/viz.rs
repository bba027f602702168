//! The visualization exporters (GraphML, GEXF, DOT, Cytoscape.js, node-link,
//! HTML) on the seed article and on an article full of markup, control
//! characters and astral characters. The checks that need outside tools run
//! when the tool is installed and print a notice otherwise: NetworkX
//! (`python3 tests/viz_check.py`), Graphviz `dot`, and headless Chromium.

use newsgraph::export::{self, ExportFormat, ValueMode, ViewOptions};
use newsgraph::{Extractor, KnowledgeGraph};
use serde_json::Value as J;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

const HOSTILE: &str = "阿里云总裁王坚在杭州表示：“<script>window.__xss=1</script><img src=x onerror=\"window.__xss=1\"> & '单引号' \u{1}\u{b}\u{FFFE} 😀𠀀𪚥 ]]> --> \\”。2017年阿里云宣布成立\u{2}<b>&amp;</b>基金，王坚会见了马云。\n";

fn graph_of(id: &str, text: &str) -> KnowledgeGraph {
    let doc = Extractor::builtin().unwrap().extract(id, text);
    let mut g = KnowledgeGraph::new();
    g.add_document(&doc);
    g
}

fn seed() -> KnowledgeGraph {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/yunqi.txt");
    graph_of("yunqi.txt", &std::fs::read_to_string(path).unwrap())
}

fn hostile() -> KnowledgeGraph {
    graph_of("hostile<&>.txt", HOSTILE)
}

fn render(g: &KnowledgeGraph, format: ExportFormat, values: ValueMode) -> String {
    let mut out = Vec::new();
    let opts = export::ExportOptions { view: ViewOptions { values }, ..Default::default() };
    export::write_with(g, format, &opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn have(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn format_names_and_extensions() {
    for (name, ext) in [
        ("graphml", "graphml"),
        ("gexf", "gexf"),
        ("dot", "dot"),
        ("cytoscape", "cyjs"),
        ("html", "html"),
    ] {
        let f = ExportFormat::from_name(name).unwrap();
        assert_eq!(f.name(), name);
        assert_eq!(ExportFormat::from_extension(ext), Some(f));
    }
    assert_eq!(ExportFormat::from_extension("gv"), Some(ExportFormat::Dot));
    assert_eq!(ExportFormat::from_extension("json"), Some(ExportFormat::Json));
    assert_eq!(ExportFormat::from_name("nodelink"), Some(ExportFormat::Nodelink));
    assert_eq!(ValueMode::from_name("attributes"), Some(ValueMode::Attributes));
    assert_eq!(ValueMode::from_name("bogus"), None);
}

/// Parse an XML document with quick-xml, returning all text and attribute
/// values (unescaped) joined; panics on any well-formedness error.
fn parse_xml(xml: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut all = String::new();
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position()))
        {
            Event::Start(e) | Event::Empty(e) => {
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    all.push_str(&a.unescape_value().expect("attribute value"));
                    all.push('\n');
                }
            }
            Event::Text(t) => all.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => match r.resolve_char_ref().expect("char ref") {
                Some(c) => all.push(c),
                None => {
                    let name = r.decode().unwrap();
                    all.push(match &*name {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unknown entity {other}"),
                    });
                }
            },
            Event::Eof => break,
            _ => {}
        }
    }
    all
}

#[test]
fn xml_outputs_are_well_formed_for_hostile_text() {
    let g = hostile();
    assert!(
        g.edge_count() >= 1,
        "the hostile article gives an edge with its sentence"
    );
    for format in [ExportFormat::Graphml, ExportFormat::Gexf] {
        for values in ValueMode::ALL {
            let xml = render(&g, format, values);
            assert!(
                xml.chars().all(newsgraph::export::xml::is_xml_char),
                "{format:?}: a character not allowed in XML 1.0 was written"
            );
            let text = parse_xml(&xml);
            for needle in [
                "<script>window.__xss=1</script>",
                "& '单引号'",
                "😀𠀀𪚥",
                "]]> --> \\",
                "hostile<&>.txt",
                "王坚",
            ] {
                assert!(text.contains(needle), "{format:?}/{values:?}: {needle} lost");
            }
            assert!(text.contains("\u{FFFD}"), "control characters become U+FFFD");
        }
    }
    // The seed article too, in both modes.
    let g = seed();
    for format in [ExportFormat::Graphml, ExportFormat::Gexf] {
        for values in ValueMode::ALL {
            parse_xml(&render(&g, format, values));
        }
    }
}

#[test]
fn exports_are_deterministic() {
    let g = seed();
    for &format in ExportFormat::ALL.iter().filter(|f| !f.is_directory()) {
        for values in ValueMode::ALL {
            assert_eq!(
                render(&g, format, values),
                render(&seed(), format, values),
                "{format:?}"
            );
        }
    }
}

#[test]
fn values_fold_into_attributes() {
    let g = seed();
    let view = export::view::GraphView::new(
        &g,
        ViewOptions {
            values: ValueMode::Attributes,
        },
    );
    assert!(view.nodes.iter().all(|n| !n.node.node_type.is_value()));
    assert!(view
        .edges
        .iter()
        .all(|e| !e.target.node_type.is_value() && !e.source.node_type.is_value()));
    let shumeng = view
        .nodes
        .iter()
        .find(|n| n.node.id == "organization/数梦工场")
        .unwrap();
    assert_eq!(
        shumeng.folded["monetaryFact"],
        vec!["7.5億元 (A轮融资, 2017-07)".to_string()]
    );
    // Every value edge went somewhere: kept edges + folded facts = all edges.
    let folded: usize = view.nodes.iter().flat_map(|n| n.folded.values()).map(Vec::len).sum();
    assert_eq!(view.edges.len() + folded, g.edge_count());
    // Each exporter shows the folded fact.
    for format in [
        ExportFormat::Graphml,
        ExportFormat::Gexf,
        ExportFormat::Dot,
        ExportFormat::Cytoscape,
        ExportFormat::Nodelink,
        ExportFormat::Html,
    ] {
        let out = render(&g, format, ValueMode::Attributes);
        assert!(out.contains("7.5億元 (A轮融资, 2017-07)"), "{format:?}");
        assert!(
            !out.contains("\"money/CNY 750000000\""),
            "{format:?} still has the value node"
        );
    }
}

fn json_counts(g: &KnowledgeGraph) -> (usize, usize) {
    let v: J = serde_json::from_str(&render(g, ExportFormat::Json, ValueMode::Nodes)).unwrap();
    (
        v["nodes"].as_array().unwrap().len(),
        v["edges"].as_array().unwrap().len(),
    )
}

#[test]
fn cytoscape_json_is_structurally_sound() {
    for g in [seed(), hostile()] {
        for values in ValueMode::ALL {
            let v: J = serde_json::from_str(&render(&g, ExportFormat::Cytoscape, values)).unwrap();
            let nodes = v["elements"]["nodes"].as_array().unwrap();
            let edges = v["elements"]["edges"].as_array().unwrap();
            let mut ids = HashSet::new();
            for n in nodes {
                let data = n["data"].as_object().expect("node data object");
                assert!(ids.insert(data["id"].as_str().unwrap().to_string()), "duplicate id");
                assert!(data["label"].is_string() && data["type"].is_string());
                assert!(data.values().all(|x| !x.is_object()), "flat data");
            }
            let node_ids = ids.clone();
            for e in edges {
                let data = e["data"].as_object().expect("edge data object");
                assert!(ids.insert(data["id"].as_str().unwrap().to_string()), "duplicate id");
                assert!(node_ids.contains(data["source"].as_str().unwrap()));
                assert!(node_ids.contains(data["target"].as_str().unwrap()));
                assert!(data.values().all(|x| !x.is_object()), "flat data");
            }
            if values == ValueMode::Nodes {
                assert_eq!((nodes.len(), edges.len()), json_counts(&g));
            }
        }
    }
}

#[test]
fn nodelink_matches_networkx_layout() {
    let g = seed();
    let v: J = serde_json::from_str(&render(&g, ExportFormat::Nodelink, ValueMode::Nodes)).unwrap();
    assert_eq!(v["directed"], true);
    assert_eq!(v["multigraph"], true);
    assert!(v["graph"].is_object());
    let ids: HashSet<&str> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let edges = v["edges"].as_array().unwrap();
    assert_eq!((ids.len(), edges.len()), json_counts(&g));
    for e in edges {
        assert!(ids.contains(e["source"].as_str().unwrap()) && ids.contains(e["target"].as_str().unwrap()));
        assert!(e["key"].is_string());
    }
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn networkx_reads_graphml_gexf_and_nodelink() {
    if !have("python3", &["-c", "import networkx"]) {
        eprintln!("notice: python3 with networkx not found; skipping the NetworkX check (pip install networkx)");
        return;
    }
    let g = seed();
    let dir = temp_dir();
    for (name, format) in [
        ("graph.json", ExportFormat::Json),
        ("graph.graphml", ExportFormat::Graphml),
        ("graph.gexf", ExportFormat::Gexf),
        ("graph.nodelink.json", ExportFormat::Nodelink),
    ] {
        std::fs::write(dir.path().join(name), render(&g, format, ValueMode::Nodes)).unwrap();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/viz_check.py");
    let out = Command::new("python3").arg(&script).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "viz_check.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ok"));
}

#[test]
fn graphviz_renders_dot_without_warnings() {
    if !have("dot", &["-V"]) {
        eprintln!("notice: graphviz `dot` not found; skipping the DOT rendering check (apt-get install graphviz)");
        return;
    }
    let dir = temp_dir();
    for (name, g) in [("seed", seed()), ("hostile", hostile())] {
        for values in ValueMode::ALL {
            let path = dir.path().join(format!("{name}-{}.dot", values.name()));
            std::fs::write(&path, render(&g, ExportFormat::Dot, values)).unwrap();
            let out = Command::new("dot").arg("-Tsvg").arg(&path).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && stderr.trim().is_empty(),
                "{name}/{values:?}: dot said:\n{stderr}"
            );
            let svg = String::from_utf8(out.stdout).unwrap();
            assert!(svg.contains("<svg"));
            if name == "hostile" {
                assert!(svg.contains("&lt;script&gt;"), "hostile text kept as text in the SVG");
            }
        }
    }
}

#[test]
fn html_is_self_contained_and_escaped() {
    let html = render(&hostile(), ExportFormat::Html, ValueMode::Nodes);
    let data_start = html
        .find("<script type=\"application/json\" id=\"newsgraph-data\">")
        .unwrap();
    let data_end = data_start + html[data_start..].find("</script>").unwrap();
    let data = &html[data_start..data_end];
    assert_eq!(data.matches('<').count(), 1, "no raw < inside the data block");
    let json_text = &data[data.find('>').unwrap() + 1..];
    let v: J = serde_json::from_str(json_text).unwrap();
    assert!(v["edges"].to_string().contains("<script>window.__xss=1</script>"));
    assert_eq!(
        html.matches("<script").count(),
        2,
        "exactly the data block and the viewer"
    );
    assert!(html.contains("Content-Security-Policy"));
    for bad in ["src=\"http", "href=\"http", "https://", "@import", "url(http"] {
        assert!(!html.contains(bad), "external reference {bad}");
    }
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| have(c, &["--version"]))
}

/// Load the page with `?selftest&q=...` in headless Chromium and return the
/// JSON the page's self-test wrote into `#selftest-result`, and stderr.
fn selftest(browser: &str, html_path: &Path, query: &str, profile: &Path) -> (J, String) {
    let q: String = query.bytes().map(|b| format!("%{b:02X}")).collect();
    let url = format!("file://{}?selftest&q={q}", html_path.display());
    let out = Command::new("timeout")
        .arg("40")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--window-size=1200,800",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let start = dom
        .find("<pre id=\"selftest-result\">")
        .unwrap_or_else(|| panic!("no self-test result in DOM; stderr:\n{stderr}"));
    let body = &dom[start + "<pre id=\"selftest-result\">".len()..];
    let body = &body[..body.find("</pre>").unwrap()];
    let text = body
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    (
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad self-test JSON {e}: {text}")),
        stderr,
    )
}

#[test]
fn html_view_works_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("notice: chromium not found; skipping the browser check (apt-get install chromium)");
        return;
    };
    if !have("timeout", &["--version"]) {
        eprintln!("notice: coreutils timeout not found; skipping the browser check");
        return;
    }
    let dir = temp_dir();
    let profile = dir.path().join("profile");

    let seed_path = dir.path().join("seed.html");
    std::fs::write(&seed_path, render(&seed(), ExportFormat::Html, ValueMode::Nodes)).unwrap();
    let (r, stderr) = selftest(browser, &seed_path, "王堅", &profile);
    let (nodes, edges) = json_counts(&seed());
    assert_eq!(r["nodes_drawn"], nodes as u64, "{r}");
    assert_eq!(r["edges_drawn"], edges as u64, "{r}");
    assert_eq!(r["positions_finite"], true);
    // Search finds the person (names that merely start with the query may
    // match too).
    let matches = r["search_matches"].as_array().expect("search matches");
    assert!(matches.contains(&serde_json::json!("person/王坚")), "{r}");
    assert_eq!(r["node_panel_visible"], true);
    assert!(r["node_panel_evidence"].as_u64().unwrap() > 0, "{r}");
    assert!(
        r["node_panel_marks"].as_u64().unwrap() > 0,
        "evidence words highlighted: {r}"
    );
    assert!(r["node_panel_text"].as_str().unwrap().contains("2013年1月23日"), "{r}");
    assert!(r["edge_panel_marks"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(r["resources"], 0, "no network request: {r}");
    assert_eq!(r["csp_violations"], serde_json::json!([]), "{r}");
    assert!(!stderr.contains("Refused to"), "CSP blocked a request:\n{stderr}");

    let hostile_path = dir.path().join("hostile.html");
    std::fs::write(&hostile_path, render(&hostile(), ExportFormat::Html, ValueMode::Nodes)).unwrap();
    let (r, stderr) = selftest(browser, &hostile_path, "王坚", &profile);
    assert!(
        r["node_panel_text"]
            .as_str()
            .unwrap()
            .contains("<script>window.__xss=1</script><img src=x"),
        "{r}"
    );
    assert_eq!(r["xss"], false, "{r}");
    assert_eq!(r["injected"], 0, "{r}");
    assert_eq!(r["scripts"], 2, "{r}");
    assert_eq!(r["resources"], 0, "{r}");
    assert_eq!(r["csp_violations"], serde_json::json!([]), "{r}");
    assert!(!stderr.contains("Refused to"), "CSP blocked a request:\n{stderr}");
}
