//! Trigger words: a cheap first pass that tells which regexes cannot match.
//!
//! Most rule regexes need certain words somewhere in any match (a currency,
//! 成立|创办, a speech verb, a Latin letter *and* 公司|企业). [`requirements`]
//! reads them off the parsed regex as clauses: every match contains one
//! word of each clause. [`Triggers`] finds the words of all regexes in one
//! pass over a text, and a regex with a clause none of whose words occur is
//! skipped. The test is exact in one direction only: a regex it rules out
//! can never match, so skipping it never changes a result.

use crate::chars::{CharBits, CharFlags};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Class, Hir, HirKind};
use rustc_hash::FxHashMap;
use super::pattern::tag_bit;
use super::relation_words::RelationWords;
use std::cell::{Cell, OnceCell};
use std::sync::atomic::{AtomicU64, Ordering};

/// More alternatives than this and a clause is too weak to be worth
/// testing.
const MAX_WORDS: usize = 64;
/// Clauses kept per regex (the most selective ones).
const MAX_CLAUSES: usize = 4;

/// Clauses of words: every match of a parsed regex contains one word of each
/// clause. Empty when nothing is required (`.*`, a large class). Characters
/// for which `skip` is true never form part of a word (the tag characters
/// of relation patterns, which the slot-tag test already covers).
pub fn requirements(regex: &Hir, skip: &dyn Fn(char) -> bool) -> Vec<Vec<String>> {
    let mut clauses = clauses(regex, skip);
    for c in &mut clauses {
        c.sort();
        c.dedup();
    }
    clauses.sort();
    clauses.dedup();
    clauses
}

fn clauses(hir: &Hir, skip: &dyn Fn(char) -> bool) -> Vec<Vec<String>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Vec::new(),
        HirKind::Literal(literal) => {
            let Ok(text) = std::str::from_utf8(&literal.0) else { return Vec::new() };
            // The longest run of characters that are not skipped.
            match text.split(skip).max_by_key(|run| run.len()) {
                Some(run) if !run.is_empty() => vec![vec![run.to_string()]],
                _ => Vec::new(),
            }
        }
        HirKind::Class(class) => class_chars(class, skip).into_iter().collect(),
        HirKind::Repetition(rep) if rep.min > 0 => clauses(&rep.sub, skip),
        HirKind::Repetition(_) => Vec::new(),
        HirKind::Capture(capture) => clauses(&capture.sub, skip),
        // Every part's requirements are the whole's.
        HirKind::Concat(parts) => {
            let mut all: Vec<Vec<String>> = parts.iter().flat_map(|p| clauses(p, skip)).collect();
            all.sort_by_key(|c| selectivity_rank(c));
            all.truncate(MAX_CLAUSES);
            all
        }
        // A match is a match of one branch: the union of each branch's
        // best clause (and nothing if a branch requires nothing).
        HirKind::Alternation(branches) => {
            let mut words = Vec::new();
            for b in branches {
                let Some(best) = clauses(b, skip).into_iter().min_by_key(|c| selectivity_rank(c)) else { return Vec::new() };
                words.extend(best);
                if words.len() > MAX_WORDS {
                    return Vec::new();
                }
            }
            vec![words]
        }
    }
}

/// Clauses of words that may contain tag characters: the prefixes every
/// match of a tail of the regex starts with, and the suffixes every match of
/// a head of it ends with (`<Place>的<Organization>` is much rarer than 的).
/// Only clauses of words of two characters or more are kept (a lone tag is
/// the slot-tag test's business), the most selective first.
pub fn sequence_requirements(regex: &Hir) -> Vec<Vec<String>> {
    let parts: &[Hir] = match regex.kind() {
        HirKind::Concat(parts) => parts,
        _ => std::slice::from_ref(regex),
    };
    // Longer sequences are not kept: no need to build them.
    let mut prefixes = Extractor::new();
    prefixes.kind(ExtractKind::Prefix).limit_total(MAX_WORDS);
    let mut suffixes = Extractor::new();
    suffixes.kind(ExtractKind::Suffix).limit_total(MAX_WORDS);
    let mut clauses = Vec::new();
    // A tail that starts (a head that ends) with a part of no finite
    // literals has none either: not worth extracting.
    for i in 0..parts.len() {
        if prefixes.extract(&parts[i]).is_finite() {
            clauses.extend(words_of(&prefixes.extract(&Hir::concat(parts[i..].to_vec()))));
        }
        if suffixes.extract(&parts[i]).is_finite() {
            clauses.extend(words_of(&suffixes.extract(&Hir::concat(parts[..=i].to_vec()))));
        }
    }
    for c in &mut clauses {
        c.sort();
        c.dedup();
    }
    // Tails and heads overlap: many clauses come out several times.
    clauses.sort();
    clauses.dedup();
    clauses.sort_by_cached_key(|c| selectivity_rank(c));
    clauses.truncate(MAX_CLAUSES);
    clauses
}

/// A finite literal sequence as a clause, if all its literals are text of
/// two characters or more.
fn words_of(seq: &Seq) -> Option<Vec<String>> {
    let literals = seq.literals()?;
    if literals.is_empty() || literals.len() > MAX_WORDS {
        return None;
    }
    literals
        .iter()
        .map(|l| std::str::from_utf8(l.as_bytes()).ok().filter(|w| w.chars().nth(1).is_some()).map(str::to_string))
        .collect()
}

