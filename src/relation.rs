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

use crate::model::{Evidence, Fact, NodeKey, NodeType, Object, Predicate, RuleId, Span};
use crate::normalize::Folded;
use crate::resolve::{Resolved, TaggedMention};
use crate::rules::{rules_in, RuleSet, SlotSource, Tag, TagCounts};
use crate::value::Value;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A sentence with its mentions replaced by tag characters.
#[derive(Default)]
pub struct TaggedSentence<'a> {
    pub text: String,
    /// Byte offset in `text` and mention, for each tag character, in text
    /// order (so the first of a kind is found without looking at all, and
    /// a slot by binary search).
    pub slots: Vec<(usize, &'a TaggedMention)>,
}

impl<'a> TaggedSentence<'a> {
    /// Buffers with room for the tagged form of any of `sentences` (with a
    /// leading topic): a character takes 4 bytes at most, a tag 3 for one
    /// character or more, and a sentence has no more slots than the
    /// document has mentions (plus the topic).
    fn with_room_for(sentences: &[Span], mentions: usize) -> TaggedSentence<'a> {
        let longest = sentences.iter().map(|s| s.len()).max().unwrap_or(0);
        TaggedSentence { text: String::with_capacity(4 * longest + 3), slots: Vec::with_capacity(mentions + 1) }
    }

    /// The mention whose tag character starts at byte `at`.
    pub fn slot(&self, at: usize) -> Option<&'a TaggedMention> {
        self.slots.binary_search_by_key(&at, |&(b, _)| b).ok().map(|i| self.slots[i].1)
    }

    /// Where the tag characters from `first.0` to `first.1` stand in the
    /// text, in order: read off the slots where the text has no tag
    /// characters of its own (`own_tags` false), which are then all its
    /// tags, rather than found by a search of every byte of it and a
    /// decoding of each lead byte found (see [`tag_places_of`]).
    fn places_of(&self, first: (char, char), own_tags: bool) -> impl Iterator<Item = usize> + '_ {
        let from_slots = (!own_tags).then(|| {
            self.slots.iter().filter(move |(_, m)| (first.0..=first.1).contains(&m.tag.symbol())).map(|&(at, _)| at)
        });
        let searched = own_tags.then(|| tag_places_of(&self.text, first));
        from_slots.into_iter().flatten().chain(searched.into_iter().flatten())
    }

    /// Put a mention in front (its tag character first).
    fn put_first(&mut self, mention: &'a TaggedMention) {
        let symbol = mention.tag.symbol();
        let shift = symbol.len_utf8();
        self.text.insert(0, symbol);
        for (at, _) in &mut self.slots {
            *at += shift;
        }
        self.slots.insert(0, (0, mention));
    }
}

/// Build the tagged form of one sentence of the folded document into
/// `tagged`, whose buffers are reused (one per document, not one per
/// sentence); `mentions` must be sorted by start, and start at the first
/// that starts in the sentence or after it (see
/// [`first_starting_at_or_after`]). Returns how many of `mentions` start
/// before the sentence ends: the walk over them is the one the search for
/// the next sentence's first mention would repeat.
pub fn tag_sentence<'a>(folded: &Folded, sentence: Span, mentions: &'a [TaggedMention], tagged: &mut TaggedSentence<'a>) -> usize {
    let TaggedSentence { text, slots } = tagged;
    text.clear();
    slots.clear();
    let mut i = sentence.start;
    // Where the first mention starting at a position runs past the
    // sentence, that position is text, whatever else starts there.
    let mut blocked = None;
    let mut walked = 0;
    for m in mentions {
        let start = m.span().start;
        if start >= sentence.end {
            break;
        }
        walked += 1;
        // Inside a mention already tagged (or a blocked position).
        if start < i || blocked == Some(start) {
            continue;
        }
        if m.span().end > sentence.end {
            blocked = Some(start);
            continue;
        }
        // Copied as one byte range: pushing character by character was
        // most of the cost of tagging.
        text.push_str(folded.slice(i, start));
        slots.push((text.len(), m));
        text.push(m.tag.symbol());
        i = m.span().end;
    }
    text.push_str(folded.slice(i.min(sentence.end), sentence.end));
    walked
}

