//! Why a sentence came out as it did: for each sentence, the mentions kept
//! (with the rule that found them), the values with their normalized
//! values, the facts with their rules, and the candidates that matched but
//! lost an overlap, each with the kept mention that beat it and why.
//!
//! [`explain`] builds the structured [`SentenceExplanation`]s (the same
//! pipeline as [`Extractor::extract`], plus the candidates before overlap
//! resolution); [`render`] turns them into text, optionally with ANSI
//! colours by type. `newsgraph explain` only prints what `render` returns.

use crate::extract::Extractor;
use crate::mention::{find_candidates, finish_mentions, resolve_overlaps, Candidate};
use crate::model::{Document, NodeType, Object, Span};
use crate::normalize::Folded;
use crate::rules::{DictKind, RuleSet, Tag};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// Each rule layer above the built-in one adds this to a rule's priority
/// (the same constant as in `mention.rs`).
const PRIORITY_PER_LAYER: i32 = 1000;
/// A gazetteer entry's base priority (as in `mention.rs`).
const PRIORITY_DICTIONARY: i32 = 50;

/// A kept mention: an entity, a title or a value.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptMention {
    /// Character span in the document.
    pub span: Span,
    pub text: String,
    /// `Person`, `Organization`, ..., `Date`, ..., or `Title`.
    pub kind: String,
    pub rule: String,
    /// Node id (`organization/云徙科技`), for entities and values.
    pub node: Option<String>,
    /// Node name, when it differs from the text (an alias or short form
    /// joined its full form).
    pub node_name: Option<String>,
    /// Normalized value, for values (`2015-01`, `750000000 CNY`).
    pub value: Option<String>,
}

/// A candidate that matched but lost an overlap.
#[derive(Clone, Debug, PartialEq)]
pub struct LostCandidate {
    pub span: Span,
    pub text: String,
    pub kind: String,
    pub rule: String,
    pub priority: i32,
    /// The kept mention that beat it.
    pub beaten_by: KeptMention,
    /// Why: `user layer`, `longer`, `higher priority`, `earlier`, `same span`.
    pub reason: String,
}

/// A fact stated in the sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainedFact {
    pub subject: String,
    pub predicate: String,
    pub object: String,
    pub qualifiers: BTreeMap<String, String>,
    pub rule: String,
}

/// Everything about one sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceExplanation {
    /// 1-based sentence number.
    pub number: usize,
    pub span: Span,
    pub text: String,
    /// Entities and titles kept, in text order.
    pub mentions: Vec<KeptMention>,
    /// Values kept, in text order.
    pub values: Vec<KeptMention>,
    pub facts: Vec<ExplainedFact>,
    pub lost: Vec<LostCandidate>,
}

fn kind_of(tag: Tag) -> String {
    match tag {
        Tag::Node(t) => t.as_str().to_string(),
        Tag::Title => "Title".to_string(),
    }
}

/// Explain every sentence of a text, extracted with `rules`.
pub fn explain(rules: Arc<RuleSet>, id: &str, text: &str) -> Vec<SentenceExplanation> {
    let doc = Extractor::new(rules.clone()).extract(id, text);
    let folded = Folded::new(text);
    let chars: Vec<char> = folded.text().chars().collect();
    let mut candidates = find_candidates(&folded, &rules);
    let kept = finish_mentions(&chars, &rules, resolve_overlaps(candidates.clone()));
    // The gazetteer search reports one entry per text (the highest layer
    // first); the other entries that spell the same text lost too.
    let mut shadowed = Vec::new();
    for c in &candidates {
        let Some(best) = c.entry else { continue };
        let text: String = chars[c.span.start..c.span.end].iter().collect();
        for &other in rules.dictionary.lookup(&text).iter().filter(|&&e| e != best) {
            let entry = rules.dictionary.entry(other);
            shadowed.push(Candidate {
                span: c.span,
                tag: match entry.kind {
                    DictKind::Entity(t) => Tag::Node(t),
                    DictKind::Title => Tag::Title,
                },
                entry: Some(other),
                rule: entry.rule.clone(),
                priority: PRIORITY_DICTIONARY + entry.layer as i32 * PRIORITY_PER_LAYER,
                value: None,
                suffix_start: None,
            });
        }
    }
    candidates.extend(shadowed);
    explain_document(&doc, &candidates, &kept)
}

