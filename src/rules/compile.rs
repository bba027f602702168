//! RuleSource layers → RuleSet. The only place that validates rule files and
//! builds matchers. Every error is collected with its position; compilation
//! fails only after all files were read, so an author sees every mistake at
//! once.

use super::load::{line_column, RuleSource};
use super::pattern;
use super::raw::{RawExample, RawRule, RawRuleFile};
use super::reach::{self, ObjectReach, PlacedGroup};
use super::slot_groups::{group_index, SlotGroups};
use super::RuleSet;
use crate::chars::{CharBits, CharFlags, PairFilter, Phrases};
use crate::error::{RuleError, RuleErrors};
use crate::model::{NodeType, Predicate, RuleId};
use crate::normalize::{fold, is_folded};
use crate::value::Normalizer;
use super::name_search::NameSearch;
use super::lazy_regex::LazyRegex;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use toml::Spanned;

/// Sentence splitting settings (`rules/segment.toml`).
#[derive(Clone, Debug)]
pub struct SegmentRules {
    pub terminators: Vec<char>,
    pub closers: Vec<char>,
    pub quote_pairs: Vec<(char, char)>,
    pub max_quote_chars: usize,
}

impl Default for SegmentRules {
    fn default() -> Self {
        SegmentRules {
            terminators: "。！？!?".chars().collect(),
            closers: "”’」』）)".chars().collect(),
            quote_pairs: vec![('“', '”'), ('「', '」'), ('『', '』')],
            max_quote_chars: 500,
        }
    }
}

/// What a dictionary entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DictKind {
    Entity(NodeType),
    Title,
}

/// One gazetteer line.
#[derive(Clone, Debug)]
pub struct DictEntry {
    /// Canonical name as written in the file.
    pub name: String,
    /// Folded canonical name: the node key.
    pub key: String,
    pub kind: DictKind,
    pub aliases: Vec<String>,
    /// Every spelling of the entry: the name, the aliases and the folded
    /// forms that folding changes (臨安 → 临安), each once. Aliases of every
    /// node the entry names, made once here and shared by those nodes
    /// ([`crate::model::Node::listed`]) instead of copied per document.
    pub spellings: Arc<[String]>,
    /// Gazetteer class (province, company, government ...).
    pub class: String,
    /// Folded key of the containing place, for places.
    pub parent: Option<String>,
    /// `gazetteers/place.tsv:123`.
    pub rule: RuleId,
    /// Rule layer: a user layer (higher) beats the built-in one (0).
    pub layer: usize,
}

/// Every gazetteer name and alias in one leftmost-longest search.
///
/// The search (`NameSearch`) walks a trie only from the positions where the
/// first two characters of a name stand, found by a filter of those pairs:
/// an Aho-Corasick automaton (`daachorse`) walked every character, at
/// about 75 instructions each.
pub struct Dictionary {
    names: NameSearch,
    /// Pattern id → entries that spell it (an alias may be ambiguous).
    pattern_entries: Vec<Vec<u32>>,
    by_text: FxHashMap<String, u32>,
    /// The spellings of user-layer entries (layer > 0) in a search of
    /// their own, mapped to patterns of `names`: a user entry is found
    /// even where a longer or earlier built-in name would hide it from the
    /// leftmost-longest search, so that it can win the overlap.
    user_names: Option<NameSearch>,
    /// Pattern id → what the document scan reads of its best entry (the
    /// first of `pattern_entries`). (Side by side and small: a match read
    /// the pattern's vector, its heap block and the entry, three cache
    /// lines apart, most of them cold.)
    best_of_pattern: Vec<BestEntry>,
    /// Entry → no spelling of it finds another entry by text: most
    /// spellings name one entry, and a resolver that would look the text
    /// up only to learn that can then skip the hash probe.
    spelled_alone: Vec<bool>,
    pub entries: Vec<DictEntry>,
}

/// What the scan of a document reads of the best entry of a spelling
/// ([`Dictionary::find_best`]).
#[derive(Clone, Debug, PartialEq)]
pub struct BestEntry {
    pub rule: RuleId,
    /// The entry's index in [`Dictionary::entries`].
    pub entry: u32,
    pub layer: usize,
    pub kind: DictKind,
    /// The entry's class is county, district or prefecture: a short form of
    /// two characters may be part of a frequent word.
    pub county_level: bool,
}

impl BestEntry {
    fn of(entry: u32, e: &DictEntry) -> BestEntry {
        BestEntry {
            rule: e.rule.clone(),
            entry,
            layer: e.layer,
            kind: e.kind,
            county_level: matches!(e.class.as_str(), "county" | "district" | "prefecture"),
        }
    }
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dictionary")
            .field("spellings", &self.pattern_entries.len())
            .field("user_names", &self.user_names)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl Dictionary {
    /// Leftmost-longest matches over the characters of folded text, each
    /// with the best entry (highest layer, then first) of its spelling, in
    /// text order: (start, end, best entry) by character offset.
    pub fn find_best<'a>(&'a self, folded: &[char]) -> impl Iterator<Item = (usize, usize, &'a BestEntry)> + 'a {
        self.matches(folded).into_iter().map(move |(s, e, p)| (s, e, &self.best_of_pattern[p as usize]))
    }

    /// The matches of [`Dictionary::find_best`] with every entry of their
    /// spelling, best first: what the tests check the best entries against.
    #[cfg(test)]
    pub fn find_iter<'a>(&'a self, folded: &[char]) -> impl Iterator<Item = (usize, usize, &'a [u32])> + 'a {
        self.matches(folded).into_iter().map(move |(s, e, p)| (s, e, self.pattern_entries[p as usize].as_slice()))
    }

    /// (start, end, pattern) of every match, in text order. User-layer
    /// spellings are searched on their own as well, so a user entry inside
    /// or across a longer built-in name is still found (the overlap is
    /// then decided by `mention::resolve_overlaps`, where the user layer
    /// wins).
    fn matches(&self, folded: &[char]) -> Vec<(usize, usize, u32)> {
        // (News text has a name about every thirty characters.)
        let mut found: Vec<(usize, usize, u32)> = Vec::with_capacity(folded.len() / 32);
        self.names.leftmost_longest(folded, |s, e, p| found.push((s, e, p)));
        if let Some(user) = &self.user_names {
            let before = found.len();
            user.leftmost_longest(folded, |s, e, p| {
                if !found[..before].iter().any(|&(fs, fe, _)| fs == s && fe == e) {
                    found.push((s, e, p));
                }
            });
            found.sort_by_key(|&(s, e, _)| (s, e));
        }
        found
    }

    /// Entries whose name or alias is exactly this folded text.
    pub fn lookup(&self, folded: &str) -> &[u32] {
        match self.by_text.get(folded) {
            Some(&p) => &self.pattern_entries[p as usize],
            None => &[],
        }
    }

    /// [`Dictionary::lookup`] of a run of folded characters.
    pub fn lookup_chars(&self, folded: &[char]) -> &[u32] {
        match crate::chars::with_str(folded, |s| self.by_text.get(s).copied()) {
            Some(p) => &self.pattern_entries[p as usize],
            None => &[],
        }
    }

    /// Whether [`Dictionary::lookup`] of `folded` is known, without the
    /// lookup, to find no entry but `entry`: true when `folded` is one of
    /// the entry's spellings and none of them spells another entry. (False
    /// says nothing: then look the text up.)
    pub fn spells_only(&self, entry: u32, folded: &str) -> bool {
        self.spelled_alone[entry as usize] && self.entries[entry as usize].spellings.iter().any(|s| s == folded)
    }

    pub fn entry(&self, index: u32) -> &DictEntry {
        &self.entries[index as usize]
    }
}

/// Every occurrence of every name suffix (公司, 大学, 省 ...), overlapping,
/// found by walking a trie of the suffixes spelled backwards leftwards from
/// each character that may end one: the walk stops at the first character
/// no suffix continues with (most often the first or the second), where
/// hashing the text of every possible length cost more.
pub struct SuffixSearch {
    /// The trie node of the suffixes that end with a character, plus one
    /// (0: none does).
    node_of_last: CharFlags<u32>,
    /// In breadth-first order: the nodes of the last characters first,
    /// side by side (nine walks in ten read only such a node).
    nodes: Vec<SuffixNode>,
    /// The children of every node, each node's in a run sorted by character:
    /// (the character before the node's text, the node that spells it).
    children: Vec<(char, u32)>,
    /// The suffixes (indexes into `RuleSet::suffixes`) that spell each
    /// node's text, in list order, as runs (see [`SuffixNode::suffixes`])
    /// in the order of the nodes: one array read, where a vector per text
    /// was a pointer to follow to a heap block of its own.
    suffixes: Vec<u32>,
    /// The last two characters of the suffixes of two or more, the last
    /// first (it picks the filter's line, and the few characters that end
    /// a suffix keep their lines cached): nine walks
    /// in ten stop at the first character, and a bit test answers most of
    /// them before a search of the children of common last characters
    /// (区, 会), which have dozens.
    pair_filter: PairFilter<SUFFIX_PAIR_LINES>,
    /// The type and strength of every suffix (by index into
    /// `RuleSet::suffixes`), two bytes each: the suffix rules ask them of
    /// every match, and most go no further. (Read from the suffixes
    /// themselves, each was a cold cache line of its own.)
    heads: Vec<SuffixHead>,
}

/// What the suffix rules ask first of a suffix ([`SuffixSearch::head`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuffixHead {
    pub node_type: NodeType,
    pub strong: bool,
}

/// Lines of [`SuffixSearch::pair_filter`] (2^16 bits, 8 KB, for some
/// hundreds of pairs).
const SUFFIX_PAIR_LINES: usize = (1 << 16) / 512;

