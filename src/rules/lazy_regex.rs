//! Rule regexes compiled on first use.
//!
//! Compiling the ~150 built-in regexes into automata was a quarter of the
//! start-up of a one-sentence run, which needs a handful of them. Loading
//! a rule file still parses every regex (syntax errors, unknown classes
//! and the trigger words come from the parse), so mistakes are reported at
//! load time; what is deferred is the automaton. The only error the parse
//! cannot see is a regex too large to compile: regexes of user rule files
//! are therefore compiled at load, and the built-in ones are compiled by
//! a test.
//!
//! [`LazyRegex::for_each_mention`] searches only near the regex's trigger
//! words when its matches are of bounded length (see [`WordWindows`]):
//! most value regexes need a rare character (日, 成, 年) and would
//! otherwise scan each document whole, and only near the occurrences
//! between characters a match may have around the word (see
//! [`Neighbours`]: 年 counts after a digit). Regexes of unbounded length made of
//! few characters (`{number}块`) are searched in the runs of those
//! characters around their trigger words (see [`RunWindows`]), and those
//! whose only part of unbounded length is made of few characters, without
//! a trigger word (`{number}{units}`), in the runs of those characters that
//! can hold that part (see [`CoreRuns`]). It asks
//! for captures only when the match alone does not tell where the mention
//! is (see [`MentionPlan`]).

mod core_runs;
mod mention;
mod neighbours;
mod run_windows;

use super::trigger::requirements;
use crate::normalize::Folded;
use core_runs::CoreRuns;
use mention::MentionPlan;
use neighbours::Neighbours;
use run_windows::RunWindows;
use regex::Regex;
use regex_syntax::hir::{Hir, HirKind};
use std::ops::Range;
use std::sync::OnceLock;

/// Size limits keep a hostile rule from blowing up memory; the regex crate
/// guarantees linear-time matching.
const SIZE_LIMIT: usize = 1 << 22;

#[derive(Debug)]
pub struct LazyRegex {
    source: String,
    /// The parse, kept for the trigger words and the group names.
    hir: Hir,
    compiled: OnceLock<Regex>,
    /// `^(?:source)`, compiled on first use (see [`LazyRegex::for_each_match_from`]).
    anchored: OnceLock<Regex>,
    /// Built on first search.
    windows: OnceLock<Windows>,
    mention: MentionPlan,
    /// The lowest and the highest character every match starts with, if
    /// every match starts with a character (no look-around before it).
    first_chars: Option<(char, char)>,
}

