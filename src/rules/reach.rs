//! How far back a match of an `each_object` pattern can start.
//!
//! Such a pattern starts with a greedy `.*` (the nearest subject before the
//! object wins) and is matched once per object, over the sentence up to the
//! object's end. Searched from the start of the sentence, the capture
//! engines walk the whole prefix for every object. But what follows the
//! `.*` (`<Organization:s>…{0,30}?<Money:o>`) spans a bounded number of
//! characters and starts with one of a few words (the subject's tags), so
//! the search can start near the object (see `relation::object_captures`).

use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Class, Hir, HirKind};

/// What follows the leading `.*` of a pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectReach {
    /// The most characters it spans.
    pub chars: usize,
    /// Words every match of it starts with (`None`: not known).
    pub starts: Option<Vec<String>>,
}

/// For a regex `.*R` (greedy, `.` any character but a line break, as
/// parsed without flags) whose `R` spans a bounded number of characters:
/// what `R` reaches. `None` for any other regex.
pub fn object_reach(hir: &Hir) -> Option<ObjectReach> {
    let HirKind::Concat(parts) = hir.kind() else { return None };
    let (first, rest) = parts.split_first()?;
    let HirKind::Repetition(rep) = first.kind() else { return None };
    if rep.min != 0 || rep.max.is_some() || !rep.greedy || !is_any_but_line_break(&rep.sub) {
        return None;
    }
    let chars = rest.iter().try_fold(0usize, |sum, part| sum.checked_add(max_chars(part)?))?;
    let prefixes = Extractor::new().extract(&Hir::concat(rest.to_vec()));
    // An empty prefix would let `R` start anywhere.
    let starts = prefixes
        .literals()
        .filter(|literals| !literals.is_empty())
        .and_then(|literals| literals.iter().map(|l| std::str::from_utf8(l.as_bytes()).ok().filter(|w| !w.is_empty()).map(str::to_string)).collect());
    Some(ObjectReach { chars, starts })
}

fn is_any_but_line_break(hir: &Hir) -> bool {
    let HirKind::Class(Class::Unicode(class)) = hir.kind() else { return false };
    let ranges: Vec<(char, char)> = class.ranges().iter().map(|r| (r.start(), r.end())).collect();
    ranges == [('\0', '\t'), ('\u{b}', char::MAX)]
}

/// The most characters a match can span (`None`: unbounded).
fn max_chars(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        // Literals of a regex over text are whole UTF-8 characters.
        HirKind::Literal(literal) => std::str::from_utf8(&literal.0).ok().map(|s| s.chars().count()),
        // A class matches one character (a byte class of a regex over
        // text matches ASCII only).
        HirKind::Class(_) => Some(1),
        HirKind::Repetition(rep) => max_chars(&rep.sub)?.checked_mul(rep.max? as usize),
        HirKind::Capture(capture) => max_chars(&capture.sub),
        HirKind::Concat(parts) => parts.iter().try_fold(0usize, |sum, p| sum.checked_add(max_chars(p)?)),
        HirKind::Alternation(branches) => branches.iter().try_fold(0usize, |most, b| Some(most.max(max_chars(b)?))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(re: &str) -> Option<ObjectReach> {
        object_reach(&regex_syntax::parse(re).unwrap())
    }

    fn words(w: &[&str]) -> Option<Vec<String>> {
        Some(w.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn what_follows_a_leading_dot_star_is_measured_in_characters() {
        assert_eq!(reach("(?:.*[甲乙](?P<m>[^。]{0,30}?)丙)$"), Some(ObjectReach { chars: 32, starts: words(&["乙", "甲"]) }));
        assert_eq!(reach(".*(?:说|表示)"), Some(ObjectReach { chars: 2, starts: words(&["说", "表示"]) }));
        assert_eq!(reach(".*[^。]{0,3}说"), Some(ObjectReach { chars: 4, starts: None }));
        assert_eq!(reach(".*(?:甲)?乙"), Some(ObjectReach { chars: 2, starts: words(&["甲乙", "乙"]) }));
        assert_eq!(reach(".*a(?:bc|d)*"), None, "unbounded");
    }

    #[test]
    fn only_a_leading_greedy_dot_star_qualifies() {
        assert_eq!(reach("甲.*乙"), None);
        assert_eq!(reach(".*?甲"), None, "lazy");
        assert_eq!(reach("(?s).*甲"), None, "dot matches line breaks");
        assert_eq!(reach("[^。]*甲"), None, "not a dot");
        assert_eq!(reach(".+甲"), None);
    }
}