/// Explain an extracted document, given its candidates before and after
/// overlap resolution.
pub fn explain_document(doc: &Document, candidates: &[Candidate], kept: &[Candidate]) -> Vec<SentenceExplanation> {
    // Kept mentions as the document has them (with resolved references).
    let mut entity_mentions: Vec<KeptMention> = Vec::new();
    let mut value_mentions: Vec<KeptMention> = Vec::new();
    for node in &doc.nodes {
        for m in &node.mentions {
            let text = doc.text_of(m);
            let km = KeptMention {
                span: m.span,
                text: text.to_string(),
                kind: node.key.node_type.as_str().to_string(),
                rule: m.rule.to_string(),
                node: Some(node.key.id()),
                node_name: (node.name != text && node.key.node_type.is_entity()).then(|| node.name.clone()),
                value: node.value.as_ref().map(|v| v.to_string()),
            };
            if node.key.node_type.is_value() {
                value_mentions.push(km);
            } else {
                entity_mentions.push(km);
            }
        }
    }
    for c in kept.iter().filter(|c| c.tag == Tag::Title) {
        if !entity_mentions.iter().any(|m| m.span.overlaps(c.span)) {
            entity_mentions.push(KeptMention {
                span: c.span,
                text: doc.slice(c.span),
                kind: "Title".to_string(),
                rule: c.rule.to_string(),
                node: None,
                node_name: None,
                value: None,
            });
        }
    }
    entity_mentions.sort_by_key(|m| (m.span.start, m.span.end));
    value_mentions.sort_by_key(|m| (m.span.start, m.span.end));

    // Kept candidates as mentions, for the "lost to" column.
    let as_kept = |c: &Candidate| -> KeptMention {
        entity_mentions
            .iter()
            .chain(&value_mentions)
            .find(|m| m.span == c.span)
            .cloned()
            .unwrap_or_else(|| KeptMention {
                span: c.span,
                text: doc.slice(c.span),
                kind: kind_of(c.tag),
                rule: c.rule.to_string(),
                node: None,
                node_name: None,
                value: None,
            })
    };
    let mut lost: Vec<LostCandidate> = Vec::new();
    for c in candidates {
        if kept.contains(c) || lost.iter().any(|l| l.span == c.span && l.rule == *c.rule && l.kind == kind_of(c.tag)) {
            continue;
        }
        // The winner: the kept candidate that overlaps it most.
        let Some(winner) = kept
            .iter()
            .filter(|k| k.span.overlaps(c.span))
            .max_by_key(|k| (k.span.end.min(c.span.end) - k.span.start.max(c.span.start), std::cmp::Reverse(k.span.start)))
        else {
            continue;
        };
        let reason = if winner.priority / PRIORITY_PER_LAYER > c.priority / PRIORITY_PER_LAYER {
            "user layer"
        } else if winner.span.len() > c.span.len() {
            "longer"
        } else if winner.priority > c.priority {
            "higher priority"
        } else if winner.span == c.span && winner.entry.is_some() && c.entry.is_some() {
            "same text, earlier gazetteer line"
        } else if winner.span == c.span {
            "same span and priority (first rule id wins)"
        } else {
            "earlier"
        };
        lost.push(LostCandidate {
            span: c.span,
            text: doc.slice(c.span),
            kind: kind_of(c.tag),
            rule: c.rule.to_string(),
            priority: c.priority,
            beaten_by: as_kept(winner),
            reason: reason.to_string(),
        });
    }
    lost.sort_by(|a, b| (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule)));

    let name_of = |key: &crate::model::NodeKey| -> String {
        doc.nodes.iter().find(|n| &n.key == key).map_or_else(|| key.key.clone(), |n| n.name.clone())
    };
    let in_span = |outer: Span, inner: Span| outer.start <= inner.start && inner.start < outer.end.max(outer.start + 1);
    doc.sentences
        .iter()
        .enumerate()
        .map(|(i, s)| SentenceExplanation {
            number: i + 1,
            span: s.span,
            text: doc.slice(s.span),
            mentions: entity_mentions.iter().filter(|m| in_span(s.span, m.span)).cloned().collect(),
            values: value_mentions.iter().filter(|m| in_span(s.span, m.span)).cloned().collect(),
            facts: doc
                .facts
                .iter()
                .filter(|f| f.evidence.sentence == i)
                .map(|f| ExplainedFact {
                    subject: name_of(&f.subject),
                    predicate: f.predicate.as_str().to_string(),
                    object: match &f.object {
                        Object::Node(k) => name_of(k),
                        Object::Quote { text, .. } => format!("“{}”", shorten(text, 30)),
                    },
                    qualifiers: f.qualifiers.clone(),
                    rule: f.rule.to_string(),
                })
                .collect(),
            lost: lost.iter().filter(|l| in_span(s.span, l.span)).cloned().collect(),
        })
        .collect()
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).chain(['…']).collect()
    }
}

