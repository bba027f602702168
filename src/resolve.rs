//! Stage 4: turn mentions into the entities and values of one document.
//!
//! * Every entity mention gets a node key: the gazetteer's canonical name,
//!   or its own folded text, so traditional and simplified spellings are one
//!   node.
//! * Short forms found later in the document join their full form: the stem
//!   of a suffix name (数梦 → 数梦工场, 银杏谷 → 银杏谷资本), a surname with
//!   a title (章区长 → 章根明), a bare given name (向明 → 陈向明), a title
//!   with the name in brackets (博士(王坚) → 王坚), and a bare organization
//!   or place suffix standing for the last name with that suffix (管委会).
//! * Dates are resolved in reading order: 那年 and a bare month take the
//!   nearest explicit year before them, 今年 the document's latest year.
//!
//! The result also lists every tagged mention (with titles and quotations)
//! in position order, which is what the relation stage matches against.

use crate::chars::CharFilter;
use crate::mention::{Candidate, ParsedValue};
use crate::model::{Mention, Node, NodeKey, NodeType, RuleId, SmallList, Span};
use crate::normalize::{CharIndex, Folded};
use crate::rules::{DictKind, RuleSet, Tag};
use crate::value::{DateContext, Value};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;
use key_index::KeyIndex;
use scratch::Scratch;
use stops::{starts_with_text, TextsBySlot};

mod key_index;
mod scratch;
mod stops;

/// A mention as the relation stage sees it.
///
/// Held in 32 bytes instead of 56: a document's list of them is written
/// into fresh memory, sorted and read once per sentence, so its size is
/// paid in cache misses. Offsets and node index are `u32` (a document has
/// fewer than 2^32 characters, and so fewer nodes); read them through
/// [`TaggedMention::span`] and [`TaggedMention::node`].
#[derive(Clone, Debug)]
pub struct TaggedMention {
    start: u32,
    end: u32,
    /// Index into [`Resolved::nodes`] for entities and values, or
    /// [`TaggedMention::NO_NODE`].
    node: u32,
    pub tag: Tag,
    pub rule: RuleId,
}

impl TaggedMention {
    /// The `node` of a mention that names no node (titles, quotations).
    const NO_NODE: u32 = u32::MAX;

    pub fn new(span: Span, tag: Tag, node: Option<usize>, rule: RuleId) -> TaggedMention {
        let compact = |at: usize| u32::try_from(at).expect("a document of fewer than 2^32 characters");
        let node = node.map_or(TaggedMention::NO_NODE, |n| {
            u32::try_from(n).ok().filter(|&n| n != TaggedMention::NO_NODE).expect("fewer than 2^32 - 1 nodes in a document")
        });
        TaggedMention { start: compact(span.start), end: compact(span.end), node, tag, rule }
    }

    /// The mention's characters in the document.
    pub fn span(&self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }

    /// Index into [`Resolved::nodes`] for entities and values.
    pub fn node(&self) -> Option<usize> {
        (self.node != TaggedMention::NO_NODE).then_some(self.node as usize)
    }

    /// The folded text of the mention (titles, quotations), borrowed from
    /// the document's folded text: most mentions never need it, so none
    /// carries a String of its own.
    pub fn folded<'f>(&self, folded: &'f Folded) -> &'f str {
        folded.slice(self.start as usize, self.end as usize)
    }
}

#[derive(Debug, Default)]
pub struct Resolved {
    pub nodes: Vec<Node>,
    pub mentions: Vec<TaggedMention>,
    /// Containing place of a node, from the gazetteer (node index → key).
    /// (Probed, and iterated only after sorting or to find a unique
    /// node: FxHash.)
    pub parents: FxHashMap<usize, String>,
}

/// Everything the resolver reads about the document.
pub struct DocumentText<'a> {
    pub original: &'a str,
    pub index: &'a CharIndex,
    /// The folded text, whose characters `chars` are.
    pub folded: &'a Folded,
    /// Folded characters.
    pub chars: &'a [char],
    pub sentences: &'a [Span],
    pub quotes: &'a [Span],
}

impl<'a> DocumentText<'a> {
    /// The folded text of a span, borrowed: most folded texts are only
    /// compared or looked up, so they need no String of their own.
    fn folded_of(&self, span: Span) -> &'a str {
        self.folded.slice(span.start, span.end)
    }
}

/// A node key borrowed from the document's folded text or the gazetteer:
/// the persons, short forms and suffixes a document's references may stand
/// for are looked up, never kept, so none is copied into a [`NodeKey`].
/// (Ordered as a `NodeKey`: by type, then key.)
type KeyRef<'a> = (NodeType, &'a str);

