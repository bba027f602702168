//! Windows for regexes whose only part of unbounded length is made of few
//! characters: the runs of those characters that can hold that part.
//!
//! `values/quantity/number-unit` is `LEAD (?P<m>PREFIX? NUMBER UNIT SUFFIX?)`:
//! the number is its only part of unbounded length, made of digits,
//! numerals and hedges; its units (人, 家, 个, 项目, 城市) are too common for
//! [`super::RunWindows`] (whose runs would take them in) and it has no
//! trigger word, so the regex crate's automaton read every byte of every
//! document (about 8 instructions a byte). One table lookup per character
//! of the document finds the few places a number can stand before a unit.
//!
//! Write the regex, at its top level (groups looked through), as
//! `LEAD CORE TRAIL`, where CORE spans its parts of unbounded length, LEAD
//! matches at most `lead` bytes and TRAIL at most `trail` bytes. Call B the
//! characters CORE can match. The core of a match (what CORE matches of
//! it) is a string of B characters, so it lies inside one maximal run of B
//! characters; it is one of the characters CORE matches alone (5, 三), or
//! at least two characters holding one of the characters every match of
//! CORE holds (a digit or a numeral: not 多 or 余 alone); and unless TRAIL
//! may be empty, the character after it, inside the run or just past it, is
//! one a TRAIL may start with. A run that can hold such a core is called
//! *possible* here; a match whose core lies in the possible run R starts in
//! `[R.start - lead, R.end)` and ends by `R.end + trail`.
//!
//! Possible runs at most `lead` bytes apart are merged into one window. A
//! window of runs `R1 … Rk` is searched from `R1.start - lead` for matches
//! starting before `Rk.end`, in the text cut one character past
//! `Rk.end + trail`:
//!
//! * A match starting at `s` in that range has its core in one of
//!   `R1 … Rk`: the core starts in `[s, s + lead]`, and any other possible
//!   run lies more than `lead` bytes before `R1` or after `Rk`. So it ends
//!   by `Rk.end + trail`, at least one character before the cut.
//! * The cut text and the whole text therefore have the same matches
//!   starting in the range (a match of the cut text has a core in a
//!   possible run too: the character after its core is the whole text's),
//!   with the same captures: they read the same characters, and the regex
//!   crate's look-arounds (`^`, `$`, `\b`) read one character on either side
//!   of their position, which the cut keeps. Of the matches at one start,
//!   leftmost-first semantics prefers the same one in both.
//! * Every match of the whole text starts in a window's range (that of its
//!   core's run), and the ranges do not overlap.
//!
//! So searching the windows in order, each from where the last match ended
//! and ignoring what is found past its range, reports the matches
//! `captures_iter` reports, in the same order. (Matches are never empty:
//! a core holds a character.)

use super::neighbours::{flatten, non_empty_start_chars};
use super::run_windows::add_chars;
use super::{char_boundary_at_or_after, prefix_literals, search_from, SearchAt};
use crate::chars::{CharFlags, PlaneBits};
use crate::normalize::Folded;
use regex_syntax::hir::{Hir, HirKind};

/// A character the core can match.
const CORE: u8 = 1;
/// A character of which every core holds one.
const REQUIRED: u8 = 2;
/// A character the core matches by itself.
const ALONE: u8 = 4;
/// A character a trail may start with.
const TRAIL_START: u8 = 8;

/// About how many characters of news text there are per window (the
/// vector of windows is reserved for that many).
const WINDOW_SPACING_GUESS: usize = 16;

/// A search call costs about as much as scanning this many bytes.
const SEARCH_CALL_BYTES: usize = 64;

pub(super) struct CoreRuns {
    /// The longest lead, in bytes.
    lead: usize,
    /// The longest trail, in bytes.
    trail: usize,
    /// The flags of the characters.
    flags: CharFlags<u8>,
    /// [`CORE`] of the characters of the Basic Multilingual Plane, one bit
    /// each: the scan for the next core character reads these 8 KB, not
    /// the 64 KB of `flags`, whose bytes for the thousands of different
    /// characters of a document's text are as many cache lines to load
    /// per document.
    core_bits: PlaneBits,
    /// The flags a character after a core must have: [`TRAIL_START`], or
    /// none when the trail may be empty or start with too many characters.
    after_core: u8,
}

impl std::fmt::Debug for CoreRuns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreRuns").field("lead", &self.lead).field("trail", &self.trail).finish_non_exhaustive()
    }
}

