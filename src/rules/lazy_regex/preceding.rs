//! Which occurrences of its trigger words a windowed regex can use: those
//! after a character that may stand just before the word in a match.
//!
//! Many value regexes are searched near a common character (年, 成, 大,
//! 日) that counts only after a number (`[0-9]{1,2}多?年`, `[二三四五六七八九十]大`):
//! in news text most occurrences follow other characters, and each window
//! around one costs a regex search. When the regex is, at its top level
//! (groups looked through), a sequence `HEAD PART TAIL` in which every match
//! of `PART` starts with a word of the window clause and every match of
//! `HEAD` is non-empty and ends with one of a small set of characters,
//! every match contains an occurrence of a clause word right after such a
//! character: the one `PART` starts with. The windows of the other
//! occurrences can then be left out, as no match needs them.

use crate::chars::CharBits;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind};

/// A class with more characters than this is not worth listing (almost any
/// character may then precede the word).
const MAX_CLASS_CHARS: usize = 512;

#[derive(Debug)]
pub(super) struct Preceding {
    /// The characters a match may have just before its clause word.
    chars: CharBits,
}

impl Preceding {
    /// The characters before the clause word in every match of `hir`, if
    /// the regex has the shape described in the module documentation.
    pub(super) fn new(hir: &Hir, clause: &[String]) -> Option<Preceding> {
        let mut parts = Vec::new();
        flatten(hir, &mut parts);
        (1..parts.len()).filter(|&k| starts_with_a_word_of(parts[k], clause)).find_map(|k| {
            let mut chars = CharBits::default();
            let head_may_be_empty = last_chars_of_sequence(&parts[..k], &mut chars)?;
            (!head_may_be_empty).then_some(Preceding { chars })
        })
    }

    /// Whether an occurrence of a clause word starting at byte `start` of
    /// `text` may be the one a match starts its `PART` with.
    pub(super) fn admits(&self, text: &str, start: usize) -> bool {
        text[..start].chars().next_back().is_some_and(|c| self.chars.contains(c))
    }
}

/// The parts of the top-level sequence of `hir`, through groups and nested
/// sequences.
fn flatten<'h>(hir: &'h Hir, parts: &mut Vec<&'h Hir>) {
    match hir.kind() {
        HirKind::Concat(subs) => subs.iter().for_each(|s| flatten(s, parts)),
        HirKind::Capture(c) => flatten(&c.sub, parts),
        _ => parts.push(hir),
    }
}

/// Whether every match of `part` starts with a word of `clause`.
fn starts_with_a_word_of(part: &Hir, clause: &[String]) -> bool {
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(part);
    prefixes.literals().is_some_and(|literals| {
        !literals.is_empty() && literals.iter().all(|l| clause.iter().any(|w| l.as_bytes().starts_with(w.as_bytes())))
    })
}

/// Add to `chars` the characters a match of the sequence `parts` may end
/// with; whether it may be empty (then it may end with anything before
/// it). `None` if there are too many characters or they are not text.
fn last_chars_of_sequence(parts: &[&Hir], chars: &mut CharBits) -> Option<bool> {
    for part in parts.iter().rev() {
        if !last_chars(part, chars)? {
            return Some(false);
        }
    }
    Some(true)
}

/// [`last_chars_of_sequence`] of one regex.
fn last_chars(hir: &Hir, chars: &mut CharBits) -> Option<bool> {
    match hir.kind() {
        // (Look-arounds match no character.)
        HirKind::Empty | HirKind::Look(_) => Some(true),
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0).ok()?.chars().next_back() {
            Some(c) => {
                chars.insert(c);
                Some(false)
            }
            None => Some(true),
        },
        HirKind::Class(Class::Unicode(class)) => {
            if class.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum::<usize>() > MAX_CLASS_CHARS {
                return None;
            }
            class.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(|c| chars.insert(c));
            Some(false)
        }
        HirKind::Class(Class::Bytes(class)) => {
            if !class.ranges().iter().all(|r| r.end().is_ascii()) {
                return None;
            }
            class.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(|b| chars.insert(char::from(b)));
            Some(false)
        }
        HirKind::Repetition(r) => Some(last_chars(&r.sub, chars)? || r.min == 0),
        HirKind::Capture(c) => last_chars(&c.sub, chars),
        HirKind::Concat(parts) => last_chars_of_sequence(&parts.iter().collect::<Vec<_>>(), chars),
        HirKind::Alternation(branches) => {
            let mut may_be_empty = false;
            for b in branches {
                may_be_empty |= last_chars(b, chars)?;
            }
            Some(may_be_empty)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preceding(source: &str, clause: &[&str]) -> Option<Preceding> {
        let hir = regex_syntax::ParserBuilder::new().build().parse(source).unwrap();
        Preceding::new(&hir, &clause.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_characters_before_the_word_are_those_the_head_ends_with() {
        let years = preceding(r"(?:^|[^0-9.])(?P<m>[0-9]{1,2}多?年(?:多)?)(?:时间|来)", &["年"]).unwrap();
        let text = "3年,5多年,今年,年";
        let admitted: Vec<usize> = text.match_indices('年').map(|(i, _)| i).filter(|&i| years.admits(text, i)).collect();
        assert_eq!(admitted, [1, 9]);
        let big = preceding(r"(?:^|[^第])(?P<m>[二三十]大)\p{Han}", &["大"]).unwrap();
        assert!(big.admits("三大", 3) && !big.admits("很大", 3));
    }

    #[test]
    fn no_filter_when_the_head_may_be_empty_or_is_too_wide() {
        // `^` alone may stand before the word.
        assert!(preceding(r"(?:^|[^0-9])年", &["年"]).is_none());
        assert!(preceding(r"[0-9]*年", &["年"]).is_none());
        assert!(preceding(r"年", &["年"]).is_none());
        assert!(preceding(r"\p{Han}年", &["年"]).is_none());
        // The word is not where every match of a part starts.
        assert!(preceding(r"[0-9](?:年|月)", &["年"]).is_none());
        assert!(preceding(r"[0-9]x?年", &["月"]).is_none());
    }
}
