//! Which occurrences of its trigger words a windowed regex can use: those
//! after a character that may stand just before the word in a match, and
//! before one that may stand just after it.
//!
//! Many value regexes are searched near a common character (年, 成, 大,
//! 日) that counts only after a number (`[0-9]{1,2}多?年`, `[二三四五六七八九十]大`)
//! or before certain words (`年(?:时间|来|以来)`): in news text most
//! occurrences have other neighbours, and each window around one costs a
//! regex search. When the regex is, at its top level (groups looked
//! through), a sequence `HEAD PART TAIL` in which every match of `PART`
//! starts with a word of the window clause and every match of `HEAD` is
//! non-empty and ends with one of a small set of characters, every match
//! contains an occurrence of a clause word right after such a character:
//! the one `PART` starts with. When every match of `PART` is a clause word,
//! that occurrence is also right before a character a match of a non-empty
//! `TAIL` may start with. The windows of the other occurrences can be left
//! out, as no match needs them.

use crate::chars::CharBits;
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Class, Hir, HirKind};

/// A class with more characters than this is not worth listing (almost any
/// character may then stand next to the word).
const MAX_CLASS_CHARS: usize = 512;

#[derive(Debug)]
pub(super) struct Neighbours {
    /// The characters a match may have just before its clause word, if few.
    before: Option<CharBits>,
    /// The characters a match may have just after it, if few.
    after: Option<CharBits>,
}

impl Neighbours {
    /// The neighbours of the clause word in every match of `hir`, if the
    /// regex has the shape described in the module documentation.
    pub(super) fn new(hir: &Hir, clause: &[String]) -> Option<Neighbours> {
        let mut parts = Vec::new();
        flatten(hir, &mut parts);
        (0..parts.len())
            .map(|k| {
                let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(parts[k]);
                let before = starts_with_a_word_of(&prefixes, clause).then(|| non_empty_end(&parts[..k], End::Last)).flatten();
                let after = is_a_word_of(&prefixes, clause).then(|| non_empty_end(&parts[k + 1..], End::First)).flatten();
                Neighbours { before, after }
            })
            .find(|n| n.before.is_some() || n.after.is_some())
    }

    /// Whether an occurrence of a clause word at `word` in `text` may be the
    /// one a match has as (the start of) its `PART`. `ends_known`: whether
    /// `word` ends where the clause word does (else only its start is
    /// judged).
    pub(super) fn admit(&self, text: &str, word: &std::ops::Range<usize>, ends_known: bool) -> bool {
        let fits = |chars: &Option<CharBits>, c: Option<char>| chars.as_ref().is_none_or(|chars| c.is_some_and(|c| chars.contains(c)));
        fits(&self.before, text[..word.start].chars().next_back()) && (!ends_known || fits(&self.after, text[word.end..].chars().next()))
    }
}

/// Which end of a match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    First,
    Last,
}

/// The characters a match of the sequence `parts` may have at its `end`,
/// if they are few and the sequence is never empty.
fn non_empty_end(parts: &[&Hir], end: End) -> Option<CharBits> {
    let mut chars = CharBits::default();
    let may_be_empty = sequence_end_chars(parts, end, &mut |c| chars.insert(c))?;
    (!may_be_empty).then_some(chars)
}

/// The characters a match of the sequence `parts` may start with, if they
/// are few and the sequence is never empty.
pub(super) fn non_empty_start_chars(parts: &[&Hir]) -> Option<Vec<char>> {
    let mut chars = Vec::new();
    let may_be_empty = sequence_end_chars(parts, End::First, &mut |c| chars.push(c))?;
    (!may_be_empty).then_some(chars)
}

/// The parts of the top-level sequence of `hir`, through groups and nested
/// sequences.
pub(super) fn flatten<'h>(hir: &'h Hir, parts: &mut Vec<&'h Hir>) {
    match hir.kind() {
        HirKind::Concat(subs) => subs.iter().for_each(|s| flatten(s, parts)),
        HirKind::Capture(c) => flatten(&c.sub, parts),
        _ => parts.push(hir),
    }
}

/// Whether every match of a part with these prefixes starts with a word
/// of `clause`.
fn starts_with_a_word_of(prefixes: &Seq, clause: &[String]) -> bool {
    prefixes.literals().is_some_and(|literals| {
        !literals.is_empty() && literals.iter().all(|l| clause.iter().any(|w| l.as_bytes().starts_with(w.as_bytes())))
    })
}

/// Whether every match of a part with these prefixes is a word of `clause`.
fn is_a_word_of(prefixes: &Seq, clause: &[String]) -> bool {
    prefixes.literals().is_some_and(|literals| {
        !literals.is_empty() && literals.iter().all(|l| l.is_exact() && clause.iter().any(|w| l.as_bytes() == w.as_bytes()))
    })
}

