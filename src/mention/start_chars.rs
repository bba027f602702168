//! Where the character-started rule families may begin in a document:
//! person names (a surname), transliterated foreign names and place
//! abbreviations; and which characters may stand in a given name (and in
//! the given name of a bare name shape).
//!
//! Each family used to walk the whole document testing its own character
//! set at every character; most characters start none of them. One pass now
//! looks every character up once in a table of the three sets, and each
//! family skips through the resulting bytes eight at a time.

use super::is_cjk;
use crate::chars::{CharBits, CharFlags};
use crate::rules::RuleSet;
use rustc_hash::{FxHashMap, FxHashSet};

/// A character that may start a surname: a single surname that is not
/// one of `surname_function_words` (和, 有, 来: a name needs no shape
/// there), or the first character of a compound surname.
pub const SURNAME: u8 = 1;
/// A character common in transliterated names.
pub const TRANSLITERATION: u8 = 2;
/// A one-character place abbreviation (`place_abbreviations`: 中, 美, 京).
pub const ABBREVIATION: u8 = 4;
/// A character that may stand in a given name: a Chinese character that is
/// not in `given_name_stop`.
pub const GIVEN: u8 = 8;
/// A character that may end a compound surname (阳 of 欧阳, 官 of 上官):
/// the common characters that start one (王, 上, 东, 公) rarely come before
/// such a character, and the test spares a compound-surname probe there.
pub const COMPOUND_SECOND: u8 = 16;
/// A character that ends a name suffix (司 of 公司, 省): the suffix search
/// looks up only these positions, one character in seven.
pub const SUFFIX_END: u8 = 32;

/// A character whose given-name score reaches the name-shape rule's least
/// (`NAME_SHAPE_MIN_CHAR_SCORE`): the rule asks it of every given-name
/// character of most shapes.
pub const NAME_SHAPE_GIVEN: u8 = 64;

/// A character that may give a person shape evidence from right beside
/// it: a conjunction (an enumeration), 的 (of a title before), the first
/// character of a `speech_verbs` or `person_after` word, or the last of a
/// `person_before` word. Most characters next to a shape are none of these:
/// the person rules test this bit before the conjunction table and the
/// word lists.
pub const NEXT_TO_NAME: u8 = 128;

/// What kind of surname a character is ([`SurnameChars`]): a single
/// surname that is not one of `surname_function_words`,
pub const SINGLE_SURNAME: u8 = 1;
/// a single surname ranked past `RARE_SURNAME_RANK` (家, 来, 从),
pub const RARE_SURNAME: u8 = 2;
/// the first character of a compound surname (欧 of 欧阳).
pub const COMPOUND_FIRST: u8 = 4;

/// The end of the Basic Multilingual Plane, whose characters' [`GIVEN`]
/// bits the table holds.
const BMP: u32 = 0x10000;

/// The characters [`StartChars::of_document`] looks up together.
const RUN: usize = 8;

/// The families each character may start, for a rule set (and the place
/// abbreviations, which the abbreviation family reads at each of its
/// characters).
pub struct StartChars {
    /// By character; [`GIVEN`] only for the Basic Multilingual Plane.
    families: CharFlags<u8>,
    /// `given_name_stop`, for [`GIVEN`] outside the table.
    given_stop: CharBits,
    surname_chars: SurnameChars,
    abbreviations: Abbreviations,
    /// (Not a start table: the word lists of the suffix rules' stem walks,
    /// kept here because this is built once per rule set and read by
    /// every document.)
    stem_lists: super::StemLists,
}

/// What kind of surname each character is ([`SINGLE_SURNAME`],
/// [`RARE_SURNAME`], [`COMPOUND_FIRST`]): the person rules ask it at every
/// surname of a document.
pub struct SurnameChars(CharFlags<u8>);

