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
//! of any other pattern (`match_groups`). A slot between parts of varying
//! length is found the same way where the parts between it and a fixed
//! place cannot hold a tag it takes: it is the first (last) tag character
//! of its tags after (before) that place, a scan of a few bytes.

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
    /// `shift` bytes after the first tag character of `tags` that starts
    /// `offset` bytes or more after its start: a slot after parts of
    /// varying length in which no tag of its own can stand
    /// (`<Work:s>》?的?<Title:t>`: the first title after the work).
    FirstTagAfter { offset: usize, tags: u32, shift: usize },
    /// `shift` bytes after the last tag character of `tags` that ends
    /// `offset` bytes or more before its end (the slot before such parts).
    LastTagBefore { offset: usize, tags: u32, shift: usize },
}

/// The UTF-8 length of every tag character (U+E000 to U+E01F).
const TAG_BYTES: usize = 3;

impl Place {
    /// The byte offset in `text` of this place in the match `start..end`
    /// (of what follows the leading `.*`).
    pub fn in_match(self, text: &str, start: usize, end: usize) -> usize {
        match self {
            Place::AfterStart(n) => start + n,
            Place::BeforeEnd(n) => end - n,
            Place::FirstTagAfter { offset, tags, shift } => {
                // (A match holds its slot: the search always finds it.)
                (start + offset..end).find(|&at| is_tag_of(text.as_bytes(), at, tags)).unwrap_or(end) + shift
            }
            Place::LastTagBefore { offset, tags, shift } => {
                let before = (end - offset).saturating_sub(TAG_BYTES);
                (start..=before).rev().find(|&at| is_tag_of(text.as_bytes(), at, tags)).unwrap_or(start) + shift
            }
        }
    }
}

/// Whether a tag character of `tags` starts at byte `at` (its lead byte is
/// never a continuation byte: no character can be mistaken for one).
fn is_tag_of(bytes: &[u8], at: usize, tags: u32) -> bool {
    match bytes.get(at..at + TAG_BYTES) {
        Some(&[0xEE, 0x80, last]) if (0x80..0xA0).contains(&last) => tags >> (last - 0x80) & 1 == 1,
        _ => false,
    }
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
                let start = before.map(Place::AfterStart).or(after.zip(own).map(|(a, o)| Place::BeforeEnd(a + o)));
                let end = after.map(Place::BeforeEnd).or(before.zip(own).map(|(b, o)| Place::AfterStart(b + o)));
                let (start, end) = match (start, end) {
                    (Some(start), Some(end)) => (start, end),
                    _ => searched_slot(parts, i, tag_class(&capture.sub)?)?,
                };
                placed.push(PlacedGroup { index: capture.index as usize, start, end });
            }
            _ if has_group(part) => return None,
            _ => {}
        }
    }
    Some(placed)
}

/// The bounds of the slot `parts[i]` (one tag character of `tags`) as a
/// tag searched for from the nearest fixed place before it, or after it,
/// where no part in between can match a tag of its own.
fn searched_slot(parts: &[Hir], i: usize, tags: u32) -> Option<(Place, Place)> {
    let free_of_tags = |between: &[Hir]| between.iter().all(|p| never_matches_tags(p, tags));
    // The parts from the start of the first of varying length, and those
    // up to the end of the last.
    let fixed_head = parts.iter().take_while(|p| fixed_bytes(p).is_some()).count();
    let fixed_tail = parts.iter().rev().take_while(|p| fixed_bytes(p).is_some()).count();
    let tail_start = parts.len() - fixed_tail;
    if fixed_head <= i && free_of_tags(&parts[fixed_head..i]) {
        let offset = fixed_total(&parts[..fixed_head])?;
        let at = |shift| Place::FirstTagAfter { offset, tags, shift };
        return Some((at(0), at(TAG_BYTES)));
    }
    if tail_start > i && free_of_tags(&parts[i + 1..tail_start]) {
        let offset = fixed_total(&parts[tail_start..])?;
        let at = |shift| Place::LastTagBefore { offset, tags, shift };
        return Some((at(0), at(TAG_BYTES)));
    }
    None
}

