use crate::util::{root, seed_graph};
use newsgraph::export::{self, rdf, ExportFormat, ExportOptions};
use newsgraph::model::{Document, Fact, Node, NodeKey, NodeType, Object, Predicate, Sentence, Span};
use newsgraph::KnowledgeGraph;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::rdf as rdfv;
use oxigraph::model::{GraphName, NamedNode, Quad, Term};
use std::collections::{BTreeMap, BTreeSet};

const RDF_FORMATS: [ExportFormat; 6] = [
    ExportFormat::Turtle,
    ExportFormat::NTriples,
    ExportFormat::NQuads,
    ExportFormat::TriG,
    ExportFormat::RdfXml,
    ExportFormat::JsonLd,
];

fn export(graph: &KnowledgeGraph, format: ExportFormat) -> Vec<u8> {
    let mut out = Vec::new();
    export::write_with(graph, format, &ExportOptions::default(), &mut out).unwrap();
    out
}

fn parse(bytes: &[u8], format: RdfFormat) -> BTreeSet<String> {
    RdfParser::from_format(format)
        .for_slice(bytes)
        .map(|q| q.unwrap_or_else(|e| panic!("{format}: {e}")).to_string())
        .collect()
}

/// What a format should hold: all quads, or their union graph as triples.
fn expected(graph: &KnowledgeGraph, format: ExportFormat) -> BTreeSet<String> {
    let opts = ExportOptions::default();
    if format.rdf_format().unwrap().supports_datasets() {
        rdf::quads(graph, &opts).iter().map(|q| q.to_string()).collect()
    } else {
        rdf::triples(graph, &opts).iter().map(|t| t.to_string()).collect()
    }
}

#[test]
fn every_rdf_format_parses_back_to_the_same_quads() {
    let graph = seed_graph();
    for format in RDF_FORMATS {
        let bytes = export(graph, format);
        let got = parse(&bytes, format.rdf_format().unwrap());
        let want = expected(graph, format);
        let missing: Vec<_> = want.difference(&got).take(3).collect();
        let extra: Vec<_> = got.difference(&want).take(3).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, extra {extra:?}", format.name());
        assert!(got.len() > 1000, "{}: only {} statements", format.name(), got.len());
        assert!(!String::from_utf8_lossy(&bytes).contains("_:"), "{}: blank nodes", format.name());
    }
}

#[test]
fn output_is_deterministic_and_keeps_documents_in_named_graphs() {
    let graph = seed_graph();
    assert_eq!(export(graph, ExportFormat::NQuads), export(graph, ExportFormat::NQuads));
    let doc = NamedNode::new("https://newsgraph.example/document/yunqi.txt").unwrap();
    let quads = rdf::quads(graph, &ExportOptions::default());
    let statement = NamedNode::new("https://newsgraph.example/ontology#Statement").unwrap();
    for q in &quads {
        if q.predicate == rdfv::TYPE && q.object == Term::from(statement.clone()) {
            assert_eq!(q.graph_name, GraphName::from(doc.clone()), "{q}");
        }
        if q.predicate.as_str() == "http://schema.org/name" {
            assert_eq!(q.graph_name, GraphName::DefaultGraph, "{q}");
        }
    }
    // One statement node per edge.
    let statements = quads.iter().filter(|q| q.object == Term::from(statement.clone())).count();
    assert_eq!(statements, graph.edge_count());
}

#[test]
fn base_iri_is_a_parameter() {
    let graph = seed_graph();
    let opts = ExportOptions::with_base("http://example.org/kg").unwrap();
    assert_eq!(opts.base, "http://example.org/kg/");
    let mut out = Vec::new();
    export::write_with(graph, ExportFormat::NTriples, &opts, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("<http://example.org/kg/entity/person/王坚>"));
    assert!(!text.contains("https://newsgraph.example/entity/"));
    assert!(ExportOptions::with_base("not an iri").is_err());
}

