//! Stage 5: relation patterns over entity-tagged sentences.
//!
//! Each sentence is rewritten with every mention as one tag character (see
//! `rules/pattern.rs`), and every relation rule's regex runs over it. A
//! match turns its subject and object slots into a [`Fact`] with the
//! sentence as evidence and the rule id as provenance. Where the rule names
//! no date, the nearest date before the subject in the same sentence becomes
//! the date qualifier, the way a reader dates a clause.
//!
//! Two document-level rules need no pattern: a place named in the gazetteer
//! is `locatedIn` its nearest ancestor that the document also mentions, and
//! an organization whose name starts with a mentioned place (杭州市政府) is
//! `locatedIn` that place.

use crate::model::{Evidence, Fact, NodeKey, NodeType, Object, Predicate, Span};
use crate::resolve::{Resolved, TaggedMention};
use crate::rules::{RuleSet, SlotSource, Tag};
use crate::value::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A sentence with its mentions replaced by tag characters.
pub struct TaggedSentence<'a> {
    pub text: String,
    /// Byte offset in `text` → mention, for each tag character.
    pub slots: HashMap<usize, &'a TaggedMention>,
}

/// Build the tagged form of one sentence. `chars` are the folded characters
/// of the document; mentions must be sorted by start.
pub fn tag_sentence<'a>(chars: &[char], sentence: Span, mentions: &'a [TaggedMention]) -> TaggedSentence<'a> {
    let first = mentions.partition_point(|m| m.span.start < sentence.start);
    let mut text = String::with_capacity(sentence.len() * 3);
    let mut slots = HashMap::new();
    let mut i = sentence.start;
    let mut k = first;
    while i < sentence.end {
        while k < mentions.len() && mentions[k].span.start < i {
            k += 1;
        }
        if k < mentions.len() && mentions[k].span.start == i && mentions[k].span.end <= sentence.end {
            let m = &mentions[k];
            slots.insert(text.len(), m);
            text.push(m.tag.symbol());
            i = m.span.end;
            k += 1;
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    TaggedSentence { text, slots }
}

pub fn match_relations(
    chars: &[char],
    sentences: &[Span],
    original_sentence: &dyn Fn(Span) -> String,
    resolved: &Resolved,
    rules: &RuleSet,
) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut seen: HashSet<(NodeKey, Predicate, Object)> = HashSet::new();
    for (si, &sentence) in sentences.iter().enumerate() {
        let tagged = tag_sentence(chars, sentence, &resolved.mentions);
        if tagged.slots.is_empty() {
            continue;
        }
        let evidence = || Evidence { sentence: si, span: sentence, text: original_sentence(sentence) };
        for rule in &rules.relations {
            if rule.unless.iter().any(|u| u.is_match(&tagged.text)) {
                continue;
            }
            for caps in rule.regex.captures_iter(&tagged.text) {
                let slot = |name: &str| caps.name(name).and_then(|m| tagged.slots.get(&m.start()).copied());
                let filtered_out = rule.filters.iter().any(|(name, re)| slot(name).is_some_and(|m| !re.is_match(&m.folded)));
                if filtered_out {
                    continue;
                }
                let (Some(s), Some(o)) = (slot(&rule.subject), slot(&rule.object)) else { continue };
                let mut qualifiers = BTreeMap::new();
                for (name, source) in &rule.qualifiers {
                    let text = match source {
                        SlotSource::Slot(slot_name) => slot(slot_name).map(|m| qualifier_text(m, resolved)),
                        SlotSource::Group(group) => caps.name(group).map(|g| strip_tags(g.as_str())),
                    };
                    if let Some(t) = text.filter(|t| !t.is_empty()) {
                        qualifiers.insert(name.clone(), t);
                    }
                }
                if rule.predicate != Predicate::Said && !qualifiers.contains_key("date") {
                    if let Some(date) = nearest_date(&tagged, s.span.start, resolved) {
                        qualifiers.insert("date".to_string(), date);
                    }
                }
                let subjects = expand(&tagged, caps.name(&rule.subject).map(|m| m.start()), rule.enumerate.contains(&rule.subject), s);
                let objects = expand(&tagged, caps.name(&rule.object).map(|m| m.start()), rule.enumerate.contains(&rule.object), o);
                for s in &subjects {
                    for o in &objects {
                        let Some(subject) = s.node.map(|n| resolved.nodes[n].key.clone()) else { continue };
                        let object = match o.node {
                            Some(n) => Object::Node(resolved.nodes[n].key.clone()),
                            None if o.tag == Tag::Node(NodeType::Quotation) => {
                                Object::Quote { text: original_sentence(o.span), span: o.span }
                            }
                            None => continue,
                        };
                        if Object::Node(subject.clone()) == object {
                            continue;
                        }
                        if !seen.insert((subject.clone(), rule.predicate, object.clone())) {
                            continue;
                        }
                        facts.push(Fact {
                            subject,
                            predicate: rule.predicate,
                            object,
                            qualifiers: qualifiers.clone(),
                            evidence: evidence(),
                            rule: rule.id.clone(),
                        });
                    }
                }
            }
        }
    }
    facts.extend(location_facts(sentences, original_sentence, resolved, &mut seen));
    facts
}