/// Fewer alternatives first, then longer ones (a long word is rarer).
fn selectivity_rank(words: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = words.iter().map(|s| s.chars().count()).min().unwrap_or(0);
    (words.len(), std::cmp::Reverse(shortest))
}

/// The characters of a small class, one word each.
fn class_chars(class: &Class, skip: &dyn Fn(char) -> bool) -> Option<Vec<String>> {
    let chars: Vec<char> = match class {
        Class::Unicode(u) => {
            if u.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum::<usize>() > MAX_WORDS {
                return None;
            }
            u.ranges().iter().flat_map(|r| r.start()..=r.end()).collect()
        }
        Class::Bytes(b) => {
            let bytes: Vec<u8> = b.ranges().iter().flat_map(|r| r.start()..=r.end()).collect();
            if bytes.len() > MAX_WORDS || !bytes.iter().all(u8::is_ascii) {
                return None;
            }
            bytes.into_iter().map(char::from).collect()
        }
    };
    // A skipped character satisfies the class without any word.
    if chars.is_empty() || chars.iter().any(|&c| skip(c)) {
        return None;
    }
    Some(chars.into_iter().map(String::from).collect())
}

/// The trigger words of a list of regexes, indexed by their first two
/// characters (by the first alone for one-character words): many words
/// start with the same common character, and only the next character tells
/// them apart. (The relation patterns' words, searched for in one sentence
/// at a time, are found by an automaton instead: see `relation_words`.)
#[derive(Debug)]
pub struct Triggers {
    /// Characters some word starts with (most characters of a text start
    /// none).
    first_chars: CharBits,
    /// Those of them in the Basic Multilingual Plane, a bit per code
    /// point: the scan of a document starts from a working copy (see
    /// [`LIVE_FIRST_CHARS`]), from which it takes the characters that can
    /// no longer tell it anything.
    first_chars_in_plane: Box<[u64; 1024]>,
    /// Tells this set's working copies of `first_chars_in_plane` from
    /// those of others ([`LIVE_FIRST_CHARS`]).
    id: u64,
    /// Word id → the index of its first character in `start_words`.
    word_start: Vec<usize>,
    /// First character (by index) → how many words start with it, or
    /// [`NEVER_SETTLED`] if the occurrences of one of them are noted.
    start_words: Vec<(char, u32)>,
    /// Character → 1 + the id of the word it is by itself, or 0: a table
    /// read, where a hash lookup cost several times as much at each of the
    /// common trigger characters that are such words (年, 日, 万).
    single_words: CharFlags<u32>,
    /// Bit per [`pair_hash`]: some word may start with the pair (a common
    /// character starts words, but few of them start with what follows it).
    pairs: Box<[u64; 1024]>,
    /// [`start_key`] of a word of two characters or more → the words with
    /// that start.
    words_by_start: FxHashMap<u64, Vec<WordRest>>,
    /// Word → the clauses it satisfies.
    word_clauses: Vec<Vec<usize>>,
    /// Word → its id (index into `word_clauses`).
    word_ids: FxHashMap<String, usize>,
    /// Word id → its length in bytes.
    word_bytes: Vec<usize>,
    /// Word id → its number among the words whose occurrences are noted
    /// (see [`Triggers::record`]), or [`NONE`]: the tables of a scan's
    /// [`Occurrences`] hold those words only, a few dozen of the hundreds.
    recorded: Vec<u32>,
    /// How many words' occurrences are noted.
    recorded_count: usize,
    /// Noted word (by number) → its length in bytes.
    recorded_bytes: Vec<u32>,
    /// Regex → the numbers of the words whose occurrences it is given.
    recorded_words: Vec<Option<Vec<usize>>>,
    clauses: usize,
    /// Regex → its clauses (empty: always possible).
    regex_clauses: Vec<Vec<usize>>,
}

/// What follows the start (the first two characters) of a word; empty for
/// most words, which their start already spells.
#[derive(Debug)]
struct WordRest {
    chars: Box<[char]>,
    /// Index into `word_clauses`.
    id: usize,
}

/// The index key of a word starting with `first` then `second`.
fn start_key(first: char, second: char) -> u64 {
    (u64::from(first) << 21) | u64::from(second)
}

/// A 16-bit hash of two characters, for [`Triggers::pairs`].
fn pair_hash(first: char, second: char) -> usize {
    let h = (first as u32).wrapping_mul(0x9E37_79B1) ^ (second as u32).wrapping_mul(0x85EB_CA6B);
    (h >> 16) as usize
}

fn has_bit(bits: &[u64; 1024], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

fn set_bit(bits: &mut [u64; 1024], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

fn clear_bit(bits: &mut [u64; 1024], i: usize) {
    bits[i / 64] &= !(1 << (i % 64));
}

/// Where [`Triggers::id`] comes from (0 is no set's).
static NEXT_TRIGGERS_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The thread's working copy of the first characters in the plane of
    /// the set whose id it is paired with, as it was before any scan.
    /// A scan takes it out, takes characters out of it, and puts them back
    /// before it returns it: copying the 8 KB table for each document cost
    /// more than the scan of a short one. (A scan that panics never
    /// returns it, and one that finds none, or another set's, makes one.)
    static LIVE_FIRST_CHARS: Cell<Option<(u64, Box<[u64; 1024]>)>> = const { Cell::new(None) };
}

/// The word count of a first character whose words' occurrences are noted:
/// the scan never stops looking at it.
const NEVER_SETTLED: u32 = u32::MAX;

/// Which regexes of a [`Triggers`] (or of the relation patterns'
/// [`RelationWords`]) may match a text.
#[derive(Clone, Debug)]
pub struct Possible<'a> {
    /// Clause → some word of it is in the text.
    pub(super) satisfied: Vec<bool>,
    pub(super) regex_clauses: &'a [Vec<usize>],
}

