//! The mention of a match (group `m`, else the whole match) without the
//! regex crate's capture search when the match alone tells where it is.
//!
//! Asking the regex crate for captures costs a second search after the
//! match is found: a bounded backtracker over the match, whose set-up is
//! proportional to the size of the regex (about 5,000 instructions per
//! match of `values/quantity/number-unit`, more than finding the match).
//! Most value regexes with a group `m` are `LEAD (?P<m>TAIL) TRAIL`, where
//! the lead is one character standing in for a look-behind (`(?:^|[^第0-9])`)
//! and the trail, if any, one character or the end of the text. The group
//! then starts one character past the match's start and ends one character
//! before its end: the lead and the trail match exactly one character each,
//! except `^` at the start of the text and `$` at its end, where the
//! captures are asked for as before.
//!
//! A group of as few characters as can be, then a run of some characters
//! and a literal (`《(?P<m>[^《》\n]{1,80}?)\s*》`: the title, blanks, the closing
//! mark) is read off the match too; see [`LazyBeforeRun`].

use crate::chars::CharBits;
use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use std::ops::Range;

/// How the mention of a match is found.
#[derive(Debug)]
pub(super) enum MentionPlan {
    /// No group `m`: the mention is the match.
    Whole,
    /// `LEAD (?P<m>TAIL) TRAIL`, `m` the only group.
    Between(Edge, Edge),
    /// `LEAD (?P<m>C{n,m}?) W* L`, `m` the only group.
    LazyBeforeRun(Box<LazyBeforeRun>),
    /// The captures of the match.
    Captures,
}

/// What a lead (a trail) of [`MentionPlan::Between`] matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Edge {
    /// Nothing (there is none).
    Nothing,
    /// Always this many bytes.
    Bytes(usize),
    /// One character.
    OneChar,
    /// One character, or the empty string at the edge of the text (`^` for
    /// a lead, `$` for a trail).
    OneCharOrAnchor,
}

impl MentionPlan {
    pub(super) fn new(hir: &Hir) -> MentionPlan {
        let properties = hir.properties();
        let named_m = |h: &Hir| matches!(h.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("m"));
        let parts: &[Hir] = match hir.kind() {
            HirKind::Concat(parts) => parts,
            _ => std::slice::from_ref(hir),
        };
        let Some(at) = parts.iter().position(named_m) else {
            return if properties.explicit_captures_len() == 0 || !has_group_m(hir) { MentionPlan::Whole } else { MentionPlan::Captures };
        };
        if properties.explicit_captures_len() != 1 || at > 1 || parts.len() - at > 3 {
            return MentionPlan::Captures;
        }
        let lead = if at == 1 { edge(&parts[0], Look::Start) } else { Some(Edge::Nothing) };
        if parts.len() - at == 3 {
            let plan = lead.filter(|&l| l != Edge::OneCharOrAnchor).and_then(|lead| LazyBeforeRun::new(lead, &parts[at], &parts[at + 1], &parts[at + 2]));
            return plan.map_or(MentionPlan::Captures, |plan| MentionPlan::LazyBeforeRun(Box::new(plan)));
        }
        let trail = if parts.len() - at == 2 { edge(&parts[at + 1], Look::End) } else { Some(Edge::Nothing) };
        match (lead, trail) {
            (Some(lead), Some(trail)) => MentionPlan::Between(lead, trail),
            _ => MentionPlan::Captures,
        }
    }

    /// The leftmost match of `regex` in `haystack` from `from`, and its
    /// mention (`None`: group `m` did not take part).
    pub(super) fn search_at(&self, regex: &Regex, haystack: &str, from: usize) -> Option<(Range<usize>, Option<Range<usize>>)> {
        if let MentionPlan::Captures = self {
            // One search for both, not a match then its captures.
            let caps = regex.captures_at(haystack, from)?;
            return Some((caps.get(0).expect("group 0 is the match").range(), caps.name("m").map(|m| m.range())));
        }
        let found = regex.find_at(haystack, from)?.range();
        Some((found.clone(), self.mention(regex, haystack, found)))
    }

    /// The mention of `found`, a match of `regex` in `haystack` (`None`:
    /// group `m` did not take part).
    pub(super) fn mention(&self, regex: &Regex, haystack: &str, found: Range<usize>) -> Option<Range<usize>> {
        let from_captures = || regex.captures_at(haystack, found.start).and_then(|c| c.name("m")).map(|m| m.range());
        match *self {
            MentionPlan::Whole => Some(found),
            MentionPlan::Captures => from_captures(),
            MentionPlan::Between(lead, trail) => {
                // (The match is the leftmost-first one from its own start,
                // so searching again from there finds it again.)
                if (lead == Edge::OneCharOrAnchor && found.start == 0) || (trail == Edge::OneCharOrAnchor && found.end == haystack.len()) {
                    return from_captures();
                }
                let start = found.start + edge_len(lead, || haystack[found.start..].chars().next());
                let end = found.end - edge_len(trail, || haystack[..found.end].chars().next_back());
                Some(start..end)
            }
            MentionPlan::LazyBeforeRun(ref plan) => Some(plan.mention(haystack, found)),
        }
    }
}