pub fn match_relations(
    folded: &Folded,
    sentences: &[Span],
    original_sentence: &dyn Fn(Span) -> String,
    resolved: &Resolved,
    rules: &RuleSet,
) -> Vec<Fact> {
    let triggers = rules.relation_triggers();
    // (The buffers below are sized up front, for the document: grown from
    // empty, each was reallocated, and copied, several times a document.)
    let mut found: Vec<Found> = Vec::with_capacity(resolved.mentions.len() / 4 + 8);
    let mut topic: Option<&TaggedMention> = None;
    let mut tagged = TaggedSentence::with_room_for(sentences, resolved.mentions.len());
    // Tag characters in the text itself (private-use characters, rare) are
    // mentions to the pattern regexes too: only where the document has
    // none are the slots all the tags of a sentence. (Searched by the
    // `memchr` crate's vector search: the standard library's byte search
    // takes a word at a time, over the whole document.)
    let text_has_tag_characters = memchr::memchr(TAG_LEAD_BYTE, folded.text().as_bytes()).is_some();
    let mut candidates = Vec::with_capacity(rules.relations.len().div_ceil(64));
    // Where the tag characters of a sentence start (its slots', where the
    // text has none of its own).
    let mut tag_places = Vec::with_capacity(tagged.slots.capacity());
    // The buffer of the trigger-word tests, one for the document.
    let mut words_scratch = Vec::new();
    let mut first_mention = 0;
    for (si, &sentence) in sentences.iter().enumerate() {
        first_mention = first_starting_at_or_after(&resolved.mentions, first_mention, sentence.start);
        let mentions = &resolved.mentions[first_mention..];
        // A sentence in which no mention starts has no slot, no topic of
        // its own, and takes none over (no value in it needs a subject):
        // nothing to tag.
        if !has_mention_starting_within(mentions, sentence) {
            topic = topic.filter(|_| sentence.len() < 12);
            continue;
        }
        // The mentions tagging walked past start before the next sentence
        // does: the next search for a first mention goes on after them.
        first_mention += tag_sentence(folded, sentence, mentions, &mut tagged);
        let next_topic = sentence_topic(&tagged);
        // A sentence that goes on about the previous sentence's subject
        // without naming it (云栖小镇也在近几年快速增长。2015年…财政总收入为
        // 14880.13万元) gets that subject as a leading mention.
        if let Some(t) = topic.filter(|_| !names_an_entity_before_values(&tagged)) {
            tagged.put_first(t);
        }
        topic = next_topic.or(topic.filter(|_| sentence.len() < 12));
        if tagged.slots.is_empty() {
            continue;
        }
        // Tags present: a rule whose subject or object tag is absent cannot
        // match (the slot groups match tag characters only).
        let present = tagged.slots.iter().fold(0u32, |m, (_, t)| m | tag_bit(t.tag));
        triggers.rules_by_tag.candidates(present, &mut candidates);
        // Rules with a clause of trigger words none of whose tags has the
        // neighbour it needs cannot match: ruled out before any needs the
        // scan of the whole sentence for its words.
        tag_places.clear();
        tag_places.extend(tagged.slots.iter().map(|&(at, _)| at));
        triggers.tag_neighbours.rule_out(&tagged.text, (!text_has_tag_characters).then_some(&tag_places[..]), &mut candidates);
        // Counted off the slots rather than the text, which takes a walk
        // over every byte of the sentence.
        let counts = if text_has_tag_characters {
            TagCounts::of(&tagged.text)
        } else {
            TagCounts::of_symbols(tagged.slots.iter().map(|(_, m)| m.tag.symbol()))
        };
        // Rules (and `unless` patterns) whose trigger words the sentence
        // lacks cannot match it.
        let possible = triggers.possible(&tagged.text, counts, std::mem::take(&mut words_scratch));
        for order in rules_in(&candidates) {
            let rule = &rules.relations[order];
            if !possible.rule(order) {
                continue;
            }
            if rule.unless.iter().enumerate().any(|(j, u)| possible.unless(order, j) && u.is_match(&tagged.text)) {
                continue;
            }
            if rule.each_object {
                // One match per object mention, ending at it: with a greedy
                // `.*` before the subject the nearest subject wins. Only a
                // mention of a tag the object slot takes can end it.
                let objects = tagged.slots.iter().enumerate().filter(|(_, (_, m))| rule.slot_tags.1 & tag_bit(m.tag) != 0);
                for (k, &(b, m)) in objects {
                    let end = b + m.tag.symbol().len_utf8();
                    // The tag characters up to the object are its slots
                    // and those before, where the text has none of its own.
                    let mut tags_before = tagged.slots[..=k].iter().rev().map(|&(at, m)| (at, tag_bit(m.tag)));
                    let tags_before = (!text_has_tag_characters).then_some(&mut tags_before as &mut dyn Iterator<Item = (usize, u32)>);
                    if let Some(groups) = object_captures(rule, &tagged.text[..end], tags_before) {
                        if groups.get(rule.groups.object).is_some_and(|g| g.end == end) {
                            collect(rule, order, &groups, &tagged, si, (resolved, folded), &mut found);
                        }
                    }
                }
            } else if let Some(placed) = &rule.match_groups {
                // The groups lie a fixed way from the ends of a match: the
                // DFAs find the matches (those `captures_iter` finds), and
                // no capture engine need walk them.
                let text = tagged.text.as_str();
                let mut each = |start: usize, end: usize| {
                    let groups = MatchGroups::Placed { text, start, end, placed };
                    collect(rule, order, &groups, &tagged, si, (resolved, folded), &mut found);
                };
                // (Where every match starts with a tag, searched from the
                // tags: see `LazyRegex::for_each_match_from`.)
                match first_tag_chars(&rule.regex) {
                    Some(first) => {
                        let search = |anchored: &regex::Regex, rest| anchored.find(rest).map(|m| (m.len(), ()));
                        rule.regex.for_each_match_from(text, tagged.places_of(first, text_has_tag_characters), search, |start, len, ()| {
                            each(start, start + len)
                        })
                    }
                    None => rule.regex.find_iter(text).for_each(|m| each(m.start(), m.end())),
                }
            } else {
                let text = tagged.text.as_str();
                match first_tag_chars(&rule.regex) {
                    Some(first) => rule.regex.for_each_match_from(
                        text,
                        tagged.places_of(first, text_has_tag_characters),
                        |anchored, rest| anchored.captures(rest).map(|c| (c.get(0).expect("group 0 is the match").len(), c)),
                        |start, _, caps| collect(rule, order, &MatchGroups::CapturedAt(caps, start), &tagged, si, (resolved, folded), &mut found),
                    ),
                    None => {
                        for caps in rule.regex.captures_iter(text) {
                            collect(rule, order, &MatchGroups::Captured(caps), &tagged, si, (resolved, folded), &mut found);
                        }
                    }
                }
            }
        }
        words_scratch = possible.into_scratch();
    }
    // A quotation has one speaker, a value mention one subject: where rules
    // disagree, the higher priority wins, then the rule listed first.
    // (Probed only, never iterated: FxHash, as for the sets below.)
    // (Sized up front: a document has dozens of such facts, and growing
    // the map rehashes it at every doubling.)
    let functional = found.iter().filter(|f| is_functional(f.predicate)).count();
    let mut best: FxHashMap<(Predicate, Span), (i32, usize)> = FxHashMap::with_capacity_and_hasher(functional, Default::default());
    for f in found.iter().filter(|f| is_functional(f.predicate)) {
        let rank = (f.priority, usize::MAX - f.order);
        let e = best.entry((f.predicate, f.object.span())).or_insert(rank);
        if rank > *e {
            *e = rank;
        }
    }
    // (Room for every candidate fact: the set is probed for each, and
    // growing it rehashed it at every doubling.)
    let mut facts = Vec::with_capacity(found.len());
    let mut seen: FxHashSet<FactKey> = FxHashSet::with_capacity_and_hasher(found.len(), Default::default());
    for f in found {
        if is_functional(f.predicate) && best.get(&(f.predicate, f.object.span())) != Some(&(f.priority, usize::MAX - f.order)) {
            continue;
        }
        let Some(subject) = f.subject.node().map(|n| &resolved.nodes[n].key) else { continue };
        let object = match f.object.node() {
            Some(n) => ObjectKey::Node(Cow::Borrowed(&resolved.nodes[n].key)),
            None if f.object.tag == Tag::Node(NodeType::Quotation) => ObjectKey::Quote(f.object.span()),
            None => continue,
        };
        if matches!(&object, ObjectKey::Node(o) if **o == *subject) || !seen.insert((Cow::Borrowed(subject), f.predicate, object.clone())) {
            continue;
        }
        let object = match object {
            ObjectKey::Node(key) => Object::Node(key.into_owned()),
            ObjectKey::Quote(span) => Object::Quote { text: original_sentence(span), span },
        };
        let span = sentences[f.sentence];
        facts.push(Fact {
            subject: subject.clone(),
            predicate: f.predicate,
            object,
            qualifiers: Rc::unwrap_or_clone(f.qualifiers),
            evidence: Evidence { sentence: f.sentence, span, text: original_sentence(span) },
            rule: f.rule.clone(),
        });
    }
    location_facts(folded, sentences, original_sentence, resolved, rules, &mut seen, &mut facts);
    facts
}

/// What makes a fact the same as another: subject, predicate and object,
/// borrowed from the document's nodes where they are nodes of it (most
/// candidate facts are dropped as duplicates, and need no copies).
type FactKey<'a> = (Cow<'a, NodeKey>, Predicate, ObjectKey<'a>);

/// The object of a [`FactKey`]: a quotation's text is that of its span, so
/// the span tells quotations apart.
#[derive(Clone, PartialEq, Eq, Hash)]
enum ObjectKey<'a> {
    Node(Cow<'a, NodeKey>),
    Quote(Span),
}

/// The match of an `each_object` rule that ends where `before` (a sentence
/// up to an object) ends, found as near the object as is exact.
/// `tags_before`, if known: every tag character of `before`, from the last
/// back, as its place and tag bit.
fn object_captures<'r, 't>(
    rule: &'r crate::rules::RelationRule,
    before: &'t str,
    tags_before: Option<&mut dyn Iterator<Item = (usize, u32)>>,
) -> Option<MatchGroups<'r, 't>> {
    let captured = |caps: Option<regex::Captures<'t>>| caps.map(MatchGroups::Captured);
    let Some(reach) = &rule.object_reach else { return captured(rule.regex.captures(before)) };
    // Every place the part after the leading `.*` can start is after
    // `window`, so a search from there finds the groups one from the start
    // finds: the `.*` stops at the same place (a line break, which it does
    // not cross, stops it the same way from either start).
    // (Walked back character by character: found only where needed.)
    let window = || before.char_indices().rev().nth(reach.chars.saturating_sub(1)).map_or(0, |(at, _)| at);
    if let Some(starts) = &reach.starts {
        // Where that part starts with a tag, the places of those tags in
        // the window (no more characters from there to the end than the
        // part spans), from the last back: no search of the text for each.
        let mut start_tags_back = match (reach.start_tags, tags_before) {
            (Some(mask), Some(tags)) => {
                let in_window = move |&at: &usize| at_most_chars(&before[at..], reach.chars);
                Some(tags.filter(move |&(_, bit)| bit & mask != 0).map(|(at, _)| at).take_while(in_window))
            }
            _ => None,
        };
        // That part starts with one of `starts`: where none is in the
        // window, nothing matches, and no search need say so.
        let nearest = match &mut start_tags_back {
            Some(places) => places.next()?,
            None => {
                let window = window();
                window + starts.iter().filter_map(|w| before[window..].rfind(w.as_str())).max()?
            }
        };
        // Commonly the nearest place that part can start (the nearest
        // subject) is where it matches, which a search from there finds
        // without walking the window. Where it does, the `.*` from the
        // start stops there too, unless a line break splits the places it
        // can stop at (there is none in the window where there is none in
        // the text, the common case).
        if !before.contains('\n') || !before[window()..].contains('\n') {
            // A match from there can only start that part there (no place
            // after it can), and ends at the end: where the groups lie a
            // fixed way from those two places, whether it matches is all a
            // search need find, which the DFAs answer without a capture
            // engine walking the match.
            let match_from = |at: usize| match &reach.placed_groups {
                Some(placed) => rule.regex.is_match_at(before, at).then_some(MatchGroups::Placed { text: before, start: at, end: before.len(), placed }),
                None => captured(rule.regex.captures_at(before, at)),
            };
            if let Some(found) = match_from(nearest) {
                return Some(found);
            }
            // Else the `.*` stops at the last start tag before it from
            // which that part matches, if any: each is tried in turn, the
            // last first, where a search of the whole window would have
            // the capture engine walk it.
            if let Some(places) = start_tags_back {
                return places.into_iter().find_map(match_from);
            }
        }
    }
    captured(rule.regex.captures_at(before, window()))
}