pub fn resolve(doc: &DocumentText, candidates: &[Candidate], rules: &RuleSet) -> Resolved {
    // Sized for the candidates up front: the tables would otherwise grow
    // (and rehash) several times per document.
    // (In this thread's tables of the document before: see `scratch.rs`.)
    let mut scratch = Scratch::take();
    let mut builder = NodeBuilder::reusing(candidates.len(), &mut scratch);
    // Room for every candidate and quotation, and for the references and
    // pronouns found later, about as many as the stops (one in sixteen
    // characters): more only grow the vector once. (Reserving room for
    // every stop where the stops are found moved the mentions made by then
    // into a new vector in most documents, for the few references found.)
    let mut tagged: Vec<TaggedMention> = Vec::with_capacity(candidates.len() + doc.quotes.len() + doc.chars.len() / 16);
    let sentence_finder = SentenceFinder::new(doc.sentences);
    let sentence_of = |pos: usize| sentence_finder.of(pos);
    let folded_of = |span: Span| doc.folded_of(span);
    let mention_at = |span: Span| MentionAt { span, bytes: doc.index.bytes(span.start, span.end), sentence: sentence_of(span.start) };

    // A gazetteer name may name several places (西湖区 of 杭州 and of 南昌):
    // take the one whose parent the document also mentions.
    let mentioned_places: FxHashSet<&str> = collect_counted_set(
        candidates
            .iter()
            .filter_map(|c| c.entry)
            .map(|e| rules.dictionary.entry(e))
            .filter(|e| e.kind == DictKind::Entity(NodeType::Place))
            .map(|e| e.key.as_str()),
    );
    // About one place node with a parent per place mentioned: room for
    // them up front, where the map grew from empty a few times per
    // document.
    builder.parents.reserve(mentioned_places.len());
    let choose_entry = |c: &Candidate, folded: &str| -> Option<u32> {
        let first = c.entry?;
        // (No place mentioned, no parent mentioned: the first entry it is,
        // without looking the other entries up.)
        if mentioned_places.is_empty() {
            return Some(first);
        }
        // (Nearly every spelling names one entry: that one it is, without
        // the hash probe.)
        if rules.dictionary.spells_only(first, folded) {
            return Some(first);
        }
        let kind = rules.dictionary.entry(first).kind;
        let better = rules.dictionary.lookup(folded).iter().copied().find(|&e| {
            let e = rules.dictionary.entry(e);
            e.kind == kind && e.parent.as_deref().is_some_and(|p| mentioned_places.contains(p))
        });
        Some(better.unwrap_or(first))
    };
    // A name that is a known place plus a name of its own (杭州云计算产业园)
    // is what the rest alone (云计算产业园) stands for later on.
    // (A place's spellings as two passes, whose lengths are bounded, so
    // a set of them is sized without counting them.)
    // (The folded text of each entity candidate, "" for the others, sliced
    // once: the longer forms and the full-form pass below both read it,
    // where each sliced the text again.)
    let entity_folded: Vec<&str> = candidates
        .iter()
        .map(|c| match c.tag {
            Tag::Node(t) if t.is_entity() => folded_of(c.span),
            _ => "",
        })
        .collect();
    let places = candidates.iter().zip(&entity_folded).filter(|(c, _)| c.tag == Tag::Node(NodeType::Place));
    let place_spellings = places
        .clone()
        .map(|(_, &folded)| folded)
        .chain(places.filter_map(|(c, _)| c.entry).map(|e| rules.dictionary.entry(e).key.as_str()));
    let plain_keys = candidates.iter().zip(&entity_folded).filter_map(|(c, &folded)| match c.tag {
        Tag::Node(t) if t.is_entity() && c.entry.is_none() => Some((t, folded)),
        _ => None,
    });
    // (Probed per entity mention, never iterated: FxHash.)
    let longer_form = longer_forms(plain_keys, place_spellings);

    // Full-form entities first, in reading order.
    let mut covered = Coverage::reusing(std::mem::take(&mut scratch.coverage), doc.chars.len());
    for c in candidates {
        covered.mark(c.span);
    }
    // Spans of titles that became part of a person reference (章区长).
    // (Position indexes probed per character: FxHash, never iterated.)
    let mut absorbed_titles: FxHashSet<Span> = FxHashSet::default();
    // (Sized for every candidate: growing from empty, each was
    // reallocated several times per document.)
    let mut short_forms: Vec<(&str, KeyRef)> = Vec::with_capacity(candidates.len());
    let mut by_suffix: Vec<(usize, &str, KeyRef)> = Vec::with_capacity(candidates.len());
    let mut persons: Vec<(KeyRef, &str)> = Vec::with_capacity(candidates.len());
    // The values, and the latest year a date names, for the value pass
    // below: gathered here, where the candidates are read anyway, instead
    // of in two more passes over all of them.
    let mut values: Vec<(&Candidate, &ParsedValue)> = Vec::new();
    let mut document_year: Option<i32> = None;
    for (c, &folded) in candidates.iter().zip(&entity_folded) {
        if let Some(parsed) = c.value.as_deref() {
            if let ParsedValue::Date(d) = parsed {
                document_year = document_year.max(d.explicit_year());
            }
            values.push((c, parsed));
        }
        let Tag::Node(ty) = c.tag else {
            if c.tag == Tag::Title {
                tagged.push(TaggedMention::new(c.span, c.tag, None, c.rule.clone()));
            }
            continue;
        };
        if !ty.is_entity() {
            continue;
        }
        let entry = choose_entry(c, folded).map(|e| rules.dictionary.entry(e));
        let mut key = entry.map_or(folded, |e| e.key.as_str());
        if let Some(longer) = longer_form.get(&(ty, key)) {
            key = longer;
        }
        let at = mention_at(c.span);
        let node = builder.add((ty, key), Spelling { written: &doc.original[at.bytes.clone()], folded }, at, &c.rule, true);
        if let Some(e) = entry {
            builder.add_listed(node, &e.spellings);
            if let (Some(parent), DictKind::Entity(NodeType::Place)) = (&e.parent, e.kind) {
                builder.set_parent(node, parent);
            }
        }
        if ty == NodeType::Person {
            persons.push(((ty, key), folded));
        }
        tagged.push(TaggedMention::new(c.span, c.tag, Some(node), c.rule.clone()));
        if let Some(s) = c.suffix_start {
            let s = s as usize;
            let (stem_span, suffix_span) = (Span::new(c.span.start, s), Span::new(s, c.span.end));
            let stem = folded_of(stem_span);
            let suffix = folded_of(suffix_span);
            // (Lengths in characters are the spans': the folded text has
            // a character per character.)
            if stem_span.len() >= 2 && rules.dictionary.lookup(stem).is_empty() && rules.lexicon.get(stem).is_none() {
                short_forms.push((stem, (ty, key)));
            }
            if suffix_span.len() >= 2 {
                by_suffix.push((c.span.start, suffix, (ty, key)));
            }
        }
    }

    let mut add_reference = |span: Span, (node_type, key): KeyRef, rule: &'static str, tagged: &mut Vec<TaggedMention>, covered: &mut Coverage| {
        if covered.any(span) {
            return;
        }
        let at = mention_at(span);
        let rule = RuleId::Literal(rule);
        let spelling = Spelling { written: &doc.original[at.bytes.clone()], folded: folded_of(span) };
        let node = builder.add((node_type, key), spelling, at, &rule, false);
        tagged.push(TaggedMention::new(span, Tag::Node(node_type), Some(node), rule));
        covered.mark(span);
    };
    let title_len_at: FxHashMap<usize, usize> =
        collect_counted(candidates.iter().filter(|c| c.tag == Tag::Title).map(|c| (c.span.start, c.span.len())));
    // (Made when first asked for: few documents have a title before a
    // bracket.)
    let mut person_at: Option<FxHashMap<usize, &Candidate>> = None;

    // Title with the name in brackets: 博士(王坚).
    for c in candidates.iter().filter(|c| c.tag == Tag::Title) {
        let open = c.span.end;
        if matches!(doc.chars.get(open), Some('(' | '（')) {
            let person_at = person_at.get_or_insert_with(|| {
                collect_counted(candidates.iter().filter(|c| c.tag == Tag::Node(NodeType::Person)).map(|c| (c.span.start, c)))
            });
            if let Some(p) = person_at.get(&(open + 1)) {
                if matches!(doc.chars.get(p.span.end), Some(')' | '）')) {
                    absorbed_titles.insert(c.span);
                    covered.unmark(c.span);
                    add_reference(c.span, (NodeType::Person, folded_of(p.span)), "resolve/title-bracket-name", &mut tagged, &mut covered);
                }
            }
        }
    }

    let sole_persons = persons_by_sole_surname(&persons);
    // Bare given names (向明 → 陈向明) and stems of suffix names (数梦).
    let mut references: Vec<(&str, KeyRef, &'static str)> = Vec::with_capacity(persons.len() + short_forms.len());
    for &(key, name) in &persons {
        let mut after_surname = name.chars();
        after_surname.next();
        let given = after_surname.as_str();
        if is_two_characters(given) && rules.lexicon.get(given).is_none() {
            references.push((given, key, "resolve/given-name"));
        }
    }
    for &(stem, key) in &short_forms {
        references.push((stem, key, "resolve/short-form"));
    }
    // Ambiguous short forms (two names share a stem) are left alone.
    // (Sized for every reference: grown from empty, the map was rehashed
    // a few times per document.)
    let mut seen: FxHashMap<&str, usize> = FxHashMap::with_capacity_and_hasher(references.len(), Default::default());
    for &(text, _, _) in &references {
        *seen.entry(text).or_default() += 1;
    }
    references.retain(|(t, _, _)| seen[t] == 1);
    by_suffix.sort_by_key(|(start, _, _)| *start);
    // (Sorted and without repeats, as a set's: sorted in place, a set
    // built and read back cost more.)
    let mut suffixes: Vec<&str> = by_suffix.iter().map(|&(_, s, _)| s).collect();
    suffixes.sort_unstable();
    suffixes.dedup();
    // The passes below stop only where a sole surname, the first character
    // of a reference or suffix, or a pronoun is (`resolve/stops.rs`).
    let stop_chars = scratch.stop_chars.take().unwrap_or_default().refilled(
        sole_persons
            .iter()
            .map(|&(surname, _)| surname)
            .chain(references.iter().map(|&(text, _, _)| text).chain(suffixes.iter().copied()).filter_map(|t| t.chars().next()))
            .chain(PRONOUNS),
    );
    let stops = stop_chars.stops_in(std::mem::take(&mut scratch.stops), doc.chars);
    let mut person_of_surname: Vec<Option<KeyRef>> = vec![None; stop_chars.len()];
    for &(surname, key) in &sole_persons {
        if let Some(slot) = stop_chars.slot(surname) {
            person_of_surname[slot] = Some(key);
        }
    }

    // Surname + title (章区长, 孙老先生, 马总) → the person with that surname.
    let reference_titles = rules.lists.list("reference_titles");
    for stop in &stops {
        let (i, Some(key)) = (stop.at, person_of_surname[stop.slot]) else { continue };
        let title_len = title_len_at
            .get(&(i + 1))
            .copied()
            .or_else(|| longest_prefix(&doc.chars[i + 1..], reference_titles));
        let Some(title_len) = title_len else { continue };
        let span = Span::new(i, i + 1 + title_len);
        let title = Span::new(i + 1, i + 1 + title_len);
        let title_is_candidate = title_len_at.get(&(i + 1)) == Some(&title_len);
        if title_is_candidate {
            covered.unmark(title);
        }
        if covered.any(span) {
            if title_is_candidate {
                covered.mark(title);
            }
            continue;
        }
        if title_is_candidate {
            absorbed_titles.insert(title);
        }
        add_reference(span, key, "resolve/surname-title", &mut tagged, &mut covered);
    }

    // All references in one pass over the text.
    let reference_texts = TextsBySlot::new(&stop_chars, references.iter().map(|&(text, _, _)| text));
    for (at, end, r) in reference_texts.leftmost_longest(doc.chars, &stops) {
        let (_, key, rule) = references[r];
        add_reference(Span::new(at, end), key, rule, &mut tagged, &mut covered);
    }

    // A bare suffix (管委会, 联盟) stands for the last name with it.
    // Suffix by suffix in sorted order, then by position, as the coverage
    // each reference leaves decides the next.
    for (r, i, n) in TextsBySlot::new(&stop_chars, suffixes.iter().copied()).occurrences(doc.chars, &stops) {
        let suffix = suffixes[r];
        let antecedent = by_suffix.iter().rev().find(|&&(start, s, _)| s == suffix && start < i);
        if let Some(&(_, _, key)) = antecedent {
            add_reference(Span::new(i, i + n), key, "resolve/bare-suffix", &mut tagged, &mut covered);
        }
    }

    // Third-person pronouns stand for the nearest person before them in
    // the same or the previous sentence. They take part in relation
    // patterns (他第一次见到王坚) but are not mentions of the person.
    let person_mentions: Vec<(Span, usize)> = {
        let mut v: Vec<(Span, usize)> = tagged
            .iter()
            .filter(|t| t.tag == Tag::Node(NodeType::Person))
            .filter_map(|t| t.node().map(|n| (t.span(), n)))
            .collect();
        v.sort_by_key(|(s, _)| s.start);
        v
    };
    // (Pushed straight onto `tagged`: the loop reads only
    // `person_mentions`, made before it.)
    for i in stops.iter().map(|stop| stop.at) {
        let c = doc.chars[i];
        if !PRONOUNS.contains(&c) {
            continue;
        }
        let next = doc.chars.get(i + 1).copied().unwrap_or(' ');
        let prev = if i > 0 { doc.chars[i - 1] } else { ' ' };
        if is_plural_or_compound_after_pronoun(next) || is_compound_before_pronoun(prev) || covered.any(Span::new(i, i + 1)) {
            continue;
        }
        let here = sentence_of(i);
        let before = person_mentions.partition_point(|(span, _)| span.start < i);
        let antecedent = person_mentions[..before].iter().rev().find(|(span, _)| span.end <= i);
        if let Some(&(span, node)) = antecedent.filter(|(span, _)| here - sentence_of(span.start) <= 1) {
            let _ = span;
            tagged.push(TaggedMention::new(Span::new(i, i + 1), Tag::Node(NodeType::Person), Some(node), RuleId::Literal("resolve/pronoun")));
        }
    }

    // Values, with dates resolved in reading order.
    let mut previous_year: Option<i32> = None;
    let mut previous_month: Option<u32> = None;
    let mut previous_months: Option<(u32, u32)> = None;
    // The node key of a value, written into one buffer for all values.
    let mut value_key = String::new();
    for (c, parsed) in values {
        let value = match parsed {
            ParsedValue::Value(v) => v.clone(),
            ParsedValue::Date(expr) => {
                let ctx = DateContext { document_year, previous_year, previous_month, previous_months };
                // The year a date refers to carries forward to the next
                // 那年 or bare month, the way a reader keeps track.
                if let Some(y) = expr.year_in(&ctx) {
                    previous_year = Some(y);
                }
                if expr.month().is_some() {
                    previous_month = expr.month();
                }
                match expr.resolve(&ctx) {
                    Some(d) => {
                        if let Some(months) = months_of(&d.iso) {
                            previous_months = Some(months);
                        }
                        Value::Date(d)
                    }
                    None => continue,
                }
            }
        };
        let Tag::Node(ty) = c.tag else { continue };
        value_key.clear();
        value.write_canonical(&mut value_key);
        let at = mention_at(c.span);
        let spelling = Spelling { written: &doc.original[at.bytes.clone()], folded: folded_of(c.span) };
        let node = builder.add((ty, &value_key), spelling, at, &c.rule, true);
        builder.nodes[node].value = Some(value);
        tagged.push(TaggedMention::new(c.span, c.tag, Some(node), c.rule.clone()));
    }

    for q in doc.quotes {
        tagged.push(TaggedMention::new(*q, Tag::Node(NodeType::Quotation), None, RuleId::Literal("segment/quotation")));
    }
    if !absorbed_titles.is_empty() {
        tagged.retain(|t| !(t.tag == Tag::Title && absorbed_titles.contains(&t.span())));
    }
    tagged.sort_by_key(|t| (t.start, std::cmp::Reverse(t.end)));
    // An organization named after a known one (Intel创新实验室, 阿里云创新
    // 创业基地) brings its parent into the graph, named as written here,
    // so the relation stage can say partOf even when the parent is not
    // mentioned on its own.
    // (Nodes added here have no mentions, so the range is the nodes before.)
    for i in 0..builder.nodes.len() {
        let node = &builder.nodes[i];
        let Some(written) = node.mentions.first().map(|m| &doc.original[m.bytes.clone()]) else { continue };
        if node.key.node_type != NodeType::Organization {
            continue;
        }
        let longest_known = inner_prefixes(&node.key.key).find_map(|(prefix, n)| {
            let entry = rules.dictionary.lookup(prefix).iter().map(|&e| rules.dictionary.entry(e))
                .find(|e| e.kind == DictKind::Entity(NodeType::Organization));
            entry.map(|entry| (n, entry))
        });
        let Some((n, entry)) = longest_known else { continue };
        let parent = NodeKey::new(NodeType::Organization, entry.key.clone());
        if parent.key != node.key.key && builder.find(parent.node_type, &parent.key).is_none() {
            let name: String = written.chars().take(n).collect();
            let listed = SmallList::from_buf([entry.spellings.clone()]);
            let parent = builder.push(Node { key: parent, name: name.clone(), aliases: BTreeSet::new(), listed, value: None, mentions: SmallList::new() }, true);
            let folded = crate::normalize::fold(&name);
            builder.add_folded_form(parent, Spelling { written: &name, folded: &folded });
        }
    }
    let (nodes, parents) = builder.finish_into(&mut scratch);
    scratch.coverage = covered.count;
    scratch.stops = stops;
    scratch.stop_chars = Some(stop_chars);
    scratch.give_back();
    Resolved { nodes, mentions: tagged, parents }
}