impl Possible<'_> {
    /// Whether regex `i` has a word of each of its clauses (asked of the
    /// regexes that pass the other tests only, so not worked out for all).
    pub fn contains(&self, i: usize) -> bool {
        self.regex_clauses.get(i).is_none_or(|own| own.iter().all(|&c| self.satisfied[c]))
    }
}

impl Triggers {
    /// `requirements[i]` are the clauses of regex `i` ([`requirements`]).
    pub fn new(requirements: &[Vec<Vec<String>>]) -> Triggers {
        let mut first_chars = CharBits::default();
        let mut first_chars_in_plane = Box::new([0u64; 1024]);
        let mut start_index: FxHashMap<char, usize> = FxHashMap::default();
        let mut start_words: Vec<(char, u32)> = Vec::new();
        let mut word_start = Vec::new();
        let mut single_words = CharFlags::default();
        let mut pairs = Box::new([0u64; 1024]);
        let mut words_by_start: FxHashMap<u64, Vec<WordRest>> = FxHashMap::default();
        let mut word_ids: FxHashMap<String, usize> = FxHashMap::default();
        let mut word_clauses: Vec<Vec<usize>> = Vec::new();
        let mut word_bytes = Vec::new();
        let mut clauses = 0;
        let mut regex_clauses = Vec::new();
        for regex in requirements {
            let mut own = Vec::new();
            for clause in regex {
                own.push(clauses);
                for word in clause {
                    let mut chars = word.chars();
                    let Some(first) = chars.next() else { continue };
                    let second = chars.next();
                    let id = *word_ids.entry(word.clone()).or_insert_with(|| {
                        first_chars.insert(first);
                        if let Ok(in_plane) = u16::try_from(u32::from(first)) {
                            set_bit(&mut first_chars_in_plane, usize::from(in_plane));
                        }
                        let start = *start_index.entry(first).or_insert_with(|| {
                            start_words.push((first, 0));
                            start_words.len() - 1
                        });
                        start_words[start].1 += 1;
                        word_start.push(start);
                        let id = word_clauses.len();
                        match second {
                            Some(second) => {
                                set_bit(&mut pairs, pair_hash(first, second));
                                let rest = chars.clone().collect();
                                words_by_start.entry(start_key(first, second)).or_default().push(WordRest { chars: rest, id });
                            }
                            // (Once per character: a word gets one id.)
                            None => single_words.add(first, 1 + id as u32),
                        }
                        word_clauses.push(Vec::new());
                        word_bytes.push(word.len());
                        word_clauses.len() - 1
                    });
                    word_clauses[id].push(clauses);
                }
                clauses += 1;
            }
            regex_clauses.push(own);
        }
        let (recorded, recorded_words) = (vec![NONE; word_bytes.len()], vec![None; regex_clauses.len()]);
        Triggers {
            first_chars,
            first_chars_in_plane,
            word_start,
            start_words,
            single_words,
            pairs,
            words_by_start,
            word_clauses,
            word_ids,
            word_bytes,
            recorded,
            recorded_count: 0,
            recorded_bytes: Vec::new(),
            recorded_words,
            clauses,
            regex_clauses,
            id: NEXT_TRIGGERS_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Note where `words` occur, for regex `regex` ([`Occurrences::of`]),
    /// if they are all trigger words.
    pub fn record(&mut self, regex: usize, words: &[String]) {
        let Some(ids) = words.iter().map(|w| self.word_ids.get(w).copied()).collect::<Option<Vec<usize>>>() else { return };
        let mut numbers = Vec::with_capacity(ids.len());
        for &id in &ids {
            if self.recorded[id] == NONE {
                self.recorded[id] = self.recorded_count as u32;
                self.recorded_count += 1;
                self.recorded_bytes.push(u32::try_from(self.word_bytes[id]).expect("a word is shorter than 4 GB"));
            }
            numbers.push(self.recorded[id] as usize);
            self.start_words[self.word_start[id]].1 = NEVER_SETTLED;
        }
        self.recorded_words[regex] = Some(numbers);
    }

    /// The regexes that may match a text, decoded into characters (a
    /// folded document, scanned once for the entity and the value rules):
    /// those with a word of each of their clauses in it.
    pub fn possible_in_chars(&self, chars: &[char]) -> Possible<'_> {
        self.scan_chars(chars, |_, _| {})
    }

    /// [`Triggers::possible_in_chars`], and where each word occurs, as
    /// byte ranges of the text whose character `i` starts at byte
    /// `byte_at(i)`: the regexes searched near their trigger words
    /// ([`crate::rules::lazy_regex`]) then need not look for them again.
    pub fn occurrences_in_chars(&self, chars: &[char], byte_at: impl Fn(usize) -> usize) -> (Possible<'_>, Occurrences<'_>) {
        // (News text has a noted word every few dozen characters: sized
        // for one every sixteen, the list is seldom grown and copied.)
        let mut found: Vec<Occurrence> = Vec::with_capacity(chars.len() / 16);
        // Each noted word's occurrences are chained, in order, from its
        // chain's first: a regex reads its own words' without walking the
        // others'.
        let mut chains = vec![Chain::EMPTY; self.recorded_count];
        let possible = self.scan_chars(chars, |id, start| {
            let number = self.recorded[id];
            if number != NONE {
                let chain = &mut chains[number as usize];
                chain.count += 1;
                let k = found.len() as u32;
                // (The word's characters are the text's there: so are its
                // bytes. Texts are shorter than 4 GB: see `MAX_TEXT_BYTES`.)
                found.push(Occurrence { start: byte_at(start) as u32, next: NONE });
                match std::mem::replace(&mut chain.last, k) {
                    NONE => chain.first = k,
                    previous => found[previous as usize].next = k,
                }
            }
        });
        (possible, Occurrences { triggers: self, found, chains })
    }

    /// The regexes that may match a text given as its characters; `found`
    /// is called with the id and the start of every word occurrence, in
    /// order of start.
    fn scan_chars(&self, chars: &[char], mut found: impl FnMut(usize, usize)) -> Possible<'_> {
        let mut satisfied = vec![false; self.clauses];
        if self.clauses > 0 {
            let rest_follows = |end: usize, rest: &WordRest| chars[end..].starts_with(&rest.chars);
            // A document repeats its words: each word's clauses are marked
            // at its first occurrence only. Once every word starting with a
            // character has occurred, and none has its occurrences noted,
            // the character is taken out of the scan's own copy of the first
            // characters: its later occurrences (most of them, for a common
            // character in a long document) are passed over like those of
            // any other character.
            let mut word_seen = vec![false; self.word_clauses.len()];
            let mut unseen: Vec<u32> = self.start_words.iter().map(|&(_, words)| words).collect();
            let mut live = match LIVE_FIRST_CHARS.take() {
                Some((id, live)) if id == self.id => live,
                Some((_, mut other)) => {
                    other.copy_from_slice(&self.first_chars_in_plane[..]);
                    other
                }
                None => self.first_chars_in_plane.clone(),
            };
            let mut mark = |id: usize, at: usize, live: &mut [u64; 1024]| {
                found(id, at);
                if !std::mem::replace(&mut word_seen[id], true) {
                    self.mark(id, &mut satisfied);
                    let start = self.word_start[id];
                    unseen[start] -= 1;
                    if let (0, Ok(in_plane)) = (unseen[start], u16::try_from(u32::from(self.start_words[start].0))) {
                        clear_bit(live, usize::from(in_plane));
                    }
                }
            };
            for (i, &c) in chars.iter().enumerate() {
                let may_start = match u16::try_from(u32::from(c)) {
                    Ok(in_plane) => has_bit(&live, usize::from(in_plane)),
                    Err(_) => self.first_chars.contains(c),
                };
                if may_start {
                    // (The next character ends at `i + 2`.)
                    self.mark_words_at(c, chars.get(i + 1).map(|&next| (i + 2, next)), &rest_follows, &mut |id| mark(id, i, &mut live));
                }
            }
            // The characters taken out are the first characters all of
            // whose words occurred: put back, the copy is as it was.
            for (&(first, _), _) in self.start_words.iter().zip(&unseen).filter(|&(_, &left)| left == 0) {
                if let Ok(in_plane) = u16::try_from(u32::from(first)) {
                    set_bit(&mut live, usize::from(in_plane));
                }
            }
            debug_assert!(live[..] == self.first_chars_in_plane[..]);
            LIVE_FIRST_CHARS.set(Some((self.id, live)));
        }
        Possible { satisfied, regex_clauses: &self.regex_clauses }
    }