impl SurnameChars {
    fn new(rules: &RuleSet) -> SurnameChars {
        let mut kinds = CharFlags::default();
        let function_words = rules.lists.char_set("surname_function_words");
        for (&c, &rank) in &rules.surnames.single {
            if !function_words.contains(c) {
                kinds.add(c, SINGLE_SURNAME);
            }
            if rank > super::RARE_SURNAME_RANK {
                kinds.add(c, RARE_SURNAME);
            }
        }
        for c in rules.surnames.compound.keys().filter_map(|k| k.chars().next()) {
            kinds.add(c, COMPOUND_FIRST);
        }
        SurnameChars(kinds)
    }

    #[inline]
    pub fn of(&self, c: char) -> u8 {
        self.0.get(c)
    }
}

/// The place abbreviations of a rule set, as the abbreviation rules read
/// them (read once, not for every document).
#[derive(Debug)]
pub struct Abbreviations {
    /// By abbreviation character: the dictionary entry of its full name
    /// (`place_abbreviations`: 中 → 中国; none for 巴).
    pub entries: FxHashMap<char, Option<u32>>,
    /// `abbreviation_pair_only`: the abbreviations that stand alone only in
    /// a pair.
    pub pair_only: FxHashSet<char>,
}

impl Abbreviations {
    fn new(rules: &RuleSet) -> Abbreviations {
        let lists = &rules.lists;
        let mut entries = FxHashMap::default();
        for line in lists.list("place_abbreviations") {
            let mut parts = line.split_whitespace();
            let Some(abbr) = parts.next().and_then(|a| a.chars().next()) else { continue };
            entries.insert(abbr, parts.next().and_then(|full| rules.dictionary.lookup(full).first().copied()));
        }
        let pair_only = lists.list("abbreviation_pair_only").iter().flat_map(|s| s.chars()).collect();
        Abbreviations { entries, pair_only }
    }
}

impl std::fmt::Debug for StartChars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartChars").field("others", &self.families.others()).finish_non_exhaustive()
    }
}

impl StartChars {
    pub fn new(rules: &RuleSet) -> StartChars {
        let given_stop = rules.lists.char_set("given_name_stop").clone();
        let mut starts = StartChars {
            families: CharFlags::default(),
            given_stop,
            surname_chars: SurnameChars::new(rules),
            abbreviations: Abbreviations::new(rules),
            stem_lists: super::StemLists::new(rules),
        };
        let given: Vec<char> = (0..BMP).filter_map(char::from_u32).filter(|&c| starts.may_be_given(c)).collect();
        for c in given {
            starts.add(c, GIVEN);
        }
        for c in surname_starts(rules) {
            starts.add(c, SURNAME);
        }
        for c in compound_seconds(rules) {
            starts.add(c, COMPOUND_SECOND);
        }
        for c in name_shape_given(rules) {
            starts.add(c, NAME_SHAPE_GIVEN);
        }
        for c in suffix_ends(rules) {
            starts.add(c, SUFFIX_END);
        }
        let transliteration = rules.lexicon.transliteration_chars();
        for &c in rules.lexicon.name_chars.keys().filter(|&&c| transliteration.contains(c)) {
            starts.add(c, TRANSLITERATION);
        }
        for c in abbreviation_chars(rules) {
            starts.add(c, ABBREVIATION);
        }
        for c in next_to_name(rules) {
            starts.add(c, NEXT_TO_NAME);
        }
        starts
    }

    fn may_be_given(&self, c: char) -> bool {
        is_cjk(c) && !self.given_stop.contains(c)
    }

    fn add(&mut self, c: char, family: u8) {
        self.families.add(c, family);
    }

    #[inline]
    fn of(&self, c: char) -> u8 {
        let families = self.families.get(c);
        if (c as u32) < BMP || !self.may_be_given(c) {
            families
        } else {
            families | GIVEN
        }
    }

    pub fn surname_chars(&self) -> &SurnameChars {
        &self.surname_chars
    }

    pub fn abbreviations(&self) -> &Abbreviations {
        &self.abbreviations
    }

    pub(super) fn stem_lists(&self) -> &super::StemLists {
        &self.stem_lists
    }