/// The longer form each plain key (an entity key not from the gazetteer)
/// stands for: the key that is a place spelling followed by it, when only
/// one key is (云计算产业园 → 杭州云计算产业园). Only a rest of at least
/// three characters counts.
fn longer_forms<'a>(
    plain_keys: impl Iterator<Item = (NodeType, &'a str)> + Clone,
    place_spellings: impl Iterator<Item = &'a str> + Clone,
) -> FxHashMap<(NodeType, &'a str), &'a str> {
    let mut longer_form: FxHashMap<(NodeType, &str), &str> = FxHashMap::default();
    // Every prefix of a key but the empty one starts with the key's first
    // character: a key whose first character starts no place spelling has
    // none of them to probe.
    let mut place_first_chars = CharFilter::default();
    let mut empty_spelling = false;
    for place in place_spellings.clone() {
        match place.chars().next() {
            Some(first) => place_first_chars.insert(first),
            None => empty_spelling = true,
        }
    }
    // (Iterated, but only to fill longer_form and ambiguous, whose
    // contents do not depend on the order.)
    let plain_keys: FxHashSet<(NodeType, &str)> = collect_counted_set(plain_keys);
    // The spellings as a set, made when a key's rest is first found to be
    // a key too: in most documents no rest is, and a set of some sixty
    // spellings, hashed one by one, cost more than all the probes.
    let mut spelled_places: Option<FxHashSet<&str>> = None;
    let mut ambiguous: FxHashSet<(NodeType, &str)> = FxHashSet::default();
    for &(ty, key) in &plain_keys {
        // The place spellings a key starts with are among its prefixes: a
        // key has a few, the document may have hundreds of spellings. Only
        // prefixes that leave at least three characters count, so most
        // keys (a three-character person name) probe none.
        let may_start_with_place = key.chars().next().is_some_and(|c| place_first_chars.may_contain(c));
        // (Neither the empty spelling nor a place the key may start with:
        // no prefix is spelled, and the key need not even be counted.)
        if !empty_spelling && !may_start_with_place {
            continue;
        }
        let chars = key.chars().count();
        for (split, _) in key.char_indices().take(chars.saturating_sub(2)) {
            let (place, rest) = key.split_at(split);
            let slot = (ty, rest);
            if !plain_keys.contains(&slot) {
                continue;
            }
            let spelled = if split == 0 {
                empty_spelling
            } else {
                may_start_with_place && spelled_places.get_or_insert_with(|| collect_counted_set(place_spellings.clone())).contains(place)
            };
            if spelled && longer_form.insert(slot, key).is_some_and(|k| k != key) {
                ambiguous.insert(slot);
            }
        }
    }
    for a in ambiguous {
        longer_form.remove(&a);
    }
    longer_form
}

/// The prefixes of `key` from all but its last two characters down to two
/// characters, longest first, each with its length in characters. (Slices
/// of the key: nothing is collected per organization node.)
fn inner_prefixes(key: &str) -> impl Iterator<Item = (&str, usize)> {
    let lengths = (2..key.chars().count().saturating_sub(1)).rev();
    key.char_indices().rev().skip(1).map(|(end, _)| &key[..end]).zip(lengths)
}

/// The person each surname stands for, for the surnames that exactly one
/// person of the document has (in no particular order).
fn persons_by_sole_surname<'k>(persons: &[(KeyRef<'k>, &str)]) -> Vec<(char, KeyRef<'k>)> {
    // Per surname, the first person's key, and whether another person
    // has the surname too. (A set of keys per surname would cost an
    // allocation each, to be asked only whether it holds one key.)
    // (Sized for every person: grown from empty, the map was rehashed a
    // few times per document.)
    let mut by_surname: FxHashMap<char, (KeyRef<'k>, bool)> = FxHashMap::with_capacity_and_hasher(persons.len(), Default::default());
    for &(key, name) in persons {
        if let Some(first) = name.chars().next() {
            let (known, shared) = by_surname.entry(first).or_insert((key, false));
            *shared |= *known != key;
        }
    }
    by_surname.into_iter().filter(|(_, (_, shared))| !shared).map(|(surname, (key, _))| (surname, key)).collect()
}

/// Whether `text` is two characters long. (Stops at the third: counting
/// every character of a name cost a call per person.)
fn is_two_characters(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some() && chars.next().is_some() && chars.next().is_none()
}

/// Third-person pronouns, which may stand for a person mentioned before.
const PRONOUNS: [char; 2] = ['他', '她'];

/// A character after a pronoun that makes it plural or part of another
/// word (他们, 他人, 他乡, 他国, 他方, 他日, 他年). (A `match` on the
/// characters: searching a string of them for each pronoun cost a
/// substring search.)
fn is_plural_or_compound_after_pronoun(next: char) -> bool {
    matches!(next, '们' | '人' | '乡' | '国' | '方' | '日' | '年')
}

/// A character before a pronoun that makes it part of another word (其他,
/// 吉他, 利他, 无他, 排他).
fn is_compound_before_pronoun(prev: char) -> bool {
    matches!(prev, '其' | '吉' | '利' | '无' | '排')
}

/// The length in characters of the longest of `texts` that `chars` starts
/// with. (Compared in place: this runs per document, and only where a sole
/// surname is, so it is cheaper than turning every text into characters.)
fn longest_prefix(chars: &[char], texts: &[String]) -> Option<usize> {
    texts.iter().filter_map(|t| starts_with_text(chars, t)).max()
}

/// A map of `pairs`, sized up front so that it never grows (a filtered
/// iterator does not know its length, and the map would grow and rehash
/// as it fills). For maps that are probed, not iterated.
fn collect_counted<K: std::hash::Hash + Eq, V>(pairs: impl Iterator<Item = (K, V)> + Clone) -> FxHashMap<K, V> {
    let mut map = FxHashMap::with_capacity_and_hasher(room_for(&pairs), Default::default());
    map.extend(pairs);
    map
}

/// A set of `items`, sized up front, as [`collect_counted`].
fn collect_counted_set<T: std::hash::Hash + Eq>(items: impl Iterator<Item = T> + Clone) -> FxHashSet<T> {
    let mut set = FxHashSet::with_capacity_and_hasher(room_for(&items), Default::default());
    set.extend(items);
    set
}

/// Room for every item of `items`: the bound of its length when it knows
/// one (a filter of the candidates: at most one item per candidate), else
/// its count. (Counting walked the candidates once more, with the filter,
/// per table: more than the few empty slots of a table sized by the bound
/// cost to clear.)
fn room_for(items: &(impl Iterator + Clone)) -> usize {
    match items.size_hint() {
        (_, Some(bound)) => bound,
        (_, None) => items.clone().count(),
    }
}

/// A mention's text as written and folded. Folding works character by
/// character, so the folded document's slice of a span is the folding of
/// the original's: the folded form is at hand, and comparing the two tells
/// whether folding changes the text, without folding it again.
#[derive(Clone, Copy)]
struct Spelling<'a> {
    written: &'a str,
    folded: &'a str,
}