    /// Call `mark` with the id of each word starting with `c`, given the
    /// character after it with the offset where that character ends.
    #[inline]
    fn mark_words_at(&self, c: char, next: Option<(usize, char)>, rest_follows: &impl Fn(usize, &WordRest) -> bool, mark: &mut impl FnMut(usize)) {
        if let Some(id) = self.single_words.get(c).checked_sub(1) {
            mark(id as usize);
        }
        let Some((end, second)) = next else { return };
        if !has_bit(&self.pairs, pair_hash(c, second)) {
            return;
        }
        let Some(words) = self.words_by_start.get(&start_key(c, second)) else { return };
        for w in words {
            if w.chars.is_empty() || rest_follows(end, w) {
                mark(w.id);
            }
        }
    }

    /// Mark the clauses of word `id`.
    fn mark(&self, id: usize, satisfied: &mut [bool]) {
        for &clause in &self.word_clauses[id] {
            satisfied[clause] = true;
        }
    }
}

/// No occurrence (the end of a chain).
const NONE: u32 = u32::MAX;

/// One occurrence of a recorded trigger word: its start in bytes (its
/// end is the word's length past it), and the index of the next occurrence
/// of the same word. (Eight bytes: the list is written for every document.)
#[derive(Clone, Copy, Debug)]
struct Occurrence {
    start: u32,
    next: u32,
}

