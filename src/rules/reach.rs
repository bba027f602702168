//! How far back a match of an `each_object` pattern can start.
//!
//! Such a pattern starts with a greedy `.*` (the nearest subject before the
//! object wins) and is matched once per object, over the sentence up to the
//! object's end. Searched from the start of the sentence, the capture
//! engines walk the whole prefix for every object. But what follows the
//! `.*` (`<Organization:s>…{0,30}?<Money:o>`) spans a bounded number of
//! characters and starts with one of a few words (the subject's tags), so
//! the search can start near the object (see `relation::object_captures`).
//!
//! Where every group lies a fixed number of bytes from one end of a match
//! (slots are one tag character each), the groups are read off the match's
//! ends, which the DFAs find, without a capture engine walking the match:
//! for what follows the `.*` of an `each_object` pattern, and for the whole
//! of any other pattern (`match_groups`).

use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Class, Hir, HirKind};

/// What follows the leading `.*` of a pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectReach {
    /// The most characters it spans.
    pub chars: usize,
    /// Words every match of it starts with (`None`: not known).
    pub starts: Option<Vec<String>>,
    /// Where every one of `starts` is one tag character: their tag bits
    /// (those of `RelationRule::slot_tags`).
    pub start_tags: Option<u32>,
    /// Where its groups lie, when every one has fixed places (`None`: some
    /// group does not).
    pub placed_groups: Option<Vec<PlacedGroup>>,
}

/// A capture group whose bounds lie a fixed number of bytes from the
/// start of what follows the leading `.*` or from the end of the match, so
/// that a match is read without a capture engine, whatever the engine's
/// choices within it (a `<Person:s>` slot: one tag character).
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedGroup {
    pub index: usize,
    pub start: Place,
    pub end: Place,
}

/// A place in a match of what follows the leading `.*`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    /// This many bytes after its start.
    AfterStart(usize),
    /// This many bytes before its end.
    BeforeEnd(usize),
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
    let tag_bit = |w: &String| {
        let mut chars = w.chars();
        chars.next().and_then(super::pattern::tag_bit).filter(|_| chars.next().is_none())
    };
    let start_tags = starts.as_ref().and_then(|words: &Vec<String>| words.iter().map(tag_bit).try_fold(0, |mask, bit| Some(mask | bit?)));
    Some(ObjectReach { chars, starts, start_tags, placed_groups: placed_groups(rest) })
}

/// Where the groups of every match of a regex lie, if each has each bound
/// a fixed number of bytes from the match's start or end (a pattern whose
/// slots are one tag character each, with the variable words between
/// them: `<Organization:o>的?<Title:t><Person:s>`). `AfterStart` counts
/// from the start of the match.
pub fn match_groups(hir: &Hir) -> Option<Vec<PlacedGroup>> {
    match hir.kind() {
        HirKind::Concat(parts) => placed_groups(parts),
        _ => placed_groups(std::slice::from_ref(hir)),
    }
}

/// The groups of `parts` (in sequence), if each is one of them, holds no
/// group of its own, and has each bound at a fixed length from the start
/// or the end of the sequence.
fn placed_groups(parts: &[Hir]) -> Option<Vec<PlacedGroup>> {
    let mut placed = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        match part.kind() {
            HirKind::Capture(capture) if !has_group(&capture.sub) => {
                let before = fixed_total(&parts[..i]);
                let after = fixed_total(&parts[i + 1..]);
                let own = fixed_bytes(part);
                let start = before.map(Place::AfterStart).or(after.zip(own).map(|(a, o)| Place::BeforeEnd(a + o)))?;
                let end = after.map(Place::BeforeEnd).or(before.zip(own).map(|(b, o)| Place::AfterStart(b + o)))?;
                placed.push(PlacedGroup { index: capture.index as usize, start, end });
            }
            _ if has_group(part) => return None,
            _ => {}
        }
    }
    Some(placed)
}

fn fixed_total(parts: &[Hir]) -> Option<usize> {
    parts.iter().try_fold(0usize, |sum, p| sum.checked_add(fixed_bytes(p)?))
}

fn has_group(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(_) => true,
        HirKind::Repetition(rep) => has_group(&rep.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(has_group),
        _ => false,
    }
}