/// Where a mention is: its characters, the bytes of the original text they
/// are, and its sentence.
struct MentionAt {
    span: Span,
    bytes: Range<usize>,
    sentence: usize,
}

/// Collects mentions per node key; the name is the first full-form mention.
struct NodeBuilder {
    nodes: Vec<Node>,
    /// The nodes by the hash of their key. (A key is hashed as the
    /// borrowed type and text: neither a lookup nor a new node allocates a
    /// key for the index.)
    index: KeyIndex,
    has_full_form: Vec<bool>,
    parents: FxHashMap<usize, String>,
}

/// The hash a node key is indexed by.
fn key_hash(node_type: NodeType, key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    node_type.hash(&mut hasher);
    key.hash(&mut hasher);
    hasher.finish()
}

impl NodeBuilder {
    /// A builder with room for `mentions` mentions of as many nodes.
    #[cfg(test)]
    fn with_capacity(mentions: usize) -> NodeBuilder {
        NodeBuilder::reusing(mentions, &mut Scratch::default())
    }

    /// [`NodeBuilder::with_capacity`], its index and flags in the tables
    /// of `scratch` (given back by [`NodeBuilder::finish_into`]).
    fn reusing(mentions: usize, scratch: &mut Scratch) -> NodeBuilder {
        let mut has_full_form = std::mem::take(&mut scratch.has_full_form);
        has_full_form.clear();
        NodeBuilder {
            nodes: Vec::with_capacity(mentions),
            index: std::mem::take(&mut scratch.key_index).emptied(mentions),
            has_full_form,
            parents: FxHashMap::default(),
        }
    }