/// A node of the reversed suffix trie: the text read from a suffix end
/// leftwards so far.
struct SuffixNode {
    /// This node's run of `SuffixSearch::children`.
    children: std::ops::Range<u32>,
    /// This node's run of `SuffixSearch::suffixes`: the suffixes that
    /// spell its text (none: no suffix does).
    suffixes: std::ops::Range<u32>,
}

impl std::fmt::Debug for SuffixSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuffixSearch").field("nodes", &self.nodes.len()).finish_non_exhaustive()
    }
}

impl SuffixSearch {
    fn new(suffixes: &[Suffix]) -> Result<SuffixSearch, RuleErrors> {
        let heads = suffixes.iter().map(|s| SuffixHead { node_type: s.node_type, strong: s.strong }).collect();
        // (Built with a map per node, then laid out flat for the search.)
        let mut trie: Vec<(FxHashMap<char, u32>, Option<u32>)> = vec![Default::default()];
        let mut suffixes_of_text: Vec<Vec<u32>> = Vec::new();
        let mut pair_filter = PairFilter::default();
        for (i, suffix) in suffixes.iter().enumerate().filter(|(_, s)| !s.text.is_empty()) {
            let text: Vec<char> = suffix.text.chars().collect();
            if text.len() > MAX_SUFFIX_LEN {
                return Err(RuleErrors(vec![RuleError { file: "rules/gazetteers".into(), line: 0, column: 0, rule: None,
                    message: format!("suffix {} is longer than {} characters", suffix.text, MAX_SUFFIX_LEN) }]));
            }
            if let [.., before, last] = text[..] {
                pair_filter.insert(last, before);
            }
            let mut node = 0;
            for &c in text.iter().rev() {
                let next = trie.len() as u32;
                node = *trie[node].0.entry(c).or_insert(next) as usize;
                if node == next as usize {
                    trie.push(Default::default());
                }
            }
            let n = *trie[node].1.get_or_insert_with(|| {
                suffixes_of_text.push(Vec::new());
                (suffixes_of_text.len() - 1) as u32
            });
            suffixes_of_text[n as usize].push(i as u32);
        }
        // Renumbered breadth-first (each node's children by character).
        let mut order: Vec<usize> = vec![0];
        let mut k = 0;
        while k < order.len() {
            let mut next: Vec<(char, u32)> = trie[order[k]].0.iter().map(|(&c, &child)| (c, child)).collect();
            next.sort_unstable();
            order.extend(next.iter().map(|&(_, child)| child as usize));
            k += 1;
        }
        let mut new_id = vec![0u32; trie.len()];
        for (id, &node) in order.iter().enumerate() {
            new_id[node] = id as u32;
        }
        let mut node_of_last = CharFlags::default();
        for (&c, &node) in &trie[0].0 {
            node_of_last.add(c, new_id[node as usize] + 1);
        }
        let (mut nodes, mut children, mut suffixes) = (Vec::with_capacity(trie.len()), Vec::new(), Vec::new());
        for &node in &order {
            let (next, text) = &trie[node];
            let from = children.len() as u32;
            children.extend(next.iter().map(|(&c, &child)| (c, new_id[child as usize])));
            children[from as usize..].sort_unstable();
            let first_suffix = suffixes.len() as u32;
            if let Some(n) = *text {
                suffixes.extend(&suffixes_of_text[n as usize]);
            }
            nodes.push(SuffixNode { children: from..children.len() as u32, suffixes: first_suffix..suffixes.len() as u32 });
        }
        Ok(SuffixSearch { node_of_last, nodes, children, suffixes, pair_filter, heads })
    }

    /// The type and strength of the suffix `index` (what
    /// `RuleSet::suffixes[index]` holds).
    #[inline]
    pub fn head(&self, index: u32) -> SuffixHead {
        self.heads[index as usize]
    }

    /// (start, end, suffix index) in characters of every suffix in
    /// `folded` whose last character is at one of `lasts` (increasing), by
    /// end, the longer of two suffixes ending together first, suffixes of
    /// one spelling in list order. (The caller passes the positions of the
    /// characters that may end a suffix, read off a table it has anyway;
    /// `0..folded.len()` finds every suffix.)
    pub fn find_ending_at(&self, folded: &[char], lasts: impl Iterator<Item = usize>) -> Vec<(usize, usize, u32)> {
        // (News text has a suffix about every sixteen characters.)
        let mut found: Vec<(usize, usize, u32)> = Vec::with_capacity(folded.len() / 16);
        // The texts spelled along one walk, shortest first: (length, the
        // run of `suffixes` that spell it).
        let mut spelled = [(0usize, 0u32, 0u32); MAX_SUFFIX_LEN];
        for last in lasts {
            let Some(mut node) = self.node_of_last.get(folded[last]).checked_sub(1) else { continue };
            let end = last + 1;
            // (Nine walks in ten stop at the last character, whose own
            // text is then all there is.)
            if last == 0 || !self.pair_filter.may_contain(folded[last], folded[last - 1]) {
                let spelling = &self.nodes[node as usize].suffixes;
                found.extend(self.suffixes[spelling.start as usize..spelling.end as usize].iter().map(|&i| (last, end, i)));
                continue;
            }
            let mut spelled_count = 0;
            let mut len = 1;
            loop {
                let SuffixNode { children, suffixes } = &self.nodes[node as usize];
                if !suffixes.is_empty() {
                    spelled[spelled_count] = (len, suffixes.start, suffixes.end);
                    spelled_count += 1;
                }
                let Some(before) = end.checked_sub(len + 1) else { break };
                let run = &self.children[children.start as usize..children.end as usize];
                match run.binary_search_by_key(&folded[before], |&(c, _)| c) {
                    Ok(k) => {
                        node = run[k].1;
                        len += 1;
                    }
                    Err(_) => break,
                }
            }
            for &(len, from, to) in spelled[..spelled_count].iter().rev() {
                found.extend(self.suffixes[from as usize..to as usize].iter().map(|&i| (end - len, end, i)));
            }
        }
        found
    }

    /// The suffix texts that end `text`, shortest first: each as its length
    /// in characters and the suffixes that spell it (indexes into
    /// `RuleSet::suffixes`, in list order). One walk of the trie, which
    /// stops at the first character no suffix continues with, where looking
    /// up every tail of `text` spelled and hashed cost more.
    pub fn tails<'a>(&'a self, text: &'a [char]) -> impl Iterator<Item = (usize, &'a [u32])> + 'a {
        let mut node = text.last().and_then(|&c| self.node_of_last.get(c).checked_sub(1));
        let mut len = 1;
        std::iter::from_fn(move || loop {
            let SuffixNode { children, suffixes: spelling } = &self.nodes[node? as usize];
            let spelled_len = len;
            node = text.len().checked_sub(len + 1).and_then(|before| {
                let run = &self.children[children.start as usize..children.end as usize];
                run.binary_search_by_key(&text[before], |&(c, _)| c).ok().map(|k| run[k].1)
            });
            len += 1;
            if !spelling.is_empty() {
                return Some((spelled_len, &self.suffixes[spelling.start as usize..spelling.end as usize]));
            }
        })
    }
}

/// The longest suffix [`SuffixSearch`] takes.
const MAX_SUFFIX_LEN: usize = 31;

/// General word list (word → frequency and part of speech).
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Words of up to [`PACKED_CHARS`] characters by their packed
    /// characters (see [`pack`]): the mention rules probe the lexicon
    /// several times per character of input, and an integer key hashes and
    /// compares in a few instructions.
    short_words: FxHashMap<u128, LexiconEntry>,
    /// A Bloom filter over the keys of `short_words`, three bits of one
    /// 64-bit word per key: most probes ask for runs that are no word, and
    /// a word test answers them for a fraction of a hash-map probe.
    short_word_bits: Vec<u64>,
    /// Longer words.
    long_words: FxHashMap<String, LexiconEntry>,
    pub max_chars: usize,
    /// How name-like a character is (`lexicon/name_chars.tsv`).
    pub name_chars: FxHashMap<char, NameChar>,
    /// The characters of `name_chars` common in transliterations (built on
    /// first use, see [`Lexicon::transliteration_chars`]).
    transliteration_chars: std::sync::OnceLock<CharBits>,
    /// Every part of speech of the words so far, once (see
    /// [`LexiconEntry::pos`]), with its number (see
    /// [`LexiconEntry::pos_number`]).
    pos_tags: FxHashMap<Arc<str>, u32>,
}

/// Log-odds of a character in given names and in transliterated names
/// against ordinary text; `None` when too rare to tell.
#[derive(Clone, Copy, Debug, Default)]
pub struct NameChar {
    pub given: Option<f32>,
    pub translit: Option<f32>,
}

#[derive(Clone, Debug)]
pub struct LexiconEntry {
    pub freq: u32,
    /// The part of speech. (Shared by every word of the tag, as the
    /// lexicon has a few dozen tags for its words: the mention rules read
    /// the tag of nearly every word they find, and a string of each word's
    /// own was a cold cache line at each read.)
    pub pos: Arc<str>,
    /// The number of the part of speech among the lexicon's, for a
    /// [`PosSet`].
    pub pos_number: u32,
}

/// A set of parts of speech of one lexicon's words (the stem rules'
/// breaking tags): a bit per tag number, where a set of tag strings hashed
/// the tag of every word tested.
#[derive(Debug)]
pub struct PosSet {
    bits: Vec<u64>,
    listed: bool,
}

impl PosSet {
    /// Whether the part of speech of `entry` is in the set.
    #[inline]
    pub fn contains(&self, entry: &LexiconEntry) -> bool {
        let n = entry.pos_number as usize;
        self.bits.get(n / 64).is_some_and(|word| word >> (n % 64) & 1 == 1)
    }

    /// Whether the list the set was made of named no part of speech (those
    /// it named may all be missing from the lexicon).
    pub fn is_empty(&self) -> bool {
        !self.listed
    }
}