/// The occurrences of one recorded word: the first and the last of its
/// chain, and how many there are (the lists of [`Occurrences::of`] are
/// allocated once, not grown).
#[derive(Clone, Copy, Debug)]
struct Chain {
    first: u32,
    last: u32,
    count: u32,
}

impl Chain {
    const EMPTY: Chain = Chain { first: NONE, last: NONE, count: 0 };
}

/// Every occurrence of the recorded trigger words of a [`Triggers`] in a
/// text (overlapping ones too).
#[derive(Debug)]
pub struct Occurrences<'a> {
    triggers: &'a Triggers,
    found: Vec<Occurrence>,
    /// Noted word (by number) → its occurrences.
    chains: Vec<Chain>,
}

impl Occurrences<'_> {
    /// The byte ranges of the occurrences of the words recorded for regex
    /// `regex` ([`Triggers::record`]), in order of start; `None` if they
    /// were not recorded.
    pub fn of(&self, regex: usize) -> Option<Vec<std::ops::Range<usize>>> {
        let words = self.triggers.recorded_words.get(regex)?.as_ref()?;
        let mut ranges = Vec::with_capacity(words.iter().map(|&number| self.chains[number].count as usize).sum());
        for &number in words {
            let bytes = self.triggers.recorded_bytes[number] as usize;
            let mut k = self.chains[number].first;
            while k != NONE {
                let o = self.found[k as usize];
                ranges.push(o.start as usize..o.start as usize + bytes);
                k = o.next;
            }
        }
        if words.len() > 1 {
            ranges.sort_unstable_by_key(|r| r.start);
        }
        Some(ranges)
    }
}

/// More tag clauses than this are not worth keeping (a relation pattern
/// names a handful of mentions).
const MAX_TAG_CLAUSES: usize = 8;

/// Tag clauses of a parsed regex: every match contains distinct tag
/// characters, one in each clause's mask (bit `i` for tag `TAG_BASE + i`).
/// A sentence with too few mentions of the right tags cannot match, which
/// the slot-tag test alone does not see (`<Organization:s>和<Organization:o>`
/// needs two organizations; `<Title:t>` is in no slot mask).
pub fn tag_requirements(regex: &Hir) -> Vec<u32> {
    let mut clauses = tag_clauses(regex);
    clauses.truncate(MAX_TAG_CLAUSES);
    clauses
}

fn tag_clauses(hir: &Hir) -> Vec<u32> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Vec::new(),
        HirKind::Literal(literal) => {
            let Ok(text) = std::str::from_utf8(&literal.0) else { return Vec::new() };
            text.chars().filter_map(tag_bit).collect()
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut mask = 0u32;
            for range in class.ranges() {
                let (Some(first), Some(last)) = (tag_bit(range.start()), tag_bit(range.end())) else { return Vec::new() };
                // Tags are consecutive code points: the bits first..=last.
                mask |= (last | (last - 1)) & !(first - 1);
            }
            vec![mask]
        }
        // Byte classes are ASCII or raw bytes, never a whole tag character.
        HirKind::Class(Class::Bytes(_)) => Vec::new(),
        HirKind::Repetition(rep) => {
            let sub = tag_clauses(&rep.sub);
            let times = (rep.min as usize).min(MAX_TAG_CLAUSES);
            sub.iter().copied().cycle().take(sub.len() * times).collect()
        }
        HirKind::Capture(capture) => tag_clauses(&capture.sub),
        HirKind::Concat(parts) => parts.iter().flat_map(tag_clauses).collect(),
        // Each branch needs as many tags as the poorest one, of any tag
        // some branch takes.
        HirKind::Alternation(branches) => {
            let each: Vec<Vec<u32>> = branches.iter().map(tag_clauses).collect();
            let fewest = each.iter().map(Vec::len).min().unwrap_or(0);
            let any = each.iter().flatten().fold(0, |m, c| m | c);
            vec![any; fewest]
        }
    }
}

/// Mentions per tag in a tagged text: tag characters counted where they
/// stand (`TAG_BASE + i` is the UTF-8 bytes EE 80 80+i).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TagCounts {
    counts: [u8; 32],
    /// The tags counted at least once: a sentence has a few of the tags a
    /// rule's masks name, and only those need adding up.
    present: u32,
}

impl TagCounts {
    pub fn of(text: &str) -> TagCounts {
        let mut counts = TagCounts::default();
        for w in text.as_bytes().windows(3) {
            if w[0] == 0xEE && w[1] == 0x80 && (0x80..0xA0).contains(&w[2]) {
                counts.add(w[2] - 0x80);
            }
        }
        counts
    }

    /// The counts of a tagged text whose only tag characters are these.
    pub fn of_symbols(symbols: impl Iterator<Item = char>) -> TagCounts {
        let mut counts = TagCounts::default();
        for bit in symbols.filter_map(tag_bit) {
            counts.add(bit.trailing_zeros() as u8);
        }
        counts
    }

    fn add(&mut self, tag: u8) {
        let c = &mut self.counts[tag as usize];
        *c = c.saturating_add(1);
        self.present |= 1 << tag;
    }