/// The groups of a rule's match: found by the capture engine, or read off
/// the places of a match whose groups lie at fixed places.
enum MatchGroups<'r, 't> {
    Captured(regex::Captures<'t>),
    /// Captures in the text from a place on, and that place.
    CapturedAt(regex::Captures<'t>, usize),
    /// `start`: where the part after the leading `.*` starts, in `text`.
    Placed { text: &'t str, start: usize, end: usize, placed: &'r [crate::rules::PlacedGroup] },
}

impl MatchGroups<'_, '_> {
    /// The span of a group, by its number in `RelationRule::groups` (a
    /// lookup by name hashes the name: too slow for every slot of every
    /// match).
    fn get(&self, index: Option<usize>) -> Option<std::ops::Range<usize>> {
        let index = index?;
        match self {
            MatchGroups::Captured(caps) => caps.get(index).map(|m| m.range()),
            MatchGroups::CapturedAt(caps, at) => caps.get(index).map(|m| at + m.start()..at + m.end()),
            MatchGroups::Placed { text, start, end, placed } => {
                let at = |place: crate::rules::Place| place.in_match(text, *start, *end);
                placed.iter().find(|g| g.index == index).map(|g| at(g.start)..at(g.end))
            }
        }
    }
}

/// The tag characters every match of a rule's regex starts with, as the
/// lowest and the highest, if it always starts with one: its matches
/// start where such a tag stands (see [`tag_places_of`]).
fn first_tag_chars(regex: &crate::rules::LazyRegex) -> Option<(char, char)> {
    regex.first_chars().filter(|&(low, high)| crate::rules::tag_bit(low).is_some() && crate::rules::tag_bit(high).is_some())
}

/// Where the characters from `first.0` to `first.1` stand in `text`, in
/// order: for characters of the tags' block, which all start with
/// [`TAG_LEAD_BYTE`].
fn tag_places_of(text: &str, (low, high): (char, char)) -> impl Iterator<Item = usize> + '_ {
    debug_assert!(low.len_utf8() == 3 && high.len_utf8() == 3 && (low as u32) >> 12 == 0xE && (high as u32) >> 12 == 0xE);
    memchr::memchr_iter(TAG_LEAD_BYTE, text.as_bytes()).filter(move |&at| text[at..].chars().next().is_some_and(|c| (low..=high).contains(&c)))
}

/// The first byte of the UTF-8 form of every tag character (U+E000 to
/// U+E01F), and of other private-use characters only.
const TAG_LEAD_BYTE: u8 = 0xEE;

/// The index of the first mention (sorted by start) that starts at
/// `start` or after it, found from `from`, that of an earlier start: the
/// sentences come in order, and a walk on from the last sentence's first
/// mention passes each mention once, where two binary searches a sentence
/// were a fifth of tagging it. (A start before the last one is searched
/// for.)
fn first_starting_at_or_after(mentions: &[TaggedMention], from: usize, start: usize) -> usize {
    if from > 0 && mentions.get(from - 1).is_none_or(|m| m.span().start >= start) {
        return mentions.partition_point(|m| m.span().start < start);
    }
    from + mentions[from..].iter().take_while(|m| m.span().start < start).count()
}

/// Whether some mention starts within a sentence, given the mentions
/// sorted by start from the first that starts in it or after it.
fn has_mention_starting_within(mentions: &[TaggedMention], sentence: Span) -> bool {
    mentions.first().is_some_and(|m| m.span().start < sentence.end)
}

/// The bit of a tag in `RelationRule::slot_tags`.
fn tag_bit(tag: Tag) -> u32 {
    1 << (tag.symbol() as u32 - crate::rules::TAG_BASE)
}

fn is_topic_type(tag: Tag) -> bool {
    matches!(tag, Tag::Node(NodeType::Organization | NodeType::Place | NodeType::Event))
}

/// The subject of a sentence that starts with an organization, place or
/// event (within its first few characters).
fn sentence_topic<'a>(tagged: &TaggedSentence<'a>) -> Option<&'a TaggedMention> {
    let &(at, m) = tagged.slots.iter().find(|(_, m)| is_topic_type(m.tag))?;
    at_most_chars(&tagged.text[..at], 3).then_some(m)
}

/// Whether `text` has no more than `most` characters: told by its length
/// alone where that is `most` bytes or fewer, or more than four bytes a
/// character (the common cases), and counted only otherwise.
fn at_most_chars(text: &str, most: usize) -> bool {
    match text.len() {
        len if len <= most => true,
        len if len > 4 * most => false,
        _ => text.chars().count() <= most,
    }
}

/// Whether an organization, place or event comes before the first value.
fn names_an_entity_before_values(tagged: &TaggedSentence) -> bool {
    let first = |f: &dyn Fn(Tag) -> bool| tagged.slots.iter().find(|(_, m)| f(m.tag)).map(|(at, _)| *at);
    let value = first(&|t| matches!(t, Tag::Node(NodeType::Money | NodeType::Quantity | NodeType::Percent)));
    match (first(&is_topic_type), value) {
        (_, None) => true,
        (Some(e), Some(v)) => e < v,
        (None, Some(_)) => false,
    }
}

/// Predicates whose object mention has one subject only.
fn is_functional(p: Predicate) -> bool {
    matches!(p, Predicate::Said | Predicate::MonetaryFact | Predicate::QuantityFact)
}

/// A rule match, before conflicts between rules are settled.
struct Found<'a> {
    subject: &'a TaggedMention,
    predicate: Predicate,
    object: &'a TaggedMention,
    /// Shared by the subject/object pairs of one match (many of which are
    /// dropped as duplicates or conflicts); a kept fact takes a copy.
    qualifiers: Rc<BTreeMap<String, String>>,
    sentence: usize,
    rule: &'a RuleId,
    priority: i32,
    order: usize,
}

