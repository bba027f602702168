//! Coordination: an unknown name listed beside organizations is an
//! organization.
//!
//! Items of a list (joined by 、, 和, 与, 及, 或, 以及) share their type. After
//! overlaps are resolved, every list with a known organization in it is
//! walked item by item; an item that no rule recognized but that has the
//! shape of a name (no common word, no function word, two to eight
//! characters) becomes an organization: in 甲乙科技、丙丁和戊己等企业 with
//! 甲乙科技 known, 丙丁 and 戊己 are organizations too. A list that also
//! holds a person or a place is left alone (mixed lists say nothing about
//! the type), and so is an item made of common words only (政府和企业).
//!
//! `以及` may be followed by a modifier ending in 的 before its item
//! (X和Y,以及去年加入的Z公司).

use super::{covered_by_common_words, is_cjk, is_proper_pos, stem_start, Candidate, StemLists};
use crate::chars::with_str;
use crate::model::{NodeType, RuleId, Span};
use crate::rules::{RuleSet, Tag};

const RULE: RuleId = RuleId::Literal("entities/organization/coordination");
const PRIORITY: i32 = 20;
const MIN_ITEM: usize = 2;
const MAX_ITEM: usize = 8;
/// How far a 以及 may stand from its item (以及 + modifier + 的).
const MAX_MODIFIER: usize = 20;

/// Separators between list items, longest first.
/// (As characters: they are compared in place at every item end.)
const SEPARATORS: &[&[char]] = &[&[',', '以', '及'], &YIJI, &['、'], &['和'], &['与'], &['及'], &['或']];
const YIJI: [char; 2] = ['以', '及'];

/// One item of a list: a kept mention (its index) or an unknown span.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Item {
    Known(usize),
    Unknown(Span),
}

/// Add the unknown names listed beside organizations to `kept` (sorted by
/// position), replacing the one-character mentions inside them (a country
/// abbreviation read into 在华|通).
pub(super) fn add_listed_names(chars: &[char], rules: &RuleSet, kept: &mut Vec<Candidate>) {
    let list = Lists::new(chars, rules, kept);
    let mut found: Vec<Span> = Vec::new();
    for (i, c) in kept.iter().enumerate() {
        if c.tag != Tag::Node(NodeType::Organization) {
            continue;
        }
        let items = list.items_around(i);
        // The types of the known items, a bit per type (a set of at most
        // ten, made for every organization).
        let types: u32 = items
            .iter()
            .filter_map(|it| match *it {
                Item::Known(k) => match kept[k].tag {
                    Tag::Node(t) => Some(1 << t as u32),
                    Tag::Title => None,
                },
                Item::Unknown(_) => None,
            })
            .fold(0, |types, bit| types | bit);
        if types.count_ones() != 1 {
            continue;
        }
        for it in items {
            if let Item::Unknown(span) = it {
                // The short form of a name of the document (银杏谷 of
                // 银杏谷资本) is left to alias resolution.
                let text = &chars[span.start..span.end];
                let short_form = kept.iter().any(|k| k.span.len() > span.len() && chars[k.span.start..k.span.end].starts_with(text));
                if list.name_shaped(span) && !short_form && !found.contains(&span) {
                    found.push(span);
                }
            }
        }
    }
    if found.is_empty() {
        return;
    }
    kept.retain(|c| !found.iter().any(|s| c.span.start < s.end && s.start < c.span.end));
    kept.extend(found.into_iter().map(|span| Candidate {
        span,
        tag: Tag::Node(NodeType::Organization),
        entry: None,
        rule: RULE,
        priority: PRIORITY,
        value: None,
        suffix_start: None,
    }));
    kept.sort_by_key(|c| (c.span.start, c.span.end));
}

struct Lists<'a> {
    chars: &'a [char],
    rules: &'a RuleSet,
    kept: &'a [Candidate],
    /// Kept entity mentions by start and by end.
    by_start: MentionAt,
    by_end: MentionAt,
    /// Positions covered by a mention an unknown item may not reach into
    /// (anything but a one-character entity).
    /// (One flag per character: asked at every step of a scan, and built
    /// for every document.)
    occupied: Vec<bool>,
    /// `occupied` as the barriers of [`stem_start`]: the position after
    /// each.
    barriers: Vec<bool>,
    stem_lists: &'a StemLists,
}

