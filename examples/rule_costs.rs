//! Which rule regexes cost the most, in milliseconds per MB of input:
//! `cargo run --release --example rule_costs -- CORPUS.jsonl`.
//!
//! Each value and entity regex is timed alone over the whole corpus (the
//! cost it would have if every document could contain its trigger words),
//! then each bank as extraction runs it (only the rules whose trigger
//! words a document has). A profiling aid, not a benchmark: the figures
//! are single runs on whatever the machine is doing.

use newsgraph::normalize::Folded;
use newsgraph::rules::{RegexBank, RuleSet};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let Some(path) = std::env::args().nth(1) else { anyhow::bail!("usage: rule_costs CORPUS.jsonl") };
    let rules = RuleSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut folded = Vec::new();
    let mut bytes = 0;
    for (n, line) in std::fs::read_to_string(&path)?.lines().enumerate() {
        let doc: serde_json::Value = serde_json::from_str(line).map_err(|e| anyhow::anyhow!("{path}:{}: {e}", n + 1))?;
        let text = doc["text"].as_str().unwrap_or_default();
        bytes += text.len();
        folded.push(Folded::new(text));
    }
    let ms_per_mb = |seconds: f64| seconds * 1e3 / (bytes as f64 / 1e6);
    for (kind, bank) in [("value", &rules.value_rules), ("entity", &rules.entity_rules)] {
        report(kind, bank, &folded, ms_per_mb);
    }
    Ok(())
}

fn report(kind: &str, bank: &RegexBank, folded: &[Folded], ms_per_mb: impl Fn(f64) -> f64) {
    let mut rows = Vec::new();
    for rule in bank.iter() {
        // Compile outside the timing.
        let _ = rule.regex.is_match("");
        let started = Instant::now();
        let mut matches = 0;
        for f in folded {
            rule.regex.for_each_mention(f, None, |_| matches += 1);
        }
        rows.push((ms_per_mb(started.elapsed().as_secs_f64()), rule.id.as_str(), matches));
    }
    let started = Instant::now();
    let mut matches = 0;
    for f in folded {
        for rule in bank.possible_in(f.as_chars()) {
            rule.regex.for_each_mention(f, None, |_| matches += 1);
        }
    }
    println!("{kind} rules as extraction runs them: {:.2} ms/MB, {matches} matches", ms_per_mb(started.elapsed().as_secs_f64()));
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, id, matches) in rows.iter().take(15) {
        println!("  {ms:7.2} ms/MB  {id} ({matches} matches)");
    }
}