    /// Mentions whose tag is in `mask`.
    #[inline]
    fn within(&self, mask: u32) -> usize {
        let mut mask = mask & self.present;
        let mut n = 0;
        while mask != 0 {
            n += self.counts[mask.trailing_zeros() as usize] as usize;
            mask &= mask - 1;
        }
        n
    }
}

/// What [`tag_requirements`] asks of a sentence, as tests that need no
/// search: for each mask, the clauses that only its tags satisfy need as
/// many mentions of its tags (Hall's condition, on the masks that occur).
#[derive(Debug, Default)]
struct TagNeeds(Vec<(u32, usize)>);

impl TagNeeds {
    fn new(clauses: &[u32]) -> TagNeeds {
        let union = clauses.iter().fold(0, |m, c| m | c);
        let mut masks: Vec<u32> = clauses.iter().copied().chain((union != 0).then_some(union)).collect();
        masks.sort_unstable();
        masks.dedup();
        TagNeeds(masks.into_iter().map(|m| (m, clauses.iter().filter(|&&c| c & !m == 0).count())).collect())
    }

    #[inline]
    fn met_by(&self, counts: &TagCounts) -> bool {
        self.0.iter().all(|&(mask, needed)| counts.within(mask) >= needed)
    }
}

/// The trigger words of the relation rules and of their `unless` patterns,
/// over tagged sentences (tag characters are never words).
#[derive(Debug)]
pub struct RelationTriggers {
    /// The trigger words of each regex: the rules first, one each, then
    /// the `unless` patterns.
    words: RelationWords,
    /// Rule → index of its first `unless` pattern in `words`.
    unless_start: Vec<usize>,
    /// Per regex of `words`: the mentions it needs.
    tag_needs: Vec<TagNeeds>,
    /// The rules whose slots take the tags of a sentence.
    pub rules_by_tag: super::rules_by_tag::RulesByTag,
    /// The tags and neighbours the rules' trigger words need.
    pub tag_neighbours: super::tag_neighbours::TagNeighbours,
}

/// The clauses of words a relation pattern (or an `unless` pattern) needs
/// in a tagged sentence: its trigger words, tags left out, and the words
/// of its fixed sequences.
pub(crate) fn relation_requirements(hir: &Hir) -> Vec<Vec<String>> {
    let is_tag = |c: char| (c as u32).wrapping_sub(super::TAG_BASE) < 32;
    let mut clauses = requirements(hir, &is_tag);
    clauses.extend(sequence_requirements(hir));
    clauses
}

/// The built-in rules, with the word requirements of each relation
/// pattern in rule order: what the tests of the word scan and of the
/// neighbour test start from.
#[cfg(test)]
pub(crate) fn builtin_relation_requirements() -> (std::sync::Arc<super::RuleSet>, Vec<Vec<Vec<String>>>) {
    let rules = super::RuleSet::builtin().expect("built-in rules");
    let requirements = rules.relations.iter().map(|rule| relation_requirements(rule.regex.hir())).collect();
    (rules, requirements)
}

impl RelationTriggers {
    pub fn new(rules: &[super::RelationRule]) -> RelationTriggers {
        let mut regexes: Vec<&Hir> = rules.iter().map(|r| r.regex.hir()).collect();
        let mut unless_start = Vec::with_capacity(rules.len());
        for rule in rules {
            unless_start.push(regexes.len());
            regexes.extend(rule.unless.iter().map(|u| u.hir()));
        }
        let requirements: Vec<Vec<Vec<String>>> = regexes.iter().map(|hir| relation_requirements(hir)).collect();
        let tag_needs = regexes.iter().map(|hir| TagNeeds::new(&tag_requirements(hir))).collect();
        let rules_by_tag = super::rules_by_tag::RulesByTag::new(&rules.iter().map(|r| r.slot_tags).collect::<Vec<_>>());
        let tag_neighbours = super::tag_neighbours::TagNeighbours::new(&requirements[..rules.len()]);
        RelationTriggers { words: RelationWords::new(&requirements), unless_start, tag_needs, rules_by_tag, tag_neighbours }
    }

    /// Which rules and `unless` patterns may match a tagged sentence, whose
    /// tag characters are `counts`; `scratch`: a buffer for the test of
    /// its trigger words (see [`PossibleRelations::into_scratch`]).
    pub fn possible<'a>(&'a self, tagged: &'a str, counts: TagCounts, scratch: Vec<bool>) -> PossibleRelations<'a> {
        PossibleRelations { triggers: self, tagged, words: OnceCell::new(), counts, scratch: Cell::new(scratch) }
    }
}

/// [`RelationTriggers::possible`] of one tagged sentence.
pub struct PossibleRelations<'a> {
    triggers: &'a RelationTriggers,
    tagged: &'a str,
    /// The trigger-word test, run when a regex first passes the cheaper
    /// mention test (in many sentences none does).
    words: OnceCell<Possible<'a>>,
    counts: TagCounts,
    /// The buffer the trigger-word test answers in, until it runs.
    scratch: Cell<Vec<bool>>,
}