/// `LEAD (?P<m>C{n,m}?) W* L`: a lead of fixed length, a lazy group of
/// one class, a greedy run of a small class W and a literal L whose first
/// character is not in W.
///
/// The trail `W* L` matches at a position only as the W-run that starts
/// there, whole, followed by L (W cannot take L's first character, so giving
/// back W characters never helps). Leftmost-first, the group takes the
/// fewest characters after which the trail matches; the trail then ends
/// where the match does. Any position in the W-run that ends just before
/// the match's L is such a place, and none before it (from there the trail
/// would end at an earlier L). So the group ends at the start of that run,
/// or after its fewest characters if that is later.
#[derive(Debug)]
pub(super) struct LazyBeforeRun {
    lead: Edge,
    /// The fewest characters of the group (`n`).
    min_chars: usize,
    /// The characters of the run (W).
    run: CharBits,
    /// The length of L in bytes.
    literal_len: usize,
}

/// A run class of more characters than this is not worth listing.
const MAX_RUN_CHARS: usize = 512;

impl LazyBeforeRun {
    fn new(lead: Edge, group: &Hir, run: &Hir, literal: &Hir) -> Option<LazyBeforeRun> {
        let HirKind::Capture(group) = group.kind() else { return None };
        let HirKind::Repetition(lazy) = group.sub.kind() else { return None };
        if lazy.greedy || lazy.min == 0 || !matches!(lazy.sub.kind(), HirKind::Class(Class::Unicode(_))) {
            return None;
        }
        let HirKind::Repetition(greedy) = run.kind() else { return None };
        let HirKind::Class(Class::Unicode(class)) = greedy.sub.kind() else { return None };
        if !greedy.greedy || greedy.min != 0 || greedy.max.is_some() {
            return None;
        }
        if class.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum::<usize>() > MAX_RUN_CHARS {
            return None;
        }
        let mut chars = CharBits::default();
        class.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(|c| chars.insert(c));
        let HirKind::Literal(literal) = literal.kind() else { return None };
        let first = std::str::from_utf8(&literal.0).ok()?.chars().next()?;
        if chars.contains(first) {
            return None;
        }
        Some(LazyBeforeRun { lead, min_chars: lazy.min as usize, run: chars, literal_len: literal.0.len() })
    }

    fn mention(&self, haystack: &str, found: Range<usize>) -> Range<usize> {
        let start = found.start + edge_len(self.lead, || haystack[found.start..].chars().next());
        let body = &haystack[start..found.end - self.literal_len];
        let fewest = body.char_indices().nth(self.min_chars).map_or(body.len(), |(i, _)| i);
        let run_start = body.len() - body.chars().rev().take_while(|&c| self.run.contains(c)).map(char::len_utf8).sum::<usize>();
        start..start + fewest.max(run_start)
    }
}

fn has_group_m(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(c) => c.name.as_deref() == Some("m") || has_group_m(&c.sub),
        HirKind::Repetition(r) => has_group_m(&r.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(has_group_m),
        _ => false,
    }
}

/// What `hir` matches as a lead (`text_edge` `Look::Start`) or a trail
/// (`Look::End`), if one of the [`Edge`]s.
fn edge(hir: &Hir, text_edge: Look) -> Option<Edge> {
    let one_char = |h: &Hir| matches!(h.kind(), HirKind::Class(Class::Unicode(_)));
    match hir.kind() {
        _ if one_char(hir) => Some(Edge::OneChar),
        HirKind::Alternation(branches) if branches.len() == 2 => {
            let is_edge = |h: &Hir| matches!(h.kind(), HirKind::Look(look) if *look == text_edge);
            let pair = (&branches[0], &branches[1]);
            ((is_edge(pair.0) && one_char(pair.1)) || (one_char(pair.0) && is_edge(pair.1))).then_some(Edge::OneCharOrAnchor)
        }
        _ => {
            let properties = hir.properties();
            let fixed = properties.minimum_len().filter(|&n| properties.maximum_len() == Some(n));
            fixed.filter(|_| properties.explicit_captures_len() == 0).map(Edge::Bytes)
        }
    }
}

