//! Per-stage micro-benchmarks on the seed article (`cargo bench`). Speed
//! targets live here and in `examples/throughput.rs`, never in tests.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use newsgraph::export::{self, ExportFormat, ExportOptions};
use newsgraph::mention::{find_candidates, parse_value, resolve_overlaps};
use newsgraph::normalize::{CharIndex, Folded};
use newsgraph::relation::match_relations;
use newsgraph::resolve::{resolve, DocumentText};
use newsgraph::rules::RuleSet;
use newsgraph::segment::split;
use newsgraph::{Extractor, KnowledgeGraph};
use std::hint::black_box;

fn seed() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/yunqi.txt")).unwrap()
}

fn stages(c: &mut Criterion) {
    let text = seed();
    let rules = RuleSet::builtin().unwrap();
    let folded = Folded::new(&text);
    let chars: Vec<char> = folded.text().chars().collect();
    let seg = split(&folded, &rules.segment);
    let index = CharIndex::new(&text);
    let candidates = find_candidates(&folded, &rules);
    let mentions = resolve_overlaps(candidates.clone());
    let dt = DocumentText { original: &text, index: &index, folded: &folded, chars: &chars, sentences: &seg.sentences, quotes: &seg.quotes };
    let resolved = resolve(&dt, &mentions, &rules);
    let slice = |s: newsgraph::Span| index.slice(&text, s.start, s.end).to_string();

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("normalize", |b| b.iter(|| Folded::new(black_box(&text))));
    g.bench_function("sentence split", |b| b.iter(|| split(black_box(&folded), &rules.segment)));
    g.bench_function("mentions: find_candidates", |b| b.iter(|| find_candidates(black_box(&folded), &rules)));
    g.bench_function("mentions: overlaps", |b| b.iter(|| resolve_overlaps(black_box(candidates.clone()))));
    g.bench_function("values: regexes + normalizers", |b| {
        b.iter(|| {
            let mut n = 0;
            for rule in &rules.value_rules {
                for m in rule.regex.find_iter(folded.text()) {
                    n += parse_value(rule.normalizer, m.as_str()).is_some() as usize;
                }
            }
            n
        })
    });
    g.bench_function("resolve", |b| b.iter(|| resolve(black_box(&dt), &mentions, &rules)));
    g.bench_function("relations", |b| b.iter(|| match_relations(&folded, &seg.sentences, &slice, black_box(&resolved), &rules)));
    let extractor = Extractor::new(rules.clone());
    g.bench_function("extract (all stages)", |b| b.iter(|| extractor.extract("yunqi.txt", black_box(&text))));
    let doc = extractor.extract("yunqi.txt", &text);
    g.bench_function("graph build", |b| {
        b.iter(|| {
            let mut graph = KnowledgeGraph::new();
            graph.add_document(black_box(&doc));
            graph
        })
    });
    g.finish();

    let mut graph = KnowledgeGraph::new();
    graph.add_document(&doc);
    let opts = ExportOptions::with_base(export::DEFAULT_BASE).unwrap();
    let mut g = c.benchmark_group("export");
    // One thread: a stage's cost per core (the JSON export renders on every
    // thread of the pool it runs on).
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    for &format in ExportFormat::ALL.iter().filter(|f| !f.is_directory()) {
        g.bench_function(format.name(), |b| {
            b.iter(|| {
                let mut out = Vec::new();
                one_thread.install(|| export::write_with(black_box(&graph), format, &opts, &mut out)).unwrap();
                out
            })
        });
    }
    g.finish();
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("compile built-in rules", |b| {
        b.iter(|| RuleSet::layered(&[newsgraph::rules::RuleSource::builtin()]).unwrap())
    });
    g.finish();
}

criterion_group!(benches, stages, startup);
criterion_main!(benches);
