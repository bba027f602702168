//! Corpus-scale extraction: documents extracted in parallel on a thread
//! pool and delivered to one consumer **in input order**, with a bounded
//! amount of text in flight, plus per-document writers for streaming
//! output (N-Quads, JSON Lines).
//!
//! Because documents reach the consumer in input order whatever the number
//! of threads, a graph merged from them (and every export of it) is
//! byte-identical for any `--jobs`. Memory is bounded by the window of
//! batches in flight (4 per thread, each about 64 KB of text or one longer
//! document), not by the corpus.

use crate::export::{json, rdf, ExportOptions};
use crate::model::Document;
use crate::{Extractor, KnowledgeGraph};
use oxigraph::io::RdfFormat;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{mpsc, Arc, Mutex};

/// Batches of documents in flight per worker thread.
const BATCHES_PER_THREAD: usize = 4;

/// Documents go to the workers in batches of about this many bytes of
/// text (a longer document is a batch of its own). A job per document cost
/// two thread wake-ups per document (the job queued, the result sent back):
/// on a corpus of 5 KB news articles, about 4 % of the run went to futex
/// calls. A batch this size takes milliseconds to extract, so the workers
/// stay evenly loaded, and a small input still spreads over the threads.
/// A worker extracts its batch stage by stage (`Extractor::extract_batch`),
/// which gains more the more documents a batch holds: 128 KB rather than
/// 64 KB took 995 → 979 M estimated cycles per 2 MB (callgrind), and
/// 256 KB gained nothing more.
const BATCH_BYTES: usize = 128 * 1024;

/// Extract `(id, text)` documents on `pool` and hand each [`Document`] to
/// `sink` in input order, on the calling thread (which also pulls `docs`).
/// Stops at the first error of `sink` (documents still in flight finish
/// and are dropped).
pub fn extract_ordered<I, E>(
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    docs: I,
    mut sink: impl FnMut(&Document) -> Result<(), E>,
) -> Result<(), E>
where
    I: IntoIterator<Item = (String, String)>,
{
    extract_render_ordered(extractor, pool, docs, Arc::new(|_: &Document| ()), |doc, ()| sink(doc))
}

/// A per-document step run on the worker threads after extraction.
pub type Render<T> = Arc<dyn Fn(&Document) -> T + Send + Sync>;

/// A batch extracted by one worker: its documents and their renderings.
struct Done<T> {
    seq: usize,
    /// The pool thread that extracted the batch (see [`Leftovers`]).
    worker: Option<usize>,
    docs: Vec<Document>,
    rendered: Vec<T>,
}

/// [`extract_ordered`], with `render` run on the worker thread right after
/// each document is extracted and its result handed to `sink` with the
/// document. `--stream` serializes there, so that the calling thread only
/// writes bytes and serialization scales with the threads.
pub fn extract_render_ordered<I, T, E>(
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    docs: I,
    render: Render<T>,
    mut sink: impl FnMut(&Document, T) -> Result<(), E>,
) -> Result<(), E>
where
    I: IntoIterator<Item = (String, String)>,
    T: Send + 'static,
{
    let window = pool.current_num_threads().max(1) * BATCHES_PER_THREAD;
    let (tx, rx) = mpsc::channel::<Done<T>>();
    let mut pending: BTreeMap<usize, Done<T>> = BTreeMap::new();
    let mut batches = batches(docs);
    let leftovers = Arc::new(Leftovers::new(pool.current_num_threads()));
    let drop_here = drops_on_the_consumer(pool.current_num_threads());
    let (mut sent, mut next) = (0usize, 0usize);
    let result = loop {
        while sent - next < window {
            let Some(batch) = batches.next() else { break };
            let (tx, extractor, render, leftovers, seq) = (tx.clone(), extractor.clone(), render.clone(), leftovers.clone(), sent);
            pool.spawn(move || {
                leftovers.drop_own();
                let docs: Vec<Document> = extractor.extract_batch(batch);
                let rendered = docs.iter().map(|doc| render(doc)).collect();
                // The receiver only goes away after an error of the sink.
                let _ = tx.send(Done { seq, worker: rayon::current_thread_index(), docs, rendered });
            });
            sent += 1;
        }
        if next == sent {
            break Ok(());
        }
        let done = rx.recv().expect("an extraction worker panicked");
        pending.insert(done.seq, done);
        let mut failed = None;
        while let Some(done) = pending.remove(&next) {
            next += 1;
            // With one worker each document is dropped here, while the
            // sink's reads have it in cache; with more, handed back to the
            // worker that made it (see `drops_on_the_consumer`).
            let mut kept = Vec::with_capacity(if drop_here { 0 } else { done.docs.len() });
            for (doc, rendered) in done.docs.into_iter().zip(done.rendered) {
                let sunk = sink(&doc, rendered);
                if !drop_here {
                    kept.push(doc);
                }
                if let Err(e) = sunk {
                    failed = Some(e);
                    break;
                }
            }
            if !drop_here {
                leftovers.give_back(done.worker, kept);
            }
            if failed.is_some() {
                break;
            }
        }
        if let Some(e) = failed {
            break Err(e);
        }
    };
    // Batches given back since their worker's last job: each worker drops
    // its own.
    pool.broadcast(|_| leftovers.drop_own());
    result
}