    /// The node with key `(node_type, key)`, if there is one.
    fn find(&self, node_type: NodeType, key: &str) -> Option<usize> {
        self.find_hashed(key_hash(node_type, key), node_type, key)
    }

    /// [`NodeBuilder::find`] with the key's hash at hand.
    fn find_hashed(&self, hash: u64, node_type: NodeType, key: &str) -> Option<usize> {
        self.index.find(hash, |i| {
            let known = &self.nodes[i].key;
            known.node_type == node_type && known.key == key
        })
    }

    /// Adds `node` (whose key no node has yet) and indexes it by its key.
    fn push(&mut self, node: Node, full_form: bool) -> usize {
        let hash = key_hash(node.key.node_type, &node.key.key);
        self.push_hashed(hash, node, full_form)
    }

    /// [`NodeBuilder::push`] with the key's hash at hand.
    fn push_hashed(&mut self, hash: u64, node: Node, full_form: bool) -> usize {
        let i = self.index.push(hash);
        debug_assert_eq!(i, self.nodes.len());
        self.nodes.push(node);
        self.has_full_form.push(full_form);
        i
    }

    /// Adds a mention of the node with key `(node_type, key)`.
    fn add(&mut self, (node_type, key): (NodeType, &str), spelling: Spelling, at: MentionAt, rule: &RuleId, full_form: bool) -> usize {
        let text = spelling.written;
        // Whether `text` is new among the node's name and aliases: an
        // entity then has its folded form as an alias too.
        let mut new_spelling = false;
        // (Hashed once for the lookup and, for a new key, the index.)
        let hash = key_hash(node_type, key);
        let i = match self.find_hashed(hash, node_type, key) {
            Some(i) => i,
            None => {
                new_spelling = true;
                // (The one mention most nodes of a document have is held
                // in place, as is the one gazetteer list of a listed node.)
                let node = Node { key: NodeKey::new(node_type, key), name: text.to_string(), aliases: BTreeSet::new(), listed: SmallList::new(), value: None, mentions: SmallList::new() };
                self.push_hashed(hash, node, full_form)
            }
        };
        let node = &mut self.nodes[i];
        if full_form && !self.has_full_form[i] {
            node.aliases.insert(std::mem::replace(&mut node.name, text.to_string()));
            self.has_full_form[i] = true;
            new_spelling = true;
        } else if text != node.name && !node.aliases.contains(text) {
            node.aliases.insert(text.to_string());
            new_spelling = true;
        }
        node.mentions.push(Mention { span: at.span, bytes: at.bytes, rule: rule.clone(), sentence: at.sentence });
        if new_spelling && !node_type.is_value() {
            self.add_folded_form(i, spelling);
        }
        i
    }

