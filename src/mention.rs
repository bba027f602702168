//! Stage 3: find mentions in a folded document.
//!
//! Candidates come from five rule families, all driven by `rules/`:
//!
//! * **gazetteers**: one leftmost-longest automaton over every known name,
//!   alias and title (`gazetteers/*.tsv`);
//! * **suffixes**: a proper-noun stem before an organization, place or event
//!   suffix (`数梦` + `工场`, `西湖区` + `政府`); the stem is walked back
//!   word by word with the lexicon and stops at a verb, a function word or
//!   punctuation (`entities/stems.toml`);
//! * **persons**: a surname and one or two given-name characters, accepted
//!   only with evidence: a title before or after, a speech verb after, a
//!   reporter/author cue before, a person-name lexicon entry, the same name
//!   accepted elsewhere in the document, or an enumeration next to an
//!   accepted person (`entities/person.toml`);
//! * **regex rules** for the rest (《书名》, foreign names, Latin company
//!   names in a company context) (`entities/*.toml`);
//! * **values**: regex rules plus the normalizers of `value.rs`.
//!
//! Overlaps are resolved once, over all families: the longer mention wins,
//! then the higher priority (a user layer beats the built-in one), then the
//! earlier start. Quotations come from the segmenter and never compete.

use crate::chars::{with_str, CharBits, CharFilter, Phrases};
use start_chars::{
    Abbreviations, DocumentStarts, StartChars, ABBREVIATION, COMPOUND_FIRST, COMPOUND_SECOND, GIVEN, NAME_SHAPE_GIVEN, NEXT_TO_NAME, RARE_SURNAME,
    SINGLE_SURNAME, SUFFIX_END, SURNAME, TRANSLITERATION,
};
use crate::model::{NodeType, RuleId, Span};
use crate::normalize::Folded;
use crate::rules::{DictKind, Normalizer, PosSet, PossibleRules, RegexBank, RegexRule, RuleSet, Tag};
use crate::value::{self, DateExpr, Value};
use rustc_hash::{FxHashMap, FxHashSet};

/// A found mention before alias resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub span: Span,
    pub tag: Tag,
    /// Dictionary entry, when a gazetteer found it.
    pub entry: Option<u32>,
    pub rule: RuleId,
    pub priority: i32,
    /// The parsed value, for value mentions. (Boxed, as is `suffix_start`
    /// a `u32`: a document has a candidate every four to six characters,
    /// few of them values, and every stage from the rule families to
    /// overlap resolution reads or moves the whole list; at 64 bytes a
    /// candidate is one cache line, where the value inline made it 112.)
    pub value: Option<Box<ParsedValue>>,
    /// For suffix names: where the suffix starts (the stem is the short form).
    pub suffix_start: Option<u32>,
}

/// A value as parsed from its text; dates are resolved later, against the
/// document's other dates.
#[derive(Clone, Debug, PartialEq)]
pub enum ParsedValue {
    Value(Value),
    Date(DateExpr),
}

const PRIORITY_DICTIONARY: i32 = 50;
const PRIORITY_STRONG_SUFFIX: i32 = 30;
const PRIORITY_WEAK_SUFFIX: i32 = 20;
const PRIORITY_PERSON: i32 = 40;
const PRIORITY_ABBREVIATION: i32 = 45;
/// Each rule layer above the built-in one adds this, so user rules win.
const PRIORITY_PER_LAYER: i32 = 1000;

mod apposition;
mod brand;
mod coordination;
mod overlap_order;
pub(crate) mod start_chars;

/// Find and resolve all mentions of a folded document.
pub fn find_mentions(folded: &Folded, rules: &RuleSet) -> Vec<Candidate> {
    finish_mentions(folded.as_chars(), rules, resolve_overlaps(find_candidates(folded, rules)))
}

/// What follows overlap resolution: region words trimmed off places,
/// descriptions before a quoted name dropped (`mention/apposition.rs`), and
/// unknown names listed beside organizations typed as theirs
/// (`mention/coordination.rs`).
pub fn finish_mentions(chars: &[char], rules: &RuleSet, mut kept: Vec<Candidate>) -> Vec<Candidate> {
    for c in &mut kept {
        trim_region_word(chars, rules, c);
    }
    apposition::drop_descriptions(chars, &mut kept);
    coordination::add_listed_names(chars, rules, &mut kept);
    kept
}

/// 地区 after a known place is a word about the place, not part of its
/// name (东北地区, 亚太地区, 维护南亚地区 → 东北, 亚太, 南亚): the mention
/// is the longest known place that ends right before 地区.
fn trim_region_word(chars: &[char], rules: &RuleSet, c: &mut Candidate) {
    let span = c.span;
    if c.tag != Tag::Node(NodeType::Place) || span.len() < 4 || !text_at(chars, span.end - 2, "地区") {
        return;
    }
    let stem_end = span.end - 2;
    for k in span.start..=stem_end - 2 {
        let stem = crate::normalize::fold(&chars[k..stem_end].iter().collect::<String>());
        let found = rules.dictionary.lookup(&stem).iter().copied().find(|&i| matches!(rules.dictionary.entry(i).kind, DictKind::Entity(NodeType::Place)));
        if let Some(i) = found {
            c.span = Span::new(k, stem_end);
            c.entry = Some(i);
            c.suffix_start = None;
            return;
        }
    }
}

/// Every candidate of every rule family, before overlaps are resolved
/// (what `newsgraph explain` shows as the matches that lost).
pub fn find_candidates(folded: &Folded, rules: &RuleSet) -> Vec<Candidate> {
    find_candidates_of_each(&[folded], rules).pop().expect("one document in, one out")
}

/// [`find_mentions`] of each folded document.
pub fn find_mentions_of_each(docs: &[&Folded], rules: &RuleSet) -> Vec<Vec<Candidate>> {
    let found = find_candidates_of_each(docs, rules);
    docs.iter().zip(found).map(|(folded, found)| finish_mentions(folded.as_chars(), rules, resolve_overlaps(found))).collect()
}

/// What one document's rule families have found so far, and what they
/// read of it.
struct Finding<'a> {
    folded: &'a Folded,
    candidates: Vec<Candidate>,
    titles: TitleIndex,
    starts: DocumentStarts,
    /// The names the person rules ask about, read as families add them.
    names: NameSpans,
}

/// [`find_candidates`] of each folded document, family by family: each
/// family runs over every document before the next one starts, so that
/// its code and tables (the name automaton, the lexicon, each regex's lazy
/// DFA) are loaded once for the documents rather than once per document.
/// A family only reads its own document and what the families before it
/// found there, so each document's candidates, and their order, are those
/// of the documents taken one by one.
pub fn find_candidates_of_each(docs: &[&Folded], rules: &RuleSet) -> Vec<Vec<Candidate>> {
    let start_chars = rules.start_chars.get_or_init(|| StartChars::new(rules));
    let mut findings: Vec<Finding> = docs
        .iter()
        .map(|&folded| {
            let chars = folded.as_chars();
            // (News text has a candidate every four to six characters:
            // reserved for one every four, the list is not grown and
            // copied eight times.)
            let mut candidates = Vec::with_capacity(chars.len() / 4);
            dictionary_candidates(chars, rules, &mut candidates);
            brand::brand_extension_candidates(chars, rules, &mut candidates);
            let titles = TitleIndex::new(chars, &candidates);
            Finding { folded, candidates, titles, starts: start_chars.of_document(chars), names: NameSpans::default() }
        })
        .collect();
    // (The suffix rules read the names found so far while they add their
    // own: into a second list, not a copy of the first.)
    let mut suffixed = Vec::new();
    for f in &mut findings {
        suffix_candidates(f.folded.as_chars(), rules, &f.starts, &f.candidates, &mut suffixed);
        f.candidates.append(&mut suffixed);
        f.names.read(&f.candidates);
    }
    let possible: Vec<_> = findings.iter().map(|f| rules.possible_regex_rules(f.folded)).collect();
    candidates_rule_by_rule(&rules.entity_rules, 0, &mut findings, &possible, regex_candidates);
    candidates_rule_by_rule(&rules.value_rules, 1, &mut findings, &possible, value_candidates);
    drop(possible);
    for f in &mut findings {
        person_candidates(f.folded.as_chars(), rules, &f.starts, &f.titles, std::mem::take(&mut f.names), &mut f.candidates);
    }
    for f in &mut findings {
        abbreviation_candidates(f.folded.as_chars(), rules, &f.starts, &mut f.candidates);
    }
    for f in &mut findings {
        foreign_name_candidates(f.folded.as_chars(), rules, &f.starts, &f.titles, &mut f.candidates);
    }
    for f in &mut findings {
        place_organization_candidates(rules, &mut f.candidates);
    }
    findings.into_iter().map(|f| f.candidates).collect()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

fn dictionary_candidates(chars: &[char], rules: &RuleSet, out: &mut Vec<Candidate>) {
    for (start, end, entry) in rules.dictionary.find_best(chars) {
        let span = Span::new(start, end);
        // A Latin name must not be cut out of a longer Latin word (ARM in ARMY).
        let ascii_word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if chars[span.start].is_ascii_alphanumeric() && span.start > 0 && ascii_word(chars.get(span.start - 1)) {
            continue;
        }
        if chars[span.end - 1].is_ascii_alphanumeric() && ascii_word(chars.get(span.end)) {
            continue;
        }
        // A two-character county or district short form must not end a
        // frequent word begun before it (通|信都: 通信).
        if span.len() == 2 && span.start > 0 && entry.county_level
            && rules.lexicon.get_chars(&chars[span.start - 1..span.start + 1]).is_some_and(|w| w.freq >= 1000 && !w.pos.starts_with("ns")) {
                continue;
            }
        // Nor start a frequent word that runs past it (大观|园).
        if span.len() == 2 && span.end < chars.len() && entry.county_level
            && rules.lexicon.get_chars(&chars[span.end - 1..span.end + 1]).is_some_and(|w| w.freq >= 1000 && !w.pos.starts_with("ns")) {
                continue;
            }
        let tag = match entry.kind {
            DictKind::Entity(t) => Tag::Node(t),
            DictKind::Title => Tag::Title,
        };
        if tag == Tag::Title && split_title(chars, span, rules, out) {
            continue;
        }
        out.push(Candidate {
            span,
            tag,
            entry: Some(entry.entry),
            rule: entry.rule.clone(),
            priority: PRIORITY_DICTIONARY + entry.layer as i32 * PRIORITY_PER_LAYER,
            value: None,
            suffix_start: None,
        });
    }
}

/// A title that begins with an organization (国务院总理, 外交部长,
/// 中国科学院院士) names the organization as well: the organization and the
/// rest of the title are two mentions. A title that begins with a posting to
/// a country (驻华大使) keeps only its title part, so that the abbreviation
/// rules see 驻华.
fn split_title(chars: &[char], span: Span, rules: &RuleSet, out: &mut Vec<Candidate>) -> bool {
    let len = span.len();
    let title_at = |s: usize| {
        let rest = &chars[s..span.end];
        rest == ['长'] || rules.dictionary.lookup_chars(rest).iter().any(|&e| rules.dictionary.entry(e).kind == DictKind::Title)
    };
    let push_title = |s: usize, out: &mut Vec<Candidate>| {
        let entry = rules.dictionary.lookup_chars(&chars[s..span.end]).iter().copied().find(|&e| rules.dictionary.entry(e).kind == DictKind::Title);
        out.push(Candidate {
            span: Span::new(s, span.end),
            tag: Tag::Title,
            entry,
            rule: RuleId::Literal("gazetteers/title.tsv#split"),
            priority: PRIORITY_DICTIONARY,
            value: None,
            suffix_start: None,
        });
    };
    // 驻华大使, 驻美使馆: the posting word and one abbreviation. (The list
    // is looked up by name only after a posting word.)
    let abbreviation_at = |i: usize| rules.lists.list("place_abbreviations").iter().any(|a| a.starts_with(chars[i]));
    if len >= 4 && chars[span.start] == '驻' && abbreviation_at(span.start + 1) && title_at(span.start + 2) {
        push_title(span.start + 2, out);
        return true;
    }
    for k in (2..len).rev() {
        let org = rules.dictionary.lookup_chars(&chars[span.start..span.start + k]).iter().copied().find(|&e| rules.dictionary.entry(e).kind == DictKind::Entity(NodeType::Organization));
        let Some(org) = org else { continue };
        if !title_at(span.start + k) {
            continue;
        }
        out.push(Candidate {
            span: Span::new(span.start, span.start + k),
            tag: Tag::Node(NodeType::Organization),
            entry: Some(org),
            rule: rules.dictionary.entry(org).rule.clone(),
            priority: PRIORITY_DICTIONARY,
            value: None,
            suffix_start: None,
        });
        push_title(span.start + k, out);
        return true;
    }
    false
}

/// Titles by their start and end offsets, for the person rules.
struct TitleIndex {
    /// By character: [`TitleIndex::START`] if a title starts there,
    /// [`TitleIndex::END`] if one ends there. (One table, not one per
    /// kind: the person rules ask both of the same few positions, and the
    /// table is written for every document.)
    at: Vec<u8>,
}

impl TitleIndex {
    const START: u8 = 1;
    const END: u8 = 2;

    fn new(chars: &[char], candidates: &[Candidate]) -> TitleIndex {
        let mut at = vec![0; chars.len() + 1];
        for c in candidates.iter().filter(|c| c.tag == Tag::Title) {
            at[c.span.end] |= TitleIndex::END;
            at[c.span.start] |= TitleIndex::START;
        }
        TitleIndex { at }
    }

    fn starts_at(&self, i: usize) -> bool {
        self.at.get(i).is_some_and(|&flags| flags & TitleIndex::START != 0)
    }

    fn ends_at(&self, i: usize) -> bool {
        self.at.get(i).is_some_and(|&flags| flags & TitleIndex::END != 0)
    }
}

/// A value at some positions of the document (where the known names ending
/// at an end start, where the titles starting at a start end), asked at
/// every step of a stem walk. A document has thousands of positions and
/// tens of values: a bit per position answers the many positions without
/// one, a binary search over the values the rest. (A slot per position,
/// filled for every document, cost more than all the asking.) The default
/// holds no value at any position.
struct ByPosition {
    has_value: Bits,
    /// (position, value), one per position, by position.
    values: Vec<(u32, u32)>,
}

impl Default for ByPosition {
    fn default() -> ByPosition {
        ByPosition { has_value: Bits::new(0), values: Vec::new() }
    }
}

impl ByPosition {
    /// Of the values given for a position, the least.
    fn least(pairs: impl IntoIterator<Item = (usize, usize)>) -> ByPosition {
        ByPosition::keeping_first(pairs, |a, b| a.cmp(&b))
    }

    /// Of the values given for a position, the greatest.
    fn greatest(pairs: impl IntoIterator<Item = (usize, usize)>) -> ByPosition {
        ByPosition::keeping_first(pairs, |a, b| b.cmp(&a))
    }

    /// Each position with the value that `order` puts first.
    fn keeping_first(pairs: impl IntoIterator<Item = (usize, usize)>, order: impl Fn(u32, u32) -> std::cmp::Ordering) -> ByPosition {
        let pairs = pairs.into_iter();
        // (Reserved for the most pairs there may be: the callers filter.)
        let mut values: Vec<(u32, u32)> = Vec::with_capacity(pairs.size_hint().1.unwrap_or(0));
        values.extend(pairs.map(|(k, v)| (offset(k), offset(v))));
        values.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| order(a.1, b.1)));
        values.dedup_by_key(|&mut (k, _)| k);
        let mut has_value = Bits::new(values.last().map_or(0, |&(k, _)| k as usize + 1));
        for &(k, _) in &values {
            has_value.set(k as usize);
        }
        ByPosition { has_value, values }
    }

    fn get(&self, k: usize) -> Option<usize> {
        if !self.has_value.get(k) {
            return None;
        }
        self.values.binary_search_by_key(&k, |&(p, _)| p as usize).ok().map(|i| self.values[i].1 as usize)
    }
}

/// The candidates found before suffix names, with an index by end
/// position: every suffix match asks which known names end at a few
/// positions, and a document has hundreds of both.
struct KnownNames<'a> {
    all: &'a [Candidate],
    /// Indices into `all`, ordered by (end, index).
    by_end: Vec<u32>,
    /// Where some candidate ends: most positions asked have none, and a
    /// bit answers them without a search.
    ends: Bits,
}

