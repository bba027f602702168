//! What the serial merge compares a document's node with, per graph node,
//! in one cache line.
//!
//! Merging a document's node into its graph node compares the document's
//! names of it with the graph node's name, and each mention's text and rule
//! with the spelling the node was last given a number for. Those strings
//! live each in an allocation of its own, written long before and out of
//! the cache by the time the node comes again in another document: reading
//! them cost a cache miss apiece on the merge, which runs on one thread. A
//! name or text of up to [`ROOM`] bytes (seven characters of
//! Chinese) is copied here, beside the spelling's number, so that the
//! comparisons read one line; a longer one is compared where it is kept.

use super::inline_text::InlineText;
use crate::model::RuleId;

/// The bytes of a name or text held in place: a view of two and a
/// spelling's rule and number make one cache line.
const ROOM: usize = 23;

type ShortText = InlineText<ROOM>;

/// One graph node's view, in a cache line of its own.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
pub(super) struct MergeView {
    name: ShortText,
    spelling_text: ShortText,
    /// The address of the spelling's rule name (rules are told apart by
    /// it, as [`super::MentionTables`] does), or 0 before the node has a
    /// spelling.
    spelling_rule: usize,
    spelling: u32,
}

impl MergeView {
    /// The view of a new node named `name`, with no spelling yet.
    pub(super) fn new(name: &str) -> MergeView {
        MergeView { name: ShortText::of(name), spelling_text: ShortText::of(""), spelling_rule: 0, spelling: 0 }
    }

    /// Whether the node is named `name`, or `None` if its name is too long
    /// to be held here.
    pub(super) fn is_named(&self, name: &str) -> Option<bool> {
        self.name.is(name)
    }

    /// The number of spelling `text` by `rule`, if it is the one held.
    pub(super) fn spelling(&self, text: &str, rule: &RuleId) -> Option<u32> {
        let same = self.spelling_rule == rule_address(rule) && self.spelling_text.is(text) == Some(true);
        same.then_some(self.spelling)
    }

    /// Holds spelling `number`, `text` by `rule`, if the text fits.
    pub(super) fn hold_spelling(&mut self, number: u32, text: &str, rule: &RuleId) {
        let short = ShortText::of(text);
        if short.bytes().is_some() {
            *self = MergeView { spelling_text: short, spelling_rule: rule_address(rule), spelling: number, ..*self };
        }
    }
}

/// A rule told apart by the address of its name.
fn rule_address(rule: &RuleId) -> usize {
    rule.as_str().as_ptr() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings of every length around the room, with bytes that differ
    /// only at the end, and names as news write them.
    fn strings() -> Vec<String> {
        let mut all = vec![String::new()];
        for n in 1..=ROOM + 2 {
            all.push("a".repeat(n));
            all.push(format!("{}b", "a".repeat(n - 1)));
        }
        all.extend(["王堅", "王坚", "數夢工場", "阿里巴巴集团控股有限公司"].map(String::from));
        all
    }

    #[test]
    fn a_held_name_is_told_from_every_other_as_string_equality_tells_it() {
        for name in strings() {
            let view = MergeView::new(&name);
            for other in strings() {
                match view.is_named(&other) {
                    Some(same) => assert_eq!(same, name == other, "{name:?} / {other:?}"),
                    None => assert!(name.len() > ROOM, "{name:?} should be held"),
                }
            }
        }
    }

    #[test]
    fn a_held_spelling_answers_only_for_its_own_text_and_rule() {
        let rule = RuleId::Literal("gazetteer/person");
        let other_rule = RuleId::Literal("suffix/organization");
        for text in strings() {
            let mut view = MergeView::new("name");
            assert_eq!(view.spelling(&text, &rule), None, "a new node holds no spelling");
            view.hold_spelling(7, &text, &rule);
            for other in strings() {
                let expected = (text.len() <= ROOM && other == text).then_some(7);
                assert_eq!(view.spelling(&other, &rule), expected, "{text:?} / {other:?}");
                assert_eq!(view.spelling(&other, &other_rule), None);
            }
        }
    }

    #[test]
    fn a_text_too_long_to_hold_leaves_the_spelling_held_before() {
        let rule = RuleId::Literal("gazetteer/person");
        let mut view = MergeView::new("name");
        view.hold_spelling(3, "王堅", &rule);
        view.hold_spelling(4, &"長".repeat(20), &rule);
        assert_eq!(view.spelling("王堅", &rule), Some(3));
    }

    #[test]
    fn a_view_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<MergeView>(), 64);
        assert_eq!(std::mem::align_of::<MergeView>(), 64);
    }
}