/// The number of bytes every match spans (`None`: not always the same).
fn fixed_bytes(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(literal) => Some(literal.0.len()),
        // UTF-8 lengths grow with the code point: the class's first and
        // last characters bound them.
        HirKind::Class(Class::Unicode(class)) => {
            let (first, last) = (class.ranges().first()?.start(), class.ranges().last()?.end());
            (first.len_utf8() == last.len_utf8()).then_some(first.len_utf8())
        }
        HirKind::Class(Class::Bytes(class)) => (class.ranges().last()?.end() < 0x80).then_some(1),
        HirKind::Repetition(rep) if Some(rep.min) == rep.max => fixed_bytes(&rep.sub)?.checked_mul(rep.min as usize),
        HirKind::Repetition(_) => None,
        HirKind::Capture(capture) => fixed_bytes(&capture.sub),
        HirKind::Concat(parts) => fixed_total(parts),
        HirKind::Alternation(branches) => {
            let first = fixed_bytes(branches.first()?)?;
            branches.iter().all(|b| fixed_bytes(b) == Some(first)).then_some(first)
        }
    }
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
        assert_eq!(reach("(?:.*[甲乙](?P<m>[^。]{0,30}?)丙)$"), Some(ObjectReach {
                chars: 32,
                starts: words(&["乙", "甲"]),
                start_tags: None,
                placed_groups: Some(vec![PlacedGroup { index: 1, start: Place::AfterStart(3), end: Place::BeforeEnd(3) }])
            }));
        assert_eq!(reach(".*(?:说|表示)"), Some(ObjectReach { chars: 2, starts: words(&["说", "表示"]), start_tags: None, placed_groups: Some(vec![]) }));
        assert_eq!(reach(".*[^。]{0,3}说"), Some(ObjectReach { chars: 4, starts: None, start_tags: None, placed_groups: Some(vec![]) }));
        assert_eq!(reach(".*(?:甲)?乙"), Some(ObjectReach { chars: 2, starts: words(&["甲乙", "乙"]), start_tags: None, placed_groups: Some(vec![]) }));
        assert_eq!(reach(".*a(?:bc|d)*"), None, "unbounded");
        let start_tags = |re: &str| reach(re).and_then(|r| r.start_tags);
        assert_eq!(start_tags(".*[\u{E000}\u{E002}][^。]{0,3}说"), Some(0b101), "a slot of either of two tags");
        assert_eq!(start_tags(".*(?:\u{E001}|说)"), None, "a word that is not a tag");
        assert_eq!(start_tags(".*\u{E001}的"), None, "a tag and a word");
    }

    fn placed(re: &str) -> Option<Vec<(usize, Place, Place)>> {
        reach(re)?.placed_groups.map(|groups| groups.into_iter().map(|g| (g.index, g.start, g.end)).collect())
    }

    #[test]
    fn groups_are_placed_from_the_nearer_fixed_end() {
        use Place::{AfterStart, BeforeEnd};
        let subject_measure_object = "(?:.*(?P<s>[甲乙])(?P<m>[^。]{0,30}?)(?P<o>丙))$";
        assert_eq!(
            placed(subject_measure_object),
            Some(vec![(1, AfterStart(0), AfterStart(3)), (2, AfterStart(3), BeforeEnd(3)), (3, BeforeEnd(3), BeforeEnd(0))])
        );
        assert_eq!(placed(".*(?P<s>a|bc)[^x]*(?P<o>y)"), None, "subject of either length, unfixed after it");
        assert_eq!(placed(".*(?P<s>a)(?:(?P<t>b)|c)(?P<o>y)"), None, "a group inside another part");
        assert_eq!(placed(".*(?P<s>a(?P<t>b))(?P<o>y)"), None, "a group inside a group");
        assert_eq!(placed(".*(?P<s>[a甲])(?P<o>y)"), Some(vec![(1, AfterStart(0), BeforeEnd(1)), (2, BeforeEnd(1), BeforeEnd(0))]));
        assert_eq!(placed(".*(?P<s>[a甲])x*(?P<o>y)"), None, "subject of one or three bytes");
    }

    #[test]
    fn the_groups_of_a_whole_match_are_placed_from_its_ends() {
        use Place::{AfterStart, BeforeEnd};
        let groups = |re: &str| {
            match_groups(&regex_syntax::parse(re).unwrap()).map(|groups| groups.into_iter().map(|g| (g.index, g.start, g.end)).collect::<Vec<_>>())
        };
        assert_eq!(
            groups("(?P<o>[甲乙])的?(?P<t>丙)(?P<s>丁)"),
            Some(vec![(1, AfterStart(0), AfterStart(3)), (2, BeforeEnd(6), BeforeEnd(3)), (3, BeforeEnd(3), BeforeEnd(0))])
        );
        assert_eq!(groups("(?P<s>甲)"), Some(vec![(1, AfterStart(0), BeforeEnd(0))]));
        assert_eq!(groups("(?P<s>甲)(?:了|的)?(?P<t>[^。]{1,8})的(?P<o>乙)"), None, "a group of varying length between varying parts");
        assert_eq!(groups("(?P<s>甲)(?:(?P<t>乙)|丙)"), None, "a group that may not take part");
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