impl<'a> KnownNames<'a> {
    fn new(all: &'a [Candidate]) -> KnownNames<'a> {
        let mut by_end: Vec<u32> = (0..all.len() as u32).collect();
        // (Stable, by end alone: the indices of one end keep their order,
        // as a sort by (end, index) puts them. The gazetteer's names come
        // in text order and the few others after them, two runs that a
        // stable sort merges, where an unstable one sorted them afresh.)
        by_end.sort_by_key(|&i| all[i as usize].span.end);
        let mut ends = Bits::new(all.iter().map(|c| c.span.end + 1).max().unwrap_or(0));
        for c in all {
            ends.set(c.span.end);
        }
        KnownNames { all, by_end, ends }
    }

    /// The candidates that end at `end`, in their original order.
    fn ending_at(&self, end: usize) -> impl Iterator<Item = &'a Candidate> + '_ {
        let from = match self.ends.get(end) {
            true => self.by_end.partition_point(|&i| self.all[i as usize].span.end < end),
            false => self.by_end.len(),
        };
        self.by_end[from..].iter().map(|&i| &self.all[i as usize]).take_while(move |k| k.span.end == end)
    }

    /// The candidates that end in `ends`.
    fn ending_in(&self, ends: std::ops::RangeInclusive<usize>) -> impl Iterator<Item = &'a Candidate> + '_ {
        // (The bit first: most ends have no name, and an iterator per end
        // cost more than the test.)
        ends.filter(move |&end| self.ends.get(end)).flat_map(move |end| self.ending_at(end))
    }
}

fn suffix_candidates(chars: &[char], rules: &RuleSet, starts: &DocumentStarts, known: &[Candidate], out: &mut Vec<Candidate>) {
    let known_names = KnownNames::new(known);
    let stem_lists = StemLists::of(rules);
    let country_body_suffixes = rules.lists.list("country_body_suffixes");
    // Known names may sit inside a stem (浙江 in 浙江吉华集团): the walk
    // jumps over them whole.
    let is_entity = |c: &Candidate| matches!(c.tag, Tag::Node(t) if t.is_entity());
    let known_end = ByPosition::least(known.iter().filter(|c| is_entity(c)).map(|c| (c.span.end, c.span.start)));
    let title_starts = ByPosition::greatest(known.iter().filter(|c| c.tag == Tag::Title).map(|c| (c.span.start, c.span.end)));
    // A stem never reaches over a title or a value (时任...省长,
    // 2013年阿里云年会).
    let mut barriers = vec![false; chars.len() + 1];
    for c in known.iter().filter(|c| !is_entity(c)) {
        barriers[c.span.start + 1..=c.span.end].fill(true);
    }
    // (Only where a suffix may end: the start table tells, eight characters
    // at a time.)
    let suffix_lasts = std::iter::successors(starts.next(0, SUFFIX_END), |&k| starts.next(k + 1, SUFFIX_END));
    let found = rules.suffix_search.find_ending_at(chars, suffix_lasts);
    // Where an organization suffix starts (桂林移动|公司), for
    // `modifies_next_noun`: read off the matches, which hold every
    // occurrence of every suffix, rather than each length after a match
    // spelled out and hashed.
    let mut org_suffix_starts = Bits::new(chars.len() + 1);
    for &(start, _, index) in &found {
        if rules.suffix_search.head(index).node_type == NodeType::Organization {
            org_suffix_starts.set(start);
        }
    }
    for (s_start, s_end, index) in found {
        // (The type and strength from the search's compact table: most
        // matches need nothing else of the suffix.)
        let head = rules.suffix_search.head(index);
        let suffix = &rules.suffixes[index as usize];
        // The suffix must not be the start of a longer word (省 in 省长,
        // 站 in 站在, 营 in 营收).
        // A title inside the suffix (代表 in 代表团) does not count.
        let starts_word = || title_starts.get(s_start).is_some_and(|e| e > s_end) || starts_longer_word(chars, s_start, s_end, rules);
        // A one-character weak suffix (委, 局, 队) names the body of the
        // known name right before it, and nothing more (战胜|匈牙利队).
        // (Seven matches in ten are such suffixes, and few of them have
        // such a name: the name is asked for first, the words after.)
        if !head.strong && s_end - s_start == 1 {
            // Nor may it end a word begun inside the name (兴海|洋, 明报|道).
            let stem = weak_suffix_stem(chars, s_start, head.node_type, rules, stem_lists, &known_names).or_else(|| proper_word_stem(chars, s_start, head.node_type, rules));
            // 福鼎市|江西省: a one-character place suffix after a complete
            // administrative name starts the next name.
            let stem = stem.filter(|&start| head.node_type != NodeType::Place || admin_boundary(chars, start, s_start, s_start, false, rules, stem_lists).is_none());
            if let Some(start) = stem.filter(|_| !starts_word()) {
                out.push(Candidate {
                    span: Span::new(start, s_end),
                    tag: Tag::Node(head.node_type),
                    entry: None,
                    rule: suffix.rule.clone(),
                    priority: PRIORITY_WEAK_SUFFIX,
                    value: None,
                    suffix_start: Some(offset(s_start)),
                });
            }
            continue;
        }
        if starts_word() {
            continue;
        }
        // Nor may it cut a known name in two (学校 in 浙江大学校长).
        let cuts_known = s_end > s_start + 1
            && known_names.ending_in(s_start + 1..=s_end - 1).any(|k| matches!(k.tag, Tag::Node(_)) && k.span.start < s_start);
        if cuts_known {
            continue;
        }
        // (The tests of what follows a weak suffix come before the walk
        // over its stem, which costs more.)
        if !head.strong
            && (modifies_next_noun(chars, index, s_end, rules, stem_lists, &title_starts, &org_suffix_starts)
                // Nor may a weak suffix cut the word after it (党建|工作).
                || (s_end - s_start >= 2 && starts_longer_word(chars, s_end - 1, s_end, rules)))
        {
            continue;
        }
        let Some(stem_start) = stem_start(chars, s_start, rules, stem_lists, &known_end, &barriers) else { continue };
        let stem_start = trim_stem_start(chars, stem_start, (s_start, s_end), head.node_type, rules, stem_lists, &known_end, &known_names);
        if stem_start >= s_start
            || (matches!(head.node_type, NodeType::Place | NodeType::Organization) && suffix_ends_word(chars, stem_start, s_start, s_end, rules, stem_lists))
        {
            continue;
        }
        let stem_len = s_start - stem_start;
        let stem = &chars[stem_start..s_start];
        let stem_is_known = known_end.get(s_start).is_some_and(|k| k >= stem_start);
        // A country's government (美国政府, 印度政府) is the country itself.
        let country_body = country_body_suffixes.contains(&suffix.text)
            && known_names.ending_at(s_start).any(|k| {
                k.span == Span::new(stem_start, s_start)
                    && k.tag == Tag::Node(NodeType::Place)
                    && k.entry.is_some_and(|e| rules.dictionary.entry(e).class == "country")
            });
        if country_body {
            continue;
        }
        let suffix_chars = s_end - s_start;
        // Event suffixes (and organization suffixes spelt the same, 论坛)
        // need a stem with a known name or a word that is no common word.
        let event_like = stem_lists.suffix_texts[index as usize].event_like;
        // ... unless a scope word opens it (世界互联网大会).
        let event_scope = || rules.lists.list("event_scope_words").iter().any(|w| text_at(stem, 0, w));
        let stem_has_known = event_like
            && known_names.ending_in(stem_start + 1..=s_start).any(|k| matches!(k.tag, Tag::Node(t) if t.is_entity()) && k.span.start >= stem_start);
        // An organization name followed by an industry word (银杏谷资本投资的)
        // is a name and a verb, not a longer name.
        let stem_has_suffix = !head.strong && ends_with_long_organization_suffix(&chars[stem_start..s_start], rules);
        let accept = if stem_has_suffix {
            false
        } else if head.strong {
            // Event stems of common words only are kinds of events
            // (专题教育动员大会), however long.
            stem_len >= 2 && (stem_is_known || stem_is_proper(stem, rules, stem_lists, stem_len >= 4 && (!event_like || event_scope())) || (event_like && stem_has_known))
        } else if suffix_chars >= 2 {
            stem_len >= 2 && (stem_is_known || stem_is_proper(stem, rules, stem_lists, false)) && (stem_is_known || weak_stem_long_enough(suffix, stem_len, stem_lists))
        } else {
            // A one-character weak suffix (委, 局, 院) needs a known name
            // right before it (杭州市委).
            stem_is_known
        };
        if !accept || (!stem_is_known && descriptive_name(&chars[stem_start..s_end], head.node_type, rules, stem_lists)) {
            continue;
        }
        let base = if head.strong { PRIORITY_STRONG_SUFFIX } else { PRIORITY_WEAK_SUFFIX };
        out.push(Candidate {
            span: Span::new(stem_start, s_end),
            tag: Tag::Node(head.node_type),
            entry: None,
            rule: suffix.rule.clone(),
            priority: base,
            value: None,
            suffix_start: Some(offset(s_start)),
        });
    }
}

/// The stem ends with an organization suffix of two or more characters
/// (银杏谷资本 before 投资).
fn ends_with_long_organization_suffix(stem: &[char], rules: &RuleSet) -> bool {
    suffix_lengths_of_type(stem, NodeType::Organization, rules).any(|n| n >= 2)
}

/// The lengths in characters of the suffixes of `node_type` that end
/// `text`, shortest first.
fn suffix_lengths_of_type<'a>(text: &'a [char], node_type: NodeType, rules: &'a RuleSet) -> impl Iterator<Item = usize> + 'a {
    rules
        .suffix_search
        .tails(text)
        .filter(move |(_, suffixes)| suffixes.iter().any(|&i| rules.suffixes[i as usize].node_type == node_type))
        .map(|(n, _)| n)
}

/// The start of the name before a one-character weak suffix: a known name
/// ending right before it, after optional qualifier words
/// (`entities/organization.toml` weak_suffix_qualifiers: 中国|男|队,
/// 巴西|足球|队); or a known place and a two-character proper name
/// (青岛|海牛|队).
fn weak_suffix_stem(chars: &[char], s_start: usize, node_type: NodeType, rules: &RuleSet, lists: &StemLists, known: &KnownNames) -> Option<usize> {
    let qualifiers = &lists.weak_suffix_qualifiers;
    let is_org = node_type == NodeType::Organization;
    // A place suffix follows a place; an organization suffix a place or an
    // organization.
    let fits = |t: NodeType| t == NodeType::Place || (is_org && t == NodeType::Organization);
    let mut j = s_start;
    loop {
        let start = known.ending_at(j).filter(|k| matches!(k.tag, Tag::Node(t) if fits(t))).map(|k| k.span.start).min();
        if let Some(start) = start {
            // The suffix must not end a word begun inside the name (兴海|洋;
            // 淮北|部: 北部 is a direction). 县委, 报社 end organizations.
            let crossing = (start.max(j.saturating_sub(3))..j).any(|s| {
                rules.lexicon.get_chars(&chars[s..=s_start]).is_some_and(|e| !is_proper_pos(&e.pos) && (!is_org || lists.breaker_pos.contains(e)))
            });
            if crossing {
                return None;
            }
            // A party or league before a place (中共|河北省|委,
            // 共青团|衡阳市|委) belongs to the body.
            let org_before = known.ending_at(start).filter(|k| is_org && k.tag == Tag::Node(NodeType::Organization)).map(|k| k.span.start).min();
            return Some(org_before.unwrap_or(start));
        }
        if !is_org {
            break;
        }
        match qualifiers.longest_ending_at(chars, j) {
            Some(n) => j -= n,
            None => break,
        }
    }
    // 青岛海牛队, 四川全兴队: a place and a two-character name that is no
    // ordinary word of a breaking kind.
    // (Only a team suffix after a known place takes such a name: the
    // place, which a bit answers at most positions, is asked first, then
    // the suffix, and the word lists last.)
    if j < 4 {
        return None;
    }
    let place = known.ending_at(j - 2).find(|k| k.tag == Tag::Node(NodeType::Place) && k.entry.is_some() && k.span.len() >= 2)?;
    if lists.team_suffixes.iter().any(|x| text_at(chars, s_start, x)) {
        let name = &chars[j - 2..j];
        let stop = rules.lists.list("stem_stop_chars");
        let ordinary = rules.lexicon.get_chars(name).is_some_and(|e| e.pos.starts_with('v') || lists.breaker_pos.contains(e) || e.freq >= 1000);
        let stop_char = name.iter().any(|c| !is_cjk(*c) || *c == chars[s_start] || "一二三四五六七八九十零百千万".contains(*c) || stop.iter().any(|x| x.starts_with(*c)));
        if !ordinary && !stop_char {
            return Some(place.span.start);
        }
    }
    None
}

/// The start of a proper noun of the lexicon (nz, nt, nrt: 达摩) standing
/// alone before a one-character organization suffix (达摩|院), after a
/// function word or punctuation.
fn proper_word_stem(chars: &[char], s_start: usize, node_type: NodeType, rules: &RuleSet) -> Option<usize> {
    if node_type != NodeType::Organization || s_start < 2 {
        return None;
    }
    let start = s_start - 2;
    let proper = rules.lexicon.get_chars(&chars[start..s_start]).is_some_and(|e| matches!(&*e.pos, "nz" | "nt" | "nrt"));
    // (Nothing below makes a stem of a word that is not proper.)
    if !proper {
        return None;
    }
    // The whole must not be a word or a suffix of its own (通讯|社), nor the
    // suffix character a particle before a verb (被短语|所代替).
    let whole = &chars[start..=s_start];
    if rules.lexicon.get_chars(whole).is_some() || with_str(whole, |w| rules.is_suffix(w)) {
        return None;
    }
    let verb_after = (s_start + 3..=(s_start + 5).min(chars.len())).any(|e| {
        rules.lexicon.get_chars(&chars[s_start + 1..e]).is_some_and(|w| w.pos.starts_with('v'))
    });
    if verb_after {
        return None;
    }
    let stop = rules.lists.set("stem_stop_chars");
    let free_before = start == 0 || {
        let c = chars[start - 1];
        !(is_cjk(c) || c.is_ascii_alphanumeric()) || stop.contains(c.to_string().as_str())
    };
    free_before.then_some(start)
}

/// The word lists that the stem walks consult, built once per rule set
/// (kept with its start table, [`StartChars`]) rather than looked up by
/// name for every document and every suffix match.
pub(crate) struct StemLists {
    // (As phrases: a test by last character costs less than spelling and
    // hashing the word, and few words end with a given character.)
    stop_chars: Phrases,
    breakers: Phrases,
    // (By tag number: asked of most lexicon words a stem walk meets,
    // where a set of strings hashed the tag.)
    breaker_pos: PosSet,
    edge_pos: PosSet,
    /// Verbs the lexicon tags as nouns (联系, 列席) or verbal nouns (咨询).
    edge_words: FxHashSet<String>,
    /// Asked at every one-character weak suffix (`entities/organization.toml`).
    weak_suffix_qualifiers: Phrases,
    /// The suffixes of a team after a place and a name (青岛海牛|队), asked
    /// at every one-character weak suffix.
    team_suffixes: Vec<String>,
    /// `admin_place_suffixes`, asked at every position of a place stem.
    admin_suffixes: Phrases,
    admin_list: Vec<String>,
    /// The lists that the tests of a suffix match ask (most matches ask
    /// several of them).
    branch_prefixes: FxHashSet<String>,
    short_stem_suffixes: FxHashSet<String>,
    generic_stem_words: Phrases,
    prefix_stop: Phrases,
    /// What the tests of a match ask of its suffix's text, by suffix
    /// (index into `RuleSet::suffixes`): worked out once per rule set,
    /// where the text was hashed per match (or per suffix and document).
    suffix_texts: Vec<SuffixText>,
}

/// See [`StemLists::suffix_texts`].
#[derive(Clone, Copy, Debug, PartialEq)]
struct SuffixText {
    /// An event suffix, or one spelled as an event suffix too (论坛): asked
    /// of most matches that reach the stem tests.
    event_like: bool,
    /// One of `noun_modifier_suffixes` (移动, 物流): asked of most weak
    /// suffix matches, for [`modifies_next_noun`].
    noun_modifier: bool,
}

impl StemLists {
    /// The lists of a rule set, as [`WordLists`](crate::rules::WordLists)
    /// gives them by name (the same words, the same phrases).
    pub(crate) fn new(rules: &RuleSet) -> StemLists {
        let lists = &rules.lists;
        let phrases = |name: &str| Phrases::new(lists.list(name));
        let set = |name: &str| lists.list(name).iter().cloned().collect();
        StemLists {
            stop_chars: phrases("stem_stop_chars"),
            breakers: phrases("stem_breakers"),
            breaker_pos: rules.lexicon.pos_set(lists.list("stem_breaker_pos")),
            edge_pos: rules.lexicon.pos_set(lists.list("stem_edge_breaker_pos")),
            edge_words: set("stem_edge_breaker_words"),
            weak_suffix_qualifiers: phrases("weak_suffix_qualifiers"),
            team_suffixes: lists.list("name_suffixes_after_place_name").to_vec(),
            admin_suffixes: phrases("admin_place_suffixes"),
            admin_list: lists.list("admin_place_suffixes").to_vec(),
            branch_prefixes: set("branch_prefixes"),
            short_stem_suffixes: set("short_stem_suffixes"),
            generic_stem_words: phrases("generic_stem_words"),
            prefix_stop: phrases("stem_prefix_stop"),
            suffix_texts: rules
                .suffixes
                .iter()
                .map(|s| SuffixText {
                    event_like: s.node_type == NodeType::Event || rules.is_suffix_of(&s.text, &[NodeType::Event]),
                    noun_modifier: lists.set("noun_modifier_suffixes").contains(&s.text),
                })
                .collect(),
        }
    }