/// Whether the consumer drops each document as soon as its sink is done
/// with it, rather than handing it back to its worker ([`Leftovers`]):
/// with one worker thread.
///
/// A document is dropped where its strings were read last. The sink (the
/// graph merge) has just read the document's nodes, keys, names, aliases
/// and mentions, which a free reads again; by the worker's next job they
/// were out of cache (a batch's data is larger than the last-level cache),
/// and reading each node again cost a miss or two. Dropped by the consumer
/// right away, those reads hit; the frees of another thread's blocks cost
/// more, and the worker collects them later (callgrind, per 2 MB: the
/// drops and frees 13 M estimated cycles fewer, collecting them 5 M more).
/// With one worker, the consumer has time to spare: the worker, which
/// extracts, is the slower by far. With several, the consumer merging
/// for all of them is the one to spare, and each worker drops its own.
fn drops_on_the_consumer(threads: usize) -> bool {
    threads <= 1
}

/// Documents the consumer is done with, waiting to be dropped on the pool
/// thread that extracted them, at the start of its next job (with several
/// workers: see [`drops_on_the_consumer`]). Every string
/// and vector of a document was allocated on that thread; mimalloc frees a
/// block of another thread's page by an atomic push onto that page's list,
/// which its owner collects later, and dropping the documents on the
/// consumer thread cost two to three times a local free. It also took the
/// frees off the one consumer thread, which merges the graph serially.
struct Leftovers {
    /// Batches of documents, by the pool thread index of their worker.
    by_worker: Vec<Mutex<Vec<Vec<Document>>>>,
}

impl Leftovers {
    fn new(threads: usize) -> Leftovers {
        Leftovers { by_worker: (0..threads).map(|_| Mutex::default()).collect() }
    }

    /// Queues `docs` for `worker`; dropped here if it is not known.
    fn give_back(&self, worker: Option<usize>, docs: Vec<Document>) {
        if let Some(queue) = worker.and_then(|w| self.by_worker.get(w)) {
            queue.lock().unwrap_or_else(|e| e.into_inner()).push(docs);
        }
    }

    /// Drops the documents queued for the calling pool thread.
    fn drop_own(&self) {
        if let Some(queue) = rayon::current_thread_index().and_then(|w| self.by_worker.get(w)) {
            let batches = std::mem::take(&mut *queue.lock().unwrap_or_else(|e| e.into_inner()));
            drop(batches);
        }
    }
}

/// `(id, text)` documents in the batches the workers are handed, in order
/// (what the throughput example times in process).
pub fn batches<I: IntoIterator<Item = (String, String)>>(docs: I) -> impl Iterator<Item = Vec<(String, String)>> {
    Batches { docs: docs.into_iter().peekable() }
}

/// Consecutive documents grouped into batches of about [`BATCH_BYTES`].
struct Batches<I: Iterator> {
    docs: std::iter::Peekable<I>,
}

impl<I: Iterator<Item = (String, String)>> Iterator for Batches<I> {
    type Item = Vec<(String, String)>;

    fn next(&mut self) -> Option<Vec<(String, String)>> {
        let mut batch = vec![self.docs.next()?];
        let mut bytes = batch[0].1.len();
        while bytes < BATCH_BYTES {
            match self.docs.next_if(|(_, text)| bytes + text.len() <= BATCH_BYTES) {
                Some(doc) => {
                    bytes += doc.1.len();
                    batch.push(doc);
                }
                None => break,
            }
        }
        Some(batch)
    }
}

/// A graph of one document.
pub fn document_graph(doc: &Document) -> KnowledgeGraph {
    let mut graph = KnowledgeGraph::new();
    graph.add_document(doc);
    graph
}

/// One document as N-Quads: the RDF export of its one-document graph. Node
/// descriptions (default graph) are repeated in every document that
/// mentions the node; see `docs/scale.md` for how the union of such
/// outputs compares with the export of the merged graph.
pub fn write_nquads_document(doc: &Document, opts: &ExportOptions, out: &mut dyn Write) -> io::Result<()> {
    rdf::write(&document_graph(doc), RdfFormat::NQuads, opts, out)
}