fn collect<'a>(
    rule: &'a crate::rules::RelationRule,
    order: usize,
    groups_found: &MatchGroups,
    tagged: &TaggedSentence<'a>,
    sentence: usize,
    (resolved, folded): (&Resolved, &Folded),
    found: &mut Vec<Found<'a>>,
) {
    let groups = &rule.groups;
    let slot = |index: Option<usize>| groups_found.get(index).and_then(|g| tagged.slot(g.start));
    if rule.filters.iter().zip(&groups.filters).any(|((_, re), &index)| slot(index).is_some_and(|m| !re.is_match(m.folded(folded))))
        || rule.excludes.iter().zip(&groups.excludes).any(|((_, re), &index)| slot(index).is_some_and(|m| re.is_match(m.folded(folded))))
    {
        return;
    }
    // (Each read once: the slots' mentions and their lists below both
    // need them, and a group read off its places may take a scan.)
    let (subject_group, object_group) = (groups_found.get(groups.subject), groups_found.get(groups.object));
    let slot_of = |group: &Option<std::ops::Range<usize>>| group.as_ref().and_then(|g| tagged.slot(g.start));
    let (Some(s), Some(o)) = (slot_of(&subject_group), slot_of(&object_group)) else { return };
    let mut qualifiers = BTreeMap::new();
    for ((name, source), &index) in rule.qualifiers.iter().zip(&groups.qualifiers) {
        let text = match source {
            SlotSource::Slot(_) => slot(index).map(|m| qualifier_text(m, resolved, folded)),
            SlotSource::Group(_) => groups_found.get(index).map(|g| strip_tags(&tagged.text[g])),
        };
        if let Some(t) = text.filter(|t| !t.is_empty()) {
            qualifiers.insert(name.clone(), t);
        }
    }
    if rule.predicate != Predicate::Said && !qualifiers.contains_key("date") {
        if let Some(date) = nearest_date(tagged, s.span().start, resolved) {
            qualifiers.insert("date".to_string(), date);
        }
    }
    let qualifiers = Rc::new(qualifiers);
    // (Most slots list one mention: those are read in place, not copied
    // into a vector.)
    let (subjects, objects);
    let subjects: &[&TaggedMention] = match subject_group {
        Some(g) if rule.enumerate.contains(&rule.subject) => {
            subjects = expand(tagged, g.start, s);
            &subjects
        }
        _ => std::slice::from_ref(&s),
    };
    let objects: &[&TaggedMention] = match object_group {
        Some(g) if rule.enumerate.contains(&rule.object) => {
            objects = expand(tagged, g.start, o);
            &objects
        }
        _ => std::slice::from_ref(&o),
    };
    for s in subjects {
        for o in objects {
            found.push(Found {
                subject: s,
                predicate: rule.predicate,
                object: o,
                qualifiers: Rc::clone(&qualifiers),
                sentence,
                rule: &rule.id,
                priority: rule.priority,
                order,
            });
        }
    }
}

/// The mention in a slot at `at`, and every mention of the same tag
/// listed with it (X、Y和Z等).
fn expand<'a>(tagged: &TaggedSentence<'a>, at: usize, first: &'a TaggedMention) -> Vec<&'a TaggedMention> {
    let mut out = vec![first];
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
        if let Some(m) = tagged.slot(next) {
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
        if let Some(m) = tagged.slot(prev) {
            out.push(m);
        }
        pos = prev;
    }
    out
}

/// Title text, or the ISO form of a date, or the words of anything else.
fn qualifier_text(m: &TaggedMention, resolved: &Resolved, folded: &Folded) -> String {
    match m.node().and_then(|n| resolved.nodes[n].value.as_ref()) {
        Some(Value::Date(d)) => d.iso.clone(),
        Some(v) => v.canonical(),
        None => m.folded(folded).to_string(),
    }
}

/// `s` without its private-use characters (U+E000 to U+F8FF: the tags).
/// (Copied a run at a time between them, found by their lead bytes, EE
/// and EF: collected a character at a time, the words cost a thousand
/// instructions a group.)
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = 0;
    for at in memchr::memchr2_iter(0xEE, 0xEF, s.as_bytes()) {
        // (A lead byte starts a character.)
        let Some(c) = s[at..].chars().next() else { continue };
        if is_private_use(c) {
            out.push_str(&s[run..at]);
            run = at + c.len_utf8();
        }
    }
    out.push_str(&s[run..]);
    out
}

fn is_private_use(c: char) -> bool {
    (0xE000..0xF900).contains(&(c as u32))
}

fn nearest_date(tagged: &TaggedSentence<'_>, before: usize, resolved: &Resolved) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for &(_, m) in &tagged.slots {
        if m.tag != Tag::Node(NodeType::Date) {
            continue;
        }
        let Some(Value::Date(d)) = m.node().and_then(|n| resolved.nodes[n].value.as_ref()) else { continue };
        let distance = if m.span().start <= before { before - m.span().start } else { 10_000 + m.span().start - before };
        if best.as_ref().is_none_or(|(b, _)| distance < *b) {
            best = Some((distance, &d.iso));
        }
    }
    best.map(|(_, iso)| iso.to_string())
}

fn location_facts<'a>(
    folded: &Folded,
    sentences: &[Span],
    original_sentence: &dyn Fn(Span) -> String,
    resolved: &'a Resolved,
    rules: &RuleSet,
    seen: &mut FxHashSet<FactKey<'a>>,
    facts: &mut Vec<Fact>,
) {
    // (The tables below are sized up front: collected from a filter, they
    // would grow, and rehash, at every doubling.)
    // (The places and organizations are picked out in one pass over the
    // nodes: a filter over all of them for each use walked them six times.)
    let (mut place_nodes, mut organization_nodes) = (Vec::new(), Vec::new());
    for (i, n) in resolved.nodes.iter().enumerate() {
        match n.key.node_type {
            NodeType::Place => place_nodes.push((i, n)),
            NodeType::Organization => organization_nodes.push((i, n)),
            _ => {}
        }
    }
    // (Room for a second spelling of each place too: grown, the table
    // rehashed at every doubling.)
    let mut names = Names::with_capacity(2 * place_nodes.len() + organization_nodes.len());
    // Every folded spelling of every place (杭州 for the node 杭州市), and
    // the places it spells, in the order listed. The node key is folded
    // already, and a mention's text is the original text of its span, whose
    // folding (character by character) is the folded document's text of
    // that span: all borrowed, none copied.
    let mut listed: Vec<&str> = Vec::new();
    for &(i, n) in &place_nodes {
        let key = n.key.key.as_str();
        // A place is mostly mentioned by one or two spellings: each is
        // listed once (a place listed twice in a row is the same place to
        // `best_place`), not hashed again for every mention.
        listed.clear();
        // A one-character abbreviation (华 for 中国) starts too many names
        // that are not in that place (华三通信).
        let spelled = |s: &str| s.chars().nth(1).is_some();
        // (The key, the first spelling, is entered as the place's key and
        // listed as its spelling in one lookup.)
        names.add_place(key, i, spelled(key));
        if spelled(key) {
            listed.push(key);
        }
        for spelling in n.mentions.iter().map(|m| folded.slice(m.span.start, m.span.end)).filter(|s| spelled(s)) {
            if !listed.contains(&spelling) {
                listed.push(spelling);
                names.list(spelling, i);
            }
        }
    }
    for &(_, o) in &organization_nodes {
        names.add_organization(o.key.key.as_str());
    }
    // (Room for a fact per place with a parent and two per place or
    // organization, most of what the rules below can find: grown from the
    // size the candidate facts needed, the set rehashed at every doubling.)
    let most = resolved.parents.len() + 2 * (place_nodes.len() + organization_nodes.len());
    seen.reserve(most);
    facts.reserve(most);
    let evidence_of = |node: usize| {
        let (sentence, span) = match resolved.nodes[node].mentions.first() {
            Some(m) => (m.sentence, sentences.get(m.sentence).copied().unwrap_or(m.span)),
            None => (0, sentences.first().copied().unwrap_or(Span::new(0, 0))),
        };
        Evidence { sentence, span, text: original_sentence(span) }
    };
    // (The keys are borrowed, and the fact and its evidence sentence
    // made, only for a fact not found before: most are.)
    let mut push = |subject: &'a NodeKey, predicate: Predicate, object: Cow<'a, NodeKey>, evidence_node: usize, rule: &'static str| {
        if seen.insert((Cow::Borrowed(subject), predicate, ObjectKey::Node(object.clone()))) {
            let object = Object::Node(object.into_owned());
            let evidence = evidence_of(evidence_node);
            facts.push(Fact { subject: subject.clone(), predicate, object, qualifiers: BTreeMap::new(), evidence, rule: RuleId::Literal(rule) });
        }
    };
    let is_country = |key: &str| {
        rules.dictionary.lookup(key).iter().any(|&e| rules.dictionary.entry(e).class == "country")
    };
    // Gazetteer hierarchy: the nearest ancestor the document mentions. A
    // country is left implicit: every Chinese place is in China, and saying
    // so for each adds nothing a reader does not know.
    let mut children: Vec<&usize> = resolved.parents.keys().collect();
    children.sort();
    // The parent of the node a key names, for the hops past the first: the
    // first in the parents' order of a node with that key, looked up in a
    // table made at the first such hop rather than by a walk over all
    // parents at every hop.
    let mut parent_by_key: Option<FxHashMap<&str, &String>> = None;
    for &child in children {
        let mut parent = resolved.parents.get(&child).cloned();
        let mut hops = 0;
        while let Some(p) = parent {
            if let Some(target) = names.get(p.as_str()).place {
                if !is_country(&p) {
                    push(&resolved.nodes[child].key, Predicate::LocatedIn, Cow::Borrowed(&resolved.nodes[target].key), child,
                        "gazetteers/place/parent");
                }
                break;
            }
            hops += 1;
            if hops > 8 {
                break;
            }
            let parent_by_key = parent_by_key.get_or_insert_with(|| {
                let mut by_key = FxHashMap::with_capacity_and_hasher(resolved.parents.len(), Default::default());
                for (&i, q) in &resolved.parents {
                    by_key.entry(resolved.nodes[i].key.key.as_str()).or_insert(q);
                }
                by_key
            });
            parent = parent_by_key.get(p.as_str()).map(|&q| q.clone());
        }
    }
    // Name composition: 杭州市政府 is in 杭州, 杭州云计算产业园 in 杭州;
    // Intel创新实验室 is part of Intel. The rest of the name must be a name
    // part of its own (西湖区 is not "in 西湖").
    for (i, node) in resolved.nodes.iter().enumerate() {
        let ty = node.key.node_type;
        if !matches!(ty, NodeType::Organization | NodeType::Place | NodeType::Event) {
            continue;
        }
        let key = &node.key.key;
        let (best_place, parent) = prefix_place_and_organization(key, ty, i, &names, rules);
        if let Some(p) = best_place {
            push(&node.key, Predicate::LocatedIn, Cow::Borrowed(&resolved.nodes[p].key), i, "relations/name-prefix-place");
        }
        if let Some(parent) = parent.filter(|p| p.key != *key) {
            push(&node.key, Predicate::PartOf, Cow::Owned(parent), i, "relations/name-prefix-organization");
        }
    }
}