/// ANSI colour of a mention kind.
fn colour(kind: &str) -> &'static str {
    match NodeType::parse(kind) {
        Some(NodeType::Person) => "1;31",
        Some(NodeType::Organization) => "1;34",
        Some(NodeType::Place) => "1;32",
        Some(NodeType::Event) => "1;35",
        Some(NodeType::Work) => "1;33",
        Some(t) if t.is_value() => "36",
        _ => "2;37",
    }
}

fn paint(s: &str, kind: &str, color: bool) -> String {
    if color {
        format!("\x1b[{}m{s}\x1b[0m", colour(kind))
    } else {
        s.to_string()
    }
}

/// Display width: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// The sentence with its kept mentions highlighted (when `color`).
fn highlight(s: &SentenceExplanation, color: bool) -> String {
    let text = s.text.trim_end();
    if !color {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut marks: Vec<&KeptMention> = s.mentions.iter().chain(&s.values).collect();
    marks.sort_by_key(|m| m.span.start);
    let mut out = String::new();
    let mut at = 0;
    for m in marks {
        let (start, end) = (m.span.start - s.span.start, (m.span.end - s.span.start).min(chars.len()));
        if start < at || start >= end {
            continue;
        }
        out.extend(&chars[at..start]);
        out.push_str(&paint(&chars[start..end].iter().collect::<String>(), &m.kind, true));
        at = end;
    }
    out.extend(chars.get(at..).unwrap_or(&[]));
    out
}

/// Render explanations as text: the sentence, then `mentions`, `values`,
/// `facts` and `lost` sections (empty sections left out).
pub fn render(sentences: &[SentenceExplanation], color: bool) -> String {
    let mut out = String::new();
    for s in sentences {
        let _ = writeln!(out, "[{}] {}", s.number, highlight(s, color).trim_start());
        let text_w = s.mentions.iter().chain(&s.values).map(|m| width(&m.text)).chain(s.lost.iter().map(|l| width(&l.text))).max().unwrap_or(0);
        let line = |m: &KeptMention| -> String {
            let mut l = format!(
                "    {}{} {} {:>9}  {}",
                paint(&m.text, &m.kind, color),
                " ".repeat(text_w.saturating_sub(width(&m.text))),
                pad(&m.kind, 12),
                format!("{}..{}", m.span.start, m.span.end),
                m.rule
            );
            if let Some(name) = &m.node_name {
                let _ = write!(l, "  → {name}");
            }
            l
        };
        if !s.mentions.is_empty() {
            out.push_str("  mentions:\n");
            for m in &s.mentions {
                let _ = writeln!(out, "{}", line(m));
            }
        }
        if !s.values.is_empty() {
            out.push_str("  values:\n");
            for m in &s.values {
                let _ = writeln!(out, "{}  = {}", line(m), m.value.as_deref().unwrap_or("?"));
            }
        }
        if !s.facts.is_empty() {
            out.push_str("  facts:\n");
            for f in &s.facts {
                let q: Vec<String> = f.qualifiers.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let q = if q.is_empty() { String::new() } else { format!("  [{}]", q.join(", ")) };
                let _ = writeln!(out, "    {} —{}→ {}{q}  {}", f.subject, f.predicate, f.object, f.rule);
            }
        }
        if !s.lost.is_empty() {
            out.push_str("  lost:\n");
            for l in &s.lost {
                let b = &l.beaten_by;
                let _ = writeln!(
                    out,
                    "    {} {} {:>9}  {}  lost to {} ({}, {}): {}",
                    pad(&l.text, text_w),
                    pad(&l.kind, 12),
                    format!("{}..{}", l.span.start, l.span.end),
                    l.rule,
                    paint(&b.text, &b.kind, color),
                    b.kind,
                    b.rule,
                    l.reason
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_counts_cjk_as_two() {
        assert_eq!(width("王坚ab"), 6);
        assert_eq!(pad("王", 4), "王  ");
    }

    #[test]
    fn a_sentence_lists_kept_and_lost_mentions() {
        let rules = RuleSet::builtin().unwrap();
        let ex = explain(rules, "t", "浙江大学校长张三表示，合作很重要。");
        assert_eq!(ex.len(), 1);
        let s = &ex[0];
        assert!(s.mentions.iter().any(|m| m.text == "浙江大学" && m.kind == "Organization"), "{s:#?}");
        assert!(s.mentions.iter().any(|m| m.text == "张三" && m.kind == "Person"), "{s:#?}");
        let text = render(&ex, false);
        assert!(text.starts_with("[1] 浙江大学校长张三表示"), "{text}");
        assert!(!text.contains('\x1b'));
        assert!(render(&ex, true).contains("\x1b[1;31m张三\x1b[0m"));
    }
}