    /// The lists of a rule set, built on first use.
    fn of(rules: &RuleSet) -> &StemLists {
        rules.start_chars.get_or_init(|| StartChars::new(rules)).stem_lists()
    }
}

/// Walk back from a suffix over the words of a proper-noun stem.
fn stem_start(
    chars: &[char],
    suffix_start: usize,
    rules: &RuleSet,
    lists: &StemLists,
    known_end: &ByPosition,
    barriers: &[bool],
) -> Option<usize> {
    const MAX_STEM: usize = 12;
    let StemLists { stop_chars, breakers, breaker_pos, .. } = lists;
    let mut j = suffix_start;
    while j > 0 && suffix_start - j < MAX_STEM {
        if barriers.get(j).copied().unwrap_or(false) {
            break;
        }
        if let Some(start) = known_end.get(j) {
            if start < j && suffix_start - start <= MAX_STEM {
                j = start;
                continue;
            }
        }
        let c = chars[j - 1];
        let name_char = is_cjk(c) || c.is_ascii_alphanumeric();
        if !name_char || stop_chars.has_word_ending_at(chars, j, 1) {
            break;
        }
        // The longest lexicon word that ends here decides: a verb or
        // function word ends the stem, anything else is part of the name.
        let mut step = 1;
        let mut stop = false;
        // (The breakers that end here, by length: looked up once for the
        // three lengths.)
        let breaker_lengths = breakers.lengths_ending_at(chars, j);
        for len in (2..=4.min(j)).rev() {
            let word = &chars[j - len..j];
            if breaker_lengths >> len & 1 == 1 {
                stop = true;
                break;
            }
            if let Some(entry) = rules.lexicon.get_chars(word) {
                if breaker_pos.contains(entry) {
                    stop = true;
                } else {
                    step = len;
                }
                break;
            }
        }
        if stop {
            break;
        }
        if j < step {
            break;
        }
        j -= step;
    }
    // Digits may end a name (ARM1024) but not start one (2017云栖大会).
    while j < suffix_start && chars[j].is_ascii_digit() {
        j += 1;
    }
    (j < suffix_start).then_some(j)
}

/// Where a name stem really starts, given the walk of `stem_start`
/// (`entities/stems.toml`):
///
/// * the escape letter of a literal `\n` or `\t` in scraped text is not
///   part of the name;
/// * a verb (`stem_edge_breaker_pos`) at the left edge of a stem that
///   already holds two or more characters ends it (从事|微电子公司,
///   还有|金辉集团), while a verb right before the suffix stays (国家开发银行);
///   event names are descriptions and keep their verbs;
/// * a place name stops after a known administrative place that ends in an
///   administrative suffix (`admin_place_suffixes`: 伊春区|南岔区,
///   阳高县|天镇县), and at a known place when only common words precede
///   it (住所地|江西省).
fn trim_stem_start(
    chars: &[char],
    mut stem_start: usize,
    (suffix_start, suffix_end): (usize, usize),
    node_type: NodeType,
    rules: &RuleSet,
    lists: &StemLists,
    known_end: &ByPosition,
    known: &KnownNames,
) -> usize {
    // A lone Latin letter before Chinese: the escape letter of a literal
    // backslash-n, or a placeholder (A公司, b保险公司), no part of a name.
    if stem_start > 0 && chars[stem_start - 1] == '\\' && chars[stem_start].is_ascii_alphabetic() {
        stem_start += 1;
    }
    let lone_letter = chars[stem_start].is_ascii_alphabetic()
        && (stem_start == 0 || !chars[stem_start - 1].is_ascii_alphanumeric())
        && stem_start + 1 < suffix_start
        && is_cjk(chars[stem_start + 1]);
    if lone_letter {
        stem_start += 1;
    }
    let StemLists { edge_pos, edge_words, .. } = lists;
    if node_type != NodeType::Event && !edge_pos.is_empty() {
        let mut j = suffix_start;
        while j > stem_start {
            if let Some(k) = known_end.get(j) {
                if k < j && k >= stem_start {
                    j = k;
                    continue;
                }
            }
            let mut step = 1;
            for len in (2..=4.min(j - stem_start)).rev() {
                if let Some(e) = rules.lexicon.get_chars(&chars[j - len..j]) {
                    // A single character left of the verb makes a word
                    // with it that the lexicon lacks (云|计算|产业园).
                    // (The word is spelled out and hashed only where it may
                    // end the stem.)
                    let lone_char_left = j - len == stem_start + 1;
                    let edge_word = || edge_pos.contains(e) || with_str(&chars[j - len..j], |w| edge_words.contains(w));
                    if suffix_start - j >= 2 && !lone_char_left && edge_word() {
                        return j;
                    }
                    step = len;
                    break;
                }
            }
            j -= step;
        }
    }
    if node_type == NodeType::Place {
        let admin = &lists.admin_list;
        let walk_start = stem_start;
        let places: Vec<Span> = known
            .ending_in(walk_start + 2..=suffix_end)
            .filter(|k| k.tag == Tag::Node(NodeType::Place) && k.span.start >= walk_start && k.span.len() >= 2)
            .map(|k| k.span)
            .collect();
        for k in &places {
            let complete = k.end < suffix_start && admin.iter().any(|a| k.len() >= a.chars().count() + 2 && text_at(chars, k.end - a.chars().count(), a));
            if complete {
                stem_start = stem_start.max(k.end);
            }
        }
        // 伊犁哈萨克自治州|察布查尔锡伯自治县: an administrative suffix
        // inside the stem ends the name before it.
        let mut p = suffix_start - 1;
        while p > stem_start {
            if let Some(end) = admin_boundary(chars, stem_start, p, suffix_start, true, rules, lists) {
                stem_start = end;
                break;
            }
            p -= 1;
        }
        if let Some(l) = places.iter().filter(|k| k.start >= stem_start && k.start < suffix_start).map(|k| k.start).min() {
            if l > stem_start && covered_by_common_words(&chars[stem_start..l], rules) {
                stem_start = l;
            }
        }
    }
    // Digits between Chinese words inside a stem end the text before them
    // (某某曲6|英国室内乐团); digits right before the suffix stay (北京101中学).
    if let Some(p) = (stem_start + 2..suffix_start.saturating_sub(1)).rev().find(|&p| chars[p - 1].is_ascii_digit() && is_cjk(chars[p])) {
        let run_start = (stem_start..p).rev().find(|&q| !chars[q].is_ascii_digit()).map_or(stem_start, |q| q + 1);
        // Only when what follows is a name of its own, not a common word
        // (莒南县公安局110|指挥中心 stays whole).
        if run_start > stem_start && is_cjk(chars[run_start - 1]) && !covered_by_common_words(&chars[p..suffix_start], rules) {
            stem_start = p;
        }
    }
    // Digits may end a name but not start one (1701团支部).
    while stem_start < suffix_start && chars[stem_start].is_ascii_digit() {
        stem_start += 1;
    }
    stem_start
}

/// Whether a weak suffix (`index` into `RuleSet::suffixes`) that is an
/// ordinary word (`noun_modifier_suffixes`: 移动, 物流) modifies the noun
/// right after it (移动|厕所, 物流|园区) rather than ending a name. A title
/// after it (湖南移动|总经理) does not count.
fn modifies_next_noun(
    chars: &[char],
    index: u32,
    s_end: usize,
    rules: &RuleSet,
    lists: &StemLists,
    title_starts: &ByPosition,
    org_suffix_starts: &Bits,
) -> bool {
    if !lists.suffix_texts[index as usize].noun_modifier || title_starts.get(s_end).is_some() {
        return false;
    }
    // Another organization suffix after it continues the name (桂林移动公司).
    if org_suffix_starts.get(s_end) {
        return false;
    }
    (2..=4.min(chars.len().saturating_sub(s_end))).rev().any(|len| {
        rules.lexicon.get_chars(&chars[s_end..s_end + len]).is_some_and(|e| &*e.pos == "n")
    })
}

/// Whether an ordinary word begun one character into the stem ends with the
/// suffix (全|省, 农|村, 坐|镇, 中|小学): the suffix is that word's, not a
/// name's. Words that are place or body kinds themselves (乡镇, 车站, 市|政府)
/// or branches (`branch_prefixes`: 支|公司, 总|医院) do not count.
fn suffix_ends_word(chars: &[char], stem_start: usize, s_start: usize, s_end: usize, rules: &RuleSet, lists: &StemLists) -> bool {
    if s_start < stem_start + 1 || s_end - s_start > 3 {
        return false;
    }
    let word = &chars[s_start - 1..s_end];
    if rules.lexicon.get_chars(word).is_none_or(|e| is_proper_pos(&e.pos)) {
        return false;
    }
    let place_kind = |w: &[char]| with_str(w, |w| rules.is_suffix_of(w, &[NodeType::Place, NodeType::Organization]));
    let head = &chars[s_start - 1..s_start];
    let branch = with_str(head, |head| lists.branch_prefixes.contains(head));
    !place_kind(word) && !place_kind(head) && !branch
}

/// Whether `chars[start..end]` ends in an administrative suffix
/// (`admin_place_suffixes`) after two or more characters of name, and the
/// suffix is no part of an ordinary word (城市, 市场, 县城): then `end`, where
/// a following name may start. `limit` is where the text under study ends.
fn admin_boundary(chars: &[char], start: usize, end: usize, limit: usize, check_words: bool, rules: &RuleSet, lists: &StemLists) -> Option<usize> {
    // (Asked at every position of a place stem, most of which end in no
    // administrative suffix: the phrases answer those by last character.)
    if !lists.admin_suffixes.ends_at(chars, end) {
        return None;
    }
    let admin = &lists.admin_list;
    // The length of the first suffix of the list whose length some suffix
    // spelled at the end has. (Two passes over the list, not one per
    // suffix: most ends spell none.)
    let fits = |n: usize| end >= start + n + 2;
    let spelled: Vec<usize> = admin.iter().map(|a| (a, a.chars().count())).filter(|&(a, n)| fits(n) && text_at(chars, end - n, a)).map(|(_, n)| n).collect();
    let a = admin.iter().map(|a| a.chars().count()).find(|n| spelled.contains(n))?;
    let word = |from: usize, to: usize| to <= limit && rules.lexicon.get_chars(&chars[from..to]).is_some();
    if check_words && (word(end - a - 1, end) || word(end - 1, end + 1)) {
        return None;
    }
    Some(end)
}

/// A weak suffix of two or more characters that needs a longer stem unless
/// the stem is a known name (`short_stem_suffixes`: 性侵|事件 is a kind of
/// event; 庆安|事件 has a known place).
fn weak_stem_long_enough(suffix: &crate::rules::Suffix, stem_len: usize, lists: &StemLists) -> bool {
    stem_len >= 3 || !lists.short_stem_suffixes.contains(&suffix.text)
}

fn is_proper_pos(pos: &str) -> bool {
    matches!(pos, "ns" | "nt" | "nz" | "nr" | "nrt" | "nrfg" | "j" | "eng")
}

/// Whether a lexicon word starts at `start` and runs past `end`.
fn starts_longer_word(chars: &[char], start: usize, end: usize, rules: &RuleSet) -> bool {
    (end + 1..=(start + 4).min(chars.len())).any(|e| rules.lexicon.get_chars(&chars[start..e]).is_some_and(|w| !is_proper_pos(&w.pos)))
}

/// A stem made of common words only (创业, 工业投资, 技术培训) makes a
/// generic phrase (创业公司), not a name. With `lenient`, only a stem that
/// is one common word is generic.
fn stem_is_proper(stem: &[char], rules: &RuleSet, lists: &StemLists, lenient: bool) -> bool {
    let generic = if lenient {
        rules.lexicon.get_chars(stem).is_some_and(|e| !is_proper_pos(&e.pos))
    } else {
        covered_by_common_words(stem, rules)
    };
    if generic {
        return false;
    }
    let first = stem.first().copied().unwrap_or(' ');
    // (As phrases: the words that start with the stem's first character are
    // compared, not every word of the list spelled out.)
    !lists.prefix_stop.starts_at(stem, 0) && !first.is_ascii_punctuation()
}

/// Whether a suffix name is a category term (特色小镇, 旅游风情小镇,
/// 生态文化旅游区): what is left before its longest suffix (小镇, not 镇)
/// splits into descriptive words only (`entities/stems.toml`
/// generic_stem_words).
fn descriptive_name(name: &[char], node_type: NodeType, rules: &RuleSet, lists: &StemLists) -> bool {
    let suffix_len = longest_suffix_of_type(name, node_type, rules);
    let core = &name[..name.len() - suffix_len];
    let mut i = 0;
    while i < core.len() {
        match descriptive_word_at(core, i, &lists.generic_stem_words) {
            Some(n) => i += n,
            None => return false,
        }
    }
    !core.is_empty()
}

/// The length of the longest descriptive word of four characters or fewer
/// at `i`. (Looked up among the words that start with the character, not
/// spelled out and hashed at each length.)
fn descriptive_word_at(core: &[char], i: usize, words: &Phrases) -> Option<usize> {
    words.longest_at(&core[..core.len().min(i + 4)], i)
}

/// The length in characters of the longest suffix of `node_type` that ends
/// `name` and leaves at least one character before it (0 when none does).
fn longest_suffix_of_type(name: &[char], node_type: NodeType, rules: &RuleSet) -> usize {
    suffix_lengths_of_type(name, node_type, rules).take_while(|&n| n < name.len()).last().unwrap_or(0)
}

/// Whether the text splits (greedily, longest word first) into common
/// lexicon words only.
fn covered_by_common_words(chars: &[char], rules: &RuleSet) -> bool {
    let mut i = 0;
    while i < chars.len() {
        let step = (2..=4.min(chars.len() - i)).rev().find(|&len| rules.lexicon.get_chars(&chars[i..i + len]).is_some_and(|e| !is_proper_pos(&e.pos)));
        match step {
            Some(len) => i += len,
            None => return false,
        }
    }
    true
}

#[inline(never)]
fn regex_candidates<'a>(folded: &Folded, rules: impl Iterator<Item = (&'a RegexRule, Option<Vec<std::ops::Range<usize>>>)>, out: &mut Vec<Candidate>) {
    for (rule, words) in rules {
        rule.regex.for_each_mention(folded, words, |m| {
            if m.is_empty() {
                return;
            }
            out.push(Candidate {
                span: Span::new(folded.char_at(m.start), folded.char_at(m.end)),
                tag: Tag::Node(rule.node_type),
                entry: None,
                rule: rule.id.clone(),
                priority: rule.priority + rule.layer as i32 * PRIORITY_PER_LAYER,
                value: None,
                suffix_start: None,
            });
        });
    }
}

#[inline(never)]
fn value_candidates<'a>(folded: &Folded, rules: impl Iterator<Item = (&'a RegexRule, Option<Vec<std::ops::Range<usize>>>)>, out: &mut Vec<Candidate>) {
    for (rule, words) in rules {
        rule.regex.for_each_mention(folded, words, |m| {
            let Some(parsed) = parse_value(rule.normalizer, &folded.text()[m.clone()]) else { return };
            out.push(Candidate {
                span: Span::new(folded.char_at(m.start), folded.char_at(m.end)),
                tag: Tag::Node(rule.node_type),
                entry: None,
                rule: rule.id.clone(),
                // Values and entities rarely compete; when they do (2017 in
                // 2017云栖大会), length decides first anyway.
                priority: rule.priority + rule.layer as i32 * PRIORITY_PER_LAYER,
                value: Some(Box::new(parsed)),
                suffix_start: None,
            });
        });
    }
}

/// The candidates of the rules of `bank` (bank `k` of `possible`, see
/// [`crate::rules::PossibleRules::of`]) for each document, rule by rule:
/// each rule runs over every document before the next one starts, so that
/// its lazy DFA's tables, which each search walks and which the other
/// rules' pushed out of the caches when a document took every rule in
/// turn, stay cached across the documents. A document still takes its
/// possible rules in their order, so its candidates come in the same order
/// as from `candidates_of` given all of them at once.
fn candidates_rule_by_rule<'r>(
    bank: &'r RegexBank,
    k: usize,
    findings: &mut [Finding],
    possible: &[PossibleRules<'r>],
    candidates_of: impl Fn(&Folded, std::iter::Once<(&'r RegexRule, Option<Vec<std::ops::Range<usize>>>)>, &mut Vec<Candidate>),
) {
    let mut left: Vec<_> = possible.iter().map(|p| p.with_words(k).peekable()).collect();
    for rule in bank.iter() {
        for (f, left) in findings.iter_mut().zip(&mut left) {
            // (Each document's possible rules come in the bank's order.)
            if let Some(next) = left.next_if(|&(possible, _)| std::ptr::eq(possible, rule)) {
                candidates_of(f.folded, std::iter::once(next), &mut f.candidates);
            }
        }
    }
    debug_assert!(left.iter_mut().all(|l| l.peek().is_none()), "every possible rule is a rule of the bank");
}

/// Run the normalizer a value rule names.
pub fn parse_value(normalizer: Option<Normalizer>, text: &str) -> Option<ParsedValue> {
    Some(match normalizer? {
        Normalizer::Date => ParsedValue::Date(value::parse_date(text)?),
        Normalizer::Money => ParsedValue::Value(value::parse_money(text)?),
        Normalizer::MoneyCnyImplied => ParsedValue::Value(value::parse_money_with_default(text, Some("CNY"))?),
        Normalizer::Percent => ParsedValue::Value(value::parse_percent(text)?),
        Normalizer::Quantity => ParsedValue::Value(value::parse_quantity(text)?),
    })
}

/// The rule id of each evidence label a person shape can have: literals, so
/// that a person candidate carries its id without formatting one.
const PERSON_RULES: [&str; 8] = [
    "entities/person/title-before",
    "entities/person/title-after",
    "entities/person/verb-after",
    "entities/person/cue-before",
    "entities/person/lexicon",
    "entities/person/name-shape",
    "entities/person/document-cache",
    "entities/person/enumeration",
];

/// Single surnames ranked past this (家, 来, 从) make a name only with a
/// title next to it.
const RARE_SURNAME_RANK: u32 = 200;

/// `entities/person/{evidence}`.
fn person_rule(evidence: &str) -> RuleId {
    let id = PERSON_RULES.iter().find(|id| id.strip_prefix("entities/person/") == Some(evidence));
    RuleId::Literal(id.expect("every evidence label of a person shape has a rule id"))
}

/// The characters of a name shape (two to four) in one integer, which
/// compares in an instruction or two.
fn pack_name(name: &[char]) -> u128 {
    debug_assert!(name.len() <= 6, "21 bits per character and a length mark fit in 128 bits");
    name.iter().fold(1, |key, &c| key << 21 | u128::from(u32::from(c)))
}

/// Where a surname + given-name shape stands (compact: a document has
/// hundreds of thousands).
struct ShapeAt {
    start: u32,
    end: u32,
    surname_len: u8,
}

impl ShapeAt {
    /// The shape of bit `k` of [`shapes_starting_at`] at `start`.
    #[inline]
    fn of_bit(start: usize, k: u32) -> ShapeAt {
        let surname_len: u8 = if k < 2 { 2 } else { 1 };
        let end = start + usize::from(surname_len) + 2 - (k & 1) as usize;
        ShapeAt { start: start as u32, end: end as u32, surname_len }
    }
}

/// The silent shapes of a document, set aside as the walk over surnames
/// finds them: per start, the bits of [`shapes_starting_at`] of the silent
/// ones. (Five bytes per start where a list of the shapes took twelve per
/// shape, most of it memory written afresh for every document.)
struct SilentShapes {
    starts: Vec<u32>,
    bits: Vec<u8>,
}

impl SilentShapes {
    fn with_capacity(capacity: usize) -> SilentShapes {
        SilentShapes { starts: Vec::with_capacity(capacity), bits: Vec::with_capacity(capacity) }
    }

    fn push(&mut self, start: usize, bits: u8) {
        if bits != 0 {
            self.starts.push(start as u32);
            self.bits.push(bits);
        }
    }

    /// Every shape set aside, in the order of the walk (by start, then by
    /// bit), those whose start `keep_start` refuses skipped whole.
    fn shapes<'a>(&'a self, keep_start: impl Fn(usize) -> bool + 'a) -> impl Iterator<Item = ShapeAt> + 'a {
        self.starts.iter().zip(&self.bits).filter(move |&(&start, _)| keep_start(start as usize)).flat_map(|(&start, &bits)| {
            let mut bits = u32::from(bits);
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let k = bits.trailing_zeros();
                    bits &= bits - 1;
                    ShapeAt::of_bit(start as usize, k)
                })
            })
        })
    }
}

