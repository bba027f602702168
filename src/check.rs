//! Rules that test themselves: every `[[rule.example]]` of every rule file
//! is extracted with the whole rule set and compared with what it expects.
//!
//! * Entity and value rules: `expect = [{ text = "...", type = "...",
//!   value = ... }]`. Each expected mention must come out (any rule may find
//!   it; `type` and `value` are checked when given). An empty `expect` is a
//!   counter-example: the rule itself must find nothing in the text.
//! * Relation rules: `expect = [["subject", "predicate", "object"], ...]`,
//!   names compared folded (traditional = simplified) against node names and
//!   aliases. An empty `expect`: the rule itself must produce no fact.
//!
//! `newsgraph rules check` prints the failures by rule id; the test suite
//! runs the built-in rules' examples.

use crate::extract::Extractor;
use crate::model::{Document, Object};
use crate::normalize::fold;
use crate::rules::{Example, RuleSet};
use crate::value::Value;
use std::fmt;
use std::sync::Arc;

/// One example that did not come out as its rule says.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleFailure {
    pub rule: String,
    pub text: String,
    /// What the example expects (or, for a counter-example, "nothing").
    pub expected: String,
    /// What the rule set produced instead.
    pub found: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}: example \"{}\": expected {}; found {}", self.rule, self.text, self.expected, self.found)
    }
}

/// The examples of one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleResult {
    pub rule: String,
    /// Rule layer (0: the base rules; 1, 2 ...: `--add-rules` layers).
    pub layer: usize,
    pub examples: usize,
    /// Examples with at least one failure.
    pub failed: usize,
}

/// Summary of a check run.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub rules: usize,
    pub examples: usize,
    pub failures: Vec<ExampleFailure>,
    /// One entry per rule, in rule order (rules without examples included).
    pub results: Vec<RuleResult>,
}

impl CheckReport {
    /// Examples that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().map(|r| r.examples - r.failed).sum()
    }

    /// Examples that failed.
    pub fn failed(&self) -> usize {
        self.results.iter().map(|r| r.failed).sum()
    }

    /// Rules that have no example.
    pub fn without_examples(&self) -> usize {
        self.results.iter().filter(|r| r.examples == 0).count()
    }
}

/// Run every example of every rule in the set.
pub fn check_examples(rules: Arc<RuleSet>) -> CheckReport {
    let extractor = Extractor::new(rules.clone());
    let mut report = CheckReport::default();
    let regex_rules = rules.entity_rules.iter().chain(&rules.value_rules).map(|r| (&r.id, r.layer, &r.examples, false));
    let relation_rules = rules.relations.iter().map(|r| (&r.id, r.layer, &r.examples, true));
    for (id, layer, examples, is_relation) in regex_rules.chain(relation_rules) {
        report.rules += 1;
        let mut result = RuleResult { rule: id.to_string(), layer, examples: 0, failed: 0 };
        for ex in examples {
            report.examples += 1;
            result.examples += 1;
            let doc = extractor.extract("example", &ex.text);
            let failures = if is_relation { check_facts(id, ex, &doc) } else { check_mentions(id, ex, &doc) };
            if !failures.is_empty() {
                result.failed += 1;
            }
            report.failures.extend(failures);
        }
        report.results.push(result);
    }
    report
}

fn failure(rule: &str, ex: &Example, expected: String, found: String) -> ExampleFailure {
    ExampleFailure { rule: rule.to_string(), text: ex.text.clone(), expected, found }
}