/// Words of at most this many characters are keyed by [`pack`].
const PACKED_CHARS: usize = 6;

/// Words of the filter of short words (2^14 words of 64 bits, 128 KB):
/// with three bits a key in one word, about one in forty runs of two to
/// four characters of news text that are no word passes for the built-in
/// lexicon of some 108,000 short words, as with one bit a key anywhere in
/// four times the memory, whose probes, spread over all of it, mostly
/// missed the cache.
const FILTER_WORDS_LOG2: u32 = 14;

/// The filter word of a packed key and its bits in that word (three, or
/// fewer when some fall together), from distinct bits of one hash.
#[inline]
fn filter_slot(key: u128) -> (usize, u64) {
    let mixed = (key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let word = (mixed >> (64 - FILTER_WORDS_LOG2)) as usize;
    let bit = |shift: u32| 1 << (mixed >> (64 - FILTER_WORDS_LOG2 - shift) & 63);
    (word, bit(6) | bit(12) | bit(18))
}

/// Up to [`PACKED_CHARS`] characters (21 bits each) in one integer, after a
/// leading 1 bit so that lengths differ.
#[inline]
fn pack(chars: impl IntoIterator<Item = char>) -> u128 {
    chars.into_iter().fold(1u128, |key, c| key << 21 | c as u128)
}

/// [`pack`] of one to four characters (most probes), without a loop: the
/// first three fit in 64 bits (the leading 1 bit and 21 bits each).
#[inline]
fn pack_up_to_four(word: &[char]) -> Option<u128> {
    let c = |k: usize| u64::from(word[k]);
    let three = |a: usize| 1 << 63 | c(a) << 42 | c(a + 1) << 21 | c(a + 2);
    match word.len() {
        1 => Some(u128::from(1 << 21 | c(0))),
        2 => Some(u128::from(1 << 42 | c(0) << 21 | c(1))),
        3 => Some(u128::from(three(0))),
        4 => Some(u128::from(three(0)) << 21 | u128::from(c(3))),
        _ => None,
    }
}

impl Lexicon {
    /// The lowest transliteration score of a character of a foreign name.
    pub const MIN_TRANSLIT_SCORE: f32 = 0.5;

    /// The characters whose transliteration score reaches
    /// [`Lexicon::MIN_TRANSLIT_SCORE`]: the foreign-name rules test every
    /// character of a document, and a bit test is cheaper than a probe of
    /// `name_chars`.
    pub fn transliteration_chars(&self) -> &CharBits {
        self.transliteration_chars.get_or_init(|| {
            self.name_chars.iter().filter(|(_, n)| n.translit.is_some_and(|t| t >= Self::MIN_TRANSLIT_SCORE)).map(|(&c, _)| c).collect()
        })
    }

    /// The entry of a word of frequency `freq` and part of speech `pos`,
    /// the tag shared with the words of the lexicon that have it.
    pub fn entry(&mut self, freq: u32, pos: &str) -> LexiconEntry {
        if let Some((tag, &pos_number)) = self.pos_tags.get_key_value(pos) {
            return LexiconEntry { freq, pos: tag.clone(), pos_number };
        }
        let pos_number = u32::try_from(self.pos_tags.len()).expect("fewer parts of speech than words");
        let tag: Arc<str> = pos.into();
        self.pos_tags.insert(tag.clone(), pos_number);
        LexiconEntry { freq, pos: tag, pos_number }
    }

    /// The parts of speech of `tags` as a [`PosSet`] of this lexicon's
    /// words (its words are all in: no tag comes later).
    pub fn pos_set<'a>(&self, tags: impl IntoIterator<Item = &'a String>) -> PosSet {
        let mut set = PosSet { bits: vec![0; self.pos_tags.len().div_ceil(64)], listed: false };
        for tag in tags {
            set.listed = true;
            if let Some(&n) = self.pos_tags.get(tag.as_str()) {
                set.bits[n as usize / 64] |= 1 << (n % 64);
            }
        }
        set
    }

    /// Add a word as written in a lexicon file (folded here).
    pub fn insert_unfolded(&mut self, word: &str, entry: LexiconEntry) {
        let chars = word.chars().count();
        self.max_chars = self.max_chars.max(chars);
        if chars <= PACKED_CHARS {
            let key = pack(word.chars().map(crate::normalize::fold_char));
            if self.short_word_bits.is_empty() {
                self.short_word_bits = vec![0; 1 << FILTER_WORDS_LOG2];
            }
            let (word, bits) = filter_slot(key);
            self.short_word_bits[word] |= bits;
            self.short_words.insert(key, entry);
        } else {
            self.long_words.insert(fold(word), entry);
        }
    }

    pub fn get(&self, word: &str) -> Option<&LexiconEntry> {
        if word.chars().nth(PACKED_CHARS).is_none() {
            self.short_words.get(&pack(word.chars()))
        } else {
            self.long_words.get(word)
        }
    }

    /// Whether a short word with this key may be in the lexicon (no means no).
    #[inline]
    fn may_hold(&self, key: u128) -> bool {
        let (word, bits) = filter_slot(key);
        self.short_word_bits.get(word).is_some_and(|w| w & bits == bits)
    }

    /// [`Lexicon::get`] of a run of folded characters.
    ///
    /// (Most probes are of two to four characters and of no word: they are
    /// answered inline by the filter, and only the rest pays a call.)
    #[inline]
    pub fn get_chars(&self, word: &[char]) -> Option<&LexiconEntry> {
        match pack_up_to_four(word) {
            Some(key) => self.may_hold(key).then(|| self.short_word(key)).flatten(),
            None => self.get_other_chars(word),
        }
    }

    #[inline(never)]
    fn short_word(&self, key: u128) -> Option<&LexiconEntry> {
        self.short_words.get(&key)
    }

    /// [`Lexicon::get_chars`] of no or more than four characters.
    #[inline(never)]
    fn get_other_chars(&self, word: &[char]) -> Option<&LexiconEntry> {
        // (Longer than any word first: the name rules ask about runs of five
        // and six characters around every name shape they test, and the
        // built-in lexicon's words have at most four, where the filter
        // probe was a cache miss.)
        if word.len() > self.max_chars {
            None
        } else if word.len() <= PACKED_CHARS {
            let key = pack(word.iter().copied());
            self.may_hold(key).then(|| self.short_words.get(&key)).flatten()
        } else {
            crate::chars::with_str(word, |w| self.long_words.get(w))
        }
    }
}

/// Chinese surnames.
#[derive(Debug, Default)]
pub struct Surnames {
    pub single: FxHashMap<char, u32>,
    pub compound: FxHashMap<String, u32>,
}

/// An organization, place or event suffix (公司, 区, 大会).
#[derive(Clone, Debug)]
pub struct Suffix {
    pub text: String,
    pub node_type: NodeType,
    pub strong: bool,
    pub rule: RuleId,
}

/// Named word lists of `entities/*.toml` (`[lists]`), folded.
#[derive(Debug, Default)]
pub struct WordLists {
    pub lists: BTreeMap<String, Vec<String>>,
    /// The same lists by name in a hash map: stages ask for lists by name
    /// inside their loops, and a B-tree lookup compares whole names.
    by_name: FxHashMap<String, Vec<String>>,
    /// The same lists as hash sets, for membership tests in hot loops.
    sets: FxHashMap<String, FxHashSet<String>>,
    /// The same lists indexed by first and last character, for "a word of
    /// the list starts (ends) here" at every position of a document.
    phrases: FxHashMap<String, Phrases>,
    /// Every character of every word of a list (lists of characters such as
    /// `given_name_stop`), as bits: the person rules test characters of
    /// every surname shape against them.
    char_sets: FxHashMap<String, CharBits>,
    /// The first character of every word of a list.
    first_char_sets: FxHashMap<String, CharBits>,
}

/// The list names the recognizers read; any other name is a typo.
pub const KNOWN_LISTS: &[&str] = &[
    "speech_verbs",
    "person_after",
    "person_before",
    "given_name_stop",
    "given_name_stop_words",
    "stem_breakers",
    "stem_breaker_pos",
    "stem_stop_chars",
    "stem_prefix_stop",
    "stem_edge_breaker_pos",
    "stem_edge_breaker_words",
    "admin_place_suffixes",
    "short_stem_suffixes",
    "noun_modifier_suffixes",
    "event_scope_words",
    "branch_prefixes",
    "generic_stem_words",
    "brand_extensions",
    "latin_org_context",
    "org_abbreviation_context",
    "place_reject",
    "person_reject",
    "org_reject",
    "event_reject",
    "foreign_name_chars",
    "reference_titles",
    "place_abbreviations",
    "abbreviation_pair_only",
    "abbreviation_pair_after",
    "abbreviation_before",
    "abbreviation_after",
    "weak_suffix_qualifiers",
    "name_suffixes_after_place_name",
    "country_body_suffixes",
    "surname_function_words",
    "person_word_reject_final",
];

impl WordLists {
    pub fn new(lists: BTreeMap<String, Vec<String>>) -> WordLists {
        let sets = lists.iter().map(|(k, v)| (k.clone(), v.iter().cloned().collect())).collect();
        let phrases = lists.iter().map(|(k, v)| (k.clone(), Phrases::new(v))).collect();
        let char_sets = lists.iter().map(|(k, v)| (k.clone(), v.iter().flat_map(|w| w.chars()).collect())).collect();
        let first_char_sets = lists.iter().map(|(k, v)| (k.clone(), v.iter().filter_map(|w| w.chars().next()).collect())).collect();
        let by_name = lists.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        WordLists { lists, by_name, sets, phrases, char_sets, first_char_sets }
    }