    /// The families each character of a document may start.
    pub fn of_document(&self, chars: &[char]) -> DocumentStarts {
        // (Eight characters at a time: news text is nearly all in the Basic
        // Multilingual Plane, and when a run of eight is, one test of the
        // eight spares the tests for the plane at each character, whose
        // families are then a plain table read.)
        let mut families = vec![0u8; chars.len()];
        let mut runs = chars.chunks_exact(RUN);
        let mut out = families.chunks_exact_mut(RUN);
        for (run, out) in (&mut runs).zip(&mut out) {
            let run: &[char; RUN] = run.try_into().expect("runs of RUN characters");
            let out: &mut [u8; RUN] = out.try_into().expect("runs of RUN bytes");
            if run.iter().fold(0, |any, &c| any | c as u32) < BMP {
                for (f, &c) in out.iter_mut().zip(run) {
                    // (Below `BMP`: the code point fits in 16 bits.)
                    *f = self.families.get_in_plane(c as u16);
                }
            } else {
                for (f, &c) in out.iter_mut().zip(run) {
                    *f = self.of(c);
                }
            }
        }
        for (f, &c) in out.into_remainder().iter_mut().zip(runs.remainder()) {
            *f = self.of(c);
        }
        DocumentStarts(families)
    }

    /// The families of one character, tested for the plane and the given
    /// name rule at each call: what [`StartChars::of_document`] gives at
    /// each position.
    #[cfg(test)]
    fn of_each(&self, chars: &[char]) -> Vec<u8> {
        chars.iter().map(|&c| self.of(c)).collect()
    }
}

/// The abbreviation characters: the first character of the first word of
/// each line of `place_abbreviations` (what `abbreviation_candidates` reads).
pub fn abbreviation_chars(rules: &RuleSet) -> impl Iterator<Item = char> + '_ {
    rules.lists.list("place_abbreviations").iter().filter_map(|line| line.split_whitespace().next().and_then(|a| a.chars().next()))
}

/// What [`NEXT_TO_NAME`] marks.
fn next_to_name(rules: &RuleSet) -> impl Iterator<Item = char> + '_ {
    let lists = &rules.lists;
    let firsts = ["speech_verbs", "person_after"].into_iter().flat_map(|name| lists.list(name)).filter_map(|w| w.chars().next());
    let lasts = lists.list("person_before").iter().filter_map(|w| w.chars().last());
    super::CONJUNCTIONS.into_iter().chain(['的']).chain(firsts).chain(lasts)
}

/// What [`SURNAME`] marks.
fn surname_starts(rules: &RuleSet) -> impl Iterator<Item = char> + '_ {
    let function_words = rules.lists.char_set("surname_function_words");
    let singles = rules.surnames.single.keys().copied().filter(|&c| !function_words.contains(c));
    singles.chain(rules.surnames.compound.keys().filter_map(|k| k.chars().next()))
}

/// The characters whose given-name score reaches the name-shape rule's least.
fn name_shape_given(rules: &RuleSet) -> impl Iterator<Item = char> + '_ {
    rules.lexicon.name_chars.iter().filter(|(_, n)| n.given.is_some_and(|g| g >= super::NAME_SHAPE_MIN_CHAR_SCORE)).map(|(&c, _)| c)
}

/// The second characters of the compound surnames.
fn compound_seconds(rules: &RuleSet) -> impl Iterator<Item = char> + '_ {
    rules.surnames.compound.keys().filter_map(|k| k.chars().nth(1))
}

/// The last characters of the name suffixes (what `SuffixSearch` indexes
/// the suffixes by).
fn suffix_ends(rules: &RuleSet) -> impl Iterator<Item = char> + '_ {
    rules.suffixes.iter().filter_map(|s| s.text.chars().last())
}

/// The families that may start at each position of one document.
pub struct DocumentStarts(Vec<u8>);

impl DocumentStarts {
    /// Whether the character at `i` may start one of `families`.
    #[inline]
    pub fn at(&self, i: usize, families: u8) -> bool {
        self.0.get(i).is_some_and(|&f| f & families != 0)
    }

