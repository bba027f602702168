//! Progress on stderr for `extract`/`query`/`eval` runs: an indicatif bar
//! (documents, MB/s, time left when the input size is known), drawn only
//! when stderr is a terminal and not `--quiet`, and a one-line summary at
//! the end unless `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsgraph::model::Document;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct Progress {
    bar: ProgressBar,
    /// Whether `bar` is drawn (not hidden).
    drawn: bool,
    quiet: bool,
    start: Instant,
    pub documents: usize,
    pub sentences: usize,
    pub entities: usize,
    pub edges: usize,
    pub bytes: u64,
}

impl Progress {
    pub fn new(inputs: &[PathBuf], quiet: bool) -> Progress {
        let total = total_bytes(inputs);
        let drawn = !quiet && std::io::stderr().is_terminal();
        let bar = if !drawn {
            ProgressBar::hidden()
        } else {
            let bar = match total {
                Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()).with_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg} ETA {eta}",
                    )
                    .expect("valid template"),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                    ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bytes} {bytes_per_sec} {msg}")
                        .expect("valid template"),
                ),
            };
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        };
        Progress { bar, drawn, quiet, start: Instant::now(), documents: 0, sentences: 0, entities: 0, edges: 0, bytes: 0 }
    }

    /// A handle for printing notes without tearing the bar.
    pub fn printer(&self) -> ProgressBar {
        self.bar.clone()
    }

    /// Count one finished document.
    pub fn document(&mut self, doc: &Document) {
        self.documents += 1;
        self.sentences += doc.sentences.len();
        self.entities += doc.nodes.len();
        self.edges += doc.facts.len();
        self.bytes += doc.text.len() as u64;
        // A hidden bar (--quiet, or stderr not a terminal) still locks and
        // updates its state on every call, and the message is formatted.
        if self.drawn {
            self.bar.inc(doc.text.len() as u64);
            if self.documents.is_multiple_of(64) || self.documents < 64 {
                self.bar.set_message(format!("{} docs", self.documents));
            }
        }
    }

    /// Clear the bar and print the summary (unless quiet).
    pub fn finish(&self, failures: usize) {
        self.bar.finish_and_clear();
        if self.quiet {
            return;
        }
        let secs = self.start.elapsed().as_secs_f64();
        eprintln!(
            "{} documents, {} sentences, {} entities, {} edges, {} failures, {:.1} MB in {:.2} s ({:.2} MB/s)",
            self.documents,
            self.sentences,
            self.entities,
            self.edges,
            failures,
            self.bytes as f64 / 1e6,
            secs,
            self.bytes as f64 / 1e6 / secs.max(1e-9),
        );
    }
}

/// Total size of the input files (folders: their *.txt, *.jsonl and
/// *.ndjson files, recursively); `None` when stdin is an input.
fn total_bytes(inputs: &[PathBuf]) -> Option<u64> {
    fn walk(path: &Path) -> u64 {
        let Ok(meta) = std::fs::metadata(path) else { return 0 };
        if meta.is_file() {
            return meta.len();
        }
        let Ok(entries) = std::fs::read_dir(path) else { return 0 };
        entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "txt" || x == "jsonl" || x == "ndjson"))
            .map(|p| walk(&p))
            .sum()
    }
    if inputs.iter().any(|p| p.as_os_str() == "-") {
        return None;
    }
    Some(inputs.iter().map(|p| walk(p)).sum())
}