impl CoreRuns {
    /// The windows of a regex of the shape described in the module
    /// documentation, unless every match starts with one of a set of
    /// literals (the regex crate's prefilter then skips to them as fast).
    pub(super) fn new(hir: &Hir) -> Option<CoreRuns> {
        if prefix_literals(hir).is_some() {
            return None;
        }
        let mut parts = Vec::new();
        flatten(hir, &mut parts);
        let unbounded = |p: &&Hir| p.properties().maximum_len().is_none();
        let first = parts.iter().position(unbounded)?;
        let last = parts.iter().rposition(unbounded)?;
        let max_len = |parts: &[&Hir]| Hir::concat(parts.iter().map(|&p| p.clone()).collect()).properties().maximum_len();
        let (lead, trail) = (max_len(&parts[..first])?, max_len(&parts[last + 1..])?);
        let core = Hir::concat(parts[first..=last].iter().map(|&p| p.clone()).collect());
        let required = required_chars(&core).filter(|r| !r.is_empty())?;
        let mut flagged = Vec::new();
        add_chars(&core, &mut |c| flagged.push((c, CORE)))?;
        flagged.extend(required.into_iter().map(|c| (c, REQUIRED)));
        flagged.extend(alone_chars(&core)?.into_iter().map(|c| (c, ALONE)));
        let trail_starts = non_empty_start_chars(&parts[last + 1..]);
        let after_core = if trail_starts.is_some() { TRAIL_START } else { 0 };
        flagged.extend(trail_starts.into_iter().flatten().map(|c| (c, TRAIL_START)));
        let mut flags = CharFlags::default();
        let mut core_bits = PlaneBits::default();
        for (c, flag) in flagged {
            flags.add(c, flag);
            if let (CORE, Ok(c)) = (flag, u16::try_from(u32::from(c))) {
                core_bits.insert(c);
            }
        }
        Some(CoreRuns { lead, trail, flags, core_bits, after_core })
    }