/// The person rules; `names` holds the names of the candidates in `out`
/// read so far (the others are read here).
fn person_candidates(chars: &[char], rules: &RuleSet, starts: &DocumentStarts, titles: &TitleIndex, names: NameSpans, out: &mut Vec<Candidate>) {
    person_candidates_setting_aside(chars, rules, starts, titles, names, out, true);
}

/// The person rules, with the silent shapes set aside (as they run) or
/// every shape worked out in full (what the tests compare them with).
#[inline(never)]
fn person_candidates_setting_aside(
    chars: &[char],
    rules: &RuleSet,
    starts: &DocumentStarts,
    titles: &TitleIndex,
    mut names: NameSpans,
    out: &mut Vec<Candidate>,
    set_silent_aside: bool,
) {
    let lists = &rules.lists;
    let surname_chars = rules.start_chars.get_or_init(|| StartChars::new(rules)).surname_chars();
    let word_reject_final = lists.char_set("person_word_reject_final");
    let stop_words = lists.set("given_name_stop_words");
    let (speech_verbs, person_after) = (lists.phrases("speech_verbs"), lists.phrases("person_after"));
    // (Worked out at each ask: a test of the character there rules out
    // most positions, for less than a memo of every position costs to fill.)
    let word_after = |i: usize| speech_verbs.starts_at(chars, i) || person_after.starts_at(chars, i);
    let before_words = lists.phrases("person_before");
    // (As phrases: a test by last character and a comparison of characters
    // cost less than spelling the shape and hashing it, at every shape.)
    let rejects = lists.phrases("person_reject");
    // First characters of the word lists asked at every shape: most shapes
    // start with none of them, and a character test is cheaper than
    // hashing the word.
    let stop_word_firsts = lists.first_chars("given_name_stop_words");
    // (The first characters of `stem_stop_chars`: function words, for `name_shape`.)
    let function_words = lists.first_chars("stem_stop_chars");

    // Known names (places, organizations) that a bare name shape must not
    // overlap (向|中国, 和|欧洲), and the gazetteer's among them (below).
    names.read(out);
    let NamesBefore { known_spans, gazetteer_names } = names.finish();
    // All surname + given-name shapes, with their local evidence.
    struct Shape {
        start: usize,
        end: usize,
        surname_len: usize,
        evidence: Option<&'static str>,
        /// The shape cuts a word at one of its edges; only the document
        /// cache can accept it. (Worked out only for shapes with evidence
        /// or next to a conjunction: false for the others, which nothing asks.)
        cut: bool,
        /// A conjunction stands right before or after the shape: an
        /// enumeration may accept it.
        enumerable: bool,
    }
    let text = |s: &Shape| &chars[s.start..s.end];
    let title_before = |i: usize| titles.ends_at(i) || (i > 0 && chars[i - 1] == '的' && titles.ends_at(i - 1));
    // The shape at `at` with its evidence, or none when it is discarded.
    let shape_of = |at: &ShapeAt| -> Option<Shape> {
        let (i, s_len, end) = (at.start as usize, usize::from(at.surname_len), at.end as usize);
        let g_len = end - i - s_len;
        let cue_before = before_words.ends_at(chars, i);
        let given = &chars[i + s_len..end];
        let name = &chars[i..end];
        if rejects.has_word_ending_at(chars, end, end - i) {
            return None;
        }
        // (The tests that discard a shape come first: most shapes
        // are discarded, and the evidence below costs lexicon probes.)
        let lexical = rules.lexicon.get_chars(name);
        // (A rare place-like word, 江建国 ns 5, may still be a name.)
        let is_common_word = lexical.is_some_and(|e| !e.pos.starts_with("nr") && (e.freq >= 20 || !is_proper_pos(&e.pos)));
        if is_common_word {
            return None;
        }
        // A given name that is an ordinary word (企业, 仍然, 杭州) is
        // a surname-like character before that word.
        // Unless the shorter shape would cut that word and a title
        // or reporter cue comes before (记者江建|国 → 江建国).
        // A title right after makes a rarer word a given name too
        // (王大维先生: 大维 is a lexicon word of frequency 100).
        let given_freq_limit = if titles.starts_at(end) { 300 } else { 50 };
        if g_len == 2
            && rules.lexicon.get_chars(given).is_some_and(|e| !e.pos.starts_with("nr") && e.freq >= given_freq_limit)
            && !((titles.ends_at(i) || cue_before) && crosses_end(chars, end - 1, rules) && !crosses_end(chars, end, rules))
        {
            return None;
        }
        // The name must not end inside a following word: 王坚决定
        // gives 王坚, not 王坚决.
        // When the last character and the next one spell a word
        // (李强带着), the longer shape needs evidence after it
        // (胡晓明说 keeps 胡晓明 although 明说 is a word) or the name
        // known from elsewhere in the document.
        let mut weak_tail = false;
        if g_len == 2 && end < chars.len() {
            let tail = &chars[end - 1..=end];
            if stop_word_firsts.contains(tail[0]) && with_str(tail, |s| stop_words.contains(s)) {
                return None;
            }
            weak_tail = rules.lexicon.get_chars(tail).is_some_and(|w| w.freq >= 100 && !w.pos.starts_with("nr"));
        }
        // A common surname with a title is a reference (孙老先生),
        // not the end of a name with a rarer surname (后来孙).
        if g_len == 1 && titles.starts_at(end) {
            let own = rules.surnames.single.get(&chars[i]).copied().unwrap_or(9999);
            let given_as_surname = rules.surnames.single.get(&chars[end - 1]).copied().unwrap_or(9999);
            if given_as_surname < own {
                return None;
            }
        }
        let nr_word = lexical.is_some_and(|e| e.pos.starts_with("nr"));
        // The name must not cut a word that runs past it (王坚|决定,
        // 江建|国报道), unless a title or speech verb follows.
        // A longer shape whose last character starts a speech verb or
        // a title (王坚|曾如是说, 李强|带着) is cut as well.
        // Nor start inside a word begun before it (进程|中, 提高|刑侦).
        let cuts_word = || {
            let right_evidence = titles.starts_at(end) || word_after(end);
            let shorter_has_evidence = g_len == 2 && (titles.starts_at(end - 1) || word_after(end - 1));
            !nr_word
                && ((!right_evidence && crosses_end(chars, end, rules)) || shorter_has_evidence || (!titles.ends_at(i) && crosses_start(chars, i, rules)))
        };
        // jieba's nr tag is noisy on two-character words (卫星, 阳光).
        let is_person_word = g_len == 2 && lexical.is_some_and(|e| e.pos.starts_with("nr")) && !word_reject_final.contains(chars[end - 1]);
        // Rare surnames (家, 来, 从) need a title next to them.
        // (A bit of the surname table, where the rank was a hash probe at
        // every shape worked out.)
        let rare_surname = s_len == 1 && surname_chars.of(chars[i]) & RARE_SURNAME != 0;
        let evidence = if weak_tail {
            if titles.starts_at(end) {
                Some("title-after")
            } else if word_after(end) {
                Some("verb-after")
            } else {
                None
            }
        } else if title_before(i) {
            Some("title-before")
        } else if titles.starts_at(end) {
            Some("title-after")
        } else if word_after(end) {
            Some("verb-after")
        } else if cue_before {
            Some("cue-before")
        } else if is_person_word {
            Some("lexicon")
        } else if g_len == 2 && name_shape(chars, i, s_len, end, rules, starts, &known_spans, function_words) {
            Some("name-shape")
        } else {
            None
        };
        let evidence = match evidence {
            Some(e @ ("title-before" | "title-after")) => Some(e),
            Some(e) if !rare_surname => Some(e),
            _ => None,
        };
        // (Whether the shape cuts a word costs lexicon probes, and it
        // matters only to a shape with evidence or to one next to a
        // conjunction, which an enumeration may accept: most shapes
        // are neither, and keep `cut` false unasked.)
        let enumerable = (i >= 1 && is_conjunction(chars[i - 1])) || chars.get(end).is_some_and(|&c| is_conjunction(c));
        let cut = (evidence.is_some() || enumerable) && cuts_word();
        let evidence = if cut { None } else { evidence };
        Some(Shape { start: i, end, surname_len: s_len, evidence, cut, enumerable })
    };
    // Whether a shape can have no evidence and stands next to no
    // conjunction, by tests of positions (and, for a two-character given
    // name, of the shape's own lexicon entry and name shape): then no rule
    // accepts it but the document cache.
    // (`left`: a title or a conjunction before the shape; `cue_before`: a
    // cue word before it; both asked once for all shapes at a start.)
    // (`rare`: the shape's surname is a rare single one.)
    // (The tests of positions run at every shape, the lexicon probe and the
    // name shape at few: those are a call apart, which keeps this walk's
    // values in registers.)
    let is_silent = |at: &ShapeAt, left: bool, rare: bool, cue_before: bool| {
        let (i, s_len, end) = (at.start as usize, usize::from(at.surname_len), at.end as usize);
        if left || titles.starts_at(end) {
            return false;
        }
        // (Most characters after a shape can give it no evidence: one bit
        // of the start table tells, before the conjunction and the words.)
        let next_to_name = starts.at(end, NEXT_TO_NAME);
        if next_to_name && is_conjunction(chars[end]) {
            return false;
        }
        // A rare surname takes no evidence but a title.
        if rare {
            return true;
        }
        if cue_before || (next_to_name && word_after(end)) {
            return false;
        }
        if end - i - s_len == 1 {
            return true;
        }
        silent_by_lexicon(chars, at, rules, starts, &known_spans, function_words, word_reject_final)
    };
    // (A document has about one such shape per twenty-five characters:
    // room for one per sixteen spares growing the list shape by shape.)
    let mut shapes = Vec::with_capacity(chars.len() / 16);
    // The silent shapes (most of them), set aside unworked: only those whose
    // text a shape with evidence or an enumeration may accept are worked
    // out below, and the lexicon probes that may discard a shape are spared
    // for the rest.
    // (About one start per six characters: room for them is made once.)
    let mut silent = SilentShapes::with_capacity(chars.len() / 4);
    // (Every shape ends in the text: checked once here, its offsets fit in
    // `u32` below.)
    assert!(u32::try_from(chars.len()).is_ok(), "document offsets fit in u32");
    // (Most characters start no surname: the positions that may are
    // found eight at a time.)
    let mut next_surname = starts.next(0, SURNAME);
    while let Some(i) = next_surname {
        next_surname = starts.next(i + 1, SURNAME);
        // (What kind of surname the character is: one table read, not a
        // hash probe of each surname list.)
        let surname = surname_chars.of(chars[i]);
        let mut here = shapes_starting_at(chars, i, surname, starts, rules);
        if here == 0 {
            continue;
        }
        // (Asked once for all shapes here; the character before can give
        // evidence only when its bit of the start table is set.)
        let next_to_name = i >= 1 && starts.at(i - 1, NEXT_TO_NAME);
        let left = titles.ends_at(i) || (next_to_name && (is_conjunction(chars[i - 1]) || (chars[i - 1] == '的' && titles.ends_at(i - 1))));
        let cue_before = next_to_name && before_words.ends_at(chars, i);
        // (One loop over the bits, where calls or loops over arrays kept
        // this walk's values in memory.)
        let mut silent_here = 0;
        while here != 0 {
            let k = here.trailing_zeros();
            here &= here - 1;
            let at = ShapeAt::of_bit(i, k);
            let rare = at.surname_len == 1 && surname & RARE_SURNAME != 0;
            if set_silent_aside && is_silent(&at, left, rare, cue_before) {
                silent_here |= 1 << k;
            } else if let Some(shape) = shape_of(&at) {
                shapes.push(shape);
            }
        }
        silent.push(i, silent_here);
    }
    // The accepted texts are those of shapes with evidence and of
    // enumerable ones: the silent shapes that spell one of them join the
    // others, in the order of the walk above (by start; the compound
    // surname first; the longer given name first).
    // (A document has a few dozen such texts: as sorted integers, not hashed.)
    let mut may_be_accepted: Vec<u128> = shapes.iter().filter(|s| s.evidence.is_some() || s.enumerable).map(|s| pack_name(text(s))).collect();
    may_be_accepted.sort_unstable();
    // (Bit tests of the last and the first character answer most silent
    // shapes before their text is packed and sought: the texts that may be
    // accepted have few surnames.)
    let may_be_accepted_last = CharFilter::new(shapes.iter().filter(|s| s.evidence.is_some() || s.enumerable).map(|s| chars[s.end - 1]));
    let may_be_accepted_first = CharFilter::new(shapes.iter().filter(|s| s.evidence.is_some() || s.enumerable).map(|s| chars[s.start]));
    let worked_out = shapes.len();
    // (The first character is the same for every shape at a start: one
    // test for them all.)
    for at in silent.shapes(|start| may_be_accepted_first.may_contain(chars[start])) {
        let (start, end) = (at.start as usize, at.end as usize);
        if may_be_accepted_last.may_contain(chars[end - 1]) && may_be_accepted.binary_search(&pack_name(&chars[start..end])).is_ok() {
            shapes.extend(shape_of(&at));
        }
    }
    if shapes.len() > worked_out {
        shapes.sort_unstable_by_key(|s| (s.start, std::cmp::Reverse(s.surname_len), std::cmp::Reverse(s.end)));
    }
    // Document cache and enumerations: a shape with no local evidence is
    // accepted when the same name was accepted elsewhere, or when it stands
    // next to an accepted person across 、 / 和 / 与.
    // A shape inside a longer accepted one with the same end (向明 in
    // 陈向明) does not make its text a name elsewhere in the document.
    // (Shapes are in start order; names are compared as character slices.)
    // (The tables below hold at most the shapes with evidence, a few dozen
    // a document: made at that size, they are not grown and rehashed
    // entry by entry.)
    let with_evidence = shapes.iter().filter(|o| o.evidence.is_some()).count();
    let mut first_start_by_end: FxHashMap<usize, usize> = FxHashMap::with_capacity_and_hasher(with_evidence, Default::default());
    for o in shapes.iter().filter(|o| o.evidence.is_some()) {
        first_start_by_end.entry(o.end).or_insert(o.start);
    }
    let inside_longer = |s: &Shape| first_start_by_end.get(&s.end).is_some_and(|&start| start < s.start);
    let mut accepted: FxHashSet<&[char]> = FxHashSet::with_capacity_and_hasher(with_evidence, Default::default());
    accepted.extend(shapes.iter().filter(|s| s.evidence.is_some() && !inside_longer(s)).map(text));
    let mut rule_of: Vec<Option<&'static str>> = shapes.iter().map(|s| s.evidence).collect();
    // A bare name shape whose first two characters are a name found with a
    // cue (王巍|连团队都...) is that name and the next word.
    let mut cued: FxHashSet<&[char]> = FxHashSet::with_capacity_and_hasher(with_evidence, Default::default());
    cued.extend(shapes.iter().filter(|o| o.evidence.is_some_and(|e| e != "name-shape")).map(text));
    for (k, s) in shapes.iter().enumerate() {
        if s.evidence == Some("name-shape") && cued.contains(&chars[s.start..s.end - 1]) && !cued.contains(text(s)) {
            rule_of[k] = None;
            accepted.remove(text(s));
        }
    }
    // A neighbour that is a known organization or place (阿里云 in
    // 华通和阿里云) is no person, whatever its shape: it lends no evidence.
    let is_gazetteer_name = |s: &Shape| gazetteer_names.contains(s.start, s.end);
    // (Most shapes have no evidence and are asked twice whether their text
    // was accepted: a bit test of the last character answers most of them
    // before the text is hashed.)
    let mut accepted_last_chars = CharFilter::new(accepted.iter().map(|name| name[name.len() - 1]));
    // Only a shape without a rule that an enumeration may accept, or whose
    // text may be accepted (the document cache), can gain a rule below: the
    // two passes visit those alone, in order. (Most shapes have neither; the
    // texts that may be accepted are those accepted now and those of the
    // enumerable shapes.)
    let last_char = |s: &Shape| chars[s.end - 1];
    let may_be_accepted = CharFilter::new(accepted.iter().map(|name| name[name.len() - 1]).chain(shapes.iter().filter(|s| s.enumerable).map(last_char)));
    let open: Vec<usize> = (0..shapes.len())
        .filter(|&k| rule_of[k].is_none() && (shapes[k].enumerable || may_be_accepted.may_contain(last_char(&shapes[k]))))
        .collect();
    for _ in 0..2 {
        // (Both from one pass over the shapes, most of which are no
        // neighbour; as bits by position, which cost less to fill than a
        // hash set.)
        let (mut ends, mut starts) = (Bits::new(chars.len() + 1), Bits::new(chars.len() + 1));
        for (s, _) in shapes.iter().zip(&rule_of).filter(|(s, r)| r.is_some() && !is_gazetteer_name(s)) {
            ends.set(s.end);
            starts.set(s.start);
        }
        for &k in &open {
            let s = &shapes[k];
            if rule_of[k].is_some() {
                continue;
            }
            let name = text(s);
            let joined_before = s.start >= 1 && is_conjunction(chars[s.start - 1]) && ends.get(s.start - 1);
            let joined_after = s.end < chars.len() && is_conjunction(chars[s.end]) && starts.get(s.end + 1);
            // (Asked only of shapes next to a conjunction and a name.)
            let rare_surname = || s.surname_len == 1 && rules.surnames.single.get(&chars[s.start]).is_some_and(|&r| r > 200);
            // An enumeration does not lengthen a name the document already
            // knows (王坚 in 阿里云和王坚引过来).
            let known_shorter = || {
                let same_start = &shapes[shapes.partition_point(|o| o.start < s.start)..];
                same_start.iter().take_while(|o| o.start == s.start).any(|o| o.end < s.end && accepted.contains(text(o)))
            };
            if accepted_last_chars.may_contain(name[name.len() - 1]) && accepted.contains(name) {
                rule_of[k] = Some("document-cache");
            } else if (joined_before || joined_after) && !s.cut && !rare_surname() && !known_shorter() {
                rule_of[k] = Some("enumeration");
                accepted.insert(name);
                accepted_last_chars.insert(name[name.len() - 1]);
            }
        }
    }
    // Two accepted shapes ending at the same place (向王坚 / 王坚, 陈向明 /
    // 向明): the one with the more common surname is the name.
    let surname_rank = |s: &Shape| -> u32 {
        if s.surname_len == 2 {
            with_str(&chars[s.start..s.start + 2], |compound| rules.surnames.compound.get(compound).copied().unwrap_or(9999))
        } else {
            rules.surnames.single.get(&chars[s.start]).copied().unwrap_or(9999)
        }
    };
    // (End, start, rank) of every accepted shape, by end: one sorted list
    // rather than a list per end in a hash map.
    let mut accepted_by_end: Vec<(usize, usize, u32)> =
        shapes.iter().zip(&rule_of).filter(|(_, r)| r.is_some()).map(|(s, _)| (s.end, s.start, surname_rank(s))).collect();
    accepted_by_end.sort_unstable();
    for (s, rule) in shapes.iter().zip(rule_of) {
        let Some(rule) = rule else { continue };
        let rank = surname_rank(s);
        let same_end = &accepted_by_end[accepted_by_end.partition_point(|&(end, _, _)| end < s.end)..];
        let swallows = same_end.iter().take_while(|&&(end, _, _)| end == s.end).any(|&(_, start, r)| start > s.start && r < rank);
        if swallows {
            continue;
        }
        out.push(Candidate {
            span: Span::new(s.start, s.end),
            tag: Tag::Node(NodeType::Person),
            entry: None,
            rule: person_rule(rule),
            // Longer names first within persons; a compound surname
            // shape beats a single-surname one of the same length.
            priority: PRIORITY_PERSON + s.surname_len as i32,
            value: None,
            suffix_start: None,
        });
    }
}