impl<'a> Lists<'a> {
    fn new(chars: &'a [char], rules: &'a RuleSet, kept: &'a [Candidate]) -> Lists<'a> {
        let entity = |c: &Candidate| matches!(c.tag, Tag::Node(t) if t.is_entity());
        let entities = || kept.iter().enumerate().filter(|(_, c)| entity(c));
        let by_start = MentionAt::new(entities().map(|(i, c)| (c.span.start, i)), kept.len());
        let by_end = MentionAt::new(entities().map(|(i, c)| (c.span.end, i)), kept.len());
        let mut occupied = vec![false; chars.len()];
        let mut barriers = vec![false; chars.len() + 1];
        for c in kept {
            if !entity(c) || c.span.len() >= 2 {
                occupied[c.span.start..c.span.end].fill(true);
                barriers[c.span.start + 1..=c.span.end].fill(true);
            }
        }
        Lists { chars, rules, kept, by_start, by_end, occupied, barriers, stem_lists: StemLists::of(rules) }
    }

    fn is_occupied(&self, p: usize) -> bool {
        self.occupied.get(p).copied().unwrap_or(false)
    }


    fn text_at(&self, i: usize, w: &[char]) -> bool {
        self.chars.get(i..).is_some_and(|rest| rest.starts_with(w))
    }

    /// The items of the list mention `m` stands in, itself included.
    fn items_around(&self, m: usize) -> Vec<Item> {
        let mut items = vec![Item::Known(m)];
        if !self.ends_item(self.kept[m].span.end) {
            return items;
        }
        // Leftwards.
        let mut pos = self.kept[m].span.start;
        while let Some(item) = self.item_before(pos) {
            items.push(item);
            pos = match item {
                Item::Known(k) => self.kept[k].span.start,
                Item::Unknown(s) => s.start,
            };
        }
        // Rightwards.
        let mut pos = self.kept[m].span.end;
        while let Some(item) = self.item_after(pos) {
            items.push(item);
            pos = match item {
                Item::Known(k) => self.kept[k].span.end,
                Item::Unknown(s) => s.end,
            };
        }
        items
    }

    /// The separator that ends right before `pos` (its length), also
    /// across a 以及 + modifier + 的.
    /// Whether a one-character separator at `p` is a conjunction here, not
    /// part of a word with its neighbour (协和, 与会).
    fn free_separator(&self, p: usize, sep: &[char]) -> bool {
        if sep.len() > 1 {
            return true;
        }
        let word = |s: usize, e: usize| e <= self.chars.len() && self.rules.lexicon.get_chars(&self.chars[s..e]).is_some();
        let word_before = p >= 1 && word(p - 1, p + 1);
        !word_before && !word(p, p + 2)
    }

    fn separator_before(&self, pos: usize) -> Option<usize> {
        for sep in SEPARATORS {
            let n = sep.len();
            if pos >= n && self.text_at(pos - n, sep) {
                return self.free_separator(pos - n, sep).then_some(pos - n);
            }
        }
        // 以及 ... 的 <item>
        if pos >= 1 && self.chars[pos - 1] == '的' {
            let lo = pos.saturating_sub(MAX_MODIFIER + 2);
            for s in (lo..pos - 1).rev() {
                if is_clause_break(self.chars[s]) {
                    break;
                }
                if self.text_at(s, &YIJI) {
                    return Some(if s >= 1 && self.chars[s - 1] == ',' { s - 1 } else { s });
                }
            }
        }
        None
    }

    fn item_before(&self, pos: usize) -> Option<Item> {
        let end = self.separator_before(pos)?;
        if let Some(k) = self.by_end.get(end) {
            return Some(Item::Known(k));
        }
        let start = stem_start(self.chars, end, self.rules, self.stem_lists, &Default::default(), &self.barriers)?;
        (end - start >= MIN_ITEM && end - start <= MAX_ITEM).then_some(Item::Unknown(Span::new(start, end)))
    }

    fn item_after(&self, pos: usize) -> Option<Item> {
        let sep = SEPARATORS.iter().find(|s| self.text_at(pos, s)).filter(|s| self.free_separator(pos, s))?;
        let mut start = pos + sep.len();
        if let Some(k) = self.by_start.get(start) {
            // A known name that runs on into more name characters is a
            // modifier (农业部|技术进步奖), not an item.
            return self.ends_item(self.kept[k].span.end).then_some(Item::Known(k));
        }
        if sep.ends_with(&YIJI) {
            // 以及 + modifier + 的 + a known item.
            let mut s = start;
            while s < self.chars.len() && s < start + MAX_MODIFIER && !is_clause_break(self.chars[s]) {
                if self.chars[s] == '的' {
                    if let Some(k) = self.by_start.get(s + 1) {
                        return Some(Item::Known(k));
                    }
                }
                s += 1;
            }
            start = pos + sep.len();
        }
        let end = self.scan_forward(start);
        (end - start >= MIN_ITEM && end - start <= MAX_ITEM).then_some(Item::Unknown(Span::new(start, end)))
    }

    /// Whether an item may end at `end`: at a separator, punctuation or a
    /// function word, not inside a longer noun phrase.
    fn ends_item(&self, end: usize) -> bool {
        let Some(&c) = self.chars.get(end) else { return true };
        !(is_cjk(c) || c.is_ascii_alphanumeric())
            || SEPARATORS.iter().any(|s| self.text_at(end, s))
            || self.stop_char_at(end)
            || self.verb_at(end)
    }

    /// Whether the character at `j` is a function word (`stem_stop_chars`).
    /// (The lists come as phrases from `stem_lists`, looked up once per
    /// document: asked at every item end and every step of a forward scan.)
    fn stop_char_at(&self, j: usize) -> bool {
        self.stem_lists.stop_chars.has_word_ending_at(self.chars, j + 1, 1)
    }

    /// Whether the longest lexicon word at `j` is a verb or a function
    /// word (合作, 共同), which ends a noun phrase.
    fn verb_at(&self, j: usize) -> bool {
        for len in (2..=4).rev() {
            if j + len > self.chars.len() {
                continue;
            }
            if self.stem_lists.breakers.has_word_ending_at(self.chars, j + len, len) {
                return true;
            }
            if let Some(e) = self.rules.lexicon.get_chars(&self.chars[j..j + len]) {
                return self.stem_lists.breaker_pos.contains(e) || e.pos.starts_with('v');
            }
        }
        false
    }

    /// The end of a name starting at `start`: the walk goes word by word
    /// and stops at punctuation, a function word, a verb or a mention.
    fn scan_forward(&self, start: usize) -> usize {
        let mut j = start;
        while j < self.chars.len() && j - start <= MAX_ITEM {
            let c = self.chars[j];
            if self.is_occupied(j) || !(is_cjk(c) || c.is_ascii_alphanumeric()) || self.stop_char_at(j) {
                break;
            }
            if self.verb_at(j) {
                break;
            }
            let step = (2..=4)
                .rev()
                .find(|&len| j + len <= self.chars.len() && self.rules.lexicon.get_chars(&self.chars[j..j + len]).is_some())
                .unwrap_or(1);
            if (j + 1..j + step).any(|p| self.is_occupied(p)) {
                break;
            }
            j += step;
        }
        j
    }

    /// Whether an unknown item has the shape of a name: not a common word
    /// or a run of common words, not starting with a determiner or a digit.
    fn name_shaped(&self, span: Span) -> bool {
        let chars = &self.chars[span.start..span.end];
        let text: String = chars.iter().collect();
        if chars.iter().all(|c| c.is_ascii_digit()) || chars[0].is_ascii_digit() {
            return false;
        }
        if self.rules.lexicon.get(&text).is_some_and(|e| !is_proper_pos(&e.pos)) || covered_by_common_words(chars, self.rules) {
            return false;
        }
        let stop_chars = self.rules.lists.set("stem_stop_chars");
        if chars.iter().any(|&c| with_str(&[c], |c| stop_chars.contains(c))) {
            return false;
        }
        // Part of a foreign name (比尔·|盖茨).
        if span.start >= 1 && matches!(self.chars[span.start - 1], '·' | '・' | '•') {
            return false;
        }
        let lexical = |s: usize, e: usize| self.rules.lexicon.get_chars(&chars[s..e]);
        let n = chars.len();
        // A name does not end in a common noun (历代史料, 在京机构) nor hold a
        // verb (加强协).
        if (2..n.min(5)).any(|k| lexical(n - k, n).is_some_and(|e| !is_proper_pos(&e.pos))) {
            return false;
        }
        // Nor in a person's name (外援|卡洛斯).
        if (2..=n.min(4)).any(|k| lexical(n - k, n).is_some_and(|e| &*e.pos == "nr")) {
            return false;
        }
        if (0..n).any(|s| (s + 2..=(s + 4).min(n)).any(|e| lexical(s, e).is_some_and(|w| w.pos.starts_with('v')))) {
            return false;
        }
        !self.rules.lists.list("stem_prefix_stop").iter().any(|p| text.starts_with(p.as_str()))
    }
}

/// The kept entity mentions by a position (where each starts, or ends):
/// for a position, the last mention read with it. (A sorted list searched
/// by halving, not a hash map nor a table per character: asked at the few
/// items of lists, and built for every document, where hashing each
/// mention in, or filling a table as long as the document, costs more.)
struct MentionAt(Vec<(usize, usize)>);

impl MentionAt {
    /// `found` are (position, mention), mentions ascending, at most
    /// `mentions` of them.
    fn new(found: impl Iterator<Item = (usize, usize)>, mentions: usize) -> MentionAt {
        // (Sized for every mention: collected from a filter, the list
        // would grow from empty.)
        let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(mentions);
        pairs.extend(found);
        // (Stable, so the last of a position is the last read.)
        pairs.sort_by_key(|&(position, _)| position);
        MentionAt(pairs)
    }