/// What the name `key` of node `i`, of type `ty`, starts with: the place
/// it is in, and for an organization the organization it is part of.
///
/// Two searches over the prefixes of the name (2 characters up to all but
/// the last 2), the longest first, each taking the first prefix that
/// passes its own test: walked together, so that each prefix is looked up
/// once for both.
fn prefix_place_and_organization(key: &str, ty: NodeType, i: usize, names: &Names, rules: &RuleSet) -> (Option<usize>, Option<NodeKey>) {
    // The longest spelling the name starts with (of another place, the
    // last listed), followed by a rest that is a name part: of 2
    // characters or more, as spellings are (only those prefixes are
    // looked up).
    let mut best_place = None;
    // For an organization, the longest known organization (of the
    // document, or else of the gazetteer) the name starts with.
    let mut parent = None;
    let is_organization = ty == NodeType::Organization;
    for at in inner_prefix_ends(key) {
        let prefix = &key[..at];
        let named = names.get(prefix);
        if best_place.is_none() {
            if let Some(last) = named.last_listed {
                if !(ty == NodeType::Place && rules.is_suffix(&key[at..])) {
                    best_place = names.latest_first(last).find(|&p| p != i);
                }
            }
        }
        if is_organization && parent.is_none() {
            parent = if named.organization { Some(NodeKey::new(NodeType::Organization, prefix)) } else { gazetteer_organization(prefix, rules) };
        }
        if best_place.is_some() && (parent.is_some() || !is_organization) {
            break;
        }
    }
    (best_place, parent)
}

/// The organization of the gazetteer spelled `name`, if any.
fn gazetteer_organization(name: &str, rules: &RuleSet) -> Option<NodeKey> {
    rules.dictionary.lookup(name).iter().map(|&e| rules.dictionary.entry(e)).find(|e| {
        e.kind == crate::rules::DictKind::Entity(NodeType::Organization)
    }).map(|e| NodeKey::new(NodeType::Organization, e.key.clone()))
}

/// The names of a document's places and organizations, in one table: a
/// prefix of a name is looked up once for all that `location_facts` asks
/// of it (with a table for each, twice for a prefix of an organization's
/// name), and a place's key is entered once as its key and its spelling.
/// The places of a spelling are kept in the order listed: a chain through
/// one list rather than a vector for each spelling (which took an
/// allocation for each).
struct Names<'a> {
    by_name: FxHashMap<&'a str, Named>,
    /// Place, and where in `listed` the same spelling was listed before.
    listed: Vec<(usize, Option<usize>)>,
}

/// What one name names in a document.
#[derive(Clone, Copy, Default)]
struct Named {
    /// The place whose key it is (the last entered, if several).
    place: Option<usize>,
    /// Where in `Names::listed` it was listed last as a place's spelling.
    last_listed: Option<usize>,
    /// Whether it is an organization's key.
    organization: bool,
}

impl<'a> Names<'a> {
    /// Room for `names` names (at least one for each place).
    fn with_capacity(names: usize) -> Names<'a> {
        Names { by_name: FxHashMap::with_capacity_and_hasher(names, Default::default()), listed: Vec::with_capacity(names) }
    }

    /// Enter a place's key, and list it as a spelling of the place if
    /// `spelled`.
    fn add_place(&mut self, key: &'a str, place: usize, spelled: bool) {
        let at = self.listed.len();
        let named = self.by_name.entry(key).or_default();
        named.place = Some(place);
        if spelled {
            let before = named.last_listed.replace(at);
            self.listed.push((place, before));
        }
    }

    fn add_organization(&mut self, key: &'a str) {
        self.by_name.entry(key).or_default().organization = true;
    }

    /// List a spelling of a place.
    fn list(&mut self, spelling: &'a str, place: usize) {
        let before = self.by_name.entry(spelling).or_default().last_listed.replace(self.listed.len());
        self.listed.push((place, before));
    }

    /// What `name` names (nothing, if it is not entered).
    fn get(&self, name: &str) -> Named {
        self.by_name.get(name).copied().unwrap_or_default()
    }

    /// The places of a spelling listed last at `last`, the latest first.
    fn latest_first(&self, last: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(last), |&at| self.listed[at].1).map(|at| self.listed[at].0)
    }
}