    /// Call `each` with what `search` reports for every match, as
    /// `captures_iter` would find them.
    pub(super) fn for_each_match<'h, T>(&self, folded: &'h Folded, search: &mut SearchAt<'_, 'h, T>, each: &mut dyn FnMut(T)) {
        let text = folded.text();
        // Past this many bytes scanned (windows and calls) one search of
        // the rest of the text is cheaper.
        let budget = text.len() / 2;
        let mut scanned = 0;
        let mut from = 0;
        for (start, end) in self.windows(folded) {
            scanned += self.cost(start, end);
            if scanned > budget {
                // Exact too: `captures_iter` goes on where the last match ended.
                search_from(text, from, search, each);
                return;
            }
            from = from.max(char_boundary_at_or_after(text, start.saturating_sub(self.lead)));
            let last_end = char_boundary_at_or_after(text, end + self.trail);
            let cut = text[last_end..].chars().next().map_or(last_end, |c| last_end + c.len_utf8());
            while from < end {
                let Some((found, item)) = search(&text[..cut], from) else { break };
                // A match of a later window (or of none).
                if found.start >= end {
                    break;
                }
                from = found.end;
                each(item);
            }
        }
    }

    /// Whether `folded` is searched in windows, not whole.
    #[cfg(test)]
    pub(super) fn within_budget(&self, folded: &Folded) -> bool {
        self.windows(folded).iter().map(|&(start, end)| self.cost(start, end)).sum::<usize>() <= folded.text().len() / 2
    }

    /// What searching a window costs, in bytes scanned.
    fn cost(&self, start: usize, end: usize) -> usize {
        end - start + self.lead + self.trail + SEARCH_CALL_BYTES
    }

    /// The possible runs, merged into windows `(start, end)` in bytes, in
    /// order.
    fn windows(&self, folded: &Folded) -> Vec<(usize, usize)> {
        let chars = folded.as_chars();
        // (News text has a window every few dozen characters: sized for
        // that, the vector seldom grows.)
        let mut windows: Vec<(usize, usize)> = Vec::with_capacity(chars.len() / WINDOW_SPACING_GUESS);
        // (The runs are merged as they are found, not gathered first: one
        // vector fewer to fill and grow per document.)
        self.for_each_possible_run(chars, |start, end| {
            let (start, end) = (folded.byte_at(start), folded.byte_at(end));
            match windows.last_mut() {
                Some(last) if start <= last.1 + self.lead => last.1 = end,
                _ => windows.push((start, end)),
            }
        });
        windows
    }

    /// The maximal runs of core characters that can hold a core, as ranges
    /// of character offsets, in order.
    #[cfg(test)]
    fn possible_runs(&self, chars: &[char]) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        self.for_each_possible_run(chars, |start, end| runs.push((start, end)));
        runs
    }

    /// Calls `each` with the maximal runs of core characters that can hold
    /// a core, as ranges of character offsets, in order.
    fn for_each_possible_run(&self, chars: &[char], mut each: impl FnMut(usize, usize)) {
        // Whether the first `len` characters of a run can hold a core that
        // ends after them, given whether they hold a required character and
        // whether the last of them is a core by itself.
        let core_ends_after = |len: usize, required: bool, last_alone: bool| last_alone || (len >= 2 && required);
        let mut i = 0;
        while let Some(start) = self.next_core(chars, i) {
            let (mut required, mut last_alone, mut possible) = (false, false, false);
            i = start;
            // The run's characters, then the one after it.
            while let Some(&c) = chars.get(i) {
                let flags = self.flags_of(c);
                if !possible && i > start && flags & self.after_core == self.after_core {
                    possible = core_ends_after(i - start, required, last_alone);
                }
                if flags & CORE == 0 {
                    break;
                }
                required |= flags & REQUIRED != 0;
                last_alone = flags & ALONE != 0;
                i += 1;
            }
            // At the end of the text only an empty trail may follow a core.
            if possible || (i == chars.len() && self.after_core == 0 && core_ends_after(i - start, required, last_alone)) {
                each(start, i);
            }
        }
    }

    /// The offset of the first core character from `from` on.
    fn next_core(&self, chars: &[char], from: usize) -> Option<usize> {
        // Most characters of a text are not core characters: they are
        // skipped four at a time, with one test of their flags together.
        let (fours, _) = chars[from..].as_chunks::<4>();
        let mut at = from;
        for four in fours {
            if self.any_core(four) {
                if let Some(k) = four.iter().position(|&c| self.is_core(c)) {
                    return Some(at + k);
                }
            }
            at += 4;
        }
        chars[at..].iter().position(|&c| self.is_core(c)).map(|k| at + k)
    }

    /// Whether `c` is a core character.
    #[inline]
    fn is_core(&self, c: char) -> bool {
        match u16::try_from(u32::from(c)) {
            Ok(c) => self.is_core_in_plane(c),
            Err(_) => self.flags_past_the_plane(c) & CORE != 0,
        }
    }

    /// Whether a character of the Basic Multilingual Plane, given as its
    /// code point, is a core character.
    #[inline]
    fn is_core_in_plane(&self, c: u16) -> bool {
        self.core_bits.contains(c)
    }

    /// Whether one of four characters is a core character.
    #[inline]
    fn any_core(&self, &[a, b, c, d]: &[char; 4]) -> bool {
        // Nearly always all four are in the Basic Multilingual Plane: one
        // test tells, and their bits are then read from the table alone,
        // without a test for the plane per character.
        if (u32::from(a) | u32::from(b) | u32::from(c) | u32::from(d)) < 0x1_0000 {
            // (The four words shifted down to their bits, then one test.)
            let word = |c: char| self.core_bits.word_from(u32::from(c) as u16);
            (word(a) | word(b) | word(c) | word(d)) & 1 == 1
        } else {
            [a, b, c, d].into_iter().any(|c| self.is_core(c))
        }
    }

    #[inline]
    fn flags_of(&self, c: char) -> u8 {
        // (Characters past the Basic Multilingual Plane are rare: their
        // lookup, a hash probe, is kept out of the scan's loop, which then
        // reads the table alone.)
        if u32::from(c) < 0x1_0000 {
            self.flags.get(c)
        } else {
            self.flags_past_the_plane(c)
        }
    }

    #[cold]
    #[inline(never)]
    fn flags_past_the_plane(&self, c: char) -> u8 {
        self.flags.get(c)
    }
}

/// Characters of which every match of `hir` holds one, if known (the
/// smallest such set found: of a sequence, that of its part with the
/// fewest).
pub(super) fn required_chars(hir: &Hir) -> Option<Vec<char>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(literal) => std::str::from_utf8(&literal.0).ok()?.chars().next().map(|c| vec![c]),
        HirKind::Class(_) => {
            let mut chars = Vec::new();
            add_chars(hir, &mut |c| chars.push(c))?;
            Some(chars)
        }
        HirKind::Repetition(r) if r.min > 0 => required_chars(&r.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(c) => required_chars(&c.sub),
        HirKind::Concat(parts) => parts.iter().filter_map(required_chars).min_by_key(Vec::len),
        HirKind::Alternation(branches) => {
            let mut chars = Vec::new();
            for branch in branches {
                chars.extend(required_chars(branch)?);
            }
            Some(chars)
        }
    }
}