    fn get(&self, position: usize) -> Option<usize> {
        let after = self.0.partition_point(|&(p, _)| p <= position);
        after.checked_sub(1).map(|last| self.0[last]).filter(|&(p, _)| p == position).map(|(_, mention)| mention)
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(c, ',' | '。' | ';' | ':' | '!' | '?' | '、' | '“' | '”' | '"' | '\n' | '(' | ')')
}

#[cfg(test)]
mod tests {
    use super::MentionAt;
    use crate::mention::test_support::organizations;
    use std::collections::HashMap;

    /// Looking a position up in the sorted list finds what a map filled
    /// with the same (position, mention) pairs in order holds: the last
    /// mention read with the position.
    #[test]
    fn a_position_finds_the_last_mention_read_with_it() {
        let mut next = crate::test_random::xorshift32(0xa7);
        for _ in 0..500 {
            let pairs: Vec<(usize, usize)> = (0..next() % 20).map(|i| ((next() % 12) as usize, i as usize)).collect();
            let map: HashMap<usize, usize> = pairs.iter().copied().collect();
            let at = MentionAt::new(pairs.iter().copied(), pairs.len());
            for position in 0..14 {
                assert_eq!(at.get(position), map.get(&position).copied(), "{pairs:?} at {position}");
            }
        }
    }