#[test]
fn names_are_tagged_by_script_and_values_typed() {
    assert_eq!(rdf::language_of("王堅"), Some("zh-Hant"));
    assert_eq!(rdf::language_of("王坚"), Some("zh-Hans"));
    assert_eq!(rdf::language_of("ITValue"), None);
    assert_eq!(rdf::language_of("ＣＴＯ"), None);
    let nt = String::from_utf8(export(seed_graph(), ExportFormat::NTriples)).unwrap();
    let wang = "<https://newsgraph.example/entity/person/王坚>";
    assert!(nt.contains(&format!("{wang} <http://schema.org/name> \"王堅\"@zh-hant .")));
    assert!(nt.contains(&format!("{wang} <http://schema.org/alternateName> \"王坚\"@zh-hans .")));
    assert!(nt.contains("<https://newsgraph.example/entity/date/2015-10> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> \"2015-10\"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> ."));
    assert!(nt.contains("<https://newsgraph.example/entity/date/--10> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> \"--10\"^^<http://www.w3.org/2001/XMLSchema#gMonth> ."));
    assert!(nt.contains("<https://newsgraph.example/entity/date/2015-01%2F2015-09> <https://newsgraph.example/ontology#start> \"2015-01\"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> ."));
    assert!(nt.contains("<https://newsgraph.example/entity/money/CNY%20750000000> <http://schema.org/value> \"750000000\"^^<http://www.w3.org/2001/XMLSchema#decimal> ."));
    assert!(nt.contains("<https://newsgraph.example/entity/money/CNY%20750000000> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/MonetaryAmount> ."));
}

/// A one-document graph whose entity has `name`, with one edge.
fn graph_with_name(name: &str) -> KnowledgeGraph {
    let key = NodeKey::new(NodeType::Person, name);
    let org = NodeKey::new(NodeType::Organization, "组织");
    // The mentions' texts as written are the document's text: the name,
    // then the organization's.
    let text = format!("{name}组织");
    let node = |key: &NodeKey, name: &str, bytes: std::ops::Range<usize>| Node {
        key: key.clone(),
        name: name.to_string(),
        aliases: [format!("{name} alias")].into(),
        listed: Default::default(),
        value: None,
        mentions: vec![newsgraph::Mention { span: Span::new(0, 2), bytes, rule: "test/rule".into(), sentence: 0 }].into(),
    };
    let doc = Document {
        id: format!("doc {name}"),
        nodes: vec![node(&key, name, 0..name.len()), node(&org, "组织", name.len()..text.len())],
        text,
        chars: 10,
        sentences: vec![Sentence { span: Span::new(0, 10) }],
        facts: vec![Fact {
            subject: key.clone(),
            predicate: Predicate::WorksFor,
            object: Object::Node(org.clone()),
            qualifiers: BTreeMap::from([("title".to_string(), format!("\"{name}\""))]),
            evidence: newsgraph::model::Evidence { sentence: 0, span: Span::new(0, 10), text: name.to_string() },
            rule: "test/rule".into(),
        }],
    };
    let mut graph = KnowledgeGraph::new();
    graph.add_document(&doc);
    graph
}