/// Call `add` with the characters a match of the sequence `parts` may have
/// at its `end`; whether it may be empty (then the character there is
/// one outside it). `None` if there are too many characters or they are
/// not text.
fn sequence_end_chars(parts: &[&Hir], end: End, add: &mut dyn FnMut(char)) -> Option<bool> {
    let ordered: Box<dyn Iterator<Item = &&Hir>> = match end {
        End::First => Box::new(parts.iter()),
        End::Last => Box::new(parts.iter().rev()),
    };
    for part in ordered {
        if !end_chars(part, end, add)? {
            return Some(false);
        }
    }
    Some(true)
}

/// [`sequence_end_chars`] of one regex.
fn end_chars(hir: &Hir, end: End, add: &mut dyn FnMut(char)) -> Option<bool> {
    match hir.kind() {
        // (Look-arounds match no character.)
        HirKind::Empty | HirKind::Look(_) => Some(true),
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0).ok()?;
            match if end == End::First { text.chars().next() } else { text.chars().next_back() } {
                Some(c) => {
                    add(c);
                    Some(false)
                }
                None => Some(true),
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            if class.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum::<usize>() > MAX_CLASS_CHARS {
                return None;
            }
            class.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(&mut *add);
            Some(false)
        }
        HirKind::Class(Class::Bytes(class)) => {
            if !class.ranges().iter().all(|r| r.end().is_ascii()) {
                return None;
            }
            class.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(|b| add(char::from(b)));
            Some(false)
        }
        HirKind::Repetition(r) => Some(end_chars(&r.sub, end, add)? || r.min == 0),
        HirKind::Capture(c) => end_chars(&c.sub, end, add),
        HirKind::Concat(parts) => sequence_end_chars(&parts.iter().collect::<Vec<_>>(), end, add),
        HirKind::Alternation(branches) => {
            let mut may_be_empty = false;
            for b in branches {
                may_be_empty |= end_chars(b, end, add)?;
            }
            Some(may_be_empty)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neighbours(source: &str, clause: &[&str]) -> Option<Neighbours> {
        let hir = regex_syntax::ParserBuilder::new().build().parse(source).unwrap();
        Neighbours::new(&hir, &clause.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    /// The starts of the occurrences of `word` in `text` that `n` admits.
    fn admitted(n: &Neighbours, text: &str, word: &str) -> Vec<usize> {
        text.match_indices(word).map(|(i, _)| i).filter(|&i| n.admit(text, &(i..i + word.len()), true)).collect()
    }

    #[test]
    fn the_characters_before_the_word_are_those_the_head_ends_with() {
        let years = neighbours(r"(?:^|[^0-9.])(?P<m>[0-9]{1,2}多?年)", &["年"]).unwrap();
        assert_eq!(admitted(&years, "3年,5多年,今年,年", "年"), [1, 9]);
        let big = neighbours(r"(?:^|[^第])(?P<m>[二三十]大)\p{Han}", &["大"]).unwrap();
        assert_eq!(admitted(&big, "三大很大", "大"), [3]);
    }

    #[test]
    fn the_characters_after_a_whole_word_are_those_the_tail_starts_with() {
        let years = neighbours(r"(?:^|[^0-9.])(?P<m>[0-9]{1,2}多?年(?:多)?)(?:时间|来)", &["年"]).unwrap();
        assert_eq!(admitted(&years, "3年来,3年多时间,3年3月,年来", "年"), [1, 9]);
        // A head of too many characters leaves the tail's.
        let prefixed = neighbours(r"\p{Han}年[0-9]", &["年"]);
        assert!(prefixed.is_some_and(|n| n.before.is_none() && n.after.is_some()));
        // A part that only starts with the word: what follows the word is
        // the part's.
        assert!(neighbours(r"\p{Han}年份", &["年"]).is_none());
        // Unless the occurrence's end is not known.
        let after_only = neighbours(r"年(?:时间|来)", &["年"]).unwrap();
        assert!(after_only.admit("年x", &(0..3), false) && !after_only.admit("年x", &(0..3), true));
    }

    #[test]
    fn no_filter_when_the_neighbours_may_be_anything() {
        // `^` (`$`) alone may stand before (after) the word.
        assert!(neighbours(r"(?:^|[^0-9])年(?:[^级]|$)", &["年"]).is_none());
        assert!(neighbours(r"[0-9]*年", &["年"]).is_none());
        assert!(neighbours(r"年", &["年"]).is_none());
        assert!(neighbours(r"\p{Han}年\p{Han}", &["年"]).is_none());
        // The word is not where every match of a part starts.
        assert!(neighbours(r"[0-9](?:年|月)", &["年"]).is_none());
        assert!(neighbours(r"[0-9]x?年", &["月"]).is_none());
    }
}
