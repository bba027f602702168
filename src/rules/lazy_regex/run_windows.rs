//! Windows for regexes of unbounded match length: the runs of the
//! characters their matches are made of.
//!
//! A value regex such as `{number}(?:{units})` matches only digits,
//! numerals, units and hedges, apart perhaps from a lead of bounded length
//! before them (the `(?:^|[^第0-9])` that stands in for a look-behind).
//! Call A the characters the rest of the regex (the tail) can match. Every
//! match then ends with its tail, a non-empty string of A characters (it
//! contains a trigger word), which lies inside one maximal run of A
//! characters; the match starts at most `lead` bytes before that run and
//! ends inside it. Only the runs that contain a trigger word and are no
//! shorter than the shortest tail can hold a tail, and of them only those
//! holding a character of each of the tail's *required sets* (sets of
//! characters of which every tail holds one: a digit or a numeral, the
//! first characters of the context words it names) can: so only they are
//! searched, as follows. (Most runs with a trigger word hold no tail:
//! 美元 without an amount, 和 without a Latin name before it. They are
//! read character by character anyway to find where they start and end,
//! and a table lookup per character tells what they hold.)
//!
//! Runs less than `lead` bytes apart are merged into one window (its start
//! range may reach into the previous run). A window `[start, end)` is
//! searched in the text cut one character past `end` (that character is
//! not in A, or `end` is the end of the text), from `start - lead` on:
//!
//! * The cut text has the same matches as the whole text among those
//!   that end by `end`, with the same captures: they read the same
//!   characters, and the regex crate's look-arounds (`^`, `$`, `\b`, in
//!   multi-line mode too) read one character on either side of their
//!   position, at most the one past `end`, which the cut keeps.
//! * The cut text has no other matches: a tail ending at the cut would end
//!   with the character past `end`, which is not in A.
//! * The whole text has no match starting in `[start - lead, end)` that
//!   ends past `end`: its tail would lie in a later run, which starts more
//!   than `lead` bytes past `end` (else it was merged), and so would the
//!   match.
//!
//! So from any position in `[start - lead, end)`, the cut text and the
//! whole text have the same leftmost match starting before `end`, and of
//! the matches at that start, leftmost-first semantics prefers the same
//! one (the same alternatives of the regex succeed, in the same order).
//! Every match of the whole text starts in a window's range, so searching
//! the windows in order, each from where the last match ended, reports the
//! matches `captures_iter` reports, in the same order. (Matches are never
//! empty, so the iterator's rule for empty matches never applies.)

use super::{char_boundary_at_or_after, search_from, starts_with_few_literals, SearchAt};
use std::ops::Range;
use aho_corasick::packed;
use super::core_runs::required_chars;
use crate::chars::{CharBits, CharFlags};
use crate::rules::trigger::requirements;
use regex_syntax::hir::{Class, Hir, HirKind};

/// A class with more characters than this (`[^第0-9]`, `\p{Han}`) puts too
/// much of a text into runs: it belongs to the lead or the regex is
/// searched whole.
const MAX_CLASS_CHARS: usize = 512;

/// A search call costs about as much as scanning this many bytes.
const SEARCH_CALL_BYTES: usize = 64;

#[derive(Debug)]
pub(super) struct RunWindows {
    /// The longest lead, in bytes.
    lead: usize,
    /// The characters the tail can match.
    tail_chars: CharBits,
    /// The shortest tail, in bytes: a shorter run holds none.
    tail_len: usize,
    /// The words every tail contains.
    clause: Vec<String>,
    /// Finds them.
    words: packed::Searcher,
    /// Bit `i` for the characters of the tail's required set `i`.
    required: CharFlags<u8>,
    /// The bits of every required set: a run whose characters' `required`
    /// bits do not make this holds no tail.
    all_required: u8,
}

impl RunWindows {
    /// The windows of a regex that is a lead of bounded length followed by
    /// a tail of few characters that requires a trigger word, if any.
    pub(super) fn new(hir: &Hir) -> Option<RunWindows> {
        let parts: &[Hir] = match hir.kind() {
            HirKind::Concat(parts) => parts,
            _ => std::slice::from_ref(hir),
        };
        // The shortest lead that leaves a tail of few characters.
        (0..parts.len()).find_map(|k| RunWindows::split(hir, &parts[..k], &parts[k..]))
    }