/// The surname + given-name shapes that start at `i`, whose character is a
/// surname of the kinds `surname` ([`StartChars::surname_chars`]), as bits
/// in the order of the walk: bit 0 the compound surname and a
/// two-character given name, bit 1 it and a one-character given name, bits
/// 2 and 3 the single surname likewise. Every given-name character must be
/// one that may stand in a given name.
#[inline]
fn shapes_starting_at(chars: &[char], i: usize, surname: u8, starts: &DocumentStarts, rules: &RuleSet) -> u32 {
    // Every shape here needs a given name right after its surname: a
    // character test rules most positions out before any hash probe.
    let single = surname & SINGLE_SURNAME != 0 && starts.at(i + 1, GIVEN);
    let compound =
        surname & COMPOUND_FIRST != 0 && starts.at(i + 2, GIVEN) && starts.at(i + 1, COMPOUND_SECOND) && compound_surname_at(chars, i, rules);
    // (Past the end of the text no given name may start.)
    let longer_given = |first_given: usize| if starts.at(first_given + 1, GIVEN) { 0b11 } else { 0b10 };
    (if compound { longer_given(i + 2) } else { 0 }) | (if single { longer_given(i + 1) << 2 } else { 0 })
}

/// Whether a compound surname (欧阳, 司马) starts at `i`. (Asked where the
/// start table lets a compound surname start: a call apart from the walk
/// over surname positions.)
#[inline(never)]
fn compound_surname_at(chars: &[char], i: usize, rules: &RuleSet) -> bool {
    with_str(&chars[i..i + 2], |s| rules.surnames.compound.contains_key(s))
}

/// The tests of a silent shape with a two-character given name that probe
/// the lexicon: a common word is discarded (silent too, and spared the
/// name-shape test); a person word of the lexicon or a bare name shape
/// has evidence.
#[inline(never)]
fn silent_by_lexicon(
    chars: &[char],
    at: &ShapeAt,
    rules: &RuleSet,
    starts: &DocumentStarts,
    known_spans: &SpanCover,
    function_words: &CharBits,
    word_reject_final: &CharBits,
) -> bool {
    let (i, s_len, end) = (at.start as usize, usize::from(at.surname_len), at.end as usize);
    let lexical = rules.lexicon.get_chars(&chars[i..end]);
    if lexical.is_some_and(|e| !e.pos.starts_with("nr") && (e.freq >= 20 || !is_proper_pos(&e.pos))) {
        return true;
    }
    let is_person_word = lexical.is_some_and(|e| e.pos.starts_with("nr")) && !word_reject_final.contains(chars[end - 1]);
    !is_person_word && !name_shape(chars, i, s_len, end, rules, starts, known_spans, function_words)
}

/// The characters that join the names of an enumeration (王坚、李强和张勇).
const CONJUNCTIONS: [char; 5] = ['、', '和', '与', '跟', '及'];

/// Each conjunction in the slot of its code point modulo 64 (the five fall
/// in distinct slots; the others hold no character).
const CONJUNCTION_SLOTS: [u32; 64] = {
    let mut slots = [u32::MAX; 64];
    let mut k = 0;
    while k < CONJUNCTIONS.len() {
        let c = CONJUNCTIONS[k] as u32;
        assert!(slots[(c % 64) as usize] == u32::MAX, "the conjunctions fall in distinct slots");
        slots[(c % 64) as usize] = c;
        k += 1;
    }
    slots
};

/// Whether `c` is one of [`CONJUNCTIONS`]. (Asked before and after most
/// name shapes: one table read and one comparison, where a comparison
/// with each conjunction cost more.)
#[inline]
fn is_conjunction(c: char) -> bool {
    CONJUNCTION_SLOTS[c as usize % 64] == c as u32
}

/// The names of two characters or more that the families before the person
/// rules found, which the person rules ask about.
struct NamesBefore {
    /// Every entity name.
    known_spans: SpanCover,
    /// The gazetteer's names of organizations, places and other entities
    /// but persons.
    gazetteer_names: SpanCover,
}

impl NamesBefore {
    /// Both from one pass over the candidates (a document has hundreds, a
    /// cache line each, and the second pass read them again).
    #[cfg(test)]
    fn of(candidates: &[Candidate]) -> NamesBefore {
        let mut spans = NameSpans::default();
        spans.read(candidates);
        spans.finish()
    }
}

/// The spans of [`NamesBefore`], gathered from a document's candidates as
/// the families add them. (The gazetteer and suffix names are read right
/// after the suffix rules, while that document's candidates are still in
/// the cache; the person rules read only the names the regex families
/// added since. Read by the person rules alone, every candidate was a
/// cache miss: each family runs over a whole batch of documents first.)
#[derive(Default)]
struct NameSpans {
    known: Vec<(u32, u32)>,
    gazetteer: Vec<(u32, u32)>,
    /// How many of the document's candidates have been read.
    read: usize,
}

impl NameSpans {
    /// Reads the candidates added since the last read (`candidates` is the
    /// document's whole list, which families only add to).
    fn read(&mut self, candidates: &[Candidate]) {
        let added = &candidates[self.read..];
        self.read = candidates.len();
        // (Room for every candidate: most are entity names, and the lists
        // grown from empty were copied at each doubling.)
        self.known.reserve(added.len());
        self.gazetteer.reserve(added.len());
        for c in added {
            let Tag::Node(t) = c.tag else { continue };
            if t.is_entity() && c.span.len() >= 2 {
                let span = (offset(c.span.start), offset(c.span.end));
                self.known.push(span);
                if c.entry.is_some() && t != NodeType::Person {
                    self.gazetteer.push(span);
                }
            }
        }
    }

    fn finish(self) -> NamesBefore {
        NamesBefore { known_spans: SpanCover::of_starts_and_ends(self.known), gazetteer_names: SpanCover::of_starts_and_ends(self.gazetteer) }
    }
}

/// Which character ranges a set of spans covers, for questions asked once
/// per name shape (a document has thousands of shapes and hundreds of known
/// names).
struct SpanCover {
    /// The spans' starts in order, each with the largest end of the spans
    /// up to it. (Sorted spans, not a table by character position: the
    /// cover is built for every document, and a table of every position
    /// cost more to fill than the few questions asked of it.)
    starts_and_max_ends: Vec<(u32, u32)>,
}

impl SpanCover {
    /// The cover of the spans given as (start, end) in any order.
    fn of_starts_and_ends(mut starts_and_max_ends: Vec<(u32, u32)>) -> SpanCover {
        // (The spans come mostly in runs of text order: a stable sort
        // merges the runs.)
        starts_and_max_ends.sort_by_key(|&(start, _)| start);
        let mut max_end = 0;
        for (_, end) in &mut starts_and_max_ends {
            max_end = max_end.max(*end);
            *end = max_end;
        }
        SpanCover { starts_and_max_ends }
    }

    /// The largest end of a span that starts before `k` (0 when none does).
    fn bound(&self, k: usize) -> usize {
        let before = self.starts_and_max_ends.partition_point(|&(start, _)| (start as usize) < k);
        before.checked_sub(1).map_or(0, |last| self.starts_and_max_ends[last].1 as usize)
    }

    /// Some span shares a character with `start..end` (not empty).
    fn overlaps(&self, start: usize, end: usize) -> bool {
        self.bound(end) > start
    }

    /// Some span holds all of `start..end`.
    fn contains(&self, start: usize, end: usize) -> bool {
        self.bound(start + 1) >= end
    }
}

/// A character offset as `u32` (a document of four billion characters
/// would not fit in memory as `char`s anyway).
fn offset(k: usize) -> u32 {
    u32::try_from(k).expect("document offsets fit in u32")
}

/// The lowest given-name score (`lexicon/name_chars.tsv`) of each given-name
/// character of a bare name shape (calibrated on People's Daily dev).
const NAME_SHAPE_MIN_CHAR_SCORE: f32 = 0.0;

/// A three-character name with no cue around it (辛业江, 张孝华): a common
/// surname and two characters that are frequent in given names and rare
/// elsewhere (`lexicon/name_chars.tsv`), standing apart from the words
/// around it and from known names.
#[allow(clippy::too_many_arguments)]
fn name_shape(
    chars: &[char],
    start: usize,
    surname_len: usize,
    end: usize,
    rules: &RuleSet,
    starts: &DocumentStarts,
    known: &SpanCover,
    function_words: &CharBits,
) -> bool {
    // Calibrated on People's Daily dev (one threshold each, no names).
    const MAX_SURNAME_RANK: u32 = 200;
    const MIN_SUM_SCORE: f32 = 2.5;
    // (Whether each given-name character reaches `NAME_SHAPE_MIN_CHAR_SCORE`
    // is a bit of the document's table: most shapes fail it, before any
    // hash probe.)
    if !(start + 1..end).all(|k| starts.at(k, NAME_SHAPE_GIVEN)) {
        return false;
    }
    // A surname that is also a function word (和, 向, 于) needs a cue.
    let function_word = function_words.contains(chars[start]);
    if function_word || surname_len != 1 || rules.surnames.single.get(&chars[start]).is_none_or(|&r| r > MAX_SURNAME_RANK) {
        return false;
    }
    let score = |c: &char| rules.lexicon.name_chars.get(c).copied().unwrap_or_default();
    let scores = chars[start + 1..end].iter().map(|c| score(c).given.unwrap_or(-9.0));
    if scores.clone().any(|s| s < NAME_SHAPE_MIN_CHAR_SCORE) || scores.sum::<f32>() < MIN_SUM_SCORE {
        return false;
    }
    // Transliterations (克林斯曼, 贾斯蒂斯) are foreign names or parts of them.
    let foreign = |c: &char| {
        let n = score(c);
        n.translit.unwrap_or(-9.0) > n.given.unwrap_or(-9.0)
    };
    let foreign_edge = |i: usize| chars.get(i).is_some_and(|c| foreign(c) && score(c).translit.unwrap_or(0.0) >= 3.0);
    if chars[start + 1..end].iter().any(foreign) && ((start > 0 && foreign_edge(start - 1)) || foreign_edge(end)) {
        return false;
    }
    if known.overlaps(start, end) {
        return false;
    }
    // No lexicon word may run across either edge or join the surname to the
    // character before it.
    let word_at = |s: usize, e: usize| e <= chars.len() && rules.lexicon.get_chars(&chars[s..e]).is_some();
    let inner_word = || (start..end).any(|s| (s + 2..=end).any(|e| (s, e) != (start, end) && word_at(s, e) && !(s == start + 1 && e == end)));
    let left_word = || (start.saturating_sub(3)..start).any(|s| (start + 1..=end).any(|e| word_at(s, e)));
    let right_word = || (start + 1..end).any(|s| (end + 1..=(end + 3).min(chars.len())).any(|e| word_at(s, e)));
    !inner_word() && !left_word() && !right_word()
}

/// Whether `word` is spelled at `i`.
fn text_at(chars: &[char], i: usize, word: &str) -> bool {
    word.chars().enumerate().all(|(k, c)| chars.get(i + k) == Some(&c))
}

/// Whether a lexicon word (any part of speech) covers `start..end` exactly.
fn is_lexicon_word(chars: &[char], start: usize, end: usize, rules: &RuleSet) -> bool {
    if end > chars.len() || start >= end {
        return false;
    }
    rules.lexicon.get_chars(&chars[start..end]).is_some()
}

/// One-character country and province names in fixed contexts
/// (`entities/place.toml`): a run of two or more abbreviations before a
/// relation word (中美关系, 中、英两国), or one abbreviation after a visit
/// word (访华, 在京) or before 方 / 军 (中方, 美军).
fn abbreviation_candidates(chars: &[char], rules: &RuleSet, starts: &DocumentStarts, out: &mut Vec<Candidate>) {
    let lists = &rules.lists;
    let Abbreviations { entries, pair_only } = rules.start_chars.get_or_init(|| StartChars::new(rules)).abbreviations();
    if entries.is_empty() {
        return;
    }
    // (The words after are looked for at every abbreviation: through the
    // lists' index by first character, not by spelling each word there.)
    let pair_after = lists.phrases("abbreviation_pair_after");
    let before = lists.list("abbreviation_before");
    // (Most abbreviation characters follow no visit word: the index by last
    // character rules them out before the list is walked. It holds no empty
    // word, which would end everywhere.)
    let before_words = lists.phrases("abbreviation_before");
    let before_has_empty = before.iter().any(String::is_empty);
    let after = lists.list("abbreviation_after");
    let after_words = lists.phrases("abbreviation_after");
    // (The abbreviation characters are those of `start_chars::abbreviation_chars`.)
    let is_abbr = |i: usize| starts.at(i, ABBREVIATION);
    let emit = |i: usize, rule: &'static str, out: &mut Vec<Candidate>| {
        let entry = entries[&chars[i]];
        out.push(Candidate {
            span: Span::new(i, i + 1),
            tag: Tag::Node(NodeType::Place),
            entry,
            rule: RuleId::Literal(rule),
            priority: PRIORITY_ABBREVIATION,
            value: None,
            suffix_start: None,
        });
    };
    let mut i = 0;
    // (One list for every run: most runs are one character, and a list
    // allocated and freed at each was most of their cost.)
    let mut members = Vec::new();
    while let Some(next) = starts.next(i, ABBREVIATION) {
        i = next;
        // A run of abbreviations, joined directly or by 、.
        members.clear();
        members.push(i);
        let mut j = i + 1;
        loop {
            if is_abbr(j) {
                members.push(j);
                j += 1;
            } else if chars.get(j) == Some(&'、') && is_abbr(j + 1) {
                members.push(j + 1);
                j += 2;
            } else {
                break;
            }
        }
        // The first one must not end a word begun before it (其中美...).
        // (Asked last: a lexicon probe, where most runs are one character
        // and most pairs are followed by no relation word.)
        let free_start = || i == 0 || !is_lexicon_word(chars, i - 1, i + 1, rules);
        if members.len() >= 2 && pair_after.starts_at(chars, j) && free_start() {
            for &m in &members {
                emit(m, "entities/place/abbreviation-pair", out);
            }
            i = j;
            continue;
        }
        // (The context test comes first: it is rare, and the word tests
        // cost lexicon probes at every abbreviation character.)
        // 访华, 在京: the visit word must not be the end of a longer word
        // (现在美 ...).
        let visited = || {
            (before_has_empty || before_words.ends_at(chars, i)) && before.iter().any(|w| {
                let n = w.chars().count();
                i >= n && text_at(chars, i - n, w) && !(i > n && is_lexicon_word(chars, i - n - 1, i - n + 1, rules))
            })
        };
        // 中方, 美军: the side word must not start a longer word (中方法).
        let side = || after_words.longest_at(chars, i + 1).is_some_and(|n| !starts_longer_word(chars, i + 1, i + 1 + n, rules));
        // The character must not start an ordinary word (美丽, 中间, 日后);
        // the context words themselves (中方, 美军) do not count.
        let in_word = || {
            (i + 2..=(i + 4).min(chars.len())).any(|e| {
                // (A rare proper name, 华大 nz 12, does not count.)
                let rare_name = e <= chars.len() && rules.lexicon.get_chars(&chars[i..e]).is_some_and(|w| is_proper_pos(&w.pos) && w.freq < 100);
                is_lexicon_word(chars, i, e, rules) && !rare_name && !after.iter().any(|w| text_at(chars, i + 1, w) && w.chars().count() == e - i - 1)
            })
        };
        // Nor sit inside a word that runs across it (来日方长).
        let crossed = || (i.saturating_sub(3)..i).any(|s| (i + 2..=(s + 4).min(chars.len())).any(|e| is_lexicon_word(chars, s, e, rules)));
        if !pair_only.contains(&chars[i]) && (visited() || side()) && !in_word() && !crossed() {
            emit(i, "entities/place/abbreviation-context", out);
        }
        i += 1;
    }
}

/// Transliterated foreign names (克林顿, 奥尔布赖特, 尤勒斯·韦登博斯): a run
/// of characters common in transliterations (`lexicon/name_chars.tsv`),
/// joined by middle dots, with the same evidence as a Chinese name: a title
/// right before or after, or a speech verb or cue word next to it. A run
/// never starts inside a title (总理若斯潘) and never swallows a known name.
fn foreign_name_candidates(chars: &[char], rules: &RuleSet, starts: &DocumentStarts, titles: &TitleIndex, out: &mut Vec<Candidate>) {
    foreign_name_candidates_passing_short_runs(chars, rules, starts, titles, out, true);
}