    /// The first position at or after `from` whose character may start one
    /// of `families`.
    #[inline]
    pub fn next(&self, from: usize, families: u8) -> Option<usize> {
        let mut i = from;
        // Eight positions at a time while none matches.
        let every_byte = u64::from(families) * 0x0101_0101_0101_0101;
        while let Some(word) = self.0.get(i..i + 8) {
            let hits = u64::from_le_bytes(word.try_into().expect("eight bytes")) & every_byte;
            if hits != 0 {
                return Some(i + hits.trailing_zeros() as usize / 8);
            }
            i += 8;
        }
        (i..self.0.len()).find(|&k| self.0[k] & families != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_finds_the_positions_a_scan_of_every_position_finds() {
        let mut next = crate::test_random::xorshift32(11);
        for len in 0..40 {
            let classes: Vec<u8> = (0..len).map(|_| [0, 0, 0, 1, 2, 4, 3, 6, 8, 9][(next() % 10) as usize]).collect();
            let starts = DocumentStarts(classes.clone());
            for families in [SURNAME, TRANSLITERATION, ABBREVIATION, GIVEN, SURNAME | ABBREVIATION] {
                for from in 0..=len + 2 {
                    let scan = (from..len).find(|&k| classes[k] & families != 0);
                    assert_eq!(starts.next(from, families), scan, "from {from} in {classes:?} for {families}");
                    assert_eq!(starts.at(from, families), from < len && classes[from] & families != 0);
                }
            }
        }
    }

    #[test]
    fn a_document_has_at_each_position_the_families_of_its_character() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let table = StartChars::new(&rules);
        // Surnames, given-name characters, stop characters, suffix ends,
        // Latin and punctuation, and characters past the Basic Multilingual
        // Plane (given-name characters there are not in the table) falling
        // in any of the runs of eight and in the tail after them.
        let mut alphabet: Vec<char> = "王李欧阳司马的了在和公司省队中美京阿尔巴克斯A1 ，。·".chars().collect();
        alphabet.extend(['𠀀', '𪚥', '\u{10FFFF}', '\u{FFFF}', '\u{E000}']);
        let mut next = crate::test_random::xorshift32(37);
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 64, 301] {
            for _ in 0..20 {
                let text: Vec<char> = crate::test_random::random_text(&alphabet, len, &mut next);
                assert_eq!(table.of_document(&text).0, table.of_each(&text), "{}", text.iter().collect::<String>());
            }
        }
        let bmp_only: Vec<char> = (0..BMP).filter_map(char::from_u32).collect();
        assert_eq!(table.of_document(&bmp_only).0, table.of_each(&bmp_only), "every character of the table");
    }