    /// The windows of `whole` as `lead` then `tail`, if the tail has few
    /// characters and requires a trigger word.
    fn split(whole: &Hir, lead: &[Hir], tail: &[Hir]) -> Option<RunWindows> {
        let lead = Hir::concat(lead.to_vec()).properties().maximum_len()?;
        let tail = Hir::concat(tail.to_vec());
        let tail_len = tail.properties().minimum_len()?;
        let mut tail_chars = CharBits::default();
        add_chars(&tail, &mut |c| tail_chars.insert(c))?;
        // The fewest words, the longest first on ties (a long word is rarer).
        let clause = requirements(&tail, &|_| false)
            .into_iter()
            .filter(|c| !c.is_empty())
            .min_by_key(|c| (c.len(), std::cmp::Reverse(c.iter().map(|w| w.chars().count()).min().unwrap_or(0))))?;
        // (An empty trigger word would allow an empty tail.)
        if clause.iter().any(String::is_empty) {
            return None;
        }
        // Not worth it when the regex crate skips to the literals every
        // match starts with as fast. Long literals are not enough here (unlike
        // for word windows): a list of context words (收入, 投资, …) before an
        // amount occurs far more often than its trigger words (万, 亿), and
        // the crate runs its automaton at every occurrence.
        if starts_with_few_literals(whole, clause.len()) {
            return None;
        }
        let words = trigger_searcher(&clause)?;
        let mut required = CharFlags::default();
        let sets = required_sets(&tail);
        for (i, set) in sets.iter().enumerate() {
            set.iter().for_each(|&c| required.add(c, 1 << i));
        }
        let all_required = ((1u16 << sets.len()) - 1) as u8;
        Some(RunWindows { lead, tail_chars, tail_len, clause, words, required, all_required })
    }

    /// The words every tail contains.
    pub(super) fn clause(&self) -> &[String] {
        &self.clause
    }

    /// Call `each` with what `search` reports for every match, as
    /// `captures_iter` would find them. `known` are the occurrences of the
    /// trigger words, if known; else the text is searched for them.
    pub(super) fn for_each_match<'h, T>(&self, text: &'h str, known: Option<Vec<Range<usize>>>, search: &mut SearchAt<'_, 'h, T>, each: &mut dyn FnMut(T)) {
        // Past this many bytes scanned (runs, leads and calls) one search
        // of the rest of the text is cheaper.
        let budget = text.len() / 2;
        let mut scanned = 0;
        let mut from = 0;
        for (start, end) in self.windows(text, known) {
            scanned += self.cost(start, end);
            if scanned > budget {
                // Exact too: `captures_iter` goes on where the last match ended.
                search_from(text, from, search, each);
                return;
            }
            from = from.max(char_boundary_at_or_after(text, start.saturating_sub(self.lead)));
            let cut = text[end..].chars().next().map_or(end, |c| end + c.len_utf8());
            while from < end {
                let Some((found, item)) = search(&text[..cut], from) else { break };
                from = found.end;
                each(item);
            }
        }
    }

    /// What searching a window costs, in bytes scanned.
    fn cost(&self, start: usize, end: usize) -> usize {
        end - start + self.lead + SEARCH_CALL_BYTES
    }

    /// Whether `text` is searched in windows, not whole.
    #[cfg(test)]
    pub(super) fn within_budget(&self, text: &str) -> bool {
        self.windows(text, None).map(|(start, end)| self.cost(start, end)).sum::<usize>() <= text.len() / 2
    }

    /// The merged windows `(start, end)` of the runs with a trigger word,
    /// in order.
    fn windows<'t>(&'t self, text: &'t str, known: Option<Vec<Range<usize>>>) -> impl Iterator<Item = (usize, usize)> + 't {
        let mut runs = self.triggered_runs(text, known).peekable();
        std::iter::from_fn(move || {
            let (start, mut end) = runs.next()?;
            while let Some(&(next_start, next_end)) = runs.peek() {
                if next_start > end + self.lead {
                    break;
                }
                end = next_end;
                runs.next();
            }
            Some((start, end))
        })
    }

    /// The maximal runs of tail characters that contain a trigger word, are
    /// long enough for a tail and hold a character of each required set, in
    /// order.
    fn triggered_runs<'t>(&'t self, text: &'t str, known: Option<Vec<Range<usize>>>) -> impl Iterator<Item = (usize, usize)> + 't {
        let mut at = 0;
        let mut known = known.map(Vec::into_iter);
        // The start of the leftmost occurrence from `at` on.
        let mut next_from = move |at: usize| match &mut known {
            Some(known) => known.find(|found| found.start >= at).map(|found| found.start),
            None => self.words.find_in(text, aho_corasick::Span::from(at..text.len())).map(|found| found.start()),
        };
        std::iter::from_fn(move || loop {
            // (The words are made of tail characters: an occurrence lies
            // inside one run, and the search resumes past it.)
            let found = next_from(at)?;
            let mut held = 0;
            let mut start = found;
            for (i, c) in text[..found].char_indices().rev() {
                if !self.tail_chars.contains(c) {
                    break;
                }
                held |= self.required.get(c);
                start = i;
            }
            let mut end = text.len();
            for (i, c) in text[found..].char_indices() {
                if !self.tail_chars.contains(c) {
                    end = found + i;
                    break;
                }
                held |= self.required.get(c);
            }
            at = end;
            if end - start >= self.tail_len && held == self.all_required {
                return Some((start, end));
            }
        })
    }
}