    #[test]
    fn unknown_items_listed_with_an_organization_are_organizations() {
        let found = organizations("首批入驻的有腾讯、蓝橙和青禾等公司。");
        assert!(found.contains(&"蓝橙".to_string()) && found.contains(&"青禾".to_string()), "{found:?}");
        let found = organizations("那天在蓝橙和腾讯合作的机房里。");
        assert!(found.contains(&"蓝橙".to_string()), "{found:?}");
    }

    #[test]
    fn a_modifier_before_yiji_does_not_break_the_list() {
        let found = organizations("成员有蓝橙和青禾,以及去年才加入的腾讯。");
        assert!(found.contains(&"蓝橙".to_string()) && found.contains(&"青禾".to_string()), "{found:?}");
    }

    #[test]
    fn common_words_mixed_lists_and_modifiers_are_not_names() {
        assert_eq!(organizations("腾讯和政府都要努力。"), vec!["腾讯"]);
        // A person in the list: the list says nothing about the type.
        assert!(!organizations("记者张明、腾讯和蓝橙都来了。").contains(&"蓝橙".to_string()));
        // 腾讯 modifies the next noun: no list of organizations.
        assert!(!organizations("获得蓝橙奖、腾讯技术大奖等奖项。").contains(&"蓝橙奖".to_string()));
    }
}