/// The bytes an edge took, given the character it would have taken.
fn edge_len(edge: Edge, char_taken: impl FnOnce() -> Option<char>) -> usize {
    match edge {
        Edge::Nothing => 0,
        Edge::Bytes(n) => n,
        Edge::OneChar | Edge::OneCharOrAnchor => char_taken().map_or(0, char::len_utf8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(source: &str) -> MentionPlan {
        MentionPlan::new(&regex_syntax::ParserBuilder::new().build().parse(source).unwrap())
    }

    #[test]
    fn a_one_character_lead_or_trail_is_read_off_the_match() {
        assert!(matches!(plan("(?:^|[^第0-9])(?P<m>[0-9]+年)"), MentionPlan::Between(Edge::OneCharOrAnchor, Edge::Nothing)));
        assert!(matches!(plan("(?P<m>[0-9]+日)(?:[^游元]|$)"), MentionPlan::Between(Edge::Nothing, Edge::OneCharOrAnchor)));
        assert!(matches!(plan("(?:[^0-9])(?P<m>[0-9]+)[年月]"), MentionPlan::Between(Edge::OneChar, Edge::OneChar)));
        assert!(matches!(plan("第(?P<m>[0-9]+)(?-u:\\b)"), MentionPlan::Between(Edge::Bytes(3), Edge::Bytes(0))));
    }

    #[test]
    fn other_shapes_ask_for_the_captures() {
        // Multi-line `^` matches after any line break.
        assert!(matches!(plan("(?m)(?:^|[^0-9])(?P<m>[0-9]+年)"), MentionPlan::Captures));
        // Leads and trails of varying length.
        assert!(matches!(plan("(?:打|享受)(?P<m>[0-9]折)"), MentionPlan::Captures));
        assert!(matches!(plan("(?P<m>[0-9]+)(?:元)?的"), MentionPlan::Captures));
        // Another group, or `m` nested.
        assert!(matches!(plan("(?:^|x)(?P<m>[0-9]+)(年)"), MentionPlan::Captures));
        assert!(matches!(plan("(?:x(?P<m>[0-9]+))+"), MentionPlan::Captures));
    }

    #[test]
    fn without_group_m_the_mention_is_the_match() {
        assert!(matches!(plan("[0-9]+年"), MentionPlan::Whole));
        assert!(matches!(plan("([0-9]+)年"), MentionPlan::Whole));
    }

    #[test]
    fn a_lazy_group_before_a_run_and_a_literal_is_read_off_the_match() {
        assert!(matches!(plan(r"《(?P<m>[^《》\n]{1,80}?)\s*》"), MentionPlan::LazyBeforeRun(_)));
        // The literal could be taken by the run; a greedy group; a run of
        // bounded length.
        assert!(matches!(plan(r"《(?P<m>[^《》]{1,80}?)\s*\s》"), MentionPlan::Captures));
        assert!(matches!(plan(r"《(?P<m>[^《》]{1,80})\s*》"), MentionPlan::Captures));
        assert!(matches!(plan(r"《(?P<m>[^《》]{1,80}?)\s{0,2}》"), MentionPlan::Captures));
    }

    #[test]
    fn mentions_of_lazy_groups_before_runs_are_those_of_the_captures() {
        let sources = [r"《(?P<m>[^《》\n]{1,80}?)\s*》", r"[^x](?P<m>[a 》]{2,5}?)[ b]*》x", r"(?P<m>[^》]+?)[ \t]*》》"];
        let pieces = ["《", "》", " ", "\n", "a", "b", "x", "y", "书", "\u{3000}"];
        let mut random = crate::test_random::xorshift32(0x1234_5679);
        let mut next = move || random() as usize;
        let texts: Vec<String> = (0..3000).map(|_| (0..1 + next() % 20).map(|_| pieces[next() % pieces.len()]).collect()).collect();
        for source in sources {
            let regex = Regex::new(source).unwrap();
            let plan = plan(source);
            assert!(matches!(plan, MentionPlan::LazyBeforeRun(_)), "{source}");
            for text in &texts {
                let expected: Vec<_> = regex.captures_iter(text).map(|c| c.name("m").map(|m| m.range())).collect();
                let found: Vec<_> = regex.find_iter(text).map(|m| plan.mention(&regex, text, m.range())).collect();
                assert_eq!(found, expected, "{source} in {text:?}");
            }
        }
    }

    #[test]
    fn mentions_at_the_edges_of_the_text_are_exact() {
        let source = "(?:^|[^0-9])(?P<m>[0-9]+日)(?:[^游]|$)";
        let regex = Regex::new(source).unwrap();
        let plan = plan(source);
        for text in ["5日", "5日游", "x5日", "x5日y", "x5日游", "12日x3日"] {
            let expected: Vec<_> = regex.captures_iter(text).map(|c| c.name("m").map(|m| m.range())).collect();
            let found: Vec<_> = regex.find_iter(text).map(|m| plan.mention(&regex, text, m.range())).collect();
            assert_eq!(found, expected, "{text}");
        }
    }
}