/// [`foreign_name_candidates`], passing over the runs too short to hold a
/// name without trimming their edges if `pass_short_runs` (the same
/// candidates, as a test shows; trimming is a handful of lexicon probes).
fn foreign_name_candidates_passing_short_runs(
    chars: &[char],
    rules: &RuleSet,
    starts: &DocumentStarts,
    titles: &TitleIndex,
    out: &mut Vec<Candidate>,
    pass_short_runs: bool,
) {
    const FOREIGN_WORD_FREQ: u32 = 200;
    let lists = &rules.lists;
    let (speech_verbs, person_after) = (lists.phrases("speech_verbs"), lists.phrases("person_after"));
    let before_words = lists.phrases("person_before");
    let translit = |i: usize| starts.at(i, TRANSLITERATION);
    let is_dot = |i: usize| matches!(chars.get(i), Some('·' | '・' | '•' | '—'));
    // Known names (countries, organizations) stop a run.
    let known: Vec<(usize, usize)> = out
        .iter()
        .filter(|c| matches!(c.tag, Tag::Node(t) if t.is_entity()) && c.entry.is_some())
        .map(|c| (c.span.start, c.span.end))
        .collect();
    // (Asked along every run of transliteration characters: flags by
    // position, not hash probes.)
    let mut known_starts = vec![false; chars.len() + 1];
    let mut known_ends = vec![false; chars.len() + 1];
    for &(start, end) in &known {
        known_starts[start] = true;
        known_ends[end] = true;
    }
    let mut i = 0;
    while let Some(next) = starts.next(i, TRANSLITERATION) {
        i = next;
        let run_start = i == 0 || !translit(i - 1) || titles.ends_at(i) || known_ends[i];
        if !run_start {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut letters: usize = 0;
        let mut has_dot = false;
        while end < chars.len() {
            if end > i && (titles.starts_at(end) || titles.ends_at(end) || known_starts[end]) {
                break;
            }
            if translit(end) {
                end += 1;
                letters += 1;
            } else if is_dot(end) && end > i && translit(end + 1) {
                end += 1;
                has_dot = true;
            } else {
                break;
            }
        }
        // A name needs three letters or a dot, and trimming the edges
        // adds neither: a shorter run is passed over whole. (Where the
        // trimmed run would have ended, the scan would go on through the
        // rest of this run only: every run it started there would end by
        // this one's end, shorter and without a dot.)
        if pass_short_runs && letters < 3 && !has_dot {
            i = end;
            continue;
        }
        // Ordinary words at the edges are not part of the name: 祝贺|布拉特,
        // 安南|希望.
        let mut start = i;
        while start < end {
            // jieba tags some ordinary two-character words nr (祝贺).
            let leading_word = |n: usize| rules.lexicon.get_chars(&chars[start..start + n]).is_some_and(|w| !is_proper_pos(&w.pos) || (n == 2 && w.freq >= 300));
            let Some(n) = (2..=4.min(end - start)).rev().find(|&n| leading_word(n)) else { break };
            start += n;
            letters = letters.saturating_sub(n);
        }
        while end > start + 1 && crosses_end(chars, end, rules) {
            end -= 1;
            letters = letters.saturating_sub(1);
        }
        // (The tests run cheapest first; all of them must pass.)
        let inside_word = || (start..end).any(|s| (s + 2..=(s + 4).min(end)).any(|e| common_word_at(chars, s, e, rules) && rules.lexicon.get_chars(&chars[s..e]).is_some_and(|w| w.freq >= FOREIGN_WORD_FREQ)));
        let inside_known = || known.iter().any(|&(s, e)| s < end && start < e);
        let name = &chars[start..end];
        let common = || rules.lexicon.get_chars(name).is_some_and(|w| !w.pos.starts_with("nr"));
        let title_before = titles.ends_at(start);
        let evidence = || {
            title_before
                || titles.starts_at(end)
                || speech_verbs.starts_at(chars, end)
                || person_after.starts_at(chars, end)
                || before_words.ends_at(chars, start)
        };
        let dotted = name.iter().any(|c| matches!(c, '·' | '・' | '•' | '—'));
        // A run that ends in a place or organization suffix (云栖小镇) is a
        // place or an organization. (Its tails looked up, not every suffix
        // of the rules compared with its end: a scan of the list per run cost
        // more than the rest of the foreign-name rules.)
        let suffixed = || (0..=rules.max_suffix_chars.min(name.len())).any(|n| with_str(&name[name.len() - n..], |tail| rules.is_suffix(tail)));
        if end > start && (letters >= 3 || dotted) && evidence() && !inside_known() && !inside_word() && !common() && !suffixed() {
            out.push(Candidate {
                span: Span::new(start, end),
                tag: Tag::Node(NodeType::Person),
                entry: None,
                rule: RuleId::Literal("entities/person/foreign-name"),
                priority: PRIORITY_PERSON + 3,
                value: None,
                suffix_start: None,
            });
        }
        i = end.max(i + 1);
    }
}

/// Whether `start..end` is an ordinary (not a proper-name) lexicon word.
fn common_word_at(chars: &[char], start: usize, end: usize, rules: &RuleSet) -> bool {
    end <= chars.len() && rules.lexicon.get_chars(&chars[start..end]).is_some_and(|w| !is_proper_pos(&w.pos))
}

/// A known place right before an organization names that place's body
/// (天津市 + 妇联, 斯里兰卡 + 议会, 泰国 + 国家银行): one organization.
fn place_organization_candidates(rules: &RuleSet, out: &mut Vec<Candidate>) {
    // The known places by end, and in their order among the candidates,
    // as (end, order, start): of two places that end together the later
    // joins. (A document has tens: a sorted list rather than a hash map.)
    // (Reserved for every candidate: growing it cost more.)
    let mut places: Vec<(u32, u32, u32)> = Vec::with_capacity(out.len());
    let is_place = |c: &Candidate| c.tag == Tag::Node(NodeType::Place) && c.entry.is_some() && c.span.len() >= 2;
    places.extend(out.iter().enumerate().filter(|(_, c)| is_place(c)).map(|(order, c)| (offset(c.span.end), offset(order), offset(c.span.start))));
    places.sort_unstable();
    let place_ending_at = |end: usize| {
        let last = places.partition_point(|&(e, _, _)| e as usize <= end).checked_sub(1)?;
        let (e, _, start) = places[last];
        (e as usize == end).then_some(start as usize)
    };
    let mut joined = Vec::new();
    for c in out.iter() {
        if c.tag != Tag::Node(NodeType::Organization) {
            continue;
        }
        let Some(place_start) = place_ending_at(c.span.start) else { continue };
        // An organization from the gazetteer that already names its place
        // (中国人民银行) or a suffix name whose stem is the place stays as is.
        let generic = match c.entry {
            Some(e) => matches!(rules.dictionary.entry(e).class.as_str(), "government" | "party" | "ngo" | "other" | "media" | "military"),
            None => c.suffix_start.is_some(),
        };
        if !generic {
            continue;
        }
        joined.push(Candidate {
            span: Span::new(place_start, c.span.end),
            entry: None,
            rule: format!("{}+place", c.rule).into(),
            suffix_start: None,
            ..c.clone()
        });
    }
    out.extend(joined);
}

/// Whether an ordinary (non-name) lexicon word starts at `end - 1` and runs
/// past `end`: a name ending at `end` would cut it (王坚|决定, 江建|国报道).
fn crosses_end(chars: &[char], end: usize, rules: &RuleSet) -> bool {
    end >= 1
        && end < chars.len()
        && (end + 1..=(end + 3).min(chars.len())).any(|e| rules.lexicon.get_chars(&chars[end - 1..e]).is_some_and(|w| !w.pos.starts_with("nr")))
}

/// Whether an ordinary lexicon word ends at `start + 1` having begun before
/// `start`: a name starting at `start` would cut it (进程|中, 提高|刑侦).
fn crosses_start(chars: &[char], start: usize, rules: &RuleSet) -> bool {
    start >= 1
        && (start.saturating_sub(3)..start).any(|s| rules.lexicon.get_chars(&chars[s..=start]).is_some_and(|w| !w.pos.starts_with("nr")))
}

/// Keep the best non-overlapping set: longest first, then priority, then
/// earliest; the result is sorted by position.
///
/// (A document has thousands of candidates of a hundred bytes or more: the
/// orders are worked out on indices, and each kept candidate moves once.)
pub fn resolve_overlaps(candidates: Vec<Candidate>) -> Vec<Candidate> {
    // A work's title in book-title marks does not compete with the names
    // inside it (《周恩来经济思想研究》 mentions 周恩来): the marks bound it.
    let bounded_work = |c: &Candidate| c.tag == Tag::Node(NodeType::Work) && c.rule.ends_with("book-title-marks");
    // (Sized for all: a partition grew both lists from empty.)
    let (mut works, mut competing) = (Vec::new(), Vec::with_capacity(candidates.len()));
    for (i, c) in candidates.iter().enumerate() {
        if bounded_work(c) { works.push(i as u32) } else { competing.push(i as u32) }
    }
    let (mut kept, taken) = competition_winners(&candidates, competing);
    // By position; at the same span (empty spans), the winners in the order
    // they won, then the works. The winners' non-empty spans never
    // overlap, so the character map lists them in that order without a
    // sort; only the rest (empty spans, works: few) is sorted in.
    let disjoint = taken.places_by_start(kept.iter().map(|&i| candidates[i as usize].span));
    let rest: Vec<u32> = taken.empty.iter().map(|&(_, place)| place).chain(kept.len() as u32..(kept.len() + works.len()) as u32).collect();
    kept.extend(works);
    let by_position = overlap_order::position_order(&candidates, &kept, disjoint, rest);
    let picks: Vec<u32> = by_position.into_iter().map(|k| kept[k as usize]).collect();
    overlap_order::select_in_order(candidates, &picks)
}

/// The indices of the competing candidates that win, in the order they won:
/// a user-layer or high-priority rule beats a longer built-in guess; then
/// the longer span wins, then the higher priority, the earlier start, the
/// rule id and the earlier candidate. With the map of the winners' spans.
fn competition_winners(candidates: &[Candidate], competing: Vec<u32>) -> (Vec<u32>, Taken) {
    let mut competing = overlap_order::competition_order(candidates, competing);
    let mut taken = Taken::new(competing.iter().map(|&i| candidates[i as usize].span.end).max().unwrap_or(0));
    let mut won = 0;
    competing.retain(|&i| {
        let span = candidates[i as usize].span;
        let free = !taken.overlaps(span);
        if free {
            taken.take(span, won);
            won += 1;
        }
        free
    });
    (competing, taken)
}

/// The spans kept so far, which never overlap: a character map answers
/// "does this span overlap a kept one" without scanning them all. (One
/// bit per character: the map is made for every document, and clearing a
/// bit per character costs less than a number per character.)
struct Taken {
    /// The characters under a kept span.
    covered: Bits,
    /// The characters a kept span starts at: two covered neighbours are
    /// under the same span unless the second starts one.
    starts: Bits,
    /// Kept empty spans (none come from the built-in rules): position,
    /// and place in the order the spans were kept.
    empty: Vec<(usize, u32)>,
}

impl Taken {
    fn new(len: usize) -> Taken {
        Taken { covered: Bits::new(len), starts: Bits::new(len), empty: Vec::new() }
    }

    /// Whether `span` overlaps a kept span (`a.start < b.end && b.start <
    /// a.end`, as for spans of characters). (Asked of every competing
    /// candidate: inlined, the common case of a non-empty span with no
    /// empty span kept is one look at the map.)
    #[inline]
    fn overlaps(&self, span: Span) -> bool {
        if self.empty.is_empty() && span.start != span.end {
            return self.covered.any_in(span.start, span.end);
        }
        self.overlaps_with_empty(span)
    }

    /// [`Taken::overlaps`] where an empty span is asked or kept.
    #[inline(never)]
    fn overlaps_with_empty(&self, span: Span) -> bool {
        let by_empty = self.empty.iter().any(|&(e, _)| span.start < e && e < span.end);
        if span.start == span.end {
            // An empty span overlaps the kept span it lies strictly inside.
            let i = span.start;
            return by_empty || (i > 0 && self.covered.get(i) && self.covered.get(i - 1) && !self.starts.get(i));
        }
        by_empty || self.covered.any_in(span.start, span.end)
    }

    /// Keeps `span`, the `place`th span kept.
    #[inline]
    fn take(&mut self, span: Span, place: u32) {
        if span.start == span.end {
            self.empty.push((span.start, place));
            return;
        }
        self.starts.set(span.start);
        self.covered.set_range(span.start, span.end);
    }

    /// The places of the kept non-empty spans (`kept`: every kept span, in
    /// the order kept) by start: as they never overlap, that is by start
    /// and end. A span's rank is the number of kept spans that start
    /// before it, which the start bits count without a sort.
    fn places_by_start(&self, kept: impl Iterator<Item = Span>) -> std::vec::IntoIter<u32> {
        let mut before = Vec::with_capacity(self.starts.0.len());
        let mut count = 0;
        for word in &self.starts.0 {
            before.push(count);
            count += word.count_ones() as usize;
        }
        let mut by_start = vec![0; count];
        for (place, span) in kept.enumerate() {
            if !span.is_empty() {
                let (w, bit) = (span.start / 64, span.start % 64);
                let rank = before[w] + (self.starts.0[w] & ((1 << bit) - 1)).count_ones() as usize;
                by_start[rank] = place as u32;
            }
        }
        by_start.into_iter()
    }
}

/// A set of positions below a bound, as bits.
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }

    /// Whether `i` is in the set (never, at or past the bound).
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Whether any of `start..end` is in the set: a word at a time, as
    /// every competing candidate asks it of its span (most spans lie in
    /// one word).
    fn any_in(&self, start: usize, end: usize) -> bool {
        if start >= end {
            return false;
        }
        let (first, last) = (start / 64, (end - 1) / 64);
        if first == last {
            return self.0.get(first).is_some_and(|word| word & Bits::mask(start, end) != 0);
        }
        (first..=last).any(|w| self.0.get(w).is_some_and(|word| word & Bits::mask(start.max(w * 64), end.min(w * 64 + 64)) != 0))
    }

    /// Puts all of `start..end` (below the bound) in the set.
    fn set_range(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        for w in start / 64..=(end - 1) / 64 {
            self.0[w] |= Bits::mask(start.max(w * 64), end.min(w * 64 + 64));
        }
    }

    /// The bits of `start..end`, a non-empty range within one word, in
    /// that word.
    fn mask(start: usize, end: usize) -> u64 {
        (u64::MAX >> (64 - (end - start))) << (start % 64)
    }
}