    #[test]
    fn the_suffix_ends_of_a_document_lead_the_suffix_search_to_every_suffix() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let table = StartChars::new(&rules);
        let mut alphabet: Vec<char> = rules.suffixes.iter().flat_map(|s| s.text.chars()).collect();
        alphabet.sort_unstable();
        alphabet.dedup();
        alphabet.extend("的了在中国杭州阿里云A1 ，。".chars());
        let mut next = crate::test_random::xorshift32(29);
        for len in [0, 1, 2, 5, 40, 300] {
            let text: Vec<char> = crate::test_random::random_text(&alphabet, len, &mut next);
            let starts = table.of_document(&text);
            let lasts = std::iter::successors(starts.next(0, SUFFIX_END), |&k| starts.next(k + 1, SUFFIX_END));
            let everywhere = rules.suffix_search.find_ending_at(&text, 0..text.len());
            assert!(len < 40 || !everywhere.is_empty(), "the test text holds suffixes");
            assert_eq!(rules.suffix_search.find_ending_at(&text, lasts), everywhere);
        }
    }

    #[test]
    fn the_surname_kinds_answer_as_the_surname_lists() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let kinds = SurnameChars::new(&rules);
        let function_words = rules.lists.char_set("surname_function_words");
        let compound_firsts: FxHashSet<char> = rules.surnames.compound.keys().filter_map(|k| k.chars().next()).collect();
        let chars = (0..0x11000u32).filter_map(char::from_u32).chain(['𠀀', '\u{10FFFF}']);
        for c in chars {
            let rank = rules.surnames.single.get(&c).copied();
            let expected = if rank.is_some() && !function_words.contains(c) { SINGLE_SURNAME } else { 0 }
                | if rank.is_some_and(|r| r > super::super::RARE_SURNAME_RANK) { RARE_SURNAME } else { 0 }
                | if compound_firsts.contains(&c) { COMPOUND_FIRST } else { 0 };
            assert_eq!(kinds.of(c), expected, "{c}");
        }
        assert_eq!(kinds.of('王') & (SINGLE_SURNAME | RARE_SURNAME), SINGLE_SURNAME);
        assert_eq!(kinds.of('和') & SINGLE_SURNAME, 0, "a function word");
    }

    #[test]
    fn each_abbreviation_joins_the_dictionary_entry_of_its_full_name() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let abbreviations = StartChars::new(&rules).abbreviations;
        let china = rules.dictionary.lookup("中国").first().copied();
        assert!(china.is_some());
        assert_eq!(abbreviations.entries[&'中'], china);
        assert_eq!(abbreviations.entries[&'华'], china);
        assert_eq!(abbreviations.entries[&'巴'], None, "巴 names no one country");
        assert_eq!(abbreviations.entries.len(), abbreviation_chars(&rules).collect::<FxHashSet<char>>().len());
        assert!(abbreviations.pair_only.contains(&'西') && !abbreviations.pair_only.contains(&'中'));
    }

    #[test]
    fn the_table_answers_as_the_rule_sets_own_character_sets() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let starts = StartChars::new(&rules);
        let abbreviations: crate::chars::CharBits = abbreviation_chars(&rules).collect();
        let translit = rules.lexicon.transliteration_chars();
        let stop = rules.lists.char_set("given_name_stop");
        let function_words = rules.lists.char_set("surname_function_words");
        let surname_starts: crate::chars::CharBits = rules.surnames.single.keys().copied().filter(|&c| !function_words.contains(c)).chain(rules.surnames.compound.keys().filter_map(|k| k.chars().next())).collect();
        let compound_seconds: crate::chars::CharBits = compound_seconds(&rules).collect();
        let name_shape_given = |c: char| rules.lexicon.name_chars.get(&c).and_then(|n| n.given).unwrap_or(-9.0) >= super::super::NAME_SHAPE_MIN_CHAR_SCORE;
        let suffix_ends: crate::chars::CharBits = suffix_ends(&rules).collect();
        let word_firsts: crate::chars::CharBits = rules.lists.list("speech_verbs").iter().chain(rules.lists.list("person_after")).filter_map(|w| w.chars().next()).collect();
        let cue_lasts: crate::chars::CharBits = rules.lists.list("person_before").iter().filter_map(|w| w.chars().last()).collect();
        let next_to_name = |c: char| super::super::is_conjunction(c) || c == '的' || word_firsts.contains(c) || cue_lasts.contains(c);
        let chars = (0..0x11000u32).filter_map(char::from_u32).chain(['𠀀', '𪚥', '\u{10FFFF}']);
        for c in chars {
            let expected = if surname_starts.contains(c) { SURNAME } else { 0 }
                | if translit.contains(c) { TRANSLITERATION } else { 0 }
                | if abbreviations.contains(c) { ABBREVIATION } else { 0 }
                | if is_cjk(c) && !stop.contains(c) { GIVEN } else { 0 }
                | if compound_seconds.contains(c) { COMPOUND_SECOND } else { 0 }
                | if name_shape_given(c) { NAME_SHAPE_GIVEN } else { 0 }
                | if suffix_ends.contains(c) { SUFFIX_END } else { 0 }
                | if next_to_name(c) { NEXT_TO_NAME } else { 0 };
            assert_eq!(starts.of(c), expected, "{c}");
        }
    }
}