/// The tag bits of a part that matches one tag character (a slot's class).
fn tag_class(hir: &Hir) -> Option<u32> {
    match hir.kind() {
        HirKind::Literal(literal) => {
            let mut chars = std::str::from_utf8(&literal.0).ok()?.chars();
            let bit = super::pattern::tag_bit(chars.next()?)?;
            chars.next().is_none().then_some(bit)
        }
        HirKind::Class(Class::Unicode(class)) => class.ranges().iter().try_fold(0, |mask, range| {
            let (first, last) = (super::pattern::tag_bit(range.start())?, super::pattern::tag_bit(range.end())?);
            // Tags are consecutive code points: the bits first..=last.
            Some(mask | ((last | (last - 1)) & !(first - 1)))
        }),
        _ => None,
    }
}

/// Whether no character a part matches is a tag character of `tags`.
fn never_matches_tags(hir: &Hir, tags: u32) -> bool {
    let is_one_of_tags = |c: char| super::pattern::tag_bit(c).is_some_and(|bit| bit & tags != 0);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => std::str::from_utf8(&literal.0).is_ok_and(|text| !text.chars().any(is_one_of_tags)),
        HirKind::Class(Class::Unicode(class)) => class.ranges().iter().all(|range| {
            // The tags of the range, if any: it holds tag `i` if it spans
            // the code point `TAG_BASE + i`.
            (0..32).all(|i| {
                let tag = super::pattern::TAG_BASE + i;
                tags >> i & 1 == 0 || !(range.start() as u32 <= tag && tag <= range.end() as u32)
            })
        }),
        // A byte class of a regex over text matches ASCII only.
        HirKind::Class(Class::Bytes(class)) => class.ranges().iter().all(|range| range.end() < 0x80),
        HirKind::Repetition(rep) => never_matches_tags(&rep.sub, tags),
        HirKind::Capture(capture) => never_matches_tags(&capture.sub, tags),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().all(|p| never_matches_tags(p, tags)),
    }
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
    fn a_slot_between_parts_of_varying_length_is_searched_for_by_its_tag() {
        use Place::{AfterStart, BeforeEnd, FirstTagAfter, LastTagBefore};
        let groups = |re: &str| {
            match_groups(&regex_syntax::parse(re).unwrap()).map(|groups| groups.into_iter().map(|g| (g.index, g.start, g.end)).collect::<Vec<_>>())
        };
        let first = |offset, tags, shift| FirstTagAfter { offset, tags, shift };
        let last = |offset, tags, shift| LastTagBefore { offset, tags, shift };
        // <Work:s>》?(?:的)?<Title:t>(?:是|为)?<Person:o>: no title can
        // stand in 》 or 的, nor a person in 是 or 为.
        assert_eq!(
            groups("(?P<s>\u{E004})》?(?:的)?(?P<t>\u{E00A})(?:是|为)?(?P<o>\u{E000})"),
            Some(vec![(1, AfterStart(0), AfterStart(3)), (2, first(3, 1 << 10, 0), first(3, 1 << 10, 3)), (3, BeforeEnd(3), BeforeEnd(0))])
        );
        // The first slot's part may hold a tag of the second: searched
        // back from the fixed end instead.
        assert_eq!(
            groups("(?:联合|与)(?P<s>[\u{E001}\u{E002}])(?:、|和)(?P<o>\u{E001})[^。\u{E000}-\u{E00A}]{0,6}?共同"),
            Some(vec![(1, first(0, 0b110, 0), first(0, 0b110, 3)), (2, last(6, 0b10, 0), last(6, 0b10, 3))])
        );
        assert_eq!(groups("[^。]{0,3}(?P<o>\u{E000})[^。]{0,3}"), None, "a person can stand on either side");
        assert_eq!(groups("(?:甲|乙丙)(?P<o>[a\u{E000}])丁?"), None, "not a slot");
        let text = "说\u{E001}和\u{E002}\u{E001}了";
        let place = |p: Place| p.in_match(text, 3, text.len());
        assert_eq!((place(first(0, 0b100, 0)), place(first(0, 0b110, 0))), (9, 3));
        assert_eq!((place(last(3, 0b10, 0)), place(last(6, 0b10, 3)), place(last(3, 0b100, 0))), (12, 6, 9));
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
