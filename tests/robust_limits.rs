//! Resource bounds: long sentences are cut at MAX_SENTENCE_CHARS, long
//! documents are extracted in chunks, and the merged result is a valid
//! document (offsets, sentences and evidence agree with the text).

use crate::util::{extract, extractor, seed_graph, seed_text};
use newsgraph::extract::MAX_CHUNK_CHARS;
use newsgraph::model::Object;
use newsgraph::segment::MAX_SENTENCE_CHARS;
use newsgraph::Document;
use std::collections::BTreeSet;

fn assert_consistent(doc: &Document) {
    let index = newsgraph::normalize::CharIndex::new(&doc.text);
    let slice = |span: newsgraph::Span| index.slice(&doc.text, span.start, span.end).to_string();
    assert_eq!(doc.chars, doc.text.chars().count());
    let mut previous_end = 0;
    for s in &doc.sentences {
        assert!(s.span.start >= previous_end && s.span.end <= doc.chars, "sentence {:?}", s.span);
        assert!(s.span.len() <= MAX_SENTENCE_CHARS, "sentence of {} chars", s.span.len());
        previous_end = s.span.end;
    }
    for node in &doc.nodes {
        assert!(!node.aliases.contains(&node.name), "{} is its own alias", node.name);
        for m in &node.mentions {
            assert_eq!(slice(m.span), doc.text_of(m), "mention of {:?}", node.key);
            // A mention may straddle the cut of an overlong sentence: its
            // sentence is the one it starts in.
            let s = doc.sentences[m.sentence].span;
            assert!(s.start <= m.span.start && m.span.start < s.end, "mention {:?} outside its sentence {s:?}", m.span);
        }
    }
    for f in &doc.facts {
        assert_eq!(slice(f.evidence.span), f.evidence.text);
        assert_eq!(doc.sentences[f.evidence.sentence].span, f.evidence.span);
        if let Object::Quote { text, span } = &f.object {
            assert_eq!(&slice(*span), text);
        }
    }
}

#[test]
fn a_long_document_is_chunked_and_merged_consistently() {
    let seed = seed_text();
    let text = [seed.as_str(); 8].join("\n");
    assert!(text.chars().count() > 2 * MAX_CHUNK_CHARS);
    let doc = extractor().extract("long", &text);
    assert_consistent(&doc);
    // Every node of the seed is found in the repeated article, once.
    let ids: BTreeSet<String> = doc.nodes.iter().map(|n| format!("{:?}", n.key)).collect();
    assert_eq!(ids.len(), doc.nodes.len(), "one node per key after merging");
    let seed_ids: BTreeSet<String> = seed_graph().nodes().filter(|n| !n.id.starts_with("quotation/")).map(|n| n.id.clone()).collect();
    let long_ids: BTreeSet<String> = {
        let mut g = newsgraph::KnowledgeGraph::new();
        g.add_document(&doc);
        g.nodes().filter(|n| !n.id.starts_with("quotation/")).map(|n| n.id.clone()).collect()
    };
    let missing: Vec<&String> = seed_ids.difference(&long_ids).collect();
    assert!(missing.is_empty(), "lost by chunking: {missing:?}");
    let wang = doc.nodes.iter().find(|n| n.key.key == "王坚").expect("王坚");
    let once = extract(&seed).nodes.iter().find(|n| n.key.key == "王坚").unwrap().mentions.len();
    assert_eq!(wang.mentions.len(), 8 * once, "mentions from every chunk");
}

#[test]
fn a_long_sentence_without_punctuation_is_cut_and_stays_fast() {
    let text = "阿里云总裁王坚表示杭州市政府投资7.5亿元浙江大学校长张三与马云会面".repeat(1500);
    let started = std::time::Instant::now();
    let doc = extractor().extract("run-on", &text);
    let took = started.elapsed();
    assert_consistent(&doc);
    assert!(doc.sentences.len() >= text.chars().count() / MAX_SENTENCE_CHARS);
    assert!(doc.nodes.iter().any(|n| n.key.key == "王坚"));
    // ~50,000 characters: a few seconds in a debug build.
    assert!(took.as_secs() < 60, "{took:?}");
}