impl PossibleRelations<'_> {
    // (Inlined, as the tests before the trigger words are: they are asked
    // of some ten rules in every sentence with mentions.)
    #[inline]
    pub fn rule(&self, rule: usize) -> bool {
        self.regex(rule)
    }

    #[inline]
    pub fn unless(&self, rule: usize, unless: usize) -> bool {
        self.regex(self.triggers.unless_start[rule] + unless)
    }

    /// The buffer given to [`RelationTriggers::possible`], for the next
    /// sentence's test.
    pub fn into_scratch(self) -> Vec<bool> {
        match self.words.into_inner() {
            Some(words) => words.satisfied,
            None => self.scratch.into_inner(),
        }
    }

    /// Regex `i` has the mentions it needs and its trigger words.
    #[inline]
    fn regex(&self, i: usize) -> bool {
        self.triggers.tag_needs.get(i).is_none_or(|n| n.met_by(&self.counts))
            && (!self.triggers.words.needs_words(i) || self.words.get_or_init(|| self.triggers.words.possible_in(self.tagged, self.scratch.take())).contains(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(re: &str) -> Vec<Vec<String>> {
        let hir = regex_syntax::ParserBuilder::new().build().parse(re).unwrap();
        requirements(&hir, &|c| ('\u{E000}'..='\u{E00A}').contains(&c))
    }

    fn words(clauses: &[&[&str]]) -> Vec<Vec<String>> {
        clauses.iter().map(|c| c.iter().map(|w| w.to_string()).collect()).collect()
    }

    #[test]
    fn every_required_part_is_a_clause() {
        assert_eq!(req("(?P<m>[0-9])(?:美元|欧元)"), words(&[&["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], &["欧元", "美元"]]));
        assert_eq!(req("作者\\s*[:：]"), words(&[&[":", "："], &["作者"]]));
        assert_eq!(req("(?:公司|企业)\\s*[A-Z]"), words(&[&["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"], &["企业", "公司"]]));
    }

    #[test]
    fn optional_or_unbounded_parts_require_nothing() {
        assert!(req("(?:美元)?[0-9]*").is_empty());
        assert!(req(".*").is_empty());
        assert!(req("\\p{Han}+").is_empty());
        assert!(req("(?-u:\\b)").is_empty());
        // One branch without a word: no requirement.
        assert!(req("美元|[^。]").is_empty());
    }

    #[test]
    fn tag_characters_are_never_triggers() {
        assert_eq!(req("(?P<s>[\u{E000}])说"), words(&[&["说"]]));
        assert!(req("(?P<s>[\u{E000}])(?P<o>[\u{E001}])").is_empty());
        assert_eq!(req("在\u{E002}举行"), words(&[&["举行"]]));
        assert!(req("[\u{E000}说]").is_empty());
    }

    fn tags(re: &str) -> Vec<u32> {
        tag_requirements(&regex_syntax::ParserBuilder::new().build().parse(re).unwrap())
    }

    #[test]
    fn every_required_tag_is_a_clause() {
        assert_eq!(tags("(?P<s>[\u{E000}\u{E001}])的?\u{E002}(?P<o>[\u{E001}])"), vec![0b11, 0b100, 0b10]);
        assert_eq!(tags("(?:\u{E000}|\u{E001}\u{E002})说"), vec![0b111]);
        assert!(tags("(?:\u{E000}|说)\u{E001}?[\u{E002}说]").is_empty());
    }

    #[test]
    fn tag_needs_count_mentions() {
        let two_of_one = TagNeeds::new(&[0b1, 0b1]);
        assert!(!two_of_one.met_by(&TagCounts::of("\u{E000}和\u{E001}")));
        assert!(two_of_one.met_by(&TagCounts::of("\u{E000}和\u{E000}")));
        let either_then_one = TagNeeds::new(&[0b11, 0b1]);
        assert!(!either_then_one.met_by(&TagCounts::of("\u{E000}")));
        assert!(either_then_one.met_by(&TagCounts::of("\u{E001}的\u{E000}")));
    }

    #[test]
    fn counting_the_tag_characters_is_counting_the_text() {
        let alphabet: Vec<char> = "\u{E000}\u{E001}\u{E00A}\u{E01F}\u{E020}\u{D7FF}\u{F000}说的a".chars().collect();
        let mut next = crate::test_random::xorshift32(0x5EED);
        for len in 0..400 {
            let text: String = crate::test_random::random_text(&alphabet, len, &mut next);
            assert_eq!(TagCounts::of_symbols(text.chars()), TagCounts::of(&text), "{text:?}");
        }
    }

    #[test]
    fn sequences_with_tags_are_clauses() {
        let hir = regex_syntax::ParserBuilder::new().build().parse("(?P<o>[\u{E002}])(?:的|里的)(?P<s>[\u{E001}\u{E002}])").unwrap();
        let clauses = sequence_requirements(&hir);
        assert!(!clauses.is_empty() && clauses.iter().flatten().all(|w| w.chars().count() >= 2));
        let t = Triggers::new(&[clauses]);
        assert!(possible(&t, "在\u{E002}里的\u{E001}").contains(0));
        assert!(!possible(&t, "\u{E002}的公司和\u{E001}").contains(0));
    }

    fn possible<'t>(t: &'t Triggers, text: &str) -> Possible<'t> {
        t.possible_in_chars(&text.chars().collect::<Vec<_>>())
    }

    #[test]
    fn a_regex_is_possible_where_each_of_its_clauses_has_a_word_in_the_text() {
        let regexes = [req("美元"), req("(?:成立|创办)了"), req("[A-Z]+公司"), req("年"), req("人民币|港元|新台币"), Vec::new()];
        let t = Triggers::new(&regexes);
        let alphabet: Vec<char> = "美元成立创办了公司年人民币港新台A的".chars().collect();
        let mut next = crate::test_random::xorshift32(0x7A1);
        for len in 0..300 {
            let text: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let found = possible(&t, &text);
            for (i, clauses) in regexes.iter().enumerate() {
                let plain = clauses.iter().all(|words| words.iter().any(|w| text.contains(w.as_str())));
                assert_eq!(found.contains(i), plain, "regex {i} in {text:?}");
            }
        }
    }

    #[test]
    fn a_character_leaves_the_scan_only_once_every_word_it_starts_has_occurred() {
        // 年 starts a one-character word and longer ones; 1 a word of its
        // own and one it shares with 2; 日 a noted word, which never leaves;
        // 𠀀 a one-character word past the Basic Multilingual Plane.
        let regexes = [req("年"), req("年底"), req("年初了"), req("1"), req("12"), req("日"), req("今日"), req("𠀀"), req("𠀀年")];
        let mut t = Triggers::new(&regexes);
        t.record(5, &words(&[&["日"]])[0]);
        let alphabet: Vec<char> = "年底初了12日今x𠀀".chars().collect();
        let mut next = crate::test_random::xorshift32(0x5E77);
        for len in 0..400 {
            let text: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let chars: Vec<char> = text.chars().collect();
            let (found, occurrences) = t.occurrences_in_chars(&chars, |i| text.char_indices().nth(i).map_or(text.len(), |(at, _)| at));
            for (i, clauses) in regexes.iter().enumerate() {
                let plain = clauses.iter().all(|words| words.iter().any(|w| text.contains(w.as_str())));
                assert_eq!(found.contains(i), plain, "regex {i} in {text:?}");
            }
            let every_day: Vec<std::ops::Range<usize>> = text.match_indices('日').map(|(at, _)| at..at + '日'.len_utf8()).collect();
            assert_eq!(occurrences.of(5), Some(every_day), "in {text:?}");
        }
    }

    /// A scan starts from the thread's working copy of the first
    /// characters, left by the last scan: scans of two sets taking turns
    /// on one thread, each after texts that took characters out of the
    /// other's, find what the plain test finds.
    #[test]
    fn scans_of_sets_taking_turns_find_what_the_plain_test_finds() {
        let regexes = [[req("年"), req("年底"), req("美元"), req("12")], [req("底"), req("美国"), req("1"), req("2023年")]];
        let sets = regexes.each_ref().map(|r| Triggers::new(r));
        let alphabet: Vec<char> = "年底美元国12x3".chars().collect();
        let mut next = crate::test_random::xorshift32(0x7E57);
        for len in 0..400 {
            let text: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let k = (next() % 2) as usize;
            let found = possible(&sets[k], &text);
            for (i, clauses) in regexes[k].iter().enumerate() {
                let plain = clauses.iter().all(|words| words.iter().any(|w| text.contains(w.as_str())));
                assert_eq!(found.contains(i), plain, "set {k}, regex {i} in {text:?}");
            }
        }
    }

    #[test]
    fn occurrences_are_every_occurrence_of_the_recorded_words_in_order() {
        // Overlapping words (百分, 分点, 百分点), one-character words, and
        // words of another regex that are not recorded.
        let regexes = [req("(?:百分点|分点|百分)"), req("[年月]"), req("美元")];
        let mut t = Triggers::new(&regexes);
        let recorded = [words(&[&["分点", "百分", "百分点"]]), words(&[&["年", "月"]])];
        t.record(0, &recorded[0][0]);
        t.record(1, &recorded[1][0]);
        let alphabet: Vec<char> = "百分点年月美元x".chars().collect();
        let mut next = crate::test_random::xorshift32(0xC0FFEE);
        for len in 0..300 {
            let text: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let chars: Vec<char> = text.chars().collect();
            let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let (_, found) = t.occurrences_in_chars(&chars, |i| starts[i]);
            for (regex, words) in recorded.iter().enumerate() {
                let mut expected: Vec<std::ops::Range<usize>> =
                    words[0].iter().flat_map(|w| text.match_indices(w.as_str()).map(|(at, _)| at..at + w.len()).collect::<Vec<_>>()).collect();
                // (`match_indices` skips overlapping occurrences of one word: none here.)
                expected.sort_by_key(|r| (r.start, r.end));
                let mut of = found.of(regex).expect("recorded");
                of.sort_by_key(|r| (r.start, r.end));
                assert_eq!(of, expected, "regex {regex} in {text:?}");
                assert!(found.of(regex).unwrap().windows(2).all(|w| w[0].start <= w[1].start), "in order of start");
            }
            assert!(found.of(2).is_none(), "not recorded");
        }
    }

    #[test]
    fn triggers_mark_possible_regexes() {
        let t = Triggers::new(&[req("美元"), Vec::new(), req("(?:成立|创办)了"), req("[A-Z]+公司")]);
        let p = possible(&t, "他们创办了公司");
        assert!(!p.contains(0) && p.contains(1) && p.contains(2) && !p.contains(3));
        let p = possible(&t, "一百美元给IBM公司");
        assert!(p.contains(0) && p.contains(1) && !p.contains(2) && p.contains(3));
    }
}