#[test]
fn hostile_names_give_iris_that_parse_in_every_format() {
    let long: String = "长".repeat(10_000);
    let hostile = [
        "with space",
        "quote\"and'apostrophe",
        "<script>alert(1)</script>",
        "emoji 😀🚀 and #hash %percent /slash ?q=1&a",
        "control\u{0}\u{1}\u{7}\t\n\r\u{1b}chars",
        "bidi\u{202e}rtl\u{200b}zwsp",
        "back\\slash{}|^`",
        long.as_str(),
        "",
    ];
    let mut iris = BTreeSet::new();
    for name in hostile {
        let graph = graph_with_name(name);
        for format in RDF_FORMATS {
            let bytes = export(&graph, format);
            let got = parse(&bytes, format.rdf_format().unwrap());
            assert_eq!(got, expected(&graph, format), "{} with {name:?}", format.name());
        }
        let node = graph.nodes().find(|n| n.node_type == NodeType::Person).unwrap();
        let iri = rdf::node_iri(&ExportOptions::default().base, &node.id);
        NamedNode::new(iri.as_str()).unwrap_or_else(|e| panic!("{name:?}: {iri}: {e}"));
        assert!(iri.as_str().len() < 400, "{}", iri.as_str().len());
        assert!(!iri.as_str().contains(['<', '>', '"', ' ', '{', '}', '|', '\\', '^', '`']), "{iri}");
        iris.insert(iri.as_str().to_string());
    }
    assert_eq!(iris.len(), hostile.len(), "distinct names, distinct IRIs");
    // Long names hash stably: same name, same IRI; one more char, another IRI.
    let a = rdf::iri_segment(&long);
    assert_eq!(a, rdf::iri_segment(&long));
    assert_ne!(a, rdf::iri_segment(&format!("{long}长")));
}

#[test]
fn ontology_declares_every_class_and_property_the_data_uses() {
    let ttl = std::fs::read(root("ontology/newsgraph.ttl")).unwrap();
    let ontology: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle).for_slice(&ttl).map(Result::unwrap).collect();
    let declared = |iri: &str, kinds: &[&str]| {
        ontology.iter().any(|q| {
            q.subject.to_string() == format!("<{iri}>")
                && q.predicate == rdfv::TYPE
                && kinds.iter().any(|k| q.object.to_string() == format!("<{k}>"))
        })
    };
    let labelled = |iri: &str, lang: &str| {
        ontology.iter().any(|q| {
            q.subject.to_string() == format!("<{iri}>")
                && q.predicate.as_str() == "http://www.w3.org/2000/01/rdf-schema#label"
                && matches!(&q.object, Term::Literal(l) if l.language() == Some(lang))
        })
    };
    let mut classes = BTreeSet::new();
    let mut properties = BTreeSet::new();
    // Use a graph with every predicate and value type: the seed plus a
    // synthetic one with the predicates the seed lacks.
    let mut quads = rdf::quads(seed_graph(), &ExportOptions::default());
    quads.extend(rdf::quads(&every_predicate_graph(), &ExportOptions::default()));
    for q in &quads {
        if q.predicate == rdfv::TYPE {
            if let Term::NamedNode(c) = &q.object {
                classes.insert(c.as_str().to_string());
            }
        } else {
            properties.insert(q.predicate.as_str().to_string());
        }
    }
    let rdfs_class = "http://www.w3.org/2000/01/rdf-schema#Class";
    let rdf_property = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property";
    for c in &classes {
        assert!(declared(c, &[rdfs_class]), "class {c} not declared");
        assert!(labelled(c, "zh") && labelled(c, "en"), "class {c} lacks zh/en labels");
    }
    for p in &properties {
        assert!(declared(p, &[rdf_property]), "property {p} not declared");
        assert!(labelled(p, "zh") && labelled(p, "en"), "property {p} lacks zh/en labels");
    }
    assert!(classes.len() >= 14 && properties.len() >= 40, "{} classes, {} properties", classes.len(), properties.len());
}