    /// A list as [`Phrases`].
    pub fn phrases(&self, name: &str) -> &Phrases {
        static EMPTY: std::sync::OnceLock<Phrases> = std::sync::OnceLock::new();
        self.phrases.get(name).unwrap_or_else(|| EMPTY.get_or_init(Phrases::default))
    }

    /// Every character of every word of a list.
    pub fn char_set(&self, name: &str) -> &CharBits {
        static EMPTY: std::sync::OnceLock<CharBits> = std::sync::OnceLock::new();
        self.char_sets.get(name).unwrap_or_else(|| EMPTY.get_or_init(CharBits::default))
    }

    /// The first character of every word of a list.
    pub fn first_chars(&self, name: &str) -> &CharBits {
        static EMPTY: std::sync::OnceLock<CharBits> = std::sync::OnceLock::new();
        self.first_char_sets.get(name).unwrap_or_else(|| EMPTY.get_or_init(CharBits::default))
    }

    pub fn list(&self, name: &str) -> &[String] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A list as a set (`set.contains(word)` is `list.contains(word)`).
    pub fn set(&self, name: &str) -> &FxHashSet<String> {
        static EMPTY: std::sync::OnceLock<FxHashSet<String>> = std::sync::OnceLock::new();
        self.sets.get(name).unwrap_or_else(|| EMPTY.get_or_init(FxHashSet::default))
    }
}


/// A rule's own example, kept for `newsgraph rules check`.
#[derive(Clone, Debug)]
pub struct Example {
    pub text: String,
    pub expect: Vec<toml::Value>,
}

/// An entity or value rule: a regex over folded text.
#[derive(Debug)]
pub struct RegexRule {
    pub id: RuleId,
    pub node_type: NodeType,
    pub regex: LazyRegex,
    pub normalizer: Option<Normalizer>,
    pub priority: i32,
    pub layer: usize,
    pub examples: Vec<Example>,
}

/// Where a qualifier's text comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotSource {
    /// The mention in a slot (its normalized value for dates).
    Slot(String),
    /// A named regex group's words.
    Group(String),
}

/// A relation rule over tagged sentences.
#[derive(Debug)]
pub struct RelationRule {
    pub id: RuleId,
    pub predicate: Predicate,
    pub regex: LazyRegex,
    pub subject: String,
    pub object: String,
    /// Tags (bit `symbol - TAG_BASE`) the subject and the object slot can
    /// match: a sentence without any of them cannot give this rule a fact.
    /// All bits set when unknown.
    pub slot_tags: (u32, u32),
    pub qualifiers: Vec<(String, SlotSource)>,
    pub unless: Vec<LazyRegex>,
    /// Slot → regex its folded text must match whole.
    pub filters: Vec<(String, LazyRegex)>,
    /// Slot → regex its folded text must not match whole.
    pub excludes: Vec<(String, LazyRegex)>,
    pub enumerate: Vec<String>,
    /// Match once per object mention (see `RawRule::each_object`).
    pub each_object: bool,
    /// For an `each_object` pattern `.*R`: how far back from an object a
    /// match of `R` can start, and with what (see `reach`).
    pub object_reach: Option<ObjectReach>,
    /// For any other pattern: where the groups of a match lie, when each
    /// lies a fixed way from the match's ends (see `reach::match_groups`).
    pub match_groups: Option<Vec<PlacedGroup>>,
    /// Group numbers of the names above, to read matches by.
    pub groups: SlotGroups,
    pub priority: i32,
    pub layer: usize,
    pub examples: Vec<Example>,
}

struct Compiler {
    errors: Vec<RuleError>,
    fragments: HashMap<String, String>,
    dict_entries: Vec<DictEntry>,
    lexicon: Lexicon,
    surnames: Surnames,
    suffixes: Vec<Suffix>,
    lists: BTreeMap<String, Vec<String>>,
    segment: SegmentRules,
    entity_rules: Vec<RegexRule>,
    value_rules: Vec<RegexRule>,
    relations: Vec<RelationRule>,
    rule_ids: HashMap<String, usize>,
    files: Vec<String>,
}

impl Compiler {
    fn new() -> Compiler {
        Compiler {
            errors: Vec::new(),
            fragments: HashMap::new(),
            dict_entries: Vec::new(),
            lexicon: Lexicon::default(),
            surnames: Surnames::default(),
            suffixes: Vec::new(),
            lists: BTreeMap::new(),
            segment: SegmentRules::default(),
            entity_rules: Vec::new(),
            value_rules: Vec::new(),
            relations: Vec::new(),
            rule_ids: HashMap::new(),
            files: Vec::new(),
        }
    }
}

pub fn compile(layers: &[RuleSource]) -> Result<RuleSet, RuleErrors> {
    let mut c = Compiler::new();
    // Fragments first: any regex in any file may use any fragment.
    let mut parsed: Vec<(usize, String, String, Option<RawRuleFile>)> = Vec::new();
    for (layer, source) in layers.iter().enumerate() {
        for (path, text) in &source.files {
            c.files.push(display_path(source, path));
            let raw = if path.ends_with(".toml") {
                match toml::from_str::<RawRuleFile>(text) {
                    Ok(raw) => Some(raw),
                    Err(e) => {
                        let (line, column) =
                            e.span().map_or((0, 0), |s| line_column(text, s.start));
                        c.errors.push(RuleError {
                            file: display_path(source, path),
                            line,
                            column,
                            rule: None,
                            message: format!("TOML syntax: {}", e.message()),
                        });
                        continue;
                    }
                }
            } else {
                None
            };
            if let Some(raw) = &raw {
                for (name, value) in &raw.fragments {
                    if c.fragments.insert(name.clone(), value.get_ref().clone()).is_some() && layer == 0 {
                        let (line, column) = line_column(text, value.span().start);
                        c.errors.push(err(source, path, line, column, None, format!("fragment \"{name}\" defined twice")));
                    }
                }
            }
            parsed.push((layer, path.clone(), text.clone(), raw));
        }
    }
    // The lexicon, the gazetteers and the rule files (TOML) fill disjoint
    // parts of the compiler, so they are compiled on three threads: the
    // gazetteer side goes on to build the gazetteer and suffix searches, the
    // TOML side builds the regexes. Errors are kept per file and reported in
    // file order, as if the files were compiled one after the other.
    let mut errors = std::mem::take(&mut c.errors);
    let mut file_errors: Vec<(usize, Vec<RuleError>)> = Vec::new();
    let is_lexicon = |path: &str| path.split('/').next() == Some("lexicon");
    let compile_tsv = |lexicon: bool| {
        let mut tables = Compiler::new();
        let mut file_errors = Vec::new();
        for (index, (layer, path, text, raw)) in parsed.iter().enumerate() {
            if raw.is_none() && is_lexicon(path) == lexicon {
                tables.tsv_file(&layers[*layer], *layer, path, text);
                file_errors.push((index, std::mem::take(&mut tables.errors)));
            }
        }
        (tables, file_errors)
    };
    let (mut gazetteers, lexicon, searches) = std::thread::scope(|scope| {
        let gazetteer_side = scope.spawn(|| {
            let (mut gazetteers, file_errors) = compile_tsv(false);
            let searches = build_name_searches(std::mem::take(&mut gazetteers.dict_entries), &gazetteers.suffixes);
            (gazetteers, file_errors, searches)
        });
        let lexicon_side = scope.spawn(|| compile_tsv(true));
        for (index, (layer, path, text, raw)) in parsed.iter().enumerate() {
            if let Some(raw) = raw {
                c.toml_file(&layers[*layer], *layer, path, text, raw);
                file_errors.push((index, std::mem::take(&mut c.errors)));
            }
        }
        let (gazetteers, gazetteer_errors, searches) = gazetteer_side.join().expect("the gazetteer compiler panicked");
        let (lexicon, lexicon_errors) = lexicon_side.join().expect("the lexicon compiler panicked");
        file_errors.extend(gazetteer_errors);
        file_errors.extend(lexicon_errors);
        (gazetteers, lexicon, searches)
    });
    file_errors.sort_by_key(|(index, _)| *index);
    errors.extend(file_errors.into_iter().flat_map(|(_, e)| e));
    if !errors.is_empty() {
        return Err(RuleErrors(errors));
    }
    c.lexicon = lexicon.lexicon;
    c.surnames = std::mem::take(&mut gazetteers.surnames);
    c.suffixes = std::mem::take(&mut gazetteers.suffixes);
    Ok(c.finish(searches?))
}

/// The gazetteer search (every name and alias) and the suffix search.
fn build_name_searches(mut entries: Vec<DictEntry>, suffixes: &[Suffix]) -> Result<(Dictionary, SuffixSearch), RuleErrors> {
    // Highest layer first, so a user entry wins over a built-in one that
    // spells the same text.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(entries[i].layer));
    let mut texts: Vec<String> = Vec::new();
    let mut by_text: FxHashMap<String, u32> = FxHashMap::default();
    let mut pattern_entries: Vec<Vec<u32>> = Vec::new();
    for &i in &order {
        let e = &entries[i];
        let mut spellings = vec![e.key.clone()];
        spellings.extend(e.aliases.iter().map(|a| fold(a)));
        for s in spellings {
            if s.is_empty() {
                continue;
            }
            let p = *by_text.entry(s.clone()).or_insert_with(|| {
                texts.push(s.clone());
                pattern_entries.push(Vec::new());
                (texts.len() - 1) as u32
            });
            if !pattern_entries[p as usize].contains(&(i as u32)) {
                pattern_entries[p as usize].push(i as u32);
            }
        }
    }
    for e in &mut entries {
        e.aliases.retain(|a| !a.is_empty());
        let folded = std::iter::once(&e.name).chain(&e.aliases).filter(|n| !is_folded(n)).map(|n| fold(n));
        let mut spellings: Vec<String> = Vec::new();
        for spelling in std::iter::once(e.name.clone()).chain(e.aliases.iter().cloned()).chain(folded) {
            if !spellings.contains(&spelling) {
                spellings.push(spelling);
            }
        }
        e.spellings = spellings.into();
    }
    let names = NameSearch::new(texts.iter().enumerate().map(|(p, text)| (text.as_str(), p as u32)));
    let user_patterns: Vec<(&str, u32)> = (0..texts.len() as u32)
        .filter(|&p| pattern_entries[p as usize].first().is_some_and(|&i| entries[i as usize].layer > 0))
        .map(|p| (texts[p as usize].as_str(), p))
        .collect();
    let user_names = if user_patterns.is_empty() { None } else { Some(NameSearch::new(user_patterns)) };
    let suffix_search = SuffixSearch::new(suffixes)?;
    let best_of_pattern = pattern_entries.iter().map(|p| BestEntry::of(p[0], &entries[p[0] as usize])).collect();
    let spelled_alone = (0..entries.len() as u32)
        .map(|i| entries[i as usize].spellings.iter().all(|s| by_text.get(s).is_none_or(|&p| pattern_entries[p as usize] == [i])))
        .collect();
    Ok((Dictionary { names, pattern_entries, by_text, user_names, best_of_pattern, spelled_alone, entries }, suffix_search))
}