/// Searches a haystack from a position: the span of the leftmost match and
/// what is reported for it.
type SearchAt<'s, 'h, T> = dyn FnMut(&'h str, usize) -> Option<(Range<usize>, T)> + 's;

/// Where a regex is searched.
#[derive(Debug)]
enum Windows {
    /// Near its trigger words (matches of bounded length).
    Words(WordWindows),
    /// In the runs of its characters that hold its trigger words.
    Runs(RunWindows),
    /// In the runs of the characters of its part of unbounded length that
    /// can hold that part.
    Core(CoreRuns),
    Whole,
}

impl Windows {
    fn new(hir: &Hir) -> Windows {
        if let Some(words) = WordWindows::new(hir, most_selective_clause(hir).as_deref()) {
            Windows::Words(words)
        } else if let Some(runs) = RunWindows::new(hir) {
            Windows::Runs(runs)
        } else if let Some(words) = WordWindows::narrowed(hir) {
            Windows::Words(words)
        } else if let Some(runs) = CoreRuns::new(hir) {
            Windows::Core(runs)
        } else {
            Windows::Whole
        }
    }
}

impl LazyRegex {
    /// Parse `source` (the error text is the regex crate's).
    pub fn parse(source: &str) -> Result<LazyRegex, String> {
        let hir = regex_syntax::ParserBuilder::new().build().parse(source).map_err(|e| regex::Error::Syntax(e.to_string()).to_string())?;
        let mention = MentionPlan::new(&hir);
        let first_chars = first_chars(&hir);
        Ok(LazyRegex { source: source.to_string(), hir, compiled: OnceLock::new(), anchored: OnceLock::new(), windows: OnceLock::new(), mention, first_chars })
    }

    /// Compile now, reporting a regex too large to compile.
    pub fn compile_now(&self) -> Result<&Regex, String> {
        if let Some(r) = self.compiled.get() {
            return Ok(r);
        }
        let r = build(&self.source).map_err(|e| e.to_string())?;
        Ok(self.compiled.get_or_init(|| r))
    }

    /// How the regex is searched, worked out on first search.
    fn windows(&self) -> &Windows {
        self.windows.get_or_init(|| Windows::new(&self.hir))
    }

    /// Call `each` with the span of the mention of every match in the
    /// folded text, in order: group `m` (matches without it are skipped),
    /// else the whole match, as `captures_iter` gives them, but only the
    /// parts of the text near the regex's trigger words (or in the runs of
    /// [`CoreRuns`]) are scanned when that is exact (see [`WordWindows`]
    /// and [`RunWindows`]). `words`, if given,
    /// are the occurrences of [`LazyRegex::window_words`] in the text, in
    /// order of start (found by the scan that tells which regexes may
    /// match it): the windows are read off them instead of searching the
    /// text for the words again.
    pub fn for_each_mention(&self, folded: &Folded, words: Option<Vec<Range<usize>>>, mut each: impl FnMut(Range<usize>)) {
        let text = folded.text();
        let regex: &Regex = self;
        let mut search = |haystack: &str, from: usize| self.mention.search_at(regex, haystack, from);
        let mut each = |mention: Option<Range<usize>>| mention.into_iter().for_each(&mut each);
        match self.windows() {
            Windows::Words(windows) => windows.for_each_match(text, words, &mut search, &mut each),
            Windows::Runs(windows) => windows.for_each_match(text, words, &mut search, &mut each),
            Windows::Core(windows) => windows.for_each_match(folded, &mut search, &mut each),
            // (The iterator's rule for empty matches applies here.)
            Windows::Whole => match self.mention {
                MentionPlan::Captures => regex.captures_iter(text).for_each(|c| each(c.name("m").map(|m| m.range()))),
                _ => regex.find_iter(text).for_each(|found| each(self.mention.mention(regex, text, found.range()))),
            },
        }
    }

    /// The lowest and the highest character a match can start with, if
    /// every match starts by taking a character, with no look-around before
    /// it: then [`LazyRegex::for_each_match_from`] can find the matches.
    pub fn first_chars(&self) -> Option<(char, char)> {
        self.first_chars
    }

    /// Call `each` with the start, the length and what `search` reports of
    /// every match in `text`, in the order `find_iter` finds them, given
    /// `starts`, in increasing order, among which is the start of every
    /// match: for a regex whose [`LazyRegex::first_chars`] are known.
    /// `search` is given the regex anchored at the start of its haystack
    /// and the text from a start on, and returns the length of the match
    /// there, if any, and what to report of it.
    ///
    /// Each start is tried with the regex anchored there (`^(?:source)` on
    /// the text from the start on): a match found so reads the same
    /// characters and looks at none before the start (its first step takes
    /// a character), and leftmost-first prefers the same match at a start,
    /// so the first start with a match is where the leftmost match starts.
    /// An anchored search needs no reverse scan of the match to find where
    /// it starts and no unanchored scan of the text before it: it walks the
    /// few states of the anchored automaton from each start, where the
    /// plain search walked the unanchored automaton over the whole text,
    /// then the reverse one over each match (tables whose rows are cache
    /// lines loaded anew for each document). Matches are never empty, so
    /// the next is searched for from where the last one ends.
    pub fn for_each_match_from<'h, T>(
        &self,
        text: &'h str,
        starts: impl Iterator<Item = usize>,
        mut search: impl FnMut(&Regex, &'h str) -> Option<(usize, T)>,
        mut each: impl FnMut(usize, usize, T),
    ) {
        debug_assert!(self.first_chars.is_some(), "{} may not start with a character", self.source);
        let anchored = self.anchored();
        let mut from = 0;
        for start in starts {
            if start < from {
                continue;
            }
            if let Some((len, item)) = search(anchored, &text[start..]) {
                from = start + len;
                each(start, len, item);
            }
        }
    }

    /// The regex anchored at the start of the haystack, compiled on first
    /// use.
    fn anchored(&self) -> &Regex {
        self.anchored.get_or_init(|| {
            build(&format!("^(?:{})", self.source)).unwrap_or_else(|e| panic!("rule regex {:?} does not compile anchored: {e}", self.source))
        })
    }

    /// The words the windows of the regex are found from (every match
    /// contains one), if it is searched in windows.
    pub fn window_words(&self) -> Option<&[String]> {
        match self.windows() {
            Windows::Words(windows) => Some(&windows.clause),
            Windows::Runs(windows) => Some(windows.clause()),
            Windows::Core(_) | Windows::Whole => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn hir(&self) -> &Hir {
        &self.hir
    }

    /// The names of the regex's named groups.
    pub fn group_names(&self) -> Vec<String> {
        fn walk(hir: &Hir, out: &mut Vec<String>) {
            match hir.kind() {
                HirKind::Capture(c) => {
                    if let Some(name) = &c.name {
                        out.push(name.to_string());
                    }
                    walk(&c.sub, out);
                }
                HirKind::Repetition(r) => walk(&r.sub, out),
                HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().for_each(|p| walk(p, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.hir, &mut out);
        out
    }
}

/// Whether every match starts with one of a set of literals that the regex
/// crate's own prefilter skips to as fast as the windows would: literals of
/// three bytes or more (a CJK character, a Latin word; digits and single
/// letters are too common), or no more of them than the trigger words.
pub(super) fn starts_with_good_literals(hir: &Hir, trigger_words: usize) -> bool {
    prefix_literals(hir).is_some_and(|literals| literals.len() <= trigger_words || literals.iter().all(|l| l.as_bytes().len() >= 3))
}

/// Whether every match starts with one of no more literals than there are
/// trigger words: the regex crate's prefilter then stops about as often as
/// a search for the trigger words would.
pub(super) fn starts_with_few_literals(hir: &Hir, trigger_words: usize) -> bool {
    prefix_literals(hir).is_some_and(|literals| literals.len() <= trigger_words)
}

/// The literals every match starts with, if there is such a (non-empty) set.
fn prefix_literals(hir: &Hir) -> Option<Vec<regex_syntax::hir::literal::Literal>> {
    let prefixes = regex_syntax::hir::literal::Extractor::new().extract(hir);
    prefixes.literals().filter(|literals| !literals.is_empty()).map(<[_]>::to_vec)
}

/// The clause of trigger words with the fewest words, the longest first on
/// ties (a long word is rarer).
fn most_selective_clause(hir: &Hir) -> Option<Vec<String>> {
    requirements(hir, &|_| false).into_iter().min_by_key(|c| selectivity(c))
}

/// Orders clauses from the most selective: the fewest words, the longest
/// first on ties (a long word is rarer).
fn selectivity(clause: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    (clause.len(), std::cmp::Reverse(clause.iter().map(|w| w.chars().count()).min().unwrap_or(0)))
}

/// The lowest and the highest character every match of `hir` starts with,
/// if every match starts by taking a character, with no look-around before
/// it.
fn first_chars(hir: &Hir) -> Option<(char, char)> {
    use regex_syntax::hir::Class;
    match hir.kind() {
        HirKind::Literal(literal) => std::str::from_utf8(&literal.0).ok()?.chars().next().map(|c| (c, c)),
        HirKind::Class(Class::Unicode(class)) => Some((class.ranges().first()?.start(), class.ranges().last()?.end())),
        HirKind::Capture(c) => first_chars(&c.sub),
        HirKind::Repetition(r) if r.min > 0 => first_chars(&r.sub),
        HirKind::Concat(parts) => first_chars(parts.first()?),
        HirKind::Alternation(branches) => {
            branches.iter().map(first_chars).try_fold(None, |hull: Option<(char, char)>, b| {
                let (low, high) = b?;
                Some(Some(hull.map_or((low, high), |(l, h)| (l.min(low), h.max(high)))))
            })?
        }
        HirKind::Empty | HirKind::Look(_) | HirKind::Repetition(_) | HirKind::Class(Class::Bytes(_)) => None,
    }
}

fn build(source: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(source).size_limit(SIZE_LIMIT).dfa_size_limit(SIZE_LIMIT).build()
}

impl std::ops::Deref for LazyRegex {
    type Target = Regex;

    /// The compiled regex. Regexes that could fail to compile were compiled
    /// at load ([`LazyRegex::compile_now`]), so this does not fail.
    fn deref(&self) -> &Regex {
        self.compiled.get_or_init(|| build(&self.source).unwrap_or_else(|e| panic!("rule regex {:?} does not compile: {e}", self.source)))
    }
}

/// The spans a regex can match in: near the occurrences of its trigger
/// words.
///
/// A regex of bounded match length `L` whose every match contains one word
/// of a clause can only start within `L` bytes before such a word. Scanning
/// just those windows, instead of the whole text, gives the same matches
/// when each search is cut off more than `L` bytes past the last start it
/// may report: every match starting up to there then lies inside the cut
/// text (and so do the look-arounds deciding it), and a match starting
/// later is left to the next window.
#[derive(Debug)]
struct WordWindows {
    /// The longest match, in bytes.
    max_len: usize,
    /// The words of which every match contains one.
    clause: Vec<String>,
    /// Words whose occurrences cannot overlap, so that the leftmost search
    /// (which has fast prefilters) finds them all.
    words: aho_corasick::AhoCorasick,
    /// Whether `words` are the clause itself (not the first characters of
    /// its words).
    words_are_clause: bool,
    /// The characters that may stand around the occurrence a match needs,
    /// if known: windows around other occurrences are left out.
    neighbours: Option<Neighbours>,
}

/// Past this match length the windows around common words cover most of a
/// text: scanning it whole is as cheap.
const MAX_WINDOWED_LEN: usize = 240;

impl WordWindows {
    /// The windows of a regex that cannot match the empty string, has a
    /// bounded match length and requires a word of `clause`.
    fn new(hir: &Hir, clause: Option<&[String]>) -> Option<WordWindows> {
        let clause = clause?;
        if starts_with_good_literals(hir, clause.len()) {
            return None;
        }
        WordWindows::of_clause(hir, clause)
    }

    /// The windows of a regex around the words of its most selective
    /// clause whose occurrences [`Neighbours`] narrows, if any, for a regex
    /// that would be searched whole: its windows are then few even when
    /// the literals the regex crate's prefilter stops at are not (quotes
    /// are common, but rarely right before 项目 or 活动).
    fn narrowed(hir: &Hir) -> Option<WordWindows> {
        let mut clauses = requirements(hir, &|_| false);
        clauses.sort_by_key(|c| selectivity(c));
        clauses.iter().filter(|c| Neighbours::new(hir, c).is_some()).find_map(|c| WordWindows::of_clause(hir, c))
    }

    /// The windows around the words of `clause`, if the regex cannot match
    /// the empty string and has a bounded match length.
    fn of_clause(hir: &Hir, clause: &[String]) -> Option<WordWindows> {
        let properties = hir.properties();
        let max_len = properties.maximum_len().filter(|&n| n <= MAX_WINDOWED_LEN)?;
        if clause.is_empty() || !properties.minimum_len().is_some_and(|n| n > 0) {
            return None;
        }
        let overlap_free = overlap_free_words(clause);
        let words_are_clause = overlap_free == clause;
        let words = aho_corasick::AhoCorasick::builder().match_kind(aho_corasick::MatchKind::LeftmostFirst).build(overlap_free).ok()?;
        let neighbours = Neighbours::new(hir, clause);
        Some(WordWindows { max_len, clause: clause.to_vec(), words, words_are_clause, neighbours })
    }

    /// The byte ranges where matches may start, merged, in order; `None`
    /// when scanning them would cost more than scanning the whole text.
    /// `known` are the occurrences of the clause's words, if known; else
    /// the text is searched for them. (The overlap-free words start where
    /// the clause's words do, so [`Neighbours`] judges their starts alike.)
    fn start_ranges(&self, text: &str, known: Option<Vec<Range<usize>>>) -> Option<Vec<(usize, usize)>> {
        let needed = |found: &Range<usize>, ends_known: bool| self.neighbours.as_ref().is_none_or(|n| n.admit(text, found, ends_known));
        match known {
            Some(known) => self.start_ranges_of(text, known.into_iter().filter(|found| needed(found, true))),
            None => {
                let found = self.words.find_iter(text).map(|found| found.range());
                self.start_ranges_of(text, found.filter(|found| needed(found, self.words_are_clause)))
            }
        }
    }

    /// [`WordWindows::start_ranges`] of some occurrences, in order of start,
    /// that include an occurrence of a clause word in every match (that of
    /// the overlap-free words the text is otherwise searched for too).
    fn start_ranges_of(&self, text: &str, occurrences: impl Iterator<Item = Range<usize>>) -> Option<Vec<(usize, usize)>> {
        let budget = text.len() / 2;
        let mut scanned = 0;
        // Occurrences come in order of start, so `last` only grows.
        let mut reach = 0;
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for found in occurrences {
            let (first, last) = (found.end.saturating_sub(self.max_len), found.start);
            // Each window scans its starts and one match length past them.
            scanned += last + 1 - first.max(reach).min(last + 1) + if first > reach { self.max_len } else { 0 };
            if scanned > budget {
                return None;
            }
            reach = reach.max(last + 1);
            ranges.push((first, last));
        }
        ranges.sort_unstable();
        ranges.dedup_by(|next, prev| {
            let joins = next.0 <= prev.1 + 1;
            if joins {
                prev.1 = prev.1.max(next.1);
            }
            joins
        });
        Some(ranges)
    }

    /// Call `each` with what `search` reports for every match, as
    /// `captures_iter` would find them.
    fn for_each_match<'h, T>(&self, text: &'h str, known: Option<Vec<Range<usize>>>, search: &mut SearchAt<'_, 'h, T>, each: &mut dyn FnMut(T)) {
        let Some(ranges) = self.start_ranges(text, known) else {
            search_from(text, 0, search, each);
            return;
        };
        let mut from = 0;
        for (first, last) in ranges {
            from = from.max(first);
            while from <= last {
                let cut = char_boundary_at_or_after(text, last + self.max_len + 1);
                let Some((found, item)) = search(&text[..cut], from) else { break };
                // A later start may be cut short here: the next window finds it.
                if found.start > last {
                    break;
                }
                from = found.end;
                each(item);
            }
        }
    }
}

/// Every match from `from` on, as `captures_iter` finds them when matches
/// are never empty.
fn search_from<'h, T>(text: &'h str, mut from: usize, search: &mut SearchAt<'_, 'h, T>, each: &mut dyn FnMut(T)) {
    while let Some((found, item)) = search(text, from) {
        from = found.end;
        each(item);
    }
}

/// Words of which every match contains one, no two of whose occurrences
/// can overlap: the clause itself if so, else the first characters of its
/// words (a match containing a word contains its first character; single
/// characters never overlap).
fn overlap_free_words(clause: &[String]) -> Vec<String> {
    if cannot_overlap(clause) {
        return clause.to_vec();
    }
    let mut firsts: Vec<String> = clause.iter().filter_map(|w| w.chars().next()).map(String::from).collect();
    firsts.sort();
    firsts.dedup();
    firsts
}

/// Whether no occurrence of a word can overlap another occurrence (of the
/// same word or another): no word contains another, and no word ends with
/// the start of one.
fn cannot_overlap(words: &[String]) -> bool {
    let words: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    words.iter().all(|a| {
        words.iter().all(|b| {
            let contains = a != b && !b.is_empty() && a.windows(b.len()).any(|part| part == *b);
            let overlaps = (1..a.len().min(b.len())).any(|k| a.ends_with(&b[..k]));
            !contains && !overlaps
        })
    })
}

pub(super) fn char_boundary_at_or_after(text: &str, at: usize) -> usize {
    (at..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Captures;

    /// Every group of every match, as captures_iter reports them.
    fn all_groups<'h>(matches: impl IntoIterator<Item = Captures<'h>>) -> Vec<Vec<Option<(usize, usize)>>> {
        matches.into_iter().map(|c| c.iter().map(|g| g.map(|m| (m.start(), m.end()))).collect()).collect()
    }

    /// The captures of every match found in the regex's windows.
    fn windowed_captures<'h>(regex: &LazyRegex, folded: &'h Folded) -> Vec<Captures<'h>> {
        let text = folded.text();
        let compiled: &Regex = regex;
        let mut search = |haystack: &'h str, from: usize| compiled.captures_at(haystack, from).map(|c| (c.get(0).expect("group 0 is the match").range(), c));
        let mut found = Vec::new();
        let mut each = |c| found.push(c);
        match regex.windows() {
            Windows::Words(windows) => windows.for_each_match(text, None, &mut search, &mut each),
            Windows::Runs(windows) => windows.for_each_match(text, None, &mut search, &mut each),
            Windows::Core(windows) => windows.for_each_match(folded, &mut search, &mut each),
            Windows::Whole => compiled.captures_iter(text).for_each(each),
        }
        found
    }

    /// The mention of every match as `captures_iter` gives it: group `m`,
    /// else the whole match.
    fn mentions_of_captures_iter(regex: &LazyRegex, text: &str) -> Vec<Range<usize>> {
        let has_m = regex.group_names().iter().any(|n| n == "m");
        regex.captures_iter(text).filter_map(|c| if has_m { c.name("m") } else { c.get(0) }).map(|m| m.range()).collect()
    }

    /// The occurrences of the regex's window words in `text`, as the
    /// document's trigger scan notes them.
    fn occurrences_of_window_words(regex: &LazyRegex, text: &str) -> Option<Vec<Range<usize>>> {
        let mut triggers = crate::rules::trigger::Triggers::new(&[requirements(regex.hir(), &|_| false)]);
        triggers.record(0, regex.window_words()?);
        let chars: Vec<char> = text.chars().collect();
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        triggers.occurrences_in_chars(&chars, |i| starts[i]).1.of(0)
    }

    /// The windows find the groups `captures_iter` finds, and
    /// `for_each_mention` the mentions, whether it searches the text for
    /// the window words or is given their occurrences.
    fn assert_same_as_captures_iter(regex: &LazyRegex, text: &str) {
        let folded = Folded::new(text);
        let text = folded.text();
        assert_eq!(all_groups(windowed_captures(regex, &folded)), all_groups(regex.captures_iter(text)), "{}", regex.as_str());
        let expected = mentions_of_captures_iter(regex, text);
        let mut mentions = Vec::new();
        regex.for_each_mention(&folded, None, |m| mentions.push(m));
        assert_eq!(mentions, expected, "{}", regex.as_str());
        let mut mentions = Vec::new();
        regex.for_each_mention(&folded, occurrences_of_window_words(regex, text), |m| mentions.push(m));
        assert_eq!(mentions, expected, "{} given the occurrences of its window words", regex.as_str());
    }

    /// Long texts where the trigger characters are rare, so the windows
    /// (and not the whole-text fallback) are used.
    fn texts() -> Vec<String> {
        let common = ['的', 'a', ' ', '1', '2', '新', 'B'];
        let rare = ['年', '日', '月', '多', '9', '0', '\n', '·', '第', '%', '‰'];
        let mut next = crate::test_random::xorshift32(0x2545_f491);
        (0..40)
            .map(|_| {
                (0..3000)
                    .map(|_| {
                        let r = next();
                        if r % 16 == 0 { rare[(r / 16) as usize % rare.len()] } else { common[(r / 16) as usize % common.len()] }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn run_windowed_search_finds_what_captures_iter_finds() {
        let regexes = [
            // A one-character lead standing in for a look-behind.
            r"(?:^|[^第0-9])(?P<m>[0-9]+多?年+)",
            // A lead of up to three characters (merges nearby runs).
            r"(?:[^0-9年]{1,3}|^)(?P<m>[0-9]+年[0-9]*)",
            // Anchors and boundaries decided by the character after a run.
            r"(?m)[0-9]+(?:年|月)[0-9]*$",
            r"[0-9]+年\z",
            r"\b[0-9]+(?P<u>年|月日)\b",
            // Groups inside the match; leftmost-first preference.
            r"(?P<a>[0-2]+)(?P<b>[90]*)(?:月|年多)",
            r"([12]+|[12]+年)多?日",
            r"(?:第)?[0-9]*?年{1,2}?[0-9]+",
            // Trigger words of one ASCII symbol or a non-CJK symbol.
            r"(?:约|多)?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?\s?[%‰]",
            // Long literals every match starts with, more of them than
            // trigger words.
            r"(?:第月|月第|·第)(?:月)?(?P<m>[0-9]+多?年)",
        ];
        assert_windowed_search_exact(&regexes, |regex, text| match regex.windows() {
            Windows::Runs(runs) => runs.within_budget(text),
            _ => panic!("{} is not searched in runs", regex.as_str()),
        });
    }

    /// Each regex finds what captures_iter finds in [`texts`], and is
    /// searched in windows (`windowed`) in at least one of them.
    fn assert_windowed_search_exact(regexes: &[&str], windowed: impl Fn(&LazyRegex, &str) -> bool) {
        assert_windowed_search_exact_in(regexes, &texts(), windowed)
    }

    fn assert_windowed_search_exact_in(regexes: &[&str], texts: &[String], windowed: impl Fn(&LazyRegex, &str) -> bool) {
        for source in regexes {
            let regex = LazyRegex::parse(source).unwrap();
            let mut windowed_somewhere = false;
            for text in texts {
                assert_same_as_captures_iter(&regex, text);
                windowed_somewhere |= windowed(&regex, text);
            }
            assert!(windowed_somewhere, "{source} was never searched in windows");
        }
    }

    #[test]
    fn windowed_search_of_the_built_in_rules_finds_what_captures_iter_finds() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let seed = crate::normalize::Folded::new(include_str!("../../fixtures/yunqi.txt")).text().to_string();
        // Paragraphs alone as well: short texts, rules at their edges.
        let texts: Vec<&str> = std::iter::once(seed.as_str()).chain(seed.split('\n')).collect();
        for rule in rules.value_rules.iter().chain(rules.entity_rules.iter()) {
            texts.iter().for_each(|text| assert_same_as_captures_iter(&rule.regex, text));
        }
    }

    /// Short texts of the characters value rules are made of, so that
    /// matches often start at the start of a text or end at its end.
    fn value_like_texts() -> Vec<String> {
        let pieces = [
            "0", "1", "2", "5", "9", ".", ",", "%", "/", "第", "年", "多", "万", "亿", "元", "人", "个", "家", "约", "近", "超", "成", "折", "打",
            "日", "月", "大", "的", "时间", "来", "以来", "A", "x", " ", "\n", "一", "二", "十", "两", "百分点", "分之", "块", "美元", "收入", "公司",
            "《", "》", "来源", "：", "·", "米", "吨", "周", "以上", "优惠", "在", "北京", "Bob", "，", "。",
        ];
        let mut random = crate::test_random::xorshift32(0x9e37_79b9);
        let mut next = move || random() as usize;
        (0..3000).map(|_| (0..1 + next() % 24).map(|_| pieces[next() % pieces.len()]).collect()).collect()
    }

    #[test]
    fn mentions_of_the_built_in_rules_are_those_of_captures_iter() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let texts = value_like_texts();
        for rule in rules.value_rules.iter().chain(rules.entity_rules.iter()) {
            texts.iter().for_each(|text| assert_same_as_captures_iter(&rule.regex, text));
        }
    }

    /// Long texts of filler with value-like pieces here and there, so
    /// that [`CoreRuns`] windows (not the whole-text fallback) are used.
    fn core_texts() -> Vec<String> {
        let filler = ["的", "新", "公司", "在", "a", " ", "，", "。", "上海", "多", "数据", "一"];
        let pieces = [
            "0", "1", "25", "9", ".", ",", "第", "多", "万", "亿", "个", "人", "家", "约", "超过", "以上", "一", "二", "十", "两", "几", "上", "百", "城市",
            "个城市", "年", "\n", "\n", "3", "x", "米",
        ];
        let mut random = crate::test_random::xorshift32(0x1234_5679);
        let mut next = move || random() as usize;
        (0..60)
            .map(|_| (0..1500).map(|_| if next().is_multiple_of(6) { pieces[next() % pieces.len()] } else { filler[next() % filler.len()] }).collect())
            .collect()
    }

    #[test]
    fn core_run_search_finds_what_captures_iter_finds() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let number_unit = rules.value_rules.iter().find(|r| r.id == "values/quantity/number-unit").expect("a built-in rule");
        // (Units with a one-letter word, `x`: trigger words the runs of
        // `RunWindows` cannot be found from; leads of a large class, which
        // the regex crate has no prefilter for.)
        let regexes = [
            number_unit.regex.as_str(),
            // A lead of hedges; cores of one character or of two or more.
            r"(?:^|[^第0-9])(?P<m>(?:约|超过)?(?:[0-9]+(?:\.[0-9]+)?多?|[一两][一二十]+|[二三十]多?)(?:个|人|家|万人|x)(?:以上)?)",
            // Trails that may be empty; anchors and boundaries around a core.
            r"(?:^|[^0-9])[0-9]+(?:多|万)?人?",
            r"(?m)(?:^|[^0-9])[二三十x]+(?:个|家)?$",
            r"[^0-9]?\b[0-9]+[,.]?[0-9]*(?:家|个|x)",
            // A core that may end where a trail starts with a core character.
            r"(?:^|[^0-9])[0-9]+[万亿]?(?:万人|亿元|个|x)",
        ];
        assert_windowed_search_exact_in(&regexes, &core_texts(), |regex, text| match regex.windows() {
            Windows::Core(runs) => runs.within_budget(&Folded::new(text)),
            _ => panic!("{} is not searched in core runs", regex.as_str()),
        });
    }

    #[test]
    fn windowed_search_finds_what_captures_iter_finds() {
        let regexes = [
            r"(?:^|[^0-9月])(?P<m>(?:3[01]|[12][0-9]|0?[1-9])日)(?:[^游元内]|$)",
            r"(?:^|[^0-9.])(?P<m>[0-9]{1,2}多?年(?:多)?)(?:的|a|$)",
            r"(?P<m>[0-9a]{1,3}(?:年年|年度|度日))\b",
            r"(?m)[0-9]{1,2}(?:年|月)$",
            r"[^0-9月年]{1,4}·[aB]{2,5}",
            r"(?:^|[^第])(?P<m>[12]{1,8}日)",
            // Windows only around the characters that may stand around 年
            // in a match (see `Neighbours`), which a lead may match too.
            r"(?:第|[^2])?(?:[12]|9多)(?:\b|多)年[0-9]{0,3}",
            r"(?:^|[^1])(?P<m>[0-9]{1,2}年(?:多)?)(?:a|的|新年)",
            // Searched whole but for the neighbours of 年 and 日 (the
            // prefilter would stop at every 第).
            r"[“第](?P<m>[\p{Han}a]{1,4}?)[年日](?:多)?(?:月|日)",
        ];
        assert_windowed_search_exact(&regexes, |regex, text| {
            matches!(regex.windows(), Windows::Words(w) if w.start_ranges(text, None).is_some())
        });
    }
}

