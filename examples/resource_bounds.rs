//! Time and memory of extraction against document length (docs/robustness.md).
//!
//! `cargo run --release --example resource_bounds [MAX_BYTES]` extracts
//! single-sentence documents (news fragments with no punctuation) of 1 KB,
//! 10 KB, 100 KB, 1 MB and 10 MB, and documents of many short sentences,
//! and prints the time per size and the peak resident memory so far, so
//! that a superlinear stage shows as a growing time per KB.

use newsgraph::{Extractor, KnowledgeGraph};
use std::time::Instant;

const FRAGMENTS: &[&str] = &[
    "阿里云总裁王坚表示",
    "杭州市政府投资7.5亿元",
    "2015年3月",
    "浙江大学校长张三与马云会面",
    "云栖小镇管委会主任章根明",
    "据新华社报道",
    "数梦工场",
    "百分之三十",
    "他们在这里讨论了合作",
];

fn sentence_of(bytes: usize, separator: &str) -> String {
    let mut s = String::with_capacity(bytes + 64);
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(FRAGMENTS[i % FRAGMENTS.len()]);
        s.push_str(separator);
        i += 1;
    }
    s
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0)))
        .unwrap_or(0)
}

fn run(label: &str, text: &str, extractor: &Extractor) {
    let t = Instant::now();
    let doc = extractor.extract(label, text);
    let mut graph = KnowledgeGraph::new();
    graph.add_document(&doc);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{label:>28}: {:>10} bytes {:>8} chars {:>7} nodes {:>7} facts {:>9.3} s {:>9.3} ms/KB peak RSS {} MB",
        text.len(),
        doc.chars,
        doc.nodes.len(),
        doc.facts.len(),
        secs,
        secs * 1000.0 / (text.len() as f64 / 1024.0),
        peak_rss_kb() / 1024
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--stages") {
        let bytes: usize = args[2].parse().unwrap();
        let sep = args.get(3).map(String::as_str).unwrap_or("");
        stages(&sentence_of(bytes, sep));
        return;
    }
    let max: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10 << 20);
    let extractor = Extractor::builtin().expect("built-in rules");
    extractor.extract("warm-up", "阿里云总裁王坚表示同意。");
    let mut size = 1 << 10;
    while size <= max {
        run(&format!("one sentence {} KB", size >> 10), &sentence_of(size, ""), &extractor);
        size *= 10;
    }
    for n in [1_000usize, 10_000, 100_000] {
        let text = sentence_of(n * 30, "。");
        run(&format!("{n} short sentences"), &text, &extractor);
    }
}

/// Time of each pipeline stage on one text (`--stages BYTES`).
#[allow(dead_code)]
pub fn stages(text: &str) {
    use newsgraph::normalize::{CharIndex, Folded};
    use newsgraph::resolve::{resolve, DocumentText};
    use newsgraph::model::Span;
    let rules = newsgraph::RuleSet::builtin().unwrap();
    let t = Instant::now();
    let folded = Folded::new(text);
    let chars: Vec<char> = folded.text().chars().collect();
    println!("fold {:?}", t.elapsed());
    let t = Instant::now();
    let seg = newsgraph::segment::split(&folded, &rules.segment);
    println!("segment {:?} ({} sentences)", t.elapsed(), seg.sentences.len());
    let t = Instant::now();
    let cands = newsgraph::mention::find_candidates(&folded, &rules);
    println!("candidates {:?} ({})", t.elapsed(), cands.len());
    let t = Instant::now();
    let cands = newsgraph::mention::find_mentions(&folded, &rules);
    println!("mentions (incl. candidates) {:?} ({})", t.elapsed(), cands.len());
    let index = CharIndex::new(text);
    let doc_text = DocumentText { original: text, index: &index, folded: &folded, chars: &chars, sentences: &seg.sentences, quotes: &seg.quotes };
    let t = Instant::now();
    let resolved = resolve(&doc_text, &cands, &rules);
    println!("resolve {:?} ({} mentions)", t.elapsed(), resolved.mentions.len());
    let t = Instant::now();
    let slice = |span: Span| index.slice(text, span.start, span.end).to_string();
    let facts = newsgraph::relation::match_relations(&folded, &seg.sentences, &slice, &resolved, &rules);
    println!("relations {:?} ({} facts)", t.elapsed(), facts.len());
}