/// The byte ends of the prefixes of `name` of 2 characters up to all but
/// the last 2, the longest first.
fn inner_prefix_ends(name: &str) -> impl Iterator<Item = usize> + '_ {
    let shortest = name.char_indices().nth(2).map_or(usize::MAX, |(at, _)| at);
    name.char_indices().rev().skip(1).map(|(at, _)| at).take_while(move |&at| at >= shortest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random tagged sentences: tags, the words the built-in `each_object`
    /// patterns look for between them, other words and line breaks.
    fn tagged_texts() -> Vec<String> {
        let words: Vec<char> = "说表示谈认为“「。，,的元增长了a".chars().collect();
        let tags: Vec<char> = (0..11).map(|i| char::from_u32(crate::rules::TAG_BASE + i).unwrap()).collect();
        let mut random = crate::test_random::xorshift32(0x9e37_79b9);
        let mut next = move || random() as usize;
        (0..3000)
            .map(|_| {
                let len = 10 + next() % 190;
                // Line breaks in every other sentence.
                let breaks = next() % 2 == 0;
                (0..len)
                    .map(|_| {
                        let r = next();
                        match r % 100 {
                            0 | 50 if breaks => '\n',
                            n if n % 4 == 0 => tags[(r / 4) % tags.len()],
                            _ => words[(r / 4) % words.len()],
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn stripping_the_tags_leaves_every_character_but_the_private_use_ones() {
        let alphabet: Vec<char> = "a，说\u{E000}\u{E00A}\u{EFFF}\u{F000}\u{F8FF}\u{F900}\u{FF0C}\u{D7FF}é𠀀\n".chars().collect();
        let mut next = crate::test_random::xorshift32(0x57A6);
        for len in 0..500 {
            let text: String = crate::test_random::random_text(&alphabet, len % 40, &mut next);
            let plain: String = text.chars().filter(|&c| !is_private_use(c)).collect();
            assert_eq!(strip_tags(&text), plain, "{text:?}");
        }
    }

    #[test]
    fn a_sentence_in_which_no_mention_starts_has_no_slot() {
        let folded = Folded::new(&"甲乙丙丁戊己庚辛壬癸".repeat(4));
        let tags = [Tag::Node(NodeType::Person), Tag::Node(NodeType::Money), Tag::Title];
        let mut next = crate::test_random::xorshift32(0xC0FFEE);
        let mut next = move |n: usize| next() as usize % n;
        let (mut skipped, mut tagged_some) = (0, 0);
        for _ in 0..2000 {
            // Mentions of 1 to 4 characters, sorted by start, some nested
            // or overlapping, some running past a sentence end.
            let mut mentions: Vec<TaggedMention> = (0..next(6))
                .map(|_| {
                    let start = next(folded.chars());
                    TaggedMention::new(Span::new(start, (start + 1 + next(4)).min(folded.chars())), tags[next(tags.len())], None, RuleId::Literal("test"))
                })
                .collect();
            mentions.sort_by_key(|m| m.span().start);
            let start = next(folded.chars());
            let sentence = Span::new(start, (start + 1 + next(12)).min(folded.chars()));
            let mut tagged = TaggedSentence::default();
            let mentions = &mentions[mentions.partition_point(|m| m.span().start < sentence.start)..];
            let walked = tag_sentence(&folded, sentence, mentions, &mut tagged);
            assert_eq!(walked, mentions.partition_point(|m| m.span().start < sentence.end), "mentions walked past in {sentence:?}");
            if has_mention_starting_within(mentions, sentence) {
                tagged_some += usize::from(!tagged.slots.is_empty());
            } else {
                assert!(tagged.slots.is_empty(), "{sentence:?} {:?}", mentions.iter().map(|m| m.span()).collect::<Vec<_>>());
                assert_eq!(tagged.text, folded.slice(sentence.start, sentence.end));
                skipped += 1;
            }
        }
        assert!(skipped > 300 && tagged_some > 300, "{skipped} sentences skipped, {tagged_some} tagged");
    }

    /// The buffers made for a document hold the tagged form of each of its
    /// sentences, with a leading topic, without growing.
    #[test]
    fn tagged_sentences_fit_the_room_made_for_them() {
        let folded = Folded::new(&"王坚说a，😀阿里云在杭州。Intel的2015年".repeat(5));
        let tags = [Tag::Node(NodeType::Person), Tag::Node(NodeType::Organization), Tag::Title];
        let mut next = crate::test_random::xorshift32(0x600D);
        let mut next = move |n: usize| next() as usize % n;
        for _ in 0..500 {
            let mut mentions: Vec<TaggedMention> = (0..next(40))
                .map(|_| {
                    let start = next(folded.chars());
                    TaggedMention::new(Span::new(start, (start + 1 + next(3)).min(folded.chars())), tags[next(3)], None, RuleId::Literal("test"))
                })
                .collect();
            mentions.sort_by_key(|m| m.span().start);
            let mut sentences = Vec::new();
            let mut start = 0;
            while start < folded.chars() {
                let end = (start + 1 + next(30)).min(folded.chars());
                sentences.push(Span::new(start, end));
                start = end;
            }
            let topic = TaggedMention::new(Span::new(0, 1), Tag::Node(NodeType::Place), None, RuleId::Literal("test"));
            let mut tagged = TaggedSentence::with_room_for(&sentences, mentions.len());
            let room = (tagged.text.capacity(), tagged.slots.capacity());
            for &sentence in &sentences {
                let from = mentions.partition_point(|m| m.span().start < sentence.start);
                tag_sentence(&folded, sentence, &mentions[from..], &mut tagged);
                tagged.put_first(&topic);
                assert_eq!((tagged.text.capacity(), tagged.slots.capacity()), room, "{sentence:?}");
            }
        }
    }

    #[test]
    fn the_first_mention_at_or_after_a_start_is_that_a_binary_search_finds() {
        let mut next = crate::test_random::xorshift32(0xF1257);
        let mut next = move |n: usize| next() as usize % n;
        for _ in 0..300 {
            let mut starts: Vec<usize> = (0..next(30)).map(|_| next(100)).collect();
            starts.sort_unstable();
            let mentions: Vec<TaggedMention> = starts
                .iter()
                .map(|&start| TaggedMention::new(Span::new(start, start + 1), Tag::Title, None, RuleId::Literal("test")))
                .collect();
            // Starts mostly in order, as sentences come, some going back.
            let (mut from, mut start) = (0, 0);
            for _ in 0..20 {
                start = if next(5) == 0 { next(110) } else { start + next(15) };
                from = first_starting_at_or_after(&mentions, from, start);
                assert_eq!(from, mentions.partition_point(|m| m.span().start < start), "{start} in {starts:?}");
            }
        }
    }

    #[test]
    fn the_places_of_a_spelling_are_those_listed_with_it_the_latest_first() {
        let mut names = Names::with_capacity(0);
        names.add_place("杭州", 3, true);
        names.add_place("杭", 4, false);
        names.add_organization("浙江");
        for (spelling, place) in [("浙江", 5), ("杭州", 7), ("西湖", 7), ("杭州", 3)] {
            names.list(spelling, place);
        }
        let of = |spelling: &str| names.get(spelling).last_listed.map(|last| names.latest_first(last).collect::<Vec<_>>());
        assert_eq!(of("杭州"), Some(vec![3, 7, 3]));
        assert_eq!(of("浙江"), Some(vec![5]));
        assert_eq!(of("西湖"), Some(vec![7]));
        assert_eq!(of("杭"), None);
        // Keys, spellings and organizations are told apart.
        assert_eq!((names.get("杭州").place, names.get("杭").place, names.get("西湖").place), (Some(3), Some(4), None));
        assert!(names.get("浙江").organization && !names.get("杭州").organization && !names.get("南京").organization);
    }

    /// The place a name starts with and the organization it is part of
    /// are those two searches of its prefixes find, each on its own.
    #[test]
    fn one_walk_over_the_prefixes_finds_what_two_searches_find() {
        let rules = RuleSet::builtin().unwrap();
        // Names made of a few place and organization words, some of them
        // spellings of places or organizations of the "document".
        let parts = ["杭州", "杭州市", "西湖", "区", "浙江", "大学", "政府", "中国", "银行", "集团", "华", "科技", "公司", "北京"];
        let mut next = crate::test_random::xorshift32(0x9A3E);
        let mut next = move |n: usize| next() as usize % n;
        let types = [NodeType::Place, NodeType::Organization, NodeType::Event];
        let (mut places_found, mut parents_found) = (0, 0);
        for _ in 0..400 {
            let word = |next: &mut dyn FnMut(usize) -> usize| (0..1 + next(3)).map(|_| parts[next(parts.len())]).collect::<String>();
            let keys: Vec<String> = (0..12).map(|_| word(&mut next)).collect();
            let mut names = Names::with_capacity(0);
            for (place, key) in keys.iter().enumerate().take(6) {
                names.add_place(key, place, key.chars().nth(1).is_some());
                if next(2) == 0 {
                    names.list(&keys[6 + next(6)], place);
                }
            }
            for key in keys.iter().skip(6 + next(3)) {
                names.add_organization(key);
            }
            for _ in 0..20 {
                let (key, ty, i) = (word(&mut next), types[next(3)], next(14));
                let plain_place = inner_prefix_ends(&key).find_map(|at| {
                    let (name, rest) = key.split_at(at);
                    let last = names.get(name).last_listed?;
                    if ty == NodeType::Place && rules.is_suffix(rest) {
                        return None;
                    }
                    names.latest_first(last).find(|&p| p != i)
                });
                let plain_parent = (ty == NodeType::Organization)
                    .then(|| {
                        inner_prefix_ends(&key).find_map(|at| {
                            let prefix = &key[..at];
                            if names.get(prefix).organization {
                                return Some(NodeKey::new(NodeType::Organization, prefix));
                            }
                            gazetteer_organization(prefix, &rules)
                        })
                    })
                    .flatten();
                places_found += usize::from(plain_place.is_some());
                parents_found += usize::from(plain_parent.is_some());
                assert_eq!(prefix_place_and_organization(&key, ty, i, &names, &rules), (plain_place, plain_parent), "{key} {ty:?} {i}");
            }
        }
        assert!(places_found > 500 && parents_found > 100, "{places_found} places, {parents_found} organizations found");
    }

    #[test]
    fn inner_prefixes_run_from_all_but_the_last_two_characters_down_to_two() {
        fn ends(name: &str) -> Vec<&str> {
            inner_prefix_ends(name).map(|at| &name[..at]).collect()
        }
        assert!(ends("").is_empty() && ends("杭州").is_empty() && ends("杭州市").is_empty());
        assert_eq!(ends("杭州市政"), ["杭州"]);
        assert_eq!(ends("杭州市政府"), ["杭州市", "杭州"]);
        assert_eq!(ends("Intel创新实验室"), ["Intel创新实", "Intel创新", "Intel创", "Intel", "Inte", "Int", "In"]);
    }

    /// Every group of a rule's match, by number.
    fn groups(rule: &crate::rules::RelationRule, found: Option<MatchGroups>) -> Option<Vec<Option<(usize, usize)>>> {
        found.map(|g| (1..rule.regex.captures_len()).map(|i| g.get(Some(i)).map(|r| (r.start, r.end))).collect())
    }

    /// Append to `out` a random text that `hir` matches (repetitions of
    /// a few times at most).
    fn sample(hir: &regex_syntax::hir::Hir, next: &mut dyn FnMut() -> u32, out: &mut String) {
        use regex_syntax::hir::{Class, HirKind};
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(literal) => out.push_str(std::str::from_utf8(&literal.0).unwrap()),
            HirKind::Class(Class::Unicode(class)) => {
                let range = class.ranges()[next() as usize % class.ranges().len()];
                let span = range.end() as u32 - range.start() as u32 + 1;
                out.extend(char::from_u32(range.start() as u32 + next() % span.min(64)));
            }
            HirKind::Class(Class::Bytes(class)) => out.push(class.ranges()[0].start() as char),
            HirKind::Repetition(rep) => {
                let most = rep.max.unwrap_or(rep.min + 2).min(rep.min + 2);
                for _ in 0..rep.min + next() % (most - rep.min + 1) {
                    sample(&rep.sub, next, out);
                }
            }
            HirKind::Capture(capture) => sample(&capture.sub, next, out),
            HirKind::Concat(parts) => parts.iter().for_each(|p| sample(p, next, out)),
            HirKind::Alternation(branches) => sample(&branches[next() as usize % branches.len()], next, out),
        }
    }

    #[test]
    fn placed_match_groups_are_those_the_capture_engine_finds() {
        let rules = RuleSet::builtin().unwrap();
        let placed: Vec<_> = rules.relations.iter().filter(|r| r.match_groups.is_some()).collect();
        assert!(placed.len() >= 40, "only {} built-in rules read off their matches", placed.len());
        // Texts that each such pattern matches, among random tags and words
        // that make other matches, nearer ones, or none.
        let tags: Vec<char> = (0..11).map(|i| char::from_u32(crate::rules::TAG_BASE + i).unwrap()).collect();
        let words = ["", "的", "是", "在", "和", "、", "，", "了", "说", "成立", "旗下", "。"];
        let mut next = crate::test_random::xorshift32(0x51A7);
        let noise = |next: &mut dyn FnMut() -> u32| -> String {
            (0..next() % 4).map(|_| format!("{}{}", tags[next() as usize % tags.len()], words[next() as usize % words.len()])).collect()
        };
        let mut texts = Vec::new();
        for rule in &placed {
            for _ in 0..200 {
                let (before, after) = (noise(&mut next), noise(&mut next));
                let mut text = before;
                sample(rule.regex.hir(), &mut next, &mut text);
                text.push_str(&after);
                if next().is_multiple_of(2) {
                    sample(rule.regex.hir(), &mut next, &mut text);
                }
                texts.push(text);
            }
        }
        let mut matched = 0;
        for rule in placed {
            let placed = rule.match_groups.as_deref().unwrap();
            for text in &texts {
                let read_off: Vec<_> = rule
                    .regex
                    .find_iter(text)
                    .map(|m| groups(rule, Some(MatchGroups::Placed { text, start: m.start(), end: m.end(), placed })))
                    .collect();
                let captured: Vec<_> = rule.regex.captures_iter(text).map(|c| groups(rule, Some(MatchGroups::Captured(c)))).collect();
                matched += captured.len();
                assert_eq!(read_off, captured, "{} on {text:?}", rule.id);
            }
        }
        assert!(matched > 3000, "only {matched} matches");
    }

    /// Texts of tags and words, with and without matches of the rules,
    /// several of them near each other.
    fn texts_of_tags_and_matches(rules: &[&crate::rules::RelationRule]) -> Vec<String> {
        let tags: Vec<char> = (0..11).map(|i| char::from_u32(crate::rules::TAG_BASE + i).unwrap()).collect();
        let words = ["", "的", "是", "在", "和", "、", "，", "了", "说", "成立", "旗下", "。", "\n", "“"];
        let mut next = crate::test_random::xorshift32(0xA2C4);
        let noise = |next: &mut dyn FnMut() -> u32| -> String {
            (0..next() % 4).map(|_| format!("{}{}", tags[next() as usize % tags.len()], words[next() as usize % words.len()])).collect()
        };
        let mut texts = tagged_texts();
        for rule in rules {
            for _ in 0..100 {
                let mut text = noise(&mut next);
                for _ in 0..1 + next() % 3 {
                    sample(rule.regex.hir(), &mut next, &mut text);
                    text.push_str(&noise(&mut next));
                }
                texts.push(text);
            }
        }
        texts
    }

    #[test]
    fn searches_anchored_at_the_tags_find_what_find_iter_and_captures_iter_find() {
        let rules = RuleSet::builtin().unwrap();
        let from_tags: Vec<_> = rules.relations.iter().filter(|r| first_tag_chars(&r.regex).is_some()).collect();
        assert!(from_tags.len() >= 40, "only {} built-in rules start with a tag", from_tags.len());
        let texts = texts_of_tags_and_matches(&from_tags);
        let mut matched = 0;
        for rule in from_tags {
            let first = first_tag_chars(&rule.regex).unwrap();
            for text in &texts {
                let mut found = Vec::new();
                let search = |anchored: &regex::Regex, rest| anchored.find(rest).map(|m| (m.len(), ()));
                rule.regex.for_each_match_from(text, tag_places_of(text, first), search, |start, len, ()| found.push(start..start + len));
                let plain: Vec<_> = rule.regex.find_iter(text).map(|m| m.range()).collect();
                assert_eq!(found, plain, "{} on {text:?}", rule.id);
                let mut captured = Vec::new();
                rule.regex.for_each_match_from(
                    text,
                    tag_places_of(text, first),
                    |anchored, rest| anchored.captures(rest).map(|c| (c.get(0).unwrap().len(), c)),
                    |start, _, caps| captured.push(groups(rule, Some(MatchGroups::CapturedAt(caps, start)))),
                );
                let plain: Vec<_> = rule.regex.captures_iter(text).map(|c| groups(rule, Some(MatchGroups::Captured(c)))).collect();
                matched += plain.len();
                assert_eq!(captured, plain, "{} on {text:?}", rule.id);
            }
        }
        assert!(matched > 3000, "only {matched} matches");
    }

    /// Where the text has no tag characters of its own, the places of
    /// a range of tags read off the slots of a tagged sentence are those a
    /// search of its text finds; where it has, they are searched for.
    #[test]
    fn tag_places_read_off_the_slots_are_those_a_search_finds() {
        let tags: Vec<Tag> = [NodeType::Person, NodeType::Organization, NodeType::Place, NodeType::Money, NodeType::Date, NodeType::Quotation]
            .into_iter()
            .map(Tag::Node)
            .chain([Tag::Title])
            .collect();
        let mentions: Vec<TaggedMention> =
            tags.iter().map(|&tag| TaggedMention::new(Span::new(0, 1), tag, None, RuleId::Literal("test"))).collect();
        let words = ["", "的", "说", "a", "，", "𠀀", "\n"];
        let mut next = crate::test_random::xorshift32(0x7A95);
        let mut next = move |n: usize| next() as usize % n;
        let (mut found, mut own_found) = (0, 0);
        for _ in 0..2000 {
            let mut tagged = TaggedSentence::default();
            for _ in 0..next(12) {
                tagged.text.push_str(words[next(words.len())]);
                let m = &mentions[next(mentions.len())];
                tagged.slots.push((tagged.text.len(), m));
                tagged.text.push(m.tag.symbol());
            }
            if next(3) == 0 {
                tagged.put_first(&mentions[next(mentions.len())]);
            }
            let (a, b) = (tags[next(tags.len())].symbol(), tags[next(tags.len())].symbol());
            let first = (a.min(b), a.max(b));
            let plain: Vec<usize> = tag_places_of(&tagged.text, first).collect();
            found += plain.len();
            assert_eq!(tagged.places_of(first, false).collect::<Vec<_>>(), plain, "{:?} {first:?}", tagged.text);
            assert_eq!(tagged.places_of(first, true).collect::<Vec<_>>(), plain, "{:?} {first:?}", tagged.text);
            // A tag character of the text's own, which no slot lists, is
            // found where the text is said to have them.
            tagged.text.push(first.0);
            let plain: Vec<usize> = tag_places_of(&tagged.text, first).collect();
            own_found += plain.len();
            assert_eq!(tagged.places_of(first, true).collect::<Vec<_>>(), plain, "{:?} {first:?}", tagged.text);
        }
        assert!(found > 2000 && own_found > found, "{found} places found, {own_found} with the text's own");
    }

    #[test]
    fn a_text_has_at_most_so_many_characters_where_counting_them_says_so() {
        let alphabet: Vec<char> = "a，说é𠀀\u{E000}".chars().collect();
        let mut next = crate::test_random::xorshift32(0xC4A2);
        for len in 0..600 {
            let text: String = crate::test_random::random_text(&alphabet, len % 20, &mut next);
            for most in 0..24 {
                assert_eq!(at_most_chars(&text, most), text.chars().count() <= most, "{text:?} {most}");
            }
        }
    }

    #[test]
    fn the_first_characters_of_a_regex_bound_those_its_matches_start_with() {
        let first = |source: &str| crate::rules::LazyRegex::parse(source).unwrap().first_chars();
        assert_eq!(first("a|[b-d]x"), Some(('a', 'd')));
        assert_eq!(first("(?P<s>[\u{E000}\u{E002}])的"), Some(('\u{E000}', '\u{E002}')));
        assert_eq!(first("(?:说|表示)+了"), Some(('表', '说')));
        // A match may start with a look-around or take no first character.
        assert_eq!(first("\\b说"), None);
        assert_eq!(first("^说"), None);
        assert_eq!(first("(?:说)?了"), None);
        assert_eq!(first("说|"), None);
    }

    #[test]
    fn object_captures_are_those_of_a_search_from_the_sentence_start() {
        let rules = RuleSet::builtin().unwrap();
        let windowed: Vec<_> = rules.relations.iter().filter(|r| r.object_reach.as_ref().is_some_and(|r| r.starts.is_some())).collect();
        assert_eq!(windowed.len(), rules.relations.iter().filter(|r| r.each_object).count(), "every built-in each_object rule");
        let from_tags = windowed.iter().filter(|r| r.object_reach.as_ref().is_some_and(|r| r.start_tags.is_some())).count();
        assert_eq!(from_tags, windowed.len(), "every built-in each_object rule starts with a slot");
        let mut texts = tagged_texts();
        // `.*` does not cross a line break: the speaker is the first one.
        let [person, quote] = [Tag::Node(NodeType::Person), Tag::Node(NodeType::Quotation)].map(Tag::symbol);
        texts.push(format!("{person}说\n{person}说“{quote}"));
        // Speakers before speakers who say nothing, and before line breaks.
        let words = ["说", "表示", "认为", "的", "，", "和", "了", "\n", ""];
        let mut next = crate::test_random::xorshift32(0x5EA7);
        let mut word = move || words[next() as usize % words.len()];
        for _ in 0..1000 {
            texts.push(format!("{}{person}{}{}{person}{}{}“{quote}", word(), word(), word(), word(), word()));
        }
        let (mut matched, mut read_off, mut from_earlier) = (0, 0, 0);
        for rule in windowed {
            for text in &texts {
                for (at, c) in text.char_indices().filter(|(_, c)| (*c as u32).wrapping_sub(crate::rules::TAG_BASE) < 32) {
                    let end = at + c.len_utf8();
                    if rule.slot_tags.1 & (1 << (c as u32 - crate::rules::TAG_BASE)) == 0 {
                        continue;
                    }
                    let before = &text[..end];
                    let plain = groups(rule, rule.regex.captures(before).map(MatchGroups::Captured));
                    let reach = rule.object_reach.as_ref().map_or(0, |r| r.chars);
                    matched += usize::from(plain.is_some() && before.chars().count() > reach);
                    let found = object_captures(rule, before, None);
                    let mut tags = before.char_indices().rev().filter_map(|(at, c)| Some((at, crate::rules::tag_bit(c)?)));
                    let from_tags = object_captures(rule, before, Some(&mut tags));
                    // (Matches of `that part` from before the last of its
                    // start tags, where none starts at that one.)
                    let starts = rule.object_reach.as_ref().and_then(|r| r.start_tags).unwrap_or(0);
                    let last_start = before.char_indices().rev().find(|&(_, c)| crate::rules::tag_bit(c).is_some_and(|bit| bit & starts != 0));
                    from_earlier += usize::from(plain.is_some() && last_start.is_some_and(|(last, _)| rule.regex.captures_at(before, last).is_none()));
                    assert_eq!(groups(rule, from_tags), plain, "{} on {before:?}, from its tags", rule.id);
                    read_off += usize::from(matches!(found, Some(MatchGroups::Placed { .. })));
                    assert_eq!(groups(rule, found), plain, "{} on {before:?}", rule.id);
                }
            }
        }
        assert!(matched > 1000, "only {matched} matches searched from a window");
        assert!(read_off > 1000, "only {read_off} matches read off the places of their groups");
        assert!(from_earlier > 100, "only {from_earlier} matches from a start tag before the last");
    }
}