    /// The folded form of `spelling` (a name or alias of entity `node`) is
    /// an alias too, when folding changes it. (Each spelling joins the node
    /// with its folded form, a slice of the folded document; a gazetteer
    /// entry brings its names' folded forms along, folded once when the
    /// rules were compiled.)
    fn add_folded_form(&mut self, node: usize, spelling: Spelling) {
        if spelling.written != spelling.folded {
            self.nodes[node].aliases.insert(spelling.folded.to_string());
        }
    }

    /// The spellings of a gazetteer entry are aliases of node `node`:
    /// shared, not copied, and listed once however often the entry is
    /// mentioned. (The spellings come with their folded forms; a spelling
    /// that is the node's name is left out when the aliases are read.)
    fn add_listed(&mut self, node: usize, spellings: &Arc<[String]>) {
        let listed = &mut self.nodes[node].listed;
        if !listed.iter().any(|known| Arc::ptr_eq(known, spellings)) {
            listed.push(spellings.clone());
        }
    }

    /// The containing place of node `node` is `parent` (the latest entry
    /// read says so; compared first, as most mentions repeat it).
    fn set_parent(&mut self, node: usize, parent: &str) {
        match self.parents.get_mut(&node) {
            Some(known) if known == parent => {}
            Some(known) => parent.clone_into(known),
            None => {
                self.parents.insert(node, parent.to_string());
            }
        }
    }

    /// [`NodeBuilder::finish`], its tables given back to `scratch`.
    fn finish_into(mut self, scratch: &mut Scratch) -> (Vec<Node>, FxHashMap<usize, String>) {
        scratch.key_index = std::mem::take(&mut self.index);
        scratch.has_full_form = std::mem::take(&mut self.has_full_form);
        self.finish()
    }

    fn finish(mut self) -> (Vec<Node>, FxHashMap<usize, String>) {
        for node in &mut self.nodes {
            node.mentions.sort_by_key(|m| m.span);
            // (Most nodes have no alias: nothing to look up.)
            if !node.aliases.is_empty() {
                node.aliases.remove(&node.name);
            }
        }
        (self.nodes, self.parents)
    }
}

/// The first and last month of an ISO date or range within one year
/// (`2015-01/2015-09` → (1, 9), `2013-07-05` → (7, 7)).
fn months_of(iso: &str) -> Option<(u32, u32)> {
    let month = |part: &str| part.get(5..7).and_then(|m| m.parse::<u32>().ok());
    let (a, b) = iso.split_once('/').unwrap_or((iso, iso));
    if a.get(..4)? != b.get(..4)? {
        return None;
    }
    Some((month(a)?, month(b)?))
}

/// The sentence of a position: the first sentence that ends after it.
/// Each pass asks in reading order, so the answer is mostly the sentence
/// last found or one of the next few: it walks on from there, and searches
/// the whole list only for a position before that sentence.
struct SentenceFinder<'s> {
    sentences: &'s [Span],
    /// The last answer: every sentence before it ends at or before the
    /// position asked then.
    last: std::cell::Cell<usize>,
}

impl<'s> SentenceFinder<'s> {
    fn new(sentences: &'s [Span]) -> SentenceFinder<'s> {
        SentenceFinder { sentences, last: std::cell::Cell::new(0) }
    }

    /// What `sentences.partition_point(|s| s.end <= pos)` gives.
    fn of(&self, pos: usize) -> usize {
        let mut i = self.last.get();
        if i > 0 && self.sentences[i - 1].end > pos {
            i = self.sentences.partition_point(|s| s.end <= pos);
        } else {
            while self.sentences.get(i).is_some_and(|s| s.end <= pos) {
                i += 1;
            }
        }
        self.last.set(i);
        i
    }
}

/// Which characters are already part of a mention: a count per character,
/// so a span can be released again (a title that joins a reference).
struct Coverage {
    count: Vec<u16>,
}

impl Coverage {
    /// No character covered, the counts kept in `count` (the counts of a
    /// document before, reused: cleared and sized).
    fn reusing(mut count: Vec<u16>, chars: usize) -> Coverage {
        count.clear();
        count.resize(chars, 0);
        Coverage { count }
    }

    fn mark(&mut self, span: Span) {
        let end = span.end.min(self.count.len());
        for c in &mut self.count[span.start.min(end)..end] {
            *c = c.saturating_add(1);
        }
    }

    fn unmark(&mut self, span: Span) {
        let end = span.end.min(self.count.len());
        for c in &mut self.count[span.start.min(end)..end] {
            *c = c.saturating_sub(1);
        }
    }