/// What the tests of this module and of its submodules share: the built-in
/// rules, compiled once, and the mentions a text gets.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::rules::RuleSet;
    use std::sync::{Arc, LazyLock};

    pub(crate) static RULES: LazyLock<Arc<RuleSet>> = LazyLock::new(|| RuleSet::builtin().unwrap_or_else(|e| panic!("{e}")));

    /// Every mention of a text (entities, values, titles), as (text, tag).
    pub(crate) fn mentions(text: &str) -> Vec<(String, Tag)> {
        let folded = Folded::new(text);
        let chars: Vec<char> = folded.text().chars().collect();
        find_mentions(&folded, &RULES).into_iter().map(|c| (chars[c.span.start..c.span.end].iter().collect(), c.tag)).collect()
    }

    /// The entity mentions of a text, as (text, type).
    pub(crate) fn entities(text: &str) -> Vec<(String, NodeType)> {
        mentions(text)
            .into_iter()
            .filter_map(|(name, tag)| match tag {
                Tag::Node(t) if t.is_entity() => Some((name, t)),
                _ => None,
            })
            .collect()
    }

    /// The names of one entity type in a text.
    pub(crate) fn names_of(text: &str, node_type: NodeType) -> Vec<String> {
        entities(text).into_iter().filter(|(_, t)| *t == node_type).map(|(name, _)| name).collect()
    }

    /// The organization names of a text.
    pub(crate) fn organizations(text: &str) -> Vec<String> {
        names_of(text, NodeType::Organization)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{entities, RULES};
    use super::*;

    fn has(text: &str, name: &str, ty: NodeType) -> bool {
        entities(text).iter().any(|(n, t)| n == name && *t == ty)
    }

    #[test]
    fn the_families_run_over_many_documents_find_each_documents_candidates_as_alone() {
        let article = include_str!("../fixtures/yunqi.txt");
        let mut texts: Vec<&str> = article.lines().collect();
        texts.extend(["", "张三", article]);
        let folded: Vec<Folded> = texts.iter().map(|t| Folded::new(t)).collect();
        let docs: Vec<&Folded> = folded.iter().collect();
        let together = find_candidates_of_each(&docs, &RULES);
        assert_eq!(together.len(), docs.len());
        assert!(together.iter().map(Vec::len).sum::<usize>() > 100);
        for (f, found) in docs.iter().zip(&together) {
            assert_eq!(found, &find_candidates_of_each(&[f], &RULES)[0]);
        }
        let mentions = find_mentions_of_each(&docs, &RULES);
        for (f, found) in docs.iter().zip(mentions) {
            assert_eq!(found, find_mentions(f, &RULES));
        }
    }

    #[test]
    fn each_regex_bank_rule_by_rule_gives_each_document_its_candidates_in_the_order_of_a_document_alone() {
        let article = include_str!("../fixtures/yunqi.txt");
        let mut texts: Vec<&str> = article.lines().collect();
        texts.extend(["", "2013年1月23日,近6万人参会,营收接近30亿元,增长104.71%,打八折", article]);
        let folded: Vec<Folded> = texts.iter().map(|t| Folded::new(t)).collect();
        let possible: Vec<_> = folded.iter().map(|f| RULES.possible_regex_rules(f)).collect();
        let start_chars = StartChars::new(&RULES);
        let finding = |folded| Finding { folded, candidates: Vec::new(), titles: TitleIndex::new(folded.as_chars(), &[]), starts: start_chars.of_document(folded.as_chars()), names: NameSpans::default() };
        let mut entities_by_rule: Vec<Finding> = folded.iter().map(finding).collect();
        candidates_rule_by_rule(&RULES.entity_rules, 0, &mut entities_by_rule, &possible, regex_candidates);
        let mut values_by_rule: Vec<Finding> = folded.iter().map(finding).collect();
        candidates_rule_by_rule(&RULES.value_rules, 1, &mut values_by_rule, &possible, value_candidates);
        let (mut entities, mut values) = (0, 0);
        for (((f, possible), entities_by_rule), values_by_rule) in folded.iter().zip(&possible).zip(&entities_by_rule).zip(&values_by_rule) {
            let mut alone = Vec::new();
            regex_candidates(f, possible.with_words(0), &mut alone);
            assert_eq!(entities_by_rule.candidates, alone);
            entities += alone.len();
            let mut alone = Vec::new();
            value_candidates(f, possible.with_words(1), &mut alone);
            assert_eq!(values_by_rule.candidates, alone);
            values += alone.len();
        }
        assert!(entities > 10 && values > 50, "the texts have candidates of both banks to find");
    }

    #[test]
    fn the_title_index_answers_as_a_scan_of_the_titles_would() {
        let text: Vec<char> = "国务院总理李强和外交部长王毅会见了董事长".chars().collect();
        let mut next = crate::test_random::xorshift32(0x717E);
        for _ in 0..200 {
            let candidates: Vec<Candidate> = (0..(next() % 8))
                .map(|_| {
                    let start = (next() as usize) % text.len();
                    let end = start + (next() as usize) % (text.len() + 1 - start);
                    let tag = if next() % 2 == 0 { Tag::Title } else { Tag::Node(NodeType::Person) };
                    Candidate { span: Span::new(start, end), tag, entry: None, rule: RuleId::Literal("t"), priority: 0, value: None, suffix_start: None }
                })
                .collect();
            let index = TitleIndex::new(&text, &candidates);
            let titles = || candidates.iter().filter(|c| c.tag == Tag::Title);
            for i in 0..text.len() + 3 {
                assert_eq!(index.starts_at(i), titles().any(|c| c.span.start == i), "start {i}");
                assert_eq!(index.ends_at(i), titles().any(|c| c.span.end == i), "end {i}");
            }
        }
    }

    #[test]
    fn a_candidate_fits_in_one_cache_line() {
        // Every stage from the rule families to overlap resolution reads or
        // moves the whole candidate list of a document.
        assert!(std::mem::size_of::<Candidate>() <= 64, "a candidate takes {} bytes", std::mem::size_of::<Candidate>());
    }

    #[test]
    fn a_conjunction_is_one_of_the_five_and_no_other_character() {
        let chars = (0..0x11000u32).filter_map(char::from_u32).chain(['\u{10FFFF}', '\0']);
        for c in chars {
            assert_eq!(is_conjunction(c), CONJUNCTIONS.contains(&c), "{c:?}");
        }
        assert!(is_conjunction('、') && is_conjunction('和') && !is_conjunction('的'));
    }

    #[test]
    fn by_position_keeps_the_least_and_the_greatest_value_and_nothing_elsewhere() {
        let starts = ByPosition::least([(4, 2), (4, 1), (4, 3)]);
        let ends = ByPosition::greatest([(0, 2), (0, 5), (0, 3)]);
        assert_eq!((starts.get(4), ends.get(0)), (Some(1), Some(5)));
        assert!((0..=70).filter(|&k| k != 4).all(|k| starts.get(k).is_none()));
        assert!((1..=70).all(|k| ends.get(k).is_none()));
        assert!(ByPosition::default().get(0).is_none());
    }

    #[test]
    fn by_position_answers_as_a_slot_per_position_would_on_random_pairs() {
        let mut next = crate::test_random::xorshift32(0xB1);
        for _ in 0..300 {
            let len = 1 + next() as usize % 200;
            let pairs: Vec<(usize, usize)> = (0..next() % 40).map(|_| (next() as usize % len, next() as usize % len)).collect();
            let (least, greatest) = (ByPosition::least(pairs.iter().copied()), ByPosition::greatest(pairs.iter().copied()));
            for k in 0..len + 70 {
                let given = || pairs.iter().filter(|&&(p, _)| p == k).map(|&(_, v)| v);
                assert_eq!(least.get(k), given().min(), "{pairs:?} at {k}");
                assert_eq!(greatest.get(k), given().max(), "{pairs:?} at {k}");
            }
        }
    }

    #[test]
    fn a_descriptive_word_is_the_longest_listed_word_of_four_characters_or_fewer() {
        use crate::test_random::{random_text, xorshift32};
        let alphabet: Vec<char> = "特色小镇旅游风情".chars().collect();
        let mut next = xorshift32(0xD5);
        for _ in 0..300 {
            let words: Vec<String> = (0..1 + next() % 6).map(|_| random_text(&alphabet, 1 + next() as usize % 5, &mut next)).collect();
            let (phrases, set) = (Phrases::new(&words), words.iter().cloned().collect::<FxHashSet<String>>());
            let core: Vec<char> = random_text(&alphabet, next() as usize % 12, &mut next);
            for i in 0..core.len() {
                let spelled_out = (1..=4.min(core.len() - i)).rev().find(|&n| set.contains(&core[i..i + n].iter().collect::<String>()));
                assert_eq!(descriptive_word_at(&core, i, &phrases), spelled_out, "{words:?} {core:?} at {i}");
            }
        }
    }

    #[test]
    fn span_cover_answers_overlap_and_containment_as_a_scan_of_the_spans_would() {
        let fixed = vec![Span::new(2, 5), Span::new(3, 4), Span::new(8, 12), Span::new(10, 11)];
        // Spans in any order, nested, overlapping or repeated.
        let mut next = crate::test_random::xorshift32(7);
        let random = (0..200).map(|_| {
            (0..(next() % 8) as usize)
                .map(|_| {
                    let start = (next() % 13) as usize;
                    Span::new(start, start + 1 + (next() % 4) as usize)
                })
                .collect::<Vec<_>>()
        });
        let cover_of = |spans: &[Span]| SpanCover::of_starts_and_ends(spans.iter().map(|s| (offset(s.start), offset(s.end))).collect());
        for spans in std::iter::once(fixed).chain(random) {
            let cover = cover_of(&spans);
            for start in 0..18 {
                for end in start + 1..=18 {
                    let overlaps = spans.iter().any(|s| s.start < end && start < s.end);
                    let contains = spans.iter().any(|s| s.start <= start && end <= s.end);
                    assert_eq!(cover.overlaps(start, end), overlaps, "overlaps {start}..{end} of {spans:?}");
                    assert_eq!(cover.contains(start, end), contains, "contains {start}..{end} of {spans:?}");
                }
            }
        }
        let empty = cover_of(&[]);
        assert!(!empty.overlaps(0, 5) && !empty.contains(1, 2), "no spans cover nothing");
    }

    #[test]
    fn known_names_ending_somewhere_are_those_a_scan_of_the_candidates_finds_in_their_order() {
        let mut next = crate::test_random::xorshift32(0x4E0D);
        let candidate = |start: usize, end: usize| Candidate {
            span: Span::new(start, end),
            tag: Tag::Title,
            entry: None,
            rule: RuleId::Literal("t"),
            priority: 0,
            value: None,
            suffix_start: None,
        };
        for len in [0, 1, 2, 5, 30, 200] {
            // A run in text order (as the gazetteer gives), then a few in
            // any order, ends shared.
            let mut all: Vec<Candidate> = (0..len).map(|k| candidate(k, k + 1 + (next() % 3) as usize)).collect();
            all.sort_by_key(|c| c.span.end);
            all.extend((0..len / 4).map(|_| {
                let start = (next() % 40) as usize;
                candidate(start, start + 1 + (next() % 4) as usize)
            }));
            let known = KnownNames::new(&all);
            let last_end = all.iter().map(|c| c.span.end).max().unwrap_or(0);
            for end in 0..=last_end + 1 {
                let scan: Vec<*const Candidate> = all.iter().filter(|c| c.span.end == end).map(|c| c as *const _).collect();
                let found: Vec<*const Candidate> = known.ending_at(end).map(|c| c as *const _).collect();
                assert_eq!(found, scan, "ending at {end} of {len}");
            }
        }
    }

    #[test]
    fn the_names_before_the_person_rules_are_the_entity_names_and_the_gazetteers_other_than_persons() {
        let folded = Folded::new(include_str!("../fixtures/yunqi.txt"));
        let mut candidates = find_candidates(&folded, &RULES);
        // A person of the gazetteer too (the article has none), who
        // is an entity name but none of the gazetteer's others.
        let listed = candidates.iter().find(|c| c.entry.is_some() && c.span.len() >= 2).expect("a gazetteer name").clone();
        candidates.push(Candidate { tag: Tag::Node(NodeType::Person), ..listed });
        let cover_of = |keep: &dyn Fn(&Candidate) -> bool| {
            let spans = candidates.iter().filter(|c| keep(c)).map(|c| (offset(c.span.start), offset(c.span.end))).collect();
            SpanCover::of_starts_and_ends(spans).starts_and_max_ends
        };
        let entity_name = |c: &Candidate| matches!(c.tag, Tag::Node(t) if t.is_entity()) && c.span.len() >= 2;
        let known = cover_of(&entity_name);
        let gazetteer = cover_of(&|c| entity_name(c) && c.entry.is_some() && c.tag != Tag::Node(NodeType::Person));
        assert!(known.len() > gazetteer.len() && !gazetteer.is_empty(), "the article has names of both kinds");
        let before = NamesBefore::of(&candidates);
        assert_eq!(before.known_spans.starts_and_max_ends, known);
        assert_eq!(before.gazetteer_names.starts_and_max_ends, gazetteer);
    }

    #[test]
    fn the_names_read_as_the_families_add_candidates_are_those_read_at_once() {
        let folded = Folded::new(include_str!("../fixtures/yunqi.txt"));
        let candidates = find_candidates(&folded, &RULES);
        let at_once = NamesBefore::of(&candidates);
        for first in [0, 1, candidates.len() / 3, candidates.len() / 2, candidates.len() - 1, candidates.len()] {
            let mut names = NameSpans::default();
            names.read(&candidates[..first]);
            names.read(&candidates);
            let in_two = names.finish();
            assert_eq!(in_two.known_spans.starts_and_max_ends, at_once.known_spans.starts_and_max_ends, "first read of {first}");
            assert_eq!(in_two.gazetteer_names.starts_and_max_ends, at_once.gazetteer_names.starts_and_max_ends, "first read of {first}");
        }
    }

    #[test]
    fn country_abbreviations_in_a_pair_before_a_relation_word_are_places() {
        assert!(has("真正成熟的中美关系应该是", "中", NodeType::Place));
        assert!(has("真正成熟的中美关系应该是", "美", NodeType::Place));
        assert!(has("中、英两国在相互尊重", "英", NodeType::Place));
        assert!(has("推进巴以谈判的新方案", "巴", NodeType::Place));
    }

    #[test]
    fn one_abbreviation_needs_a_visit_or_side_word() {
        assert!(has("副主席此次访韩，一定会", "韩", NodeType::Place));
        assert!(has("今晚在京举行", "京", NodeType::Place));
        assert!(has("向中方作出的承诺", "中", NodeType::Place));
        assert!(has("据俄政府新闻局", "俄", NodeType::Place));
    }

    #[test]
    fn abbreviation_characters_in_ordinary_words_are_not_places() {
        // 中间, 美丽, 以后, 日后, 美中不足: words, not countries.
        for text in ["他站在中间", "在美丽的西湖边", "以后再说", "来日方长", "可谓美中不足", "现在美元升值"] {
            let found = entities(text);
            assert!(!found.iter().any(|(n, _)| n.chars().count() == 1), "{text}: {found:?}");
        }
    }

    #[test]
    fn an_abbreviation_joins_the_full_country_node() {
        let folded = Folded::new("中方表示");
        let found = find_mentions(&folded, &RULES);
        let entry = found.iter().find(|c| c.span == Span::new(0, 1)).and_then(|c| c.entry).expect("中 found");
        assert_eq!(RULES.dictionary.entry(entry).key, "中国");
    }

    #[test]
    fn the_shapes_at_a_surname_are_every_surname_and_one_or_two_given_name_characters() {
        let lists = &RULES.lists;
        let start_chars = RULES.start_chars.get_or_init(|| StartChars::new(&RULES));
        let (function_words, given_stop) = (lists.char_set("surname_function_words"), lists.char_set("given_name_stop"));
        // Common, rare and compound surnames, their parts alone, function
        // words, given-name and stop characters, Latin and punctuation.
        let alphabet: Vec<char> = "王李张家来欧阳司马上官东方和从的了建国华A1，".chars().collect();
        let mut next = crate::test_random::xorshift32(23);
        for len in [0, 1, 2, 3, 4, 5, 40, 300] {
            for _ in 0..20 {
                let chars: Vec<char> = crate::test_random::random_text(&alphabet, len, &mut next);
                let starts = start_chars.of_document(&chars);
                let given = |k: usize| chars.get(k).is_some_and(|&c| is_cjk(c) && !given_stop.contains(c));
                for i in 0..len {
                    let compound = i + 2 <= len && RULES.surnames.compound.contains_key(&chars[i..i + 2].iter().collect::<String>());
                    let single = RULES.surnames.single.contains_key(&chars[i]) && !function_words.contains(chars[i]);
                    let mut plain = 0;
                    for (bit, s_len, g_len, surname) in [(0, 2, 2, compound), (1, 2, 1, compound), (2, 1, 2, single), (3, 1, 1, single)] {
                        if surname && (i + s_len..i + s_len + g_len).all(given) {
                            plain |= 1 << bit;
                        }
                    }
                    let fast = if starts.at(i, SURNAME) { shapes_starting_at(&chars, i, start_chars.surname_chars().of(chars[i]), &starts, &RULES) } else { 0 };
                    assert_eq!(fast, plain, "at {i} of {}", chars.iter().collect::<String>());
                }
            }
        }
    }

    #[test]
    fn the_stem_lists_kept_per_rule_set_answer_as_the_lists_by_name() {
        let lists = &RULES.lists;
        let kept = StemLists::of(&RULES);
        let pos_sets = [(&kept.breaker_pos, "stem_breaker_pos"), (&kept.edge_pos, "stem_edge_breaker_pos")];
        for (set, name) in pos_sets {
            assert_eq!(set.is_empty(), lists.list(name).is_empty(), "{name}");
            // (Words of breaking tags and of others.)
            for word in ["一切", "为了", "似的", "一一", "兆瓦", "一侧", "上举", "一业", "七绝"] {
                let e = RULES.lexicon.get(word).unwrap_or_else(|| panic!("{word} is a word"));
                assert_eq!(set.contains(e), lists.set(name).contains(&*e.pos), "{word} ({}) in {name}", e.pos);
            }
        }
        let sets = [
            (&kept.edge_words, "stem_edge_breaker_words"),
            (&kept.branch_prefixes, "branch_prefixes"),
            (&kept.short_stem_suffixes, "short_stem_suffixes"),
        ];
        for (set, name) in sets {
            assert_eq!(set, lists.set(name), "{name}");
        }
        assert_eq!(kept.team_suffixes, lists.list("name_suffixes_after_place_name"));
        assert_eq!(kept.admin_list, lists.list("admin_place_suffixes"));
        let phrases = [
            (&kept.stop_chars, "stem_stop_chars"),
            (&kept.breakers, "stem_breakers"),
            (&kept.weak_suffix_qualifiers, "weak_suffix_qualifiers"),
            (&kept.admin_suffixes, "admin_place_suffixes"),
            (&kept.generic_stem_words, "generic_stem_words"),
            (&kept.prefix_stop, "stem_prefix_stop"),
        ];
        let mut next = crate::test_random::xorshift32(31);
        for (words, name) in phrases {
            // Text made of the list's own characters, so that its words
            // turn up, and a few others.
            let mut alphabet: Vec<char> = lists.list(name).iter().flat_map(|w| w.chars()).collect();
            assert!(!alphabet.is_empty(), "{name} has words");
            alphabet.extend("的了在中国A1，".chars());
            let text: Vec<char> = crate::test_random::random_text(&alphabet, 3000, &mut next);
            let by_name = lists.phrases(name);
            let mut found = 0;
            for i in 0..=text.len() {
                assert_eq!(words.starts_at(&text, i), by_name.starts_at(&text, i), "{name} at {i}");
                assert_eq!(words.longest_at(&text, i), by_name.longest_at(&text, i), "{name} at {i}");
                assert_eq!(words.lengths_ending_at(&text, i), by_name.lengths_ending_at(&text, i), "{name} at {i}");
                found += usize::from(by_name.ends_at(&text, i));
            }
            assert!(found > 0, "{name}: the text holds words of the list");
        }
    }

    #[test]
    fn the_suffix_texts_kept_per_rule_set_answer_as_the_suffix_types_and_the_list_by_text() {
        let kept = &StemLists::of(&RULES).suffix_texts;
        assert_eq!(kept.len(), RULES.suffixes.len());
        for (suffix, text) in RULES.suffixes.iter().zip(kept) {
            let spelled_as_event = RULES.is_suffix_of(&suffix.text, &[NodeType::Event]);
            assert_eq!(text.event_like, suffix.node_type == NodeType::Event || spelled_as_event, "{}", suffix.text);
            assert_eq!(text.noun_modifier, RULES.lists.set("noun_modifier_suffixes").contains(&suffix.text), "{}", suffix.text);
        }
        // 论坛 names organizations too, and is event-like as such; 物流
        // modifies a noun.
        assert!(RULES.suffixes.iter().zip(kept).any(|(s, t)| s.text == "论坛" && s.node_type == NodeType::Organization && t.event_like));
        assert!(RULES.suffixes.iter().zip(kept).any(|(s, t)| s.text == "物流" && t.noun_modifier));
    }

    #[test]
    fn setting_silent_shapes_aside_finds_the_persons_that_working_out_every_shape_finds() {
        // Surnames (common, rare, compound, a function word), given-name
        // characters, cue and title characters, verbs, conjunctions.
        let alphabet = "王李张陈欧阳司马家来和坚强明建国华伟大维先生记者总理说表示、与。，的决定带着阿里云";
        let mut by_cache = 0;
        for_random_documents(alphabet, 17, &[0, 1, 2, 5, 40, 300, 2000], |doc| {
            let persons = |set_aside: bool| {
                let mut out = doc.known.clone();
                person_candidates_setting_aside(doc.chars, &RULES, doc.starts, doc.titles, NameSpans::default(), &mut out, set_aside);
                out
            };
            let set_aside = persons(true);
            assert_eq!(set_aside, persons(false), "{}", doc.text);
            by_cache += set_aside.iter().filter(|c| c.rule == person_rule("document-cache")).count();
        });
        assert!(by_cache > 0, "the texts have names that only the document cache accepts");
    }

    /// A random document's text and what the name rules are given besides
    /// it: its gazetteer candidates, titles and start characters.
    struct RandomDocument<'a> {
        text: &'a str,
        chars: &'a [char],
        known: &'a Vec<Candidate>,
        titles: &'a TitleIndex,
        starts: &'a DocumentStarts,
    }

    /// Calls `check` with twenty random documents over `alphabet` of each
    /// of `lengths` characters.
    fn for_random_documents(alphabet: &str, seed: u32, lengths: &[usize], mut check: impl FnMut(&RandomDocument)) {
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut next = crate::test_random::xorshift32(seed);
        for &len in lengths {
            for _ in 0..20 {
                let text: String = crate::test_random::random_text(&alphabet, len, &mut next);
                let folded = Folded::new(&text);
                let chars: Vec<char> = folded.text().chars().collect();
                let mut known = Vec::new();
                dictionary_candidates(&chars, &RULES, &mut known);
                let titles = TitleIndex::new(&chars, &known);
                let starts = RULES.start_chars.get_or_init(|| StartChars::new(&RULES)).of_document(&chars);
                check(&RandomDocument { text: &text, chars: &chars, known: &known, titles: &titles, starts: &starts });
            }
        }
    }

    #[test]
    fn passing_over_short_transliteration_runs_finds_the_foreign_names_that_trimming_every_run_finds() {
        // Transliteration letters (in runs of every length), middle dots,
        // titles and speech verbs for evidence, ordinary words at the edges
        // (祝贺, 希望) and known names that cut or stop a run.
        let alphabet = "克林顿奥尔布赖特斯安南拉德·•祝贺希望总统总理说表示的了在中国美国，。";
        let mut names = 0;
        for_random_documents(alphabet, 0xF0E1, &[0, 1, 2, 3, 5, 40, 300, 2000], |doc| {
            let foreign = |pass_short_runs: bool| {
                let mut out = doc.known.clone();
                foreign_name_candidates_passing_short_runs(doc.chars, &RULES, doc.starts, doc.titles, &mut out, pass_short_runs);
                out
            };
            let passing = foreign(true);
            assert_eq!(passing, foreign(false), "{}", doc.text);
            names += passing.len() - doc.known.len();
        });
        assert!(names > 0, "the texts have foreign names");
    }

    #[test]
    fn silent_shapes_read_back_as_the_list_of_shapes_set_aside_in_walk_order() {
        let mut next = crate::test_random::xorshift32(0x51E7);
        for _ in 0..200 {
            let mut silent = SilentShapes::with_capacity(0);
            let mut listed: Vec<(u32, u32, u8)> = Vec::new();
            let mut start = 0;
            for _ in 0..next() % 30 {
                start += 1 + next() as usize % 5;
                let bits = (next() % 16) as u8;
                silent.push(start, bits);
                listed.extend((0..4).filter(|k| bits >> k & 1 == 1).map(|k| ShapeAt::of_bit(start, k)).map(|at| (at.start, at.end, at.surname_len)));
            }
            let read = |keep: &dyn Fn(usize) -> bool| silent.shapes(keep).map(|at| (at.start, at.end, at.surname_len)).collect::<Vec<_>>();
            assert_eq!(read(&|_| true), listed);
            let odd: Vec<_> = listed.iter().copied().filter(|&(start, _, _)| start % 2 == 1).collect();
            assert_eq!(read(&|start| start % 2 == 1), odd);
        }
        // The bits are those of `shapes_starting_at`: compound surname first,
        // the longer given name first.
        let shape = |k| {
            let at = ShapeAt::of_bit(10, k);
            (at.start, at.end, at.surname_len)
        };
        assert_eq!([shape(0), shape(1), shape(2), shape(3)], [(10, 14, 2), (10, 13, 2), (10, 13, 1), (10, 12, 1)]);
    }

    #[test]
    fn a_name_does_not_cut_the_word_after_it() {
        // 江建|国报道 would cut 建国; 江建国 ends before 报道.
        assert!(has("记者江建国报道：由网坛", "江建国", NodeType::Person));
        assert!(has("王坚决定离开", "王坚", NodeType::Person));
        assert!(!has("王坚决定离开", "王坚决", NodeType::Person));
        // The last character starting a speech verb goes with the verb.
        assert!(has("王坚曾如是说", "王坚", NodeType::Person));
    }

    #[test]
    fn a_name_does_not_start_inside_a_word() {
        // 进程中 / 提高刑侦: 中, 高 are surnames, but they end a word here.
        assert!(!entities("经济全球化进程中找到自己的位置").iter().any(|(_, t)| *t == NodeType::Person));
        assert!(!entities("全面提高刑侦民警破案能力").iter().any(|(_, t)| *t == NodeType::Person));
    }

    #[test]
    fn foreign_names_are_runs_of_transliteration_characters_with_evidence() {
        assert!(has("法国总理若斯潘表示赞赏", "若斯潘", NodeType::Person));
        assert!(has("美国国务卿奥尔布赖特21日在此间", "奥尔布赖特", NodeType::Person));
        assert!(has("通过了叶利钦总统对基里延科的提名", "叶利钦", NodeType::Person));
        // An ordinary word before the run is not part of it.
        assert!(has("我们衷心祝贺布拉特先生当选", "布拉特", NodeType::Person));
        // No evidence, no name; a run ending in a place suffix is no name.
        assert!(!entities("斯特拉斯堡").iter().any(|(_, t)| *t == NodeType::Person));
        assert!(!has("云栖小镇管委会主任", "云栖小镇", NodeType::Person));
    }

    #[test]
    fn a_title_that_begins_with_an_organization_names_it() {
        assert!(has("国务院总理朱镕基说", "国务院", NodeType::Organization));
        assert!(has("国务院总理朱镕基说", "朱镕基", NodeType::Person));
        assert!(has("外交部长唐家璇表示", "外交部", NodeType::Organization));
        assert!(has("新任驻华大使昨天抵京", "华", NodeType::Place));
    }

    #[test]
    fn teams_are_a_known_place_and_qualifiers_before_dui() {
        assert!(has("中国女队在今天的比赛中", "中国女队", NodeType::Organization));
        assert!(has("巴西足球队教练表示", "巴西足球队", NodeType::Organization));
        assert!(has("古巴队以96∶89战胜匈牙利队。", "匈牙利队", NodeType::Organization));
        assert!(!has("古巴队以96∶89战胜匈牙利队。", "战胜匈牙利队", NodeType::Organization));
        assert!(has("相比之下，青岛海牛队和广州松日队的雨中之战", "青岛海牛队", NodeType::Organization));
        assert!(has("而中国队组队才有6个月", "中国队", NodeType::Organization));
        assert!(has("中共河北省委", "中共河北省委", NodeType::Organization));
    }

    #[test]
    fn names_inside_book_titles_are_mentions_too() {
        assert!(has("举办《中国在发展》图片展", "中国在发展", NodeType::Work));
        assert!(has("举办《中国在发展》图片展", "中国", NodeType::Place));
    }

    #[test]
    fn a_county_short_form_does_not_end_a_word() {
        assert!(!has("移动通信都很发达", "信都", NodeType::Place));
        assert!(!has("坚持党和政府的领导", "和政", NodeType::Place));
    }

    #[test]
    fn region_word_after_a_known_place_is_not_part_of_the_name() {
        assert!(has("东北地区经济发展很快。", "东北", NodeType::Place));
        assert!(has("要维护南亚地区的和平。", "南亚", NodeType::Place));
    }

    #[test]
    fn a_title_inside_a_suffix_does_not_stop_it() {
        assert!(has("中国代表团昨天抵达。", "中国代表团", NodeType::Organization));
    }

    #[test]
    fn a_title_after_lets_a_rarer_word_be_a_given_name() {
        // 春风 is an ordinary word (freq 269), but 先生 follows.
        assert!(has("我们见到了刘春风先生。", "刘春风", NodeType::Person));
        assert!(!has("吹来了一阵刘春风。", "刘春风", NodeType::Person));
    }

    #[test]
    fn a_proper_word_alone_before_a_one_character_suffix_names_a_body() {
        assert!(has("集团宣布成立了九鼎院,专攻芯片。", "九鼎院", NodeType::Organization));
        // 所 before a verb is a particle; a word of its own (通讯社) is no name.
        assert!(!entities("已被九鼎所代替。").iter().any(|(_, t)| *t == NodeType::Organization));
        assert!(!has("各大通讯社都派了记者。", "通讯社", NodeType::Organization));
    }

    #[test]
    fn a_verb_before_zai_is_no_suffix() {
        assert!(!has("看腾讯站在我们这边。", "腾讯站", NodeType::Organization));
        assert!(has("看腾讯站在我们这边。", "腾讯", NodeType::Organization));
    }

    #[test]
    fn a_stem_of_descriptive_words_makes_a_category_term() {
        assert!(!has("要建设一批生态旅游小镇。", "生态旅游小镇", NodeType::Place));
        assert!(!entities("这是一个美丽的特色小镇。").iter().any(|(_, t)| *t == NodeType::Place));
        // A stem that names is kept, before the same suffix.
        assert!(has("他们去了青溪小镇。", "青溪小镇", NodeType::Place));
    }

    #[test]
    fn a_known_organization_lends_no_enumeration_evidence() {
        // 阿里云总裁 makes 阿里云 a person shape with a title after it; next
        // to 和 it must not make the unknown name before it a person.
        let text = "阿里云总裁说了。这是周通和阿里云共建的机房。";
        assert!(!has(text, "周通", NodeType::Person), "{:?}", entities(text));
    }

    #[test]
    fn a_conjunction_is_not_a_surname() {
        assert!(!entities("总统和夫人出席了宴会。").iter().any(|(t, _)| t.starts_with('和')));
    }

    #[test]
    fn a_country_government_is_the_country() {
        assert!(has("美国政府认为", "美国", NodeType::Place));
        assert!(has("经杭州市政府批复成立", "杭州市政府", NodeType::Organization));
    }

    #[test]
    fn a_bare_name_shape_needs_name_like_given_characters() {
        assert!(has("以受贿罪判处张晓明有期徒刑5年", "张晓明", NodeType::Person));
        // Not after a function word that is also a surname.
        assert!(!has("其实，和王坚的第一次见面", "和王坚", NodeType::Person));
        // Transliterations are not Chinese names.
        assert!(!has("正是由克林斯曼在禁区内头球", "林斯曼", NodeType::Person));
        // A name found with a cue is not lengthened by the next character.
        assert!(!has("王巍说。那时候，王巍连团队都没有组建", "王巍连", NodeType::Person));
    }

    #[test]
    fn a_place_before_a_generic_body_makes_one_organization() {
        assert!(has("天津市妇联为广开就业路", "天津市妇联", NodeType::Organization));
        // A famous organization that names its place keeps its own name.
        assert!(has("北京大学的学生", "北京大学", NodeType::Organization));
    }

    #[test]
    fn a_photo_credit_is_not_part_of_the_name() {
        assert!(has("本报记者林晓明摄", "林晓明", NodeType::Person));
        assert!(!has("本报记者林晓明摄", "林晓明摄", NodeType::Person));
    }

    #[test]
    fn a_verb_at_the_left_edge_of_a_stem_is_the_sentence_s() {
        assert!(!has("他后来从事微电子公司的管理", "从事微电子公司", NodeType::Organization));
        // A verb right before the suffix belongs to the name.
        assert!(has("国家开发银行发放贷款", "国家开发银行", NodeType::Organization));
        // So do verbs the lexicon tags as nouns (联系, 咨询).
        assert!(has("记者联系青山镇政府了解情况", "青山镇政府", NodeType::Organization));
        assert!(!has("记者联系青山镇政府了解情况", "联系青山镇政府", NodeType::Organization));
        // The escape letter of a literal backslash-n is no part of a name.
        assert!(!has("上一段\\n南京市鼓楼区公安局通报", "n南京市鼓楼区公安局", NodeType::Organization));
    }

    #[test]
    fn a_place_stem_does_not_reach_over_a_complete_place() {
        let text = "下辖西林区友好区伊春区等";
        assert!(!has(text, "西林区友好区", NodeType::Place));
        assert!(has(text, "友好区", NodeType::Place));
        // Common words before a known place are not part of it.
        assert!(!has("企业住所地江西省南昌市", "住所地江西省", NodeType::Place));
        // The suffix of an ordinary word is not a name's (全省).
        assert!(!has("这一做法推广到广东全省", "广东全省", NodeType::Place));
        assert!(!has("实验室检测病原微生物", "病原微生物", NodeType::Organization));
        // A weak suffix does not cut the word after it (建工|作).
        assert!(!has("加大党建工作力度", "加大党建工", NodeType::Organization));
        assert!(!has("加大党建工作力度", "党建工", NodeType::Organization));
    }

    #[test]
    fn an_event_kind_is_not_an_event_name() {
        assert!(!has("网上流传的斗殴事件引起关注", "斗殴事件", NodeType::Event));
        assert!(!has("昨日某地发生爆炸事件", "某地发生爆炸事件", NodeType::Event));
        // Common words only make a kind of meeting, however long.
        assert!(!has("召开专题教育动员大会", "专题教育动员大会", NodeType::Event));
    }

    #[test]
    fn an_industry_word_before_a_noun_ends_no_name() {
        assert!(!has("景区新增彩钢移动厕所十座", "彩钢移动", NodeType::Organization));
        assert!(has("湖南移动总经理说", "湖南移动", NodeType::Organization));
        // A placeholder letter is no name (A公司).
        assert!(!has("b保险公司拒绝理赔", "b保险公司", NodeType::Organization));
    }

    #[test]
    fn digits_inside_a_stem_end_the_text_before_them() {
        assert!(has("曲目表:圆舞曲5英国室内乐团演奏", "英国室内乐团", NodeType::Organization));
        assert!(!has("曲目表:圆舞曲5英国室内乐团演奏", "圆舞曲5英国室内乐团", NodeType::Organization));
    }

    #[test]
    fn every_person_evidence_label_is_a_person_rule_id() {
        for label in ["title-before", "title-after", "verb-after", "cue-before", "lexicon", "name-shape", "document-cache", "enumeration"] {
            assert_eq!(person_rule(label).to_string(), format!("entities/person/{label}"));
        }
    }

    /// The overlap resolution as first written: whole candidates sorted
    /// (stably) by rank, then by layer, then the winners by position.
    fn resolve_overlaps_by_sorting_candidates(candidates: Vec<Candidate>) -> Vec<Candidate> {
        let (works, mut rest): (Vec<Candidate>, Vec<Candidate>) =
            candidates.into_iter().partition(|c| c.tag == Tag::Node(NodeType::Work) && c.rule.ends_with("book-title-marks"));
        rest.sort_by(|a, b| {
            b.span.len().cmp(&a.span.len()).then(b.priority.cmp(&a.priority)).then(a.span.start.cmp(&b.span.start)).then(a.rule.cmp(&b.rule))
        });
        let mut order: Vec<usize> = (0..rest.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(rest[i].priority / PRIORITY_PER_LAYER), i));
        let mut taken = Taken::new(rest.iter().map(|c| c.span.end).max().unwrap_or(0));
        let mut kept = Vec::new();
        for i in order {
            if !taken.overlaps(rest[i].span) {
                taken.take(rest[i].span, 0);
                kept.push(rest[i].clone());
            }
        }
        kept.sort_by_key(|c| (c.span.start, c.span.end));
        kept.extend(works);
        kept.sort_by_key(|c| (c.span.start, c.span.end));
        kept
    }

    /// The character map answers as comparing with every kept span does
    /// (`a.start < b.end && b.start < a.end`, empty spans included), on
    /// random spans over a short text, so they meet often: before an empty
    /// span is kept (the map alone) and after.
    #[test]
    fn taken_spans_overlap_as_compared_one_by_one() {
        let mut next = crate::test_random::xorshift32(0x7a4e);
        for _ in 0..500 {
            let len = 1 + (next() % 140) as usize;
            let mut taken = Taken::new(len);
            let mut kept: Vec<Span> = Vec::new();
            for _ in 0..40 {
                let start = next() as usize % len;
                let span = Span::new(start, (start + (next() % 5) as usize).min(len));
                let overlaps = kept.iter().any(|k| span.start < k.end && k.start < span.end);
                assert_eq!(taken.overlaps(span), overlaps, "{span:?} {kept:?}");
                if !overlaps {
                    taken.take(span, kept.len() as u32);
                    kept.push(span);
                }
            }
        }
    }

    /// Asking and setting a range a word at a time agrees with doing it
    /// position by position, for ranges within a word, across words and
    /// empty.
    #[test]
    fn bit_ranges_are_their_positions() {
        let mut next = crate::test_random::xorshift32(0xb175);
        for _ in 0..500 {
            let len = 1 + (next() % 300) as usize;
            let mut bits = Bits::new(len);
            let mut plain = vec![false; len];
            for _ in 0..20 {
                let start = next() as usize % len;
                let end = (start + (next() % 130) as usize).min(len);
                assert_eq!(bits.any_in(start, end), plain[start..end].contains(&true), "{start}..{end}");
                if next().is_multiple_of(3) {
                    bits.set_range(start, end);
                    plain[start..end].fill(true);
                }
            }
            assert!((0..len).all(|i| bits.get(i) == plain[i]));
            assert!(!bits.any_in(len, len + 70));
        }
    }

    #[test]
    fn overlaps_resolve_as_when_whole_candidates_were_sorted() {
        let mut next = crate::test_random::xorshift32(0x5eed_1234);
        let rules = ["a/book-title-marks", "b/rule", "c/rule", "b/other"];
        let tags = [Tag::Node(NodeType::Work), Tag::Node(NodeType::Person), Tag::Node(NodeType::Place), Tag::Title];
        let priorities = [20, 30, 40, 50, 1030, 1050, -5];
        for _ in 0..500 {
            let count = next() % 40;
            let candidates: Vec<Candidate> = (0..count)
                .map(|_| {
                    let start = (next() % 30) as usize;
                    Candidate {
                        span: Span::new(start, start + (next() % 6) as usize),
                        tag: tags[next() as usize % tags.len()],
                        entry: None,
                        rule: RuleId::Literal(rules[next() as usize % rules.len()]),
                        priority: priorities[next() as usize % priorities.len()],
                        value: None,
                        suffix_start: Some(next()),
                    }
                })
                .collect();
            assert_eq!(resolve_overlaps(candidates.clone()), resolve_overlaps_by_sorting_candidates(candidates));
        }
    }
}