/// At most this many required sets are kept (a bit each in a byte).
const MAX_REQUIRED_SETS: usize = 8;

/// Sets of characters of which every match of `hir` holds one (one of
/// each set), the smallest first: those of the parts of its top-level
/// sequence (groups and repetitions of at least one looked through), each
/// character of a literal a set of its own.
fn required_sets(hir: &Hir) -> Vec<Vec<char>> {
    fn walk(hir: &Hir, out: &mut Vec<Vec<char>>) {
        match hir.kind() {
            HirKind::Concat(parts) => parts.iter().for_each(|p| walk(p, out)),
            HirKind::Capture(c) => walk(&c.sub, out),
            HirKind::Repetition(r) if r.min > 0 => walk(&r.sub, out),
            HirKind::Literal(literal) => {
                out.extend(String::from_utf8_lossy(&literal.0).chars().filter(|&c| c != char::REPLACEMENT_CHARACTER).map(|c| vec![c]))
            }
            _ => out.extend(required_chars(hir)),
        }
    }
    let mut sets = Vec::new();
    walk(hir, &mut sets);
    for set in &mut sets {
        set.sort_unstable();
        set.dedup();
    }
    sets.retain(|set| !set.is_empty());
    sets.sort();
    sets.dedup();
    sets.sort_by_key(Vec::len);
    sets.truncate(MAX_REQUIRED_SETS);
    sets
}

/// A vectorized (Teddy) search for the trigger words, if their occurrences
/// can be found fast. Teddy looks for up to three leading bytes of each
/// word (as many as the shortest word has): selective for a CJK character
/// (three bytes), and for a word starting with a byte that is rare in
/// Chinese text, ASCII punctuation (`%`, `$`) or the lead byte of a symbol
/// outside the CJK blocks (`‰`, `€`); not for a shorter word starting with a
/// digit, a letter or a CJK lead byte, which are everywhere (and a digit
/// would put most of a text in runs anyway). (aho-corasick's own choice for
/// a few words is a search for their rarest bytes, ranked for English: in
/// Chinese text those bytes are everywhere.)
fn trigger_searcher(words: &[String]) -> Option<packed::Searcher> {
    let rare_start = |w: &String| w.bytes().next().is_some_and(|b| b.is_ascii_punctuation() || (0xc2..0xe3).contains(&b));
    if words.iter().any(|w| w.len() < 3) && !words.iter().all(rare_start) {
        return None;
    }
    // Leftmost-first: the leftmost occurrence after any position, which is
    // all the runs need (overlapping words do not matter).
    packed::Config::new().match_kind(packed::MatchKind::LeftmostFirst).builder().extend(words).build()
}