    fn any(&self, span: Span) -> bool {
        self.count[span.start.min(self.count.len())..span.end.min(self.count.len())].iter().any(|&c| c > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    #[test]
    fn the_longest_matching_title_wins() {
        let titles = ["老".to_string(), "老先生".to_string(), "总".to_string()];
        assert_eq!(longest_prefix(&chars("老先生说"), &titles), Some(3));
        assert_eq!(longest_prefix(&chars("老师"), &titles), Some(1));
        assert_eq!(longest_prefix(&chars("说"), &titles), None);
    }

    /// A node's aliases as read: its own and its listed spellings but the
    /// name, as a set.
    fn alias_set(node: &Node) -> BTreeSet<String> {
        node.all_aliases().map(str::to_string).collect()
    }

    /// The `k`th mention of a builder test, one character long (its text
    /// is not read from a document).
    fn test_at(k: usize) -> MentionAt {
        MentionAt { span: Span::new(k, k + 1), bytes: 0..0, sentence: 0 }
    }

    /// Listing a gazetteer entry's spellings on a node (shared, once per
    /// entry) gives the aliases that inserting every spelling (folded forms
    /// included, as compiled) into the alias set gives, whatever the order of the mentions (a first mention
    /// that is not a full form gives way to a later one) and of the entries.
    #[test]
    fn listed_spellings_are_aliases_as_if_every_name_were_inserted() {
        let names: Vec<String> = ["杭州", "杭州市", "Hangzhou", "杭州市政府", "臨安"].iter().map(|s| s.to_string()).collect();
        let mut random = crate::test_random::xorshift32(0xa11a5);
        for _ in 0..500 {
            let mut steps: Vec<(usize, bool, usize)> = Vec::new();
            for _ in 0..1 + random() % 5 {
                steps.push((random() as usize % names.len(), random().is_multiple_of(2), random() as usize % 3));
            }
            // Compiled spellings come with their folded forms.
            let entries: Vec<Arc<[String]>> = (0..3)
                .map(|_| {
                    let listed: BTreeSet<String> = (0..random() % 4).map(|_| names[random() as usize % names.len()].clone()).collect();
                    let folded: Vec<String> = listed.iter().map(|n| crate::normalize::fold(n)).collect();
                    listed.into_iter().chain(folded).collect::<BTreeSet<_>>().into_iter().collect()
                })
                .collect();
            let run = |shared: bool| {
                let mut builder = NodeBuilder::with_capacity(4);
                for (k, (text, full_form, entry)) in steps.iter().enumerate() {
                    let folded = crate::normalize::fold(&names[*text]);
                    let spelling = Spelling { written: &names[*text], folded: &folded };
                    let node = builder.add((NodeType::Place, "杭州"), spelling, test_at(k), &RuleId::Literal("test"), *full_form);
                    if shared {
                        builder.add_listed(node, &entries[*entry]);
                    } else {
                        builder.nodes[node].aliases.extend(entries[*entry].iter().cloned());
                    }
                }
                let (nodes, _) = builder.finish();
                (nodes[0].name.clone(), alias_set(&nodes[0]))
            };
            assert_eq!(run(true), run(false), "{steps:?} {entries:?}");
        }
    }

    /// Folding each spelling as it joins a node (and taking a gazetteer
    /// entry's folded spellings as compiled) gives the aliases that folding
    /// the final name and every alias at the end gives: all spellings and
    /// their folded forms, but the name.
    #[test]
    fn folded_forms_join_as_if_every_spelling_were_folded_at_the_end() {
        use crate::normalize::{fold, is_folded};
        let names: Vec<String> = ["臨安", "临安", "臨安區", "Lin'an", "杭州", "國際"].iter().map(|s| s.to_string()).collect();
        let spellings_of = |entry: &[usize]| -> Arc<[String]> {
            let listed = entry.iter().map(|&e| &names[e]);
            let folded = listed.clone().filter(|n| !is_folded(n)).map(|n| fold(n));
            listed.cloned().chain(folded).collect()
        };
        let mut random = crate::test_random::xorshift32(0xf01d);
        for _ in 0..500 {
            let mut builder = NodeBuilder::with_capacity(4);
            let mut spellings: BTreeSet<String> = BTreeSet::new();
            for k in 0..1 + random() as usize % 5 {
                let text = &names[random() as usize % names.len()];
                let folded = fold(text);
                let spelling = Spelling { written: text, folded: &folded };
                let node = builder.add((NodeType::Place, "临安"), spelling, test_at(k), &RuleId::Literal("test"), random().is_multiple_of(2));
                spellings.insert(text.clone());
                let entry: Vec<usize> = (0..random() % 3).map(|_| random() as usize % names.len()).collect();
                builder.add_listed(node, &spellings_of(&entry));
                spellings.extend(entry.iter().map(|&e| names[e].clone()));
            }
            let (nodes, _) = builder.finish();
            let mut expected: BTreeSet<String> = spellings.iter().map(|s| fold(s)).chain(spellings.iter().cloned()).collect();
            expected.remove(&nodes[0].name);
            assert_eq!(alias_set(&nodes[0]), expected, "{spellings:?}");
        }
    }

    /// The index finds every node by its type and key, and
    /// no node for a key it was not given.
    #[test]
    fn nodes_are_found_by_type_and_key() {
        let mut random = crate::test_random::xorshift32(0x1d3);
        let types = [NodeType::Person, NodeType::Place, NodeType::Organization];
        let mut builder = NodeBuilder::with_capacity(0);
        let mut expected: std::collections::BTreeMap<(NodeType, String), usize> = Default::default();
        for k in 0..2000 {
            let ty = types[random() as usize % types.len()];
            let key: String = (0..1 + random() % 3).map(|_| ['王', '坚', '杭', 'a'][random() as usize % 4]).collect();
            let node = builder.add((ty, &key), Spelling { written: &key, folded: &key }, test_at(k), &RuleId::Literal("test"), true);
            assert_eq!(*expected.entry((ty, key)).or_insert(node), node);
        }
        for ((ty, key), node) in &expected {
            assert_eq!(builder.find(*ty, key), Some(*node));
        }
        assert_eq!(builder.find(NodeType::Event, "王坚"), None);
        assert_eq!(builder.nodes.len(), expected.len());
    }

    /// A surname stands for a person when every person with it has the
    /// same key: as collecting each surname's keys into a set and keeping
    /// the surnames whose set holds one.
    #[test]
    fn a_sole_surname_is_one_whose_persons_share_one_key() {
        let mut random = crate::test_random::xorshift32(0x5a1e);
        let names = ["王坚", "王强", "章根明", "章区长", "陈向明", "a"];
        let keys = ["王坚", "王强", "章根明", "陈向明"];
        for _ in 0..500 {
            let persons: Vec<(KeyRef, &str)> = (0..random() % 8)
                .map(|_| ((NodeType::Person, keys[random() as usize % keys.len()]), names[random() as usize % names.len()]))
                .collect();
            let mut sets: std::collections::BTreeMap<char, BTreeSet<KeyRef>> = Default::default();
            for &(key, name) in &persons {
                sets.entry(name.chars().next().unwrap()).or_default().insert(key);
            }
            let expected: std::collections::BTreeMap<char, KeyRef> =
                sets.into_iter().filter(|(_, keys)| keys.len() == 1).map(|(c, keys)| (c, *keys.first().unwrap())).collect();
            let found: std::collections::BTreeMap<char, KeyRef> = persons_by_sole_surname(&persons).into_iter().collect();
            assert_eq!(found, expected, "{persons:?}");
        }
    }

    /// Walking on from the last answer finds the sentence a binary search
    /// finds, for positions asked in and out of order, between and past
    /// the sentences.
    #[test]
    fn the_sentence_found_is_the_one_a_search_finds() {
        let mut random = crate::test_random::xorshift32(0x5e47);
        for _ in 0..300 {
            let mut sentences = Vec::new();
            let mut at = 0;
            for _ in 0..random() % 12 {
                let start = at + random() as usize % 3;
                at = start + random() as usize % 6;
                sentences.push(Span::new(start, at));
            }
            let finder = SentenceFinder::new(&sentences);
            let mut pos = 0;
            for _ in 0..40 {
                pos = if random().is_multiple_of(4) { random() as usize % (at + 3) } else { pos + random() as usize % 4 };
                assert_eq!(finder.of(pos), sentences.partition_point(|s| s.end <= pos), "{sentences:?} {pos}");
            }
        }
    }

    /// The longer forms found by probing only keys that may start with a
    /// place, and the place spellings only for rests that are keys, are
    /// what trying every split of every key finds: a slot is kept when
    /// exactly one key is a place spelling followed by it. On random keys
    /// over a small alphabet (so places, rests and shared rests are
    /// frequent), with and without the empty spelling, spellings repeated.
    #[test]
    fn longer_forms_are_what_trying_every_split_of_every_key_finds() {
        let alphabet: Vec<char> = "杭州云计算园西湖".chars().collect();
        let types = [NodeType::Organization, NodeType::Place];
        let mut random = crate::test_random::xorshift32(0x10f0);
        for _ in 0..2000 {
            let mut keys: Vec<(NodeType, String)> = Vec::new();
            for _ in 0..random() % 13 {
                let ty = types[random() as usize % types.len()];
                let key: String = (0..random() % 7).map(|_| alphabet[random() as usize % alphabet.len()]).collect();
                keys.push((ty, key));
            }
            // (A place of no characters is the empty spelling.)
            let places: Vec<String> =
                (0..random() % 5).map(|_| (0..random() % 4).map(|_| alphabet[random() as usize % alphabet.len()]).collect()).collect();
            let place_spellings: FxHashSet<&str> = places.iter().map(String::as_str).collect();
            let plain_keys = keys.iter().map(|(t, k)| (*t, k.as_str()));
            let found: std::collections::BTreeMap<(NodeType, &str), &str> =
                longer_forms(plain_keys.clone(), places.iter().map(String::as_str)).into_iter().collect();
            // Plainly: every split of every distinct key that leaves at
            // least three characters.
            let distinct: BTreeSet<(NodeType, &str)> = plain_keys.collect();
            let mut longer: std::collections::BTreeMap<(NodeType, &str), BTreeSet<&str>> = Default::default();
            for &(ty, key) in &distinct {
                let splits: Vec<usize> = key.char_indices().map(|(at, _)| at).collect();
                for &split in splits.iter().take(splits.len().saturating_sub(2)) {
                    let (place, rest) = key.split_at(split);
                    if place_spellings.contains(place) && distinct.contains(&(ty, rest)) {
                        longer.entry((ty, rest)).or_default().insert(key);
                    }
                }
            }
            let expected: std::collections::BTreeMap<(NodeType, &str), &str> =
                longer.into_iter().filter(|(_, keys)| keys.len() == 1).map(|(slot, keys)| (slot, *keys.first().unwrap())).collect();
            assert_eq!(found, expected, "{keys:?} {places:?}");
        }
    }

    /// A table is made with room for all its items, whether their
    /// iterator knows a bound of its length (a filter) or not (a flat map).
    #[test]
    fn tables_have_room_for_every_item_whether_bounded_or_counted() {
        let numbers: Vec<usize> = (0..50).collect();
        let bounded = numbers.iter().filter(|&&n| n % 3 == 0);
        assert_eq!(room_for(&bounded), 50);
        let unbounded = numbers.iter().flat_map(|&n| std::iter::repeat_n(n, n % 3));
        assert_eq!(room_for(&unbounded), unbounded.clone().count());
        let set = collect_counted_set(unbounded.clone());
        assert!(set.capacity() >= unbounded.count());
        assert_eq!(set, numbers.iter().copied().filter(|&n| n % 3 != 0).collect());
        let map = collect_counted(bounded.clone().map(|&n| (n, n * 2)));
        assert_eq!(map.len(), 17);
        assert!(map.iter().all(|(&k, &v)| k % 3 == 0 && v == 2 * k));
    }

    /// Coverage made in the counts of a document before covers what new
    /// coverage covers: nothing at first, then what is marked.
    #[test]
    fn reused_coverage_is_new_coverage() {
        let mut random = crate::test_random::xorshift32(0xc0e7);
        let mut counts = Vec::new();
        for _ in 0..300 {
            let chars = random() as usize % 40;
            let mut reused = Coverage::reusing(counts, chars);
            let mut fresh = Coverage { count: vec![0; chars] };
            assert_eq!(reused.count, fresh.count);
            for _ in 0..random() % 10 {
                let start = random() as usize % (chars + 2);
                let span = Span::new(start, start + random() as usize % 5);
                if random().is_multiple_of(3) {
                    reused.unmark(span);
                    fresh.unmark(span);
                } else {
                    reused.mark(span);
                    fresh.mark(span);
                }
                let probe = Span::new(start / 2, start / 2 + 2);
                assert_eq!(reused.any(probe), fresh.any(probe));
            }
            assert_eq!(reused.count, fresh.count);
            counts = reused.count;
        }
    }

    /// A tagged mention held in 32 bytes reads back the span and node it
    /// was made with, a node or none, up to the largest offsets it holds.
    #[test]
    fn a_compact_tagged_mention_answers_with_the_span_and_node_it_was_given() {
        assert!(std::mem::size_of::<TaggedMention>() <= 32);
        let mut random = crate::test_random::xorshift32(0x7a66);
        let mut cases: Vec<(Span, Option<usize>)> = (0..300)
            .map(|_| {
                let start = random() as usize;
                let span = Span::new(start, start.saturating_add(random() as usize % 50).min(u32::MAX as usize));
                let node = (!random().is_multiple_of(4)).then(|| random() as usize % (u32::MAX as usize));
                (span, node)
            })
            .collect();
        cases.extend([(Span::new(0, 0), None), (Span::new(0, u32::MAX as usize), Some(0)), (Span::new(7, 9), Some(u32::MAX as usize - 1))]);
        for (span, node) in cases {
            let m = TaggedMention::new(span, Tag::Title, node, RuleId::Literal("test"));
            assert_eq!((m.span(), m.node()), (span, node));
        }
    }

    #[test]
    fn two_characters_are_counted_as_characters_not_bytes() {
        for text in ["", "向", "向明", "向明远", "ab", "a明", "明a😀", "😀😀"] {
            assert_eq!(is_two_characters(text), text.chars().count() == 2, "{text}");
        }
    }

    #[test]
    fn a_pronoun_is_part_of_another_word_next_to_these_characters() {
        for c in "们人乡国方日年".chars() {
            assert!(is_plural_or_compound_after_pronoun(c));
        }
        for c in "其吉利无排".chars() {
            assert!(is_compound_before_pronoun(c));
        }
        for c in "说是王的， a".chars() {
            assert!(!is_plural_or_compound_after_pronoun(c) && !is_compound_before_pronoun(c));
        }
    }

    #[test]
    fn inner_prefixes_run_from_all_but_two_characters_down_to_two() {
        fn prefixes(key: &str) -> Vec<(&str, usize)> {
            inner_prefixes(key).collect()
        }
        assert_eq!(prefixes("阿里云创新中心"), vec![("阿里云创新", 5), ("阿里云创", 4), ("阿里云", 3), ("阿里", 2)]);
        assert_eq!(prefixes("Intel创新实验室"), vec![("Intel创新实", 8), ("Intel创新", 7), ("Intel创", 6), ("Intel", 5), ("Inte", 4), ("Int", 3), ("In", 2)]);
        assert_eq!(prefixes("阿里巴"), vec![]);
        assert_eq!(prefixes("阿里巴巴"), vec![("阿里", 2)]);
        assert_eq!(prefixes(""), vec![]);
    }
}