fn display_path(source: &RuleSource, path: &str) -> String {
    if source.origin == "built-in" {
        format!("rules/{path}")
    } else {
        format!("{}/{path}", source.origin.trim_end_matches('/'))
    }
}

fn err(source: &RuleSource, path: &str, line: usize, column: usize, rule: Option<&str>, message: String) -> RuleError {
    RuleError { file: display_path(source, path), line, column, rule: rule.map(str::to_string), message }
}

fn file_stem(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path).split('.').next().unwrap_or(path)
}

impl Compiler {
    fn tsv_file(&mut self, source: &RuleSource, layer: usize, path: &str, text: &str) {
        let stem = file_stem(path);
        let folder = path.split('/').next().unwrap_or("");
        // One buffer for the columns of every line (the lexicon has ~120k).
        let mut cols: Vec<&str> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            cols.clear();
            cols.extend(line.split('\t').map(str::trim));
            let first = cols[0];
            if first.is_empty() {
                self.errors.push(err(source, path, line_no, 1, None, "empty entry".to_string()));
                continue;
            }
            let col = |i: usize| cols.get(i).copied().unwrap_or("");
            // (The lexicon has ~120k lines and no rule ids: skip the format.)
            let rule = if folder == "lexicon" { String::new() } else { format!("{}:{line_no}", display_path(source, path)) };
            match (folder, stem) {
                ("lexicon", "name_chars") => {
                    let Some(c) = fold(first).chars().next() else { continue };
                    let score = |i: usize| col(i).parse::<f32>().ok();
                    self.lexicon.name_chars.insert(c, NameChar { given: score(1), translit: score(2) });
                }
                ("lexicon", _) => {
                    let freq = col(1).parse().unwrap_or(1);
                    let entry = self.lexicon.entry(freq, col(2));
                    self.lexicon.insert_unfolded(first, entry);
                }
                ("gazetteers", "surname") => {
                    let name = fold(first);
                    let rank = col(2).parse().unwrap_or(9999);
                    let mut chars = name.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => {
                            self.surnames.single.insert(c, rank);
                        }
                        _ => {
                            self.surnames.compound.insert(name, rank);
                        }
                    }
                }
                ("gazetteers", "title") => self.dict_entries.push(DictEntry {
                    name: first.to_string(),
                    key: fold(first),
                    kind: DictKind::Title,
                    aliases: split_aliases(col(2)),
                    spellings: Arc::from([]),
                    class: col(1).to_string(),
                    parent: None,
                    rule: rule.into(),
                    layer,
                }),
                ("gazetteers", s) if s.ends_with("_suffix") => {
                    let ty = match s {
                        "org_suffix" => NodeType::Organization,
                        "place_suffix" => NodeType::Place,
                        "event_suffix" => NodeType::Event,
                        "work_suffix" => NodeType::Work,
                        _ => {
                            self.errors.push(err(source, path, 0, 0, None, format!("unknown suffix list \"{s}\" (org_suffix, place_suffix, event_suffix, work_suffix)")));
                            return;
                        }
                    };
                    let strong = cols.iter().skip(1).any(|c| *c == "strong");
                    self.suffixes.push(Suffix { text: fold(first), node_type: ty, strong, rule: rule.into() });
                }
                ("gazetteers", s) => {
                    // place / organization / person / event / work: fixed type,
                    // columns name, aliases, class[, parent]. Any other file:
                    // name, type, aliases (a user's one-line gazetteer).
                    let fixed = match s {
                        "place" => Some(NodeType::Place),
                        "organization" => Some(NodeType::Organization),
                        "person" => Some(NodeType::Person),
                        "event" => Some(NodeType::Event),
                        "work" => Some(NodeType::Work),
                        _ => None,
                    };
                    let (ty, aliases, class, parent) = match fixed {
                        Some(t) => (t, col(1), col(2), col(3)),
                        None => {
                            let Some(t) = NodeType::parse(col(1)).filter(|t| t.is_entity()) else {
                                let column = first.chars().count() + 2;
                                self.errors.push(err(source, path, line_no, column, None, format!(
                                    "unknown entity type \"{}\" (Person, Organization, Place, Event, Work)", col(1))));
                                continue;
                            };
                            (t, col(2), col(3), "")
                        }
                    };
                    self.dict_entries.push(DictEntry {
                        name: first.to_string(),
                        key: fold(first),
                        kind: DictKind::Entity(ty),
                        aliases: split_aliases(aliases),
                        spellings: Arc::from([]),
                        class: class.to_string(),
                        parent: (!parent.is_empty()).then(|| fold(parent)),
                        rule: rule.into(),
                        layer,
                    });
                }
                _ => {
                    self.errors.push(err(source, path, 0, 0, None, "unknown rule file: TSV files belong in gazetteers/ or lexicon/".to_string()));
                    return;
                }
            }
        }
    }

    fn toml_file(&mut self, source: &RuleSource, layer: usize, path: &str, text: &str, raw: &RawRuleFile) {
        let folder = path.split('/').next().unwrap_or("");
        let stem = file_stem(path);
        let pos = |span: std::ops::Range<usize>| line_column(text, span.start);
        for (name, list) in &raw.lists {
            if !KNOWN_LISTS.contains(&name.as_str()) {
                let (l, c) = pos(list.span());
                self.errors.push(err(source, path, l, c, None, format!("unknown list \"{name}\" (known: {})", KNOWN_LISTS.join(", "))));
                continue;
            }
            let entry = self.lists.entry(name.clone()).or_default();
            for word in list.get_ref() {
                if word.is_empty() {
                    let (l, c) = pos(list.span());
                    self.errors.push(err(source, path, l, c, None, format!("empty word in list \"{name}\"")));
                }
                entry.push(fold(word));
            }
        }
        if path == "segment.toml" {
            self.segment_settings(source, path, text, raw);
            return;
        }
        if stem == "fragments" && raw.rules.is_empty() {
            return;
        }
        let file_type = raw.node_type.as_ref();
        for rule in &raw.rules {
            let id = format!("{}/{}", path.trim_end_matches(".toml"), rule.id.get_ref());
            let (l, c) = pos(rule.id.span());
            if let Some(&prev) = self.rule_ids.get(&id) {
                if prev == layer {
                    self.errors.push(err(source, path, l, c, Some(&id), "duplicate rule id".to_string()));
                    continue;
                }
                // A later layer replaces an earlier rule of the same id.
                self.entity_rules.retain(|r| *r.id != id);
                self.value_rules.retain(|r| *r.id != id);
                self.relations.retain(|r| *r.id != id);
            }
            self.rule_ids.insert(id.clone(), layer);
            let examples = examples(&rule.examples);
            match folder {
                "entities" | "values" => {
                    self.regex_rule(source, layer, path, text, rule, &id, file_type, folder == "values", examples)
                }
                "relations" => self.relation_rule(source, layer, path, text, rule, &id, raw.predicate.as_ref(), examples),
                _ => {
                    self.errors.push(err(source, path, 0, 0, None, "unknown rule file: TOML rules belong in entities/, values/ or relations/".to_string()));
                    return;
                }
            }
        }
    }

    fn segment_settings(&mut self, source: &RuleSource, path: &str, text: &str, raw: &RawRuleFile) {
        for (key, value) in &raw.settings {
            let (l, c) = line_column(text, value.span().start);
            // Folded like the text they are compared with (！ → !).
            let as_chars = || {
                value.get_ref().as_str().map(|s| fold(s).chars().filter(|c| !c.is_whitespace()).collect::<Vec<char>>())
            };
            match key.as_str() {
                "terminators" => self.segment.terminators = as_chars().unwrap_or_default(),
                "closers" => self.segment.closers = as_chars().unwrap_or_default(),
                "quote_pairs" => {
                    let chars = as_chars().unwrap_or_default();
                    if chars.len() % 2 != 0 {
                        self.errors.push(err(source, path, l, c, None, "quote_pairs needs an even number of characters (open, close, ...)".to_string()));
                    }
                    self.segment.quote_pairs = chars.chunks(2).filter(|p| p.len() == 2).map(|p| (p[0], p[1])).collect();
                }
                "max_quote_chars" => match value.get_ref().as_integer() {
                    Some(n) if n > 0 => self.segment.max_quote_chars = n as usize,
                    _ => self.errors.push(err(source, path, l, c, None, "max_quote_chars must be a positive integer".to_string())),
                },
                other => self.errors.push(err(source, path, l, c, None, format!("unknown setting \"{other}\""))),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn regex_rule(&mut self, source: &RuleSource, layer: usize, path: &str, text: &str, rule: &RawRule, id: &str,
        file_type: Option<&Spanned<String>>, is_value: bool, examples: Vec<Example>) {
        let pos = |span: std::ops::Range<usize>| line_column(text, span.start);
        let Some(type_name) = rule.node_type.as_ref().or(file_type) else {
            let (l, c) = pos(rule.id.span());
            self.errors.push(err(source, path, l, c, Some(id), "no type (set `type` on the rule or the file)".to_string()));
            return;
        };
        let node_type = match NodeType::parse(type_name.get_ref()) {
            Some(t) if t.is_value() == is_value && t != NodeType::Quotation => t,
            _ => {
                let (l, c) = pos(type_name.span());
                let expected = if is_value { "Date, Money, Percent, Quantity" } else { "Person, Organization, Place, Event, Work" };
                self.errors.push(err(source, path, l, c, Some(id), format!("unknown {} type \"{}\" ({expected})",
                    if is_value { "value" } else { "entity" }, type_name.get_ref())));
                return;
            }
        };
        let Some(regex_src) = &rule.regex else {
            let (l, c) = pos(rule.id.span());
            self.errors.push(err(source, path, l, c, Some(id), "missing `regex`".to_string()));
            return;
        };
        let normalizer = match (&rule.normalizer, is_value) {
            (Some(n), true) => match Normalizer::from_name(n.get_ref()) {
                Some(n) => Some(n),
                None => {
                    let (l, c) = pos(n.span());
                    self.errors.push(err(source, path, l, c, Some(id), format!(
                        "unknown normalizer \"{}\" (date, money, money_cny_implied, percent, quantity)", n.get_ref())));
                    return;
                }
            },
            (None, true) => Some(match node_type {
                NodeType::Date => Normalizer::Date,
                NodeType::Money => Normalizer::Money,
                NodeType::Percent => Normalizer::Percent,
                _ => Normalizer::Quantity,
            }),
            (_, false) => None,
        };
        let Some(regex) = self.build_regex(source, path, text, regex_src, id) else { return };
        let target = if is_value { &mut self.value_rules } else { &mut self.entity_rules };
        target.push(RegexRule { id: id.into(), node_type, regex, normalizer,
            priority: rule.priority, layer, examples });
    }

    #[allow(clippy::too_many_arguments)]
    fn relation_rule(&mut self, source: &RuleSource, layer: usize, path: &str, text: &str, rule: &RawRule, id: &str,
        file_predicate: Option<&Spanned<String>>, examples: Vec<Example>) {
        let pos = |span: std::ops::Range<usize>| line_column(text, span.start);
        let Some(pred_name) = rule.predicate.as_ref().or(file_predicate) else {
            let (l, c) = pos(rule.id.span());
            self.errors.push(err(source, path, l, c, Some(id), "no predicate (set `predicate` on the rule or the file)".to_string()));
            return;
        };
        let Some(predicate) = Predicate::parse(pred_name.get_ref()) else {
            let (l, c) = pos(pred_name.span());
            self.errors.push(err(source, path, l, c, Some(id), format!("unknown predicate \"{}\"", pred_name.get_ref())));
            return;
        };
        let Some(pattern_src) = &rule.pattern else {
            let (l, c) = pos(rule.id.span());
            self.errors.push(err(source, path, l, c, Some(id), "missing `pattern`".to_string()));
            return;
        };
        let Some(compiled) = self.translate_pattern(source, path, text, pattern_src, id) else { return };
        // Anchored at the end for per-object matching.
        let regex_source =
            if rule.each_object { format!("(?:{})$", compiled.regex_source) } else { compiled.regex_source.clone() };
        let Some(regex) = self.build_regex_from(source, path, text, pattern_src, &regex_source, id) else { return };
        let groups: HashSet<String> = regex.group_names().into_iter().collect();
        let slot = |name: Option<&Spanned<String>>, what: &str, errors: &mut Vec<RuleError>| -> Option<String> {
            match name {
                Some(n) if compiled.slots.contains(n.get_ref()) => Some(n.get_ref().clone()),
                Some(n) => {
                    let (l, c) = pos(n.span());
                    errors.push(err(source, path, l, c, Some(id), format!("{what} names slot \"{}\", which the pattern does not have", n.get_ref())));
                    None
                }
                None => {
                    let (l, c) = pos(rule.id.span());
                    errors.push(err(source, path, l, c, Some(id), format!("missing `{what}`")));
                    None
                }
            }
        };
        let subject = slot(rule.subject.as_ref(), "subject", &mut self.errors);
        let object = slot(rule.object.as_ref(), "object", &mut self.errors);
        let mut qualifiers = Vec::new();
        for (name, source_name) in &rule.qualifiers {
            let s = source_name.get_ref();
            if compiled.slots.contains(s) {
                qualifiers.push((name.clone(), SlotSource::Slot(s.clone())));
            } else if groups.contains(s) {
                qualifiers.push((name.clone(), SlotSource::Group(s.clone())));
            } else {
                let (l, c) = pos(source_name.span());
                self.errors.push(err(source, path, l, c, Some(id), format!("qualifier {name} names slot \"{s}\", which the pattern does not have")));
            }
        }
        let mut unless = Vec::new();
        for u in &rule.unless {
            if let Some(p) = self.translate_pattern(source, path, text, u, id) {
                if let Some(r) = self.build_regex_from(source, path, text, u, &p.regex_source, id) {
                    unless.push(r);
                }
            }
        }
        let slot_regexes = |map: &BTreeMap<String, Spanned<String>>, what: &str, errors: &mut Vec<RuleError>| {
            let mut out = Vec::new();
            for (slot_name, filter) in map {
                if !compiled.slots.contains(slot_name) {
                    let (l, c) = pos(filter.span());
                    errors.push(err(source, path, l, c, Some(id), format!("{what} names slot \"{slot_name}\", which the pattern does not have")));
                    continue;
                }
                out.push((slot_name.clone(), Spanned::new(filter.span(), format!("^(?:{})$", filter.get_ref()))));
            }
            out
        };
        let filter_srcs = slot_regexes(&rule.filter, "filter", &mut self.errors);
        let exclude_srcs = slot_regexes(&rule.exclude, "exclude", &mut self.errors);
        let mut filters = Vec::new();
        for (slot_name, anchored) in &filter_srcs {
            if let Some(r) = self.build_regex(source, path, text, anchored, id) {
                filters.push((slot_name.clone(), r));
            }
        }
        let mut excludes = Vec::new();
        for (slot_name, anchored) in &exclude_srcs {
            if let Some(r) = self.build_regex(source, path, text, anchored, id) {
                excludes.push((slot_name.clone(), r));
            }
        }
        let mut enumerate = Vec::new();
        for e in &rule.enumerate {
            if compiled.slots.contains(e.get_ref()) {
                enumerate.push(e.get_ref().clone());
            } else {
                let (l, c) = pos(e.span());
                self.errors.push(err(source, path, l, c, Some(id), format!("enumerate names slot \"{}\", which the pattern does not have", e.get_ref())));
            }
        }
        let (Some(subject), Some(object)) = (subject, object) else { return };
        let slot_tags = (slot_tag_mask(regex.as_str(), &subject), slot_tag_mask(regex.as_str(), &object));
        let object_reach = if rule.each_object { reach::object_reach(regex.hir()) } else { None };
        let match_groups = if rule.each_object { None } else { reach::match_groups(regex.hir()) };
        let group = |name: &str| group_index(regex.hir(), name);
        let groups = SlotGroups {
            subject: group(&subject),
            object: group(&object),
            filters: filters.iter().map(|(name, _)| group(name)).collect(),
            excludes: excludes.iter().map(|(name, _)| group(name)).collect(),
            qualifiers: qualifiers.iter().map(|(_, SlotSource::Slot(name) | SlotSource::Group(name))| group(name)).collect(),
        };
        self.relations.push(RelationRule { id: id.into(), predicate, regex, subject, object, slot_tags, qualifiers, unless,
            filters, excludes, enumerate, each_object: rule.each_object, object_reach, match_groups, groups, priority: rule.priority, layer,
            examples });
    }

    fn translate_pattern(&mut self, source: &RuleSource, path: &str, text: &str, src: &Spanned<String>, id: &str)
        -> Option<pattern::CompiledPattern> {
        let expanded = self.expand(source, path, text, src, id)?;
        match pattern::translate(&expanded) {
            Ok(p) => Some(p),
            Err((col, message)) => {
                let (l, c) = string_position(text, src.span().start, col);
                self.errors.push(err(source, path, l, c, Some(id), message));
                None
            }
        }
    }

    fn build_regex(&mut self, source: &RuleSource, path: &str, text: &str, src: &Spanned<String>, id: &str) -> Option<LazyRegex> {
        let expanded = self.expand(source, path, text, src, id)?;
        self.build_regex_from(source, path, text, src, &expanded, id)
    }

    fn build_regex_from(&mut self, source: &RuleSource, path: &str, text: &str, src: &Spanned<String>, regex_src: &str, id: &str)
        -> Option<LazyRegex> {
        // Parsed now, compiled on first use (see `lazy_regex`); a user's
        // regex is compiled now as well, so that one too large to compile
        // is reported with the other mistakes.
        let built = LazyRegex::parse(regex_src).and_then(|r| {
            if source.origin != "built-in" {
                r.compile_now()?;
            }
            Ok(r)
        });
        match built {
            Ok(r) => Some(r),
            Err(e) => {
                let (l, c) = line_column(text, src.span().start);
                let first = e.lines().filter(|x| x.starts_with("error:")).collect::<Vec<_>>().join(" ");
                let msg = if first.is_empty() { e.replace('\n', " ") } else { first };
                self.errors.push(err(source, path, l, c, Some(id), format!("invalid regex: {msg}")));
                None
            }
        }
    }

    /// Replace `{name}` fragment references (recursively, cycles rejected).
    fn expand(&mut self, source: &RuleSource, path: &str, text: &str, src: &Spanned<String>, id: &str) -> Option<String> {
        match expand_fragments(src.get_ref(), &self.fragments, &mut Vec::new()) {
            Ok(s) => Some(s),
            Err(message) => {
                let (l, c) = line_column(text, src.span().start);
                self.errors.push(err(source, path, l, c, Some(id), message));
                None
            }
        }
    }

    fn finish(self, (dictionary, suffix_search): (Dictionary, SuffixSearch)) -> RuleSet {
        let mut suffix_types: rustc_hash::FxHashMap<String, Vec<NodeType>> = rustc_hash::FxHashMap::default();
        for suffix in &self.suffixes {
            suffix_types.entry(suffix.text.clone()).or_default().push(suffix.node_type);
        }
        let max_suffix_chars = self.suffixes.iter().map(|x| x.text.chars().count()).max().unwrap_or(0);
        RuleSet {
            suffix_types,
            max_suffix_chars,
            segment: self.segment,
            dictionary,
            lexicon: self.lexicon,
            surnames: self.surnames,
            suffixes: self.suffixes,
            suffix_search,
            lists: WordLists::new(self.lists),
            entity_rules: super::RegexBank::new(self.entity_rules),
            value_rules: super::RegexBank::new(self.value_rules),
            relations: self.relations,
            relation_triggers: std::sync::OnceLock::new(),
            regex_triggers: std::sync::OnceLock::new(),
            start_chars: std::sync::OnceLock::new(),
            files: self.files,
        }
    }
}

/// The tag characters a slot group `(?P<slot>[...])` of a translated
/// pattern matches, as a bit mask; all bits when the group is not a plain
/// class of tag characters.
fn slot_tag_mask(regex: &str, slot: &str) -> u32 {
    let open = format!("(?P<{slot}>[");
    let Some(at) = regex.find(&open) else { return u32::MAX };
    let rest = &regex[at + open.len()..];
    let Some(close) = rest.find("])") else { return u32::MAX };
    let mut mask = 0u32;
    for c in rest[..close].chars() {
        let Some(bit) = pattern::tag_bit(c) else { return u32::MAX };
        mask |= bit;
    }
    if mask == 0 { u32::MAX } else { mask }
}

fn split_aliases(s: &str) -> Vec<String> {
    s.split('|').map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect()
}

fn examples(raw: &[RawExample]) -> Vec<Example> {
    raw.iter().map(|e| Example { text: e.text.clone(), expect: e.expect.clone() }).collect()
}

/// Position of character `col` inside a TOML string value starting at byte
/// `value_start` (which points at the opening quote).
fn string_position(text: &str, value_start: usize, col: usize) -> (usize, usize) {
    let (line, column) = line_column(text, value_start);
    (line, column + 1 + col)
}

pub(crate) fn expand_fragments(src: &str, fragments: &HashMap<String, String>, stack: &mut Vec<String>) -> Result<String, String> {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let name_len = after[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len() - 1);
        let name = &after[1..1 + name_len];
        let is_reference = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && after[1 + name_len..].starts_with('}')
            && !out.ends_with('\\')
            && !out.ends_with("\\p")
            && !out.ends_with("\\P");
        if !is_reference {
            out.push('{');
            rest = &after[1..];
            continue;
        }
        let Some(body) = fragments.get(name) else {
            return Err(format!("undefined fragment {{{name}}}"));
        };
        if stack.iter().any(|s| s == name) {
            return Err(format!("fragment cycle: {} -> {name}", stack.join(" -> ")));
        }
        stack.push(name.to_string());
        let expanded = expand_fragments(body, fragments, stack)?;
        stack.pop();
        out.push_str("(?:");
        out.push_str(&expanded);
        out.push(')');
        rest = &after[name_len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    #[test]
    fn the_head_of_every_suffix_is_its_type_and_strength() {
        let rules = super::RuleSet::builtin().unwrap();
        assert!(!rules.suffixes.is_empty());
        for (i, suffix) in rules.suffixes.iter().enumerate() {
            assert_eq!(rules.suffix_search.head(i as u32), SuffixHead { node_type: suffix.node_type, strong: suffix.strong }, "{}", suffix.text);
        }
    }

    #[test]
    fn the_suffix_search_finds_every_suffix_in_the_order_of_a_byte_wise_overlapping_search() {
        let rules = super::RuleSet::builtin().unwrap();
        let texts: Vec<&str> = rules.suffixes.iter().map(|s| s.text.as_str()).collect();
        let byte_wise = AhoCorasickBuilder::new().build(&texts).unwrap();
        // Suffixes that end together (学院, 医学院, 院) and one spelling
        // listed twice must keep the byte-wise order.
        let pieces: Vec<&str> = texts.iter().copied().chain(["的", "浙江", "大", "，", "A"]).collect();
        let mut next = crate::test_random::xorshift32(0x5FF1);
        let mut compared = 0;
        for _ in 0..300 {
            let text: String = (0..(next() % 30)).map(|_| pieces[next() as usize % pieces.len()]).collect();
            let chars: Vec<char> = text.chars().collect();
            let char_at = |byte: usize| text[..byte].chars().count();
            let expected: Vec<(usize, usize, u32)> = byte_wise
                .find_overlapping_iter(&text)
                .map(|m| (char_at(m.start()), char_at(m.end()), m.pattern().as_u32()))
                .collect();
            compared += expected.len();
            assert_eq!(rules.suffix_search.find_ending_at(&chars, 0..chars.len()), expected, "{text}");
        }
        assert!(compared > 1000, "the random texts hold suffixes");
    }

    #[test]
    fn the_suffix_search_finds_suffixes_of_any_characters_and_lengths_as_a_plain_scan_does() {
        use crate::model::{NodeType, RuleId};
        // Latin letters, a character outside the Basic Multilingual Plane,
        // one spelling twice, suffixes inside suffixes, a long one.
        let texts = ["司", "公司", "分公司", "Inc", "𠀋馆", "馆", "公司", "国际博览会展览中心"];
        let suffixes: Vec<super::Suffix> = texts
            .iter()
            .map(|t| super::Suffix { text: t.to_string(), node_type: NodeType::Organization, strong: true, rule: RuleId::Literal("test") })
            .collect();
        let search = super::SuffixSearch::new(&suffixes).unwrap();
        let pieces = ["公", "司", "分", "Inc", "In", "𠀋", "馆", "国际博览会展览", "中心", "的", "，"];
        let mut next = crate::test_random::xorshift32(0x51DE);
        let mut compared = 0;
        for _ in 0..500 {
            let text: Vec<char> = (0..(next() % 20)).flat_map(|_| pieces[next() as usize % pieces.len()].chars()).collect();
            // Every (start, end) by end, longer first, then list order.
            let mut expected = Vec::new();
            for end in 1..=text.len() {
                for start in 0..end {
                    for (i, t) in texts.iter().enumerate() {
                        if t.chars().eq(text[start..end].iter().copied()) {
                            expected.push((start, end, i as u32));
                        }
                    }
                }
            }
            compared += expected.len();
            assert_eq!(search.find_ending_at(&text, 0..text.len()), expected, "{}", text.iter().collect::<String>());
        }
        assert!(compared > 1000, "the random texts hold suffixes");
    }

    #[test]
    fn the_tails_of_a_text_are_the_suffixes_its_tails_spell_as_a_lookup_by_text_finds() {
        let rules = super::RuleSet::builtin().unwrap();
        let texts: Vec<&str> = rules.suffixes.iter().map(|s| s.text.as_str()).collect();
        let pieces: Vec<&str> = texts.iter().copied().chain(["的", "浙江", "大", "，", "A"]).collect();
        let mut next = crate::test_random::xorshift32(0x7A11);
        let mut found = 0;
        for _ in 0..500 {
            let text: Vec<char> = (0..(next() % 8)).flat_map(|_| pieces[next() as usize % pieces.len()].chars()).collect();
            // Every tail spelled out, shortest first, with the suffixes of
            // that spelling in list order.
            let expected: Vec<(usize, Vec<u32>)> = (1..=text.len())
                .map(|n| {
                    let tail: String = text[text.len() - n..].iter().collect();
                    (n, texts.iter().enumerate().filter(|(_, t)| **t == tail).map(|(i, _)| i as u32).collect::<Vec<u32>>())
                })
                .filter(|(_, suffixes)| !suffixes.is_empty())
                .collect();
            found += expected.len();
            let tails: Vec<(usize, Vec<u32>)> = rules.suffix_search.tails(&text).map(|(n, s)| (n, s.to_vec())).collect();
            assert_eq!(tails, expected, "{}", text.iter().collect::<String>());
        }
        assert!(found > 300, "the random texts end in suffixes");
    }

    #[test]
    fn a_lexicon_probe_of_characters_finds_what_a_lookup_of_their_text_finds() {
        let rules = super::RuleSet::builtin().unwrap();
        let lexicon = &rules.lexicon;
        // Words of every length around the packed ones, runs that are no
        // word, and characters outside the Basic Multilingual Plane.
        let pieces = ["中", "国", "人民", "银行", "的", "习近平", "中华人民共和国", "𠀋", "A", "，", "研究生院"];
        let mut next = crate::test_random::xorshift32(0x1E71);
        let mut words_found = 0;
        for _ in 0..3000 {
            let text: Vec<char> = (0..1 + next() % 4).flat_map(|_| pieces[next() as usize % pieces.len()].chars()).collect();
            for len in 0..=text.len().min(9) {
                let word = &text[..len];
                let spelled: String = word.iter().collect();
                let by_text = lexicon.get(&spelled).map(|e| e as *const super::LexiconEntry);
                assert_eq!(lexicon.get_chars(word).map(|e| e as *const super::LexiconEntry), by_text, "{spelled}");
                words_found += usize::from(by_text.is_some());
            }
        }
        assert!(words_found > 1000, "the random texts hold words");
    }

    #[test]
    fn a_probe_of_a_run_longer_than_the_longest_word_finds_what_a_lookup_finds() {
        use super::Lexicon;
        let text: Vec<char> = "一二三四五六七八九十".chars().collect();
        // Lexicons whose longest word has from one to nine characters, every
        // word a run from the text's start: every probe of a run, however
        // long, answers as the lookup of its text.
        for longest in 1..=9 {
            let mut lexicon = Lexicon::default();
            for len in (1..=longest).step_by(2).chain([longest]) {
                let entry = lexicon.entry(1, "n");
                lexicon.insert_unfolded(&text[..len].iter().collect::<String>(), entry);
            }
            for start in 0..text.len() {
                for end in start..=text.len() {
                    let spelled: String = text[start..end].iter().collect();
                    let by_text = lexicon.get(&spelled).map(|e| e as *const super::LexiconEntry);
                    assert_eq!(lexicon.get_chars(&text[start..end]).map(|e| e as *const super::LexiconEntry), by_text, "{spelled} ({longest})");
                }
            }
            assert!(lexicon.get_chars(&text[..longest]).is_some(), "the longest word ({longest}) is found");
        }
    }

    #[test]
    fn an_entry_said_to_spell_a_text_alone_is_all_a_lookup_of_the_text_finds() {
        let rules = super::RuleSet::builtin().unwrap();
        let dictionary = &rules.dictionary;
        let pool: Vec<&str> = dictionary.entries.iter().flat_map(|e| e.spellings.iter().map(String::as_str)).collect();
        let mut next = crate::test_random::xorshift32(0xD1C7);
        let (mut own, mut said_alone, mut shared) = (0, 0, 0);
        for (i, e) in dictionary.entries.iter().enumerate() {
            let i = i as u32;
            // The entry's own spellings, and others' (said alone never).
            let others = (0..4).map(|_| pool[next() as usize % pool.len()]);
            for text in e.spellings.iter().map(String::as_str).chain(others) {
                let found = dictionary.lookup(text);
                if dictionary.spells_only(i, text) {
                    assert!(found.iter().all(|&f| f == i), "{text}: entry {i} and {found:?}");
                    said_alone += 1;
                } else if found.contains(&i) {
                    shared += usize::from(found.len() > 1);
                }
            }
            own += e.spellings.len();
        }
        assert!(said_alone * 10 > own * 9, "{said_alone} of {own} spellings are said to name their entry alone");
        assert!(shared > 0, "some spellings name several entries (西湖区) and are looked up");
    }

    #[test]
    fn the_short_word_filter_lets_every_word_through_and_few_other_runs() {
        let rules = super::RuleSet::builtin().unwrap();
        let lexicon = &rules.lexicon;
        assert!(lexicon.short_words.len() > 100_000, "the built-in lexicon");
        assert!(lexicon.short_words.keys().all(|&key| lexicon.may_hold(key)), "no word is filtered out");
        // Runs of three Chinese characters, nearly all of them no word.
        let mut next = crate::test_random::xorshift32(0xF17E);
        let mut han = || char::from_u32(0x4E00 + next() % 0x5200).expect("a Chinese character");
        let others: Vec<u128> =
            (0..100_000).map(|_| super::pack([han(), han(), han()])).filter(|key| !lexicon.short_words.contains_key(key)).collect();
        let passed = others.iter().filter(|&&key| lexicon.may_hold(key)).count();
        assert!(passed * 20 < others.len(), "{passed} of {} runs that are no word pass", others.len());
    }

    #[test]
    fn a_set_of_parts_of_speech_holds_the_words_whose_tag_it_lists() {
        let rules = super::RuleSet::builtin().unwrap();
        let lexicon = &rules.lexicon;
        let entries: Vec<&LexiconEntry> = lexicon.short_words.values().chain(lexicon.long_words.values()).collect();
        // Lists of one tag, of many, of a tag no word has, and of none.
        let lists: [&[&str]; 5] = [&["v"], &["r", "p", "c", "u", "d", "m", "q", "ul", "uj", "y", "f", "t"], &["ns", "no such tag"], &["no such tag"], &[]];
        for list in lists {
            let tags: Vec<String> = list.iter().map(|t| t.to_string()).collect();
            let set = lexicon.pos_set(&tags);
            assert_eq!(set.is_empty(), list.is_empty(), "{list:?}");
            for e in &entries {
                assert_eq!(set.contains(e), list.contains(&&*e.pos), "{} in {list:?}", e.pos);
            }
        }
    }

    #[test]
    fn a_word_keeps_the_part_of_speech_of_its_line_shared_with_the_words_of_that_part() {
        use super::{Lexicon, LexiconEntry};
        use std::sync::Arc;
        let lines = [("中国", "ns"), ("发展", "vn"), ("北京", "ns"), ("研究", "vn"), ("说", "v"), ("中华人民共和国", "ns")];
        let mut lexicon = Lexicon::default();
        for (word, pos) in lines {
            let entry = lexicon.entry(1, pos);
            lexicon.insert_unfolded(word, entry);
        }
        let pos_of = |word: &str| lexicon.get(word).unwrap_or_else(|| panic!("{word} is a word")).pos.clone();
        for (word, pos) in lines {
            assert_eq!(&*pos_of(word), pos, "{word}");
            for (other, other_pos) in lines {
                assert_eq!(Arc::ptr_eq(&pos_of(word), &pos_of(other)), pos == other_pos, "{word} and {other}");
            }
        }
        // The built-in lexicon: every word's part of speech is the one
        // shared text of that part.
        let rules = super::RuleSet::builtin().unwrap();
        let lexicon = &rules.lexicon;
        let entries: Vec<&LexiconEntry> = lexicon.short_words.values().chain(lexicon.long_words.values()).collect();
        assert!(entries.len() > 100_000, "the built-in lexicon has its words");
        for e in entries {
            assert!(lexicon.pos_tags.get_key_value(&*e.pos).is_some_and(|(shared, _)| Arc::ptr_eq(shared, &e.pos)), "{}", e.pos);
        }
        assert!(lexicon.pos_tags.len() < 200, "a few dozen parts of speech");
    }

    #[test]
    fn the_gazetteer_search_finds_what_a_byte_wise_leftmost_longest_search_finds() {
        let rules = super::RuleSet::builtin().unwrap();
        let dictionary = &rules.dictionary;
        let mut spellings: Vec<&str> = dictionary.by_text.keys().map(String::as_str).collect();
        spellings.sort_by_key(|s| dictionary.by_text[*s]);
        let byte_wise = AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(&spellings).unwrap();
        // Text made of gazetteer spellings, their halves and stray
        // characters, so that names overlap, nest and are cut short.
        let filler = ["的", "在", "，", "a", "1", " ", "省", "市"];
        let mut next = crate::test_random::xorshift32(0x6A2E);
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..(next() % 40) {
                let spelling = spellings[next() as usize % spellings.len()];
                match next() % 4 {
                    0 => text.push_str(filler[next() as usize % filler.len()]),
                    1 => text.extend(spelling.chars().take(spelling.chars().count() / 2 + 1)),
                    _ => text.push_str(spelling),
                }
            }
            let char_at = |byte: usize| text[..byte].chars().count();
            let expected: Vec<(usize, usize, &[u32])> = byte_wise
                .find_iter(&text)
                .map(|m| (char_at(m.start()), char_at(m.end()), dictionary.pattern_entries[m.pattern().as_usize()].as_slice()))
                .collect();
            let chars: Vec<char> = text.chars().collect();
            assert_eq!(dictionary.find_iter(&chars).collect::<Vec<_>>(), expected, "{text}");
            // The best entry of a match is the first of its entries, as
            // they are.
            let best: Vec<(usize, usize, BestEntry)> = expected.iter().map(|&(s, e, found)| (s, e, BestEntry::of(found[0], dictionary.entry(found[0])))).collect();
            assert_eq!(dictionary.find_best(&chars).map(|(s, e, b)| (s, e, b.clone())).collect::<Vec<_>>(), best, "{text}");
        }
    }

    #[test]
    fn slot_tag_masks_come_from_slot_classes_only() {
        let p = pattern::translate("<Organization|Place:o>的?<Title:t><Person:s>").unwrap();
        let bit = |name: &str| 1u32 << (pattern::Tag::parse(name).unwrap().symbol() as u32 - pattern::TAG_BASE);
        assert_eq!(slot_tag_mask(&p.regex_source, "o"), bit("Organization") | bit("Place"));
        assert_eq!(slot_tag_mask(&p.regex_source, "s"), bit("Person"));
        assert_eq!(slot_tag_mask("(?P<s>[^。]+)", "s"), u32::MAX);
        assert_eq!(slot_tag_mask("(?P<x>a)", "s"), u32::MAX);
    }

    use super::*;

    fn frags(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn fragments_expand_recursively_and_leave_repetitions_alone() {
        let f = frags(&[("digit", "[0-9]"), ("number", "{digit}+")]);
        assert_eq!(expand_fragments("{number}年.{0,3}", &f, &mut vec![]).unwrap(), "(?:(?:[0-9])+)年.{0,3}");
    }

    #[test]
    fn undefined_and_cyclic_fragments_are_errors() {
        let f = frags(&[("a", "{b}"), ("b", "{a}")]);
        assert!(expand_fragments("{a}", &f, &mut vec![]).unwrap_err().contains("cycle"));
        assert_eq!(expand_fragments("{zz}", &f, &mut vec![]).unwrap_err(), "undefined fragment {zz}");
    }
}