/// Call `add` with each character `hir` can match; `None` if there are
/// too many (a large class) or they are not text.
pub(super) fn add_chars(hir: &Hir, add: &mut dyn FnMut(char)) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => std::str::from_utf8(&literal.0).ok()?.chars().for_each(add),
        HirKind::Class(Class::Unicode(class)) => {
            if class.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum::<usize>() > MAX_CLASS_CHARS {
                return None;
            }
            class.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(add);
        }
        HirKind::Class(Class::Bytes(class)) => {
            if !class.ranges().iter().all(|r| r.end().is_ascii()) {
                return None;
            }
            class.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(|b| add(char::from(b)));
        }
        HirKind::Repetition(r) => add_chars(&r.sub, add)?,
        HirKind::Capture(c) => add_chars(&c.sub, add)?,
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().try_for_each(|p| add_chars(p, add))?,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn trigger_words_are_searched_when_their_leading_bytes_are_rare() {
        assert!(trigger_searcher(&words(&["年", "百分点"])).is_some());
        assert!(trigger_searcher(&words(&["%", "‰"])).is_some());
        // Digits, letters and a CJK lead byte as the only byte Teddy looks for.
        assert!(trigger_searcher(&words(&["0", "1", "2"])).is_none());
        assert!(trigger_searcher(&words(&["x"])).is_none());
        assert!(trigger_searcher(&words(&["%", "年"])).is_none());
    }

    fn parse(source: &str) -> Hir {
        regex_syntax::ParserBuilder::new().build().parse(source).unwrap()
    }

    /// Every match of each built-in rule (and of a few shapes of
    /// sequence) holds a character of each of its required sets.
    #[test]
    fn every_match_holds_a_character_of_each_required_set() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let shapes = [r"[0-9]+(?:美元|元)", r"(?:收入|投资)[0-9]+万?", r"(?-u:\b)[A-Z][a-z]+\s*(?:和|与)", r"(?:上|下)半年|第[一二]季度"];
        let mut sources: Vec<&str> = rules.value_rules.iter().chain(rules.entity_rules.iter()).map(|r| r.regex.as_str()).collect();
        sources.extend(shapes);
        let texts: Vec<String> = (0..400)
            .map(|k| {
                let pieces = ["3", "15", "2023", "年", "上半年", "第一季度", "收入", "投资", "万", "亿", "元", "美元", "约", "超过", "%", "Apple", "和", "与", " ", "的"];
                (0..12).map(|i| pieces[(k * 7 + i * 13 + k / 3) % pieces.len()]).collect()
            })
            .collect();
        let mut matched = 0;
        for source in sources {
            let sets = required_sets(&parse(source));
            let regex = regex::Regex::new(source).unwrap();
            for text in &texts {
                for found in regex.find_iter(text) {
                    matched += 1;
                    for set in &sets {
                        assert!(found.as_str().chars().any(|c| set.contains(&c)), "{source}: {:?} holds none of {set:?}", found.as_str());
                    }
                }
            }
        }
        assert!(matched > 100, "the texts give the rules matches to check");
    }

    #[test]
    fn the_required_sets_are_those_of_the_parts_of_a_sequence() {
        assert_eq!(required_sets(&parse(r"[0-9]+(?:美元|元)")), vec![vec!['元', '美'], ('0'..='9').collect()]);
        assert_eq!(required_sets(&parse(r"(?P<m>约?[12])年")), vec![vec!['年'], vec!['1', '2']]);
        // Optional parts and look-arounds require nothing.
        assert_eq!(required_sets(&parse(r"\b(?:约)?[0-9]*")), Vec::<Vec<char>>::new());
    }

    /// Runs with a trigger word but no character of a required set are
    /// not searched: here 美元 without an amount.
    #[test]
    fn a_run_without_a_required_character_is_no_window() {
        let runs = RunWindows::new(&parse(r"[0-9]+(?:美元|元)")).expect("searched in runs");
        let text = "说美元走强，涨到3美元，而元旦";
        let found: Vec<&str> = runs.triggered_runs(text, None).map(|(start, end)| &text[start..end]).collect();
        assert_eq!(found, ["3美元"]);
    }
}