/// One document as one JSON line: `{"document": {id, chars, sentences},
/// "nodes": [...], "edges": [...]}`, nodes and edges with the fields of the
/// JSON export (mentions of this document only).
pub fn write_jsonl_document(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    let graph = document_graph(doc);
    out.write_all(b"{\"document\": ")?;
    serde_json::to_writer(&mut *out, &graph.documents()[0])?;
    out.write_all(b", \"nodes\": [")?;
    let pieces = json::MentionPieces::of(&graph);
    for (i, n) in graph.nodes().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        json::write_node(out, &pieces, n)?;
    }
    out.write_all(b"], \"edges\": [")?;
    for (i, (s, e, t)) in graph.edges().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        json::write_edge(out, s, e, t)?;
    }
    out.write_all(b"]}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<(String, String)> {
        let texts = ["浙江大学校长张三表示，合作很重要。", "阿里云总裁胡晓明说，2017年收入增长了50%。", "李四在杭州市政府工作。"];
        (0..40).map(|i| (format!("d{i}"), texts[i % texts.len()].repeat(1 + i % 3))).collect()
    }

    /// With one thread the consumer drops each document, with more each
    /// worker drops its own ([`drops_on_the_consumer`]): the sink sees the
    /// same documents either way.
    #[test]
    fn documents_arrive_in_input_order_for_any_thread_count() {
        assert!(drops_on_the_consumer(1) && !drops_on_the_consumer(2));
        let extractor = Extractor::builtin().unwrap();
        let mut outputs = Vec::new();
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut ids = Vec::new();
            let mut bytes = Vec::new();
            extract_ordered(&extractor, &pool, corpus(), |doc| {
                ids.push(doc.id.clone());
                write_jsonl_document(doc, &mut bytes)
            })
            .unwrap();
            assert_eq!(ids, corpus().into_iter().map(|(id, _)| id).collect::<Vec<_>>());
            outputs.push(bytes);
        }
        assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn batches_keep_input_order_and_stay_near_the_byte_budget() {
        let docs: Vec<(String, String)> = [10, 20, BATCH_BYTES - 30, 1, BATCH_BYTES * 2, 1, 1]
            .iter()
            .enumerate()
            .map(|(i, &n)| (format!("d{i}"), "x".repeat(n)))
            .collect();
        let batches: Vec<Vec<(String, String)>> = batches(docs.clone()).collect();
        let ids = |b: &Vec<(String, String)>| b.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(",");
        // A document joins a batch only while the batch stays within
        // BATCH_BYTES; a longer one is a batch of its own.
        assert_eq!(batches.iter().map(ids).collect::<Vec<_>>(), ["d0,d1,d2", "d3", "d4", "d5,d6"]);
        assert_eq!(batches.concat(), docs);
    }

    #[test]
    fn documents_given_back_wait_for_their_own_worker() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let leftovers = Leftovers::new(2);
        let doc = || Document { id: "d".into(), text: "文".into(), chars: 1, sentences: Vec::new(), nodes: Vec::new(), facts: Vec::new() };
        leftovers.give_back(Some(0), vec![doc()]);
        leftovers.give_back(Some(1), vec![doc(), doc()]);
        leftovers.give_back(Some(1), vec![doc()]);
        // A worker the queues do not know: dropped at once.
        leftovers.give_back(None, vec![doc()]);
        leftovers.give_back(Some(7), vec![doc()]);
        let queued = |w: usize| leftovers.by_worker[w].lock().unwrap().len();
        assert_eq!((queued(0), queued(1)), (1, 2));
        pool.broadcast(|ctx| {
            if ctx.index() == 1 {
                leftovers.drop_own();
            }
        });
        assert_eq!((queued(0), queued(1)), (1, 0));
        // Off the pool, nothing is anyone's own.
        leftovers.drop_own();
        assert_eq!(queued(0), 1);
        pool.broadcast(|_| leftovers.drop_own());
        assert_eq!(queued(0), 0);
    }

    #[test]
    fn a_sink_error_stops_the_run() {
        let extractor = Extractor::builtin().unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut seen = 0;
        let r = extract_ordered(&extractor, &pool, corpus(), |_| {
            seen += 1;
            if seen == 3 { Err("stop") } else { Ok(()) }
        });
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, 3);
    }

    #[test]
    fn jsonl_lines_are_json_objects_with_the_export_fields() {
        let extractor = Extractor::builtin().unwrap();
        let doc = extractor.extract("a", "阿里云总裁胡晓明说，合作很重要。");
        let mut out = Vec::new();
        write_jsonl_document(&doc, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["document"]["id"], "a");
        assert!(v["nodes"].as_array().unwrap().iter().any(|n| n["name"] == "胡晓明" && n["mentions"][0]["doc"] == "a"));
        assert!(v["edges"].as_array().unwrap().iter().all(|e| e["evidence"]["doc"] == "a"));
    }
}