/// One edge of every predicate, with values of every type.
fn every_predicate_graph() -> KnowledgeGraph {
    use newsgraph::value::{DateValue, Value};
    let mut nodes = Vec::new();
    let mut node = |t: NodeType, key: &str, value: Option<Value>| {
        let k = NodeKey::new(t, key);
        nodes.push(Node { key: k.clone(), name: key.into(), aliases: Default::default(), listed: Default::default(), value, mentions: Default::default() });
        k
    };
    let person = node(NodeType::Person, "甲", None);
    let person2 = node(NodeType::Person, "乙", None);
    let org = node(NodeType::Organization, "公司", None);
    let org2 = node(NodeType::Organization, "母公司", None);
    let place = node(NodeType::Place, "杭州", None);
    let place2 = node(NodeType::Place, "浙江", None);
    let event = node(NodeType::Event, "大会", None);
    let work = node(NodeType::Work, "书", None);
    let date = node(NodeType::Date, "2015-01/2015-09", Some(Value::Date(DateValue { iso: "2015-01/2015-09".into() })));
    let money = node(NodeType::Money, "CNY 5", Some(Value::Money { amount: 5.0, currency: "CNY".into(), approx: true }));
    let pct = node(NodeType::Percent, "0.19", Some(Value::Percent { fraction: 0.19, approx: false }));
    let qty = node(NodeType::Quantity, "3 人", Some(Value::Quantity { amount: 3.0, unit: "人".into(), approx: false }));
    let q = |p: Predicate, s: &NodeKey, o: &NodeKey, quals: &[(&str, &str)]| Fact {
        subject: s.clone(),
        predicate: p,
        object: Object::Node(o.clone()),
        qualifiers: quals.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        evidence: newsgraph::model::Evidence { sentence: 0, span: Span::new(0, 5), text: "句子".into() },
        rule: "test/all".into(),
    };
    let facts = vec![
        q(Predicate::WorksFor, &person, &org, &[("title", "总裁"), ("date", "2015"), ("other", "x")]),
        q(Predicate::FounderOf, &person, &org, &[]),
        q(Predicate::FoundingDate, &org, &date, &[]),
        q(Predicate::LocatedIn, &org, &place, &[]),
        q(Predicate::LocatedIn, &place, &place2, &[]),
        q(Predicate::PartOf, &org, &org2, &[]),
        q(Predicate::PartOf, &org, &place, &[]),
        q(Predicate::Met, &person, &person2, &[("date", "2015-01-23")]),
        q(Predicate::StudentOf, &person, &person2, &[]),
        q(Predicate::InvestedIn, &org2, &org, &[("money", "5元")]),
        q(Predicate::PartnerOf, &org, &org2, &[]),
        q(Predicate::HeldAt, &event, &place, &[]),
        q(Predicate::MonetaryFact, &org, &money, &[("measure", "营收")]),
        q(Predicate::QuantityFact, &org, &qty, &[]),
        q(Predicate::QuantityFact, &org, &pct, &[]),
        q(Predicate::Author, &work, &person, &[]),
        q(Predicate::Publisher, &work, &org, &[]),
        Fact {
            subject: person.clone(),
            predicate: Predicate::Said,
            object: Object::Quote { text: "好".into(), span: Span::new(1, 2) },
            qualifiers: Default::default(),
            evidence: newsgraph::model::Evidence { sentence: 0, span: Span::new(0, 5), text: "句子".into() },
            rule: "test/all".into(),
        },
    ];
    let doc = Document { id: "all".into(), text: "甲说“好”。".into(), chars: 6, sentences: vec![], nodes, facts };
    let mut graph = KnowledgeGraph::new();
    graph.add_document(&doc);
    graph
}

#[test]
fn third_party_parser_rdflib_reads_every_format() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let has_rdflib = std::process::Command::new(&python)
        .args(["-c", "import rdflib"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_rdflib {
        eprintln!("notice: rdflib not importable by {python}; skipping the third-party RDF check (pip install rdflib)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (graph, stem) in [(seed_graph().clone(), "seed".to_string()), (graph_with_name("<b>\"x\" 😀\u{1}"), "hostile".into()), (every_predicate_graph(), "all".into())] {
        for format in RDF_FORMATS {
            let path = dir.path().join(format!("{stem}.{}", format.file_extension()));
            export::write_to_path(&graph, format, &path, &ExportOptions::default()).unwrap();
            files.push(path);
        }
    }
    let out = std::process::Command::new(&python).arg(root("tests/rdf_check.py")).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "rdflib reported problems:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok ")).count(), files.len(), "{stdout}");
}
