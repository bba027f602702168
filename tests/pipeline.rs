//! The pipeline end to end, as a user sees it.

use crate::util::{extract, names, seed_graph};
use newsgraph::export::{write, ExportFormat};
use newsgraph::{KnowledgeGraph, NodeType};

#[test]
fn offsets_point_into_the_original_traditional_text() {
    let text = "新聞：雲棲小鎮管委會主任呂鋼鋒說，２０１７年收入７.５億元。";
    let doc = extract(text);
    let chars: Vec<char> = text.chars().collect();
    for node in &doc.nodes {
        for m in &node.mentions {
            let slice: String = chars[m.span.start..m.span.end].iter().collect();
            assert_eq!(slice, doc.text_of(m), "mention of {} at {:?}", node.name, m.span);
        }
    }
    let person = doc.nodes.iter().find(|n| n.key.node_type == NodeType::Person).expect("a person");
    assert_eq!(person.name, "呂鋼鋒", "names are reported as written");
    assert!(person.aliases.contains("吕钢锋"), "the folded spelling is an alias");
}

#[test]
fn traditional_and_simplified_spellings_are_one_node() {
    let mut graph = KnowledgeGraph::new();
    graph.add_document(&newsgraph::Extractor::builtin().unwrap().extract("a", "阿里雲總裁王堅表示，合作很重要。"));
    graph.add_document(&newsgraph::Extractor::builtin().unwrap().extract("b", "阿里云总裁王坚表示，合作很重要。"));
    let persons: Vec<_> = graph.nodes().filter(|n| n.node_type == NodeType::Person).collect();
    assert_eq!(persons.len(), 1, "{persons:#?}");
    assert_eq!(persons[0].id, "person/王坚");
    assert_eq!(persons[0].mentions.len(), 2);
    let docs: Vec<&str> = graph.mentions(persons[0]).map(|m| m.doc).collect();
    assert_eq!(docs, ["a", "b"]);
}

#[test]
fn short_forms_and_references_merge_into_their_full_name() {
    let doc = extract("数梦工场是一家公司。时任西湖区区长章根明去见了王巍。章区长走了。后来数梦迎接了客人。");
    let org = doc.nodes.iter().find(|n| n.name == "数梦工场").expect("数梦工场");
    assert!(org.mentions.iter().any(|m| doc.text_of(m) == "数梦"), "{:?}", org.mentions);
    let person = doc.nodes.iter().find(|n| n.name == "章根明").expect("章根明");
    assert!(person.mentions.iter().any(|m| doc.text_of(m) == "章区长"), "{:?}", person.mentions);
}

#[test]
fn title_with_the_name_in_brackets_is_that_person() {
    let doc = extract("总裁王坚说了。当时我觉得博士(王坚)很想做事。");
    let person = doc.nodes.iter().find(|n| n.name == "王坚").expect("王坚");
    assert!(person.mentions.iter().any(|m| doc.text_of(m) == "博士"), "{:?}", person.mentions);
}

#[test]
fn every_fact_has_provenance() {
    for (_, edge, _) in seed_graph().edges() {
        assert!(!edge.rule.is_empty());
        assert_eq!(&*edge.evidence.doc, "yunqi.txt");
        assert!(edge.evidence.start < edge.evidence.end);
        assert!(!edge.evidence.text.is_empty());
    }
    assert!(seed_graph().edge_count() > 50);
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    write(seed_graph(), ExportFormat::Json, &mut a).unwrap();
    let mut again = KnowledgeGraph::new();
    again.add_document(&newsgraph::Extractor::builtin().unwrap().extract("yunqi.txt", &crate::util::seed_text()));
    write(&again, ExportFormat::Json, &mut b).unwrap();
    assert!(a == b, "two runs differ");
}

#[test]
fn person_rules_need_evidence() {
    // 王坚决定: the name is 王坚, not 王坚决.
    let doc = extract("阿里云总裁王坚表示同意。王坚决定把大会搬走。");
    assert_eq!(names(&doc, NodeType::Person), ["王坚"]);
    // A surname character before an ordinary word is no name.
    let doc = extract("高新技术企业和周边地区的发展。");
    assert!(names(&doc, NodeType::Person).is_empty(), "{:?}", names(&doc, NodeType::Person));
}

#[test]
fn organizations_come_from_suffixes_with_a_proper_stem() {
    let doc = extract("银杏谷资本投资的云徙科技成为黑马，一家创业公司也来了。");
    let orgs = names(&doc, NodeType::Organization);
    assert!(orgs.contains(&"银杏谷资本".to_string()), "{orgs:?}");
    assert!(orgs.contains(&"云徙科技".to_string()), "{orgs:?}");
    assert!(!orgs.iter().any(|o| o.contains("创业公司")), "a generic phrase is no name: {orgs:?}");
}

#[test]
fn values_are_normalized() {
    let doc = extract("2015年1-9月份的财政总收入为14880.13万元，同比增长104.71%，有22000人参加。");
    let value = |ty: NodeType| doc.nodes.iter().filter(|n| n.key.node_type == ty).map(|n| n.key.key.clone()).collect::<Vec<_>>();
    assert_eq!(value(NodeType::Date), ["2015-01/2015-09"]);
    assert_eq!(value(NodeType::Money), ["CNY 148801300"]);
    assert_eq!(value(NodeType::Percent), ["1.0471"]);
    assert_eq!(value(NodeType::Quantity), ["22000 人"]);
}

#[test]
fn the_json_writer_writes_exactly_what_serde_json_writes_for_the_node_and_edge_maps() {
    // The JSON export writes nodes and edges without building a
    // serde_json::Value; its bytes must stay those of the map (keys in
    // byte order), which the scorers and earlier outputs were made with.
    use newsgraph::export::json::{edge_json, node_json, write_edge, write_node};
    let graph = seed_graph();
    let pieces = newsgraph::export::json::MentionPieces::of(graph);
    let mut with_values = 0;
    for node in graph.nodes() {
        let mut direct = Vec::new();
        write_node(&mut direct, &pieces, node).unwrap();
        assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&node_json(graph, node)).unwrap(), "node {}", node.id);
        with_values += node.value.is_some() as usize;
    }
    assert!(with_values > 10, "values (with value, unit, currency, approx fields) are among the nodes compared");
    let mut with_qualifiers = 0;
    for (source, edge, target) in graph.edges() {
        let mut direct = Vec::new();
        write_edge(&mut direct, source, edge, target).unwrap();
        assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&edge_json(source, edge, target)).unwrap(), "edge {} {:?}", source.id, edge.predicate);
        with_qualifiers += !edge.qualifiers.is_empty() as usize;
    }
    assert!(with_qualifiers > 5, "edges with qualifiers (title, date, measure) are among the edges compared");
}