/// The mention in a slot, and with `enumerate` every mention of the same
/// tag listed with it (X、Y和Z等).
fn expand<'a>(tagged: &TaggedSentence<'a>, at: Option<usize>, enumerate: bool, first: &'a TaggedMention) -> Vec<&'a TaggedMention> {
    let mut out = vec![first];
    let (Some(at), true) = (at, enumerate) else { return out };
    let symbol = first.tag.symbol();
    let text = &tagged.text;
    let is_separator = |s: &str| ["、", "和", "与", "及", "以及", ",", "，", "跟"].iter().find(|p| s.starts_with(**p)).map(|p| p.len());
    // Forward: slot, separator, same tag, ...
    let mut pos = at + symbol.len_utf8();
    while let Some(sep) = is_separator(&text[pos..]) {
        let next = pos + sep;
        if !text[next..].starts_with(symbol) {
            break;
        }
        if let Some(m) = tagged.slots.get(&next) {
            out.push(m);
        }
        pos = next + symbol.len_utf8();
    }
    // Backward: ..., same tag, separator, slot.
    let mut pos = at;
    loop {
        let before = &text[..pos];
        let Some(sep) = ["、", "和", "与", "及", "以及", "跟"].iter().find(|p| before.ends_with(**p)) else { break };
        let prev_end = pos - sep.len();
        if !text[..prev_end].ends_with(symbol) {
            break;
        }
        let prev = prev_end - symbol.len_utf8();
        if let Some(m) = tagged.slots.get(&prev) {
            out.push(m);
        }
        pos = prev;
    }
    out
}

/// Title text, or the ISO form of a date, or the words of anything else.
fn qualifier_text(m: &TaggedMention, resolved: &Resolved) -> String {
    match m.node.and_then(|n| resolved.nodes[n].value.as_ref()) {
        Some(Value::Date(d)) => d.iso.clone(),
        Some(v) => v.canonical(),
        None => m.folded.clone(),
    }
}

fn strip_tags(s: &str) -> String {
    s.chars().filter(|c| !(0xE000..0xF900).contains(&(*c as u32))).collect()
}

fn nearest_date(tagged: &TaggedSentence, before: usize, resolved: &Resolved) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for m in tagged.slots.values() {
        if m.tag != Tag::Node(NodeType::Date) {
            continue;
        }
        let Some(Value::Date(d)) = m.node.and_then(|n| resolved.nodes[n].value.as_ref()) else { continue };
        let distance = if m.span.start <= before { before - m.span.start } else { 10_000 + m.span.start - before };
        if best.as_ref().is_none_or(|(b, _)| distance < *b) {
            best = Some((distance, d.iso.clone()));
        }
    }
    best.map(|(_, iso)| iso)
}

fn location_facts(
    sentences: &[Span],
    original_sentence: &dyn Fn(Span) -> String,
    resolved: &Resolved,
    seen: &mut HashSet<(NodeKey, Predicate, Object)>,
) -> Vec<Fact> {
    let mut facts = Vec::new();
    let places: HashMap<&str, usize> = resolved
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.key.node_type == NodeType::Place)
        .map(|(i, n)| (n.key.key.as_str(), i))
        .collect();
    let evidence_of = |node: usize| {
        let m = &resolved.nodes[node].mentions[0];
        let span = sentences.get(m.sentence).copied().unwrap_or(m.span);
        Evidence { sentence: m.sentence, span, text: original_sentence(span) }
    };
    // Gazetteer hierarchy: nearest mentioned ancestor.
    let mut children: Vec<&usize> = resolved.parents.keys().collect();
    children.sort();
    for &child in children {
        let mut parent = resolved.parents.get(&child).cloned();
        let mut hops = 0;
        while let Some(p) = parent {
            if let Some(&target) = places.get(p.as_str()) {
                let fact = Fact {
                    subject: resolved.nodes[child].key.clone(),
                    predicate: Predicate::LocatedIn,
                    object: Object::Node(resolved.nodes[target].key.clone()),
                    qualifiers: BTreeMap::new(),
                    evidence: evidence_of(child),
                    rule: "gazetteers/place/parent".to_string(),
                };
                if seen.insert((fact.subject.clone(), fact.predicate, fact.object.clone())) {
                    facts.push(fact);
                }
                break;
            }
            hops += 1;
            if hops > 8 {
                break;
            }
            parent = resolved.parents.iter().find(|(&i, _)| resolved.nodes[i].key.key == p).map(|(_, q)| q.clone());
        }
    }
    // Name composition: 杭州市政府 → 杭州 (its leading place mention).
    for (i, node) in resolved.nodes.iter().enumerate() {
        if !matches!(node.key.node_type, NodeType::Organization | NodeType::Place | NodeType::Event) {
            continue;
        }
        let key = &node.key.key;
        let best = places
            .iter()
            .filter(|(name, &p)| p != i && key.starts_with(*name) && key.len() > name.len())
            .max_by_key(|(name, _)| name.len());
        if let Some((_, &p)) = best {
            let fact = Fact {
                subject: node.key.clone(),
                predicate: Predicate::LocatedIn,
                object: Object::Node(resolved.nodes[p].key.clone()),
                qualifiers: BTreeMap::new(),
                evidence: evidence_of(i),
                rule: "relations/name-prefix-place".to_string(),
            };
            if seen.insert((fact.subject.clone(), fact.predicate, fact.object.clone())) {
                facts.push(fact);
            }
        }
    }
    facts
}