fn check_mentions(rule: &str, ex: &Example, doc: &Document) -> Vec<ExampleFailure> {
    let mut out = Vec::new();
    if ex.expect.is_empty() {
        for node in &doc.nodes {
            for m in node.mentions.iter().filter(|m| m.rule == rule) {
                out.push(failure(rule, ex, "nothing from this rule (counter-example)".to_string(),
                    format!("\"{}\" as {}", doc.text_of(m), node.key.node_type)));
            }
        }
        return out;
    }
    for want in &ex.expect {
        let Some(text) = want.get("text").and_then(|t| t.as_str()) else {
            out.push(failure(rule, ex, format!("an item with `text` (got {want})"), "an invalid example".to_string()));
            continue;
        };
        let want_type = want.get("type").and_then(|t| t.as_str());
        let found = doc.nodes.iter().find(|n| {
            n.mentions.iter().any(|m| fold(doc.text_of(m)) == fold(text))
                && want_type.is_none_or(|t| n.key.node_type.as_str() == t)
        });
        let Some(node) = found else {
            let got: Vec<String> = doc
                .nodes
                .iter()
                .flat_map(|n| n.mentions.iter().map(move |m| format!("{}:{}", n.key.node_type, doc.text_of(m))))
                .collect();
            let found = if got.is_empty() { "no mentions".to_string() } else { got.join(", ") };
            out.push(failure(rule, ex, format!("\"{text}\"{}", want_type.map(|t| format!(" as {t}")).unwrap_or_default()), found));
            continue;
        };
        if let Some(want_value) = want.get("value") {
            if !value_matches(node.value.as_ref(), want_value) {
                let got = node.value.as_ref().map_or_else(|| "no value".to_string(), |v| v.to_string());
                out.push(failure(rule, ex, format!("\"{text}\" = {want_value}"), format!("\"{text}\" = {got}")));
            }
        }
    }
    out
}

fn value_matches(got: Option<&Value>, want: &toml::Value) -> bool {
    let Some(got) = got else { return false };
    match (got, want) {
        (Value::Date(d), toml::Value::String(s)) => d.iso == *s,
        (Value::Money { amount: x, .. } | Value::Quantity { amount: x, .. } | Value::Percent { fraction: x, .. }, w) => {
            let w = match w {
                toml::Value::Float(f) => *f,
                toml::Value::Integer(i) => *i as f64,
                _ => return false,
            };
            (x - w).abs() <= 1e-6 * x.abs().max(w.abs()).max(1.0)
        }
        _ => false,
    }
}

fn names_of(doc: &Document, key: &crate::model::NodeKey) -> Vec<String> {
    doc.nodes
        .iter()
        .filter(|n| &n.key == key)
        .flat_map(|n| {
            std::iter::once(fold(&n.name))
                .chain(n.all_aliases().map(fold))
                .chain(std::iter::once(n.key.key.clone()))
                .chain(n.mentions.iter().map(|m| fold(doc.text_of(m))))
        })
        .collect()
}

fn check_facts(rule: &str, ex: &Example, doc: &Document) -> Vec<ExampleFailure> {
    let mut out = Vec::new();
    if ex.expect.is_empty() {
        for f in doc.facts.iter().filter(|f| f.rule == rule) {
            let o = match &f.object {
                Object::Node(k) => k.key.clone(),
                Object::Quote { text, .. } => text.clone(),
            };
            out.push(failure(rule, ex, "no fact from this rule (counter-example)".to_string(),
                format!("[{}, {}, {o}]", f.subject.key, f.predicate)));
        }
        return out;
    }
    for want in &ex.expect {
        let triple: Vec<&str> = want.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
        let [s, p, o] = triple[..] else {
            out.push(failure(rule, ex, format!("[subject, predicate, object] (got {want})"), "an invalid example".to_string()));
            continue;
        };
        let (s, o) = (fold(s), fold(o));
        let hit = doc.facts.iter().any(|f| {
            let object_names = match &f.object {
                Object::Node(k) => names_of(doc, k),
                Object::Quote { text, .. } => vec![fold(text)],
            };
            let direct = f.predicate.as_str() == p && names_of(doc, &f.subject).contains(&s) && object_names.contains(&o);
            let reverse = f.predicate.is_symmetric()
                && f.predicate.as_str() == p
                && object_names.contains(&s)
                && names_of(doc, &f.subject).contains(&o);
            direct || reverse
        });
        if !hit {
            let got: Vec<String> = doc
                .facts
                .iter()
                .map(|f| {
                    let o = match &f.object {
                        Object::Node(k) => k.key.clone(),
                        Object::Quote { text, .. } => text.clone(),
                    };
                    format!("{} {} {} ({})", f.subject.key, f.predicate, o, f.rule)
                })
                .collect();
            let mentions: Vec<String> = doc.nodes.iter().map(|n| format!("{}:{}", n.key.node_type, n.name)).collect();
            out.push(failure(rule, ex, format!("[{s}, {p}, {o}]"),
                format!("facts [{}]; nodes [{}]", got.join("; "), mentions.join(", "))));
        }
    }
    out
}