/// The characters `c` for which `hir` may match the one-character string
/// `c` (more, never fewer); `None` if there are too many to list.
fn alone_chars(hir: &Hir) -> Option<Vec<char>> {
    let mut chars = Vec::new();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0).ok()?;
            if text.chars().count() == 1 {
                chars.extend(text.chars());
            }
        }
        HirKind::Class(_) => add_chars(hir, &mut |c| chars.push(c))?,
        HirKind::Repetition(r) => {
            if r.max != Some(0) {
                chars = alone_chars(&r.sub)?;
            }
        }
        HirKind::Capture(c) => chars = alone_chars(&c.sub)?,
        HirKind::Concat(parts) => {
            // One character is all one part's when the others match nothing;
            // a part that cannot match the empty string must take it.
            let non_empty: Vec<&Hir> = parts.iter().filter(|p| p.properties().minimum_len() != Some(0)).collect();
            match non_empty[..] {
                [] => {
                    for part in parts {
                        chars.extend(alone_chars(part)?);
                    }
                }
                [part] => chars = alone_chars(part)?,
                _ => {}
            }
        }
        HirKind::Alternation(branches) => {
            for branch in branches {
                chars.extend(alone_chars(branch)?);
            }
        }
    }
    Some(chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Hir {
        regex_syntax::ParserBuilder::new().build().parse(source).unwrap()
    }

    fn sorted(mut chars: Vec<char>) -> String {
        chars.sort();
        chars.dedup();
        chars.into_iter().collect()
    }

    #[test]
    fn every_match_holds_a_required_character() {
        assert_eq!(required_chars(&parse("[0-9]+多?|[二三]十?|几[十百]")).map(sorted), Some("0123456789三二几".into()));
        // A part that may be left out requires nothing; the smallest set of
        // a sequence is taken.
        assert_eq!(required_chars(&parse("x?[ab]+[0-9]")).map(sorted), Some("ab".into()));
        assert_eq!(required_chars(&parse("x?|[ab]")), None);
    }

    #[test]
    fn the_characters_matched_alone_are_those_of_one_character_matches() {
        assert_eq!(alone_chars(&parse("[0-9]+多?|[一零](?:[二三])+|[二三]十?|几[十百]")).map(sorted), Some("0123456789三二".into()));
        // A part that cannot match the empty string takes the character.
        assert_eq!(alone_chars(&parse("(?:a|bc)x?y*")).map(sorted), Some("a".into()));
        assert_eq!(alone_chars(&parse("(?:a|bc)?x?y*")).map(sorted), Some("axy".into()));
    }

    #[test]
    fn a_possible_run_can_hold_a_core_followed_by_a_trail() {
        let runs = CoreRuns::new(&parse("(?:^|[^0-9])(?:[0-9]+|[一两][一两十]+|两)(?:个|人)")).unwrap();
        let possible = |text: &str| -> Vec<String> {
            let chars: Vec<char> = text.chars().collect();
            runs.possible_runs(&chars).into_iter().map(|(s, e)| chars[s..e].iter().collect()).collect()
        };
        // 一 alone is not a core; 一十 and 两 are.
        assert_eq!(possible("一个,一十个,两个,两,5人"), ["一十", "两", "5"]);
        // A core may end inside a run before a trail character that is also
        // a core character; not at the end of the text when the trail cannot
        // be empty.
        assert_eq!(possible("3一个,一一,7"), ["3一"]);
    }

    #[test]
    fn the_bits_of_the_core_characters_are_their_core_flags() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let number_unit = rules.value_rules.iter().find(|r| r.id == "values/quantity/number-unit").expect("a built-in rule");
        for source in [number_unit.regex.as_str(), "(?:^|[^0-9])(?:[0-9𠀀]+|[一两][一两十]+|两)(?:个|人)"] {
            let runs = CoreRuns::new(&parse(source)).unwrap();
            // Every character of the plane, and some past it.
            for c in (0..=0xFFFF).chain(0x1_0000..0x2_1000).filter_map(char::from_u32) {
                assert_eq!(runs.is_core(c), runs.flags_of(c) & CORE != 0, "{c:?} in {source}");
            }
        }
    }

    #[test]
    fn the_four_at_a_time_skip_finds_the_first_core_character() {
        // Core characters in and past the Basic Multilingual Plane, among
        // others in and past it, at every offset of the groups of four.
        let runs = CoreRuns::new(&parse("(?:^|[^0-9])(?:[0-9𠀀]+|[一两][一两十]+|两)(?:个|人)")).unwrap();
        let alphabet = ['a', '个', '5', '一', '十', '𠀀', '𠀁', '，', '人', '两'];
        let mut next = crate::test_random::xorshift32(0xc0de);
        for len in 0..400 {
            let chars: Vec<char> = crate::test_random::random_text(&alphabet, len % 23, &mut next);
            for from in 0..=chars.len() {
                let plain = chars[from..].iter().position(|&c| runs.flags_of(c) & CORE != 0).map(|k| from + k);
                assert_eq!(runs.next_core(&chars, from), plain, "{chars:?} from {from}");
            }
        }
    }
}
