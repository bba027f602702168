//! The two orders of overlap resolution.
//!
//! A document has thousands of candidates, and sorting them by a tuple of
//! five fields with a fallback to the rule id cost more than the rest of
//! the resolution. Each candidate's fields are instead packed, most
//! significant first, into one `u128` whose integer order is the tuple's
//! order; only candidates equal in every packed field (rare) are then
//! ordered by rule id. Fields too wide to pack (a layer or span beyond
//! what any rule set gives) fall back to the plain comparison.
//!
//! The winners' order by position needs no such sort: their non-empty
//! spans never overlap, so the map of kept spans lists them by start, and
//! only the few others are sorted in.

use super::{Candidate, PRIORITY_PER_LAYER};
use std::cmp::Reverse;

/// The competing candidates (indices into `candidates`) in the order they
/// compete: higher layer, longer span, higher priority, earlier start,
/// rule id, earlier candidate.
pub(super) fn competition_order(candidates: &[Candidate], competing: Vec<u32>) -> Vec<u32> {
    // (Filled into a vector of the exact size: collecting into an Option
    // loses the length, and the keys grew from empty per document.)
    let mut keys: Vec<u128> = Vec::with_capacity(competing.len());
    for &i in &competing {
        let Some(key) = packed_rank(&candidates[i as usize], i) else { return competition_order_plainly(candidates, competing) };
        keys.push(key);
    }
    keys.sort_unstable();
    // Equal but for the index: by rule id, then index.
    let rule = |k: &u128| &candidates[index_of(*k) as usize].rule;
    for tied in keys.chunk_by_mut(|a, b| a >> 32 == b >> 32).filter(|run| run.len() > 1) {
        tied.sort_unstable_by(|a, b| rule(a).cmp(rule(b)).then(a.cmp(b)));
    }
    keys.into_iter().map(index_of).collect()
}

/// `(Reverse(layer), Reverse(length), Reverse(priority), start)` in the
/// upper 96 bits, the index in the lower 32; `None` when a field does not
/// fit.
fn packed_rank(c: &Candidate, index: u32) -> Option<u128> {
    // Order-preserving maps of signed numbers to unsigned ones, negated
    // for the descending fields.
    let layer = !(i16::try_from(c.priority / PRIORITY_PER_LAYER).ok()? as u16 ^ 0x8000);
    let length = !u16::try_from(c.span.len()).ok()?;
    let priority = !(c.priority as u32 ^ 0x8000_0000);
    let start = u32::try_from(c.span.start).ok()?;
    Some((layer as u128) << 112 | (length as u128) << 96 | (priority as u128) << 64 | (start as u128) << 32 | index as u128)
}

fn index_of(key: u128) -> u32 {
    key as u32
}

/// [`competition_order`] by comparing the fields one by one.
fn competition_order_plainly(candidates: &[Candidate], competing: Vec<u32>) -> Vec<u32> {
    let rank = |i: u32| {
        let c = &candidates[i as usize];
        (Reverse(c.priority / PRIORITY_PER_LAYER), Reverse(c.span.len()), Reverse(c.priority), c.span.start, i)
    };
    let mut ranked: Vec<_> = competing.into_iter().map(rank).collect();
    ranked.sort_unstable_by(|a, b| {
        let (a_key, b_key) = ((a.0, a.1, a.2, a.3), (b.0, b.1, b.2, b.3));
        a_key.cmp(&b_key).then_with(|| candidates[a.4 as usize].rule.cmp(&candidates[b.4 as usize].rule)).then(a.4.cmp(&b.4))
    });
    ranked.into_iter().map(|r| r.4).collect()
}

/// The kept candidates (indices into `candidates`) as positions into
/// `kept`, sorted by start, end and position in `kept`. `disjoint` lists
/// the positions of kept candidates whose spans never overlap, in start
/// order (which is then that order); `rest` the others, in any order.
pub(super) fn position_order(candidates: &[Candidate], kept: &[u32], disjoint: impl Iterator<Item = u32>, mut rest: Vec<u32>) -> Vec<u32> {
    let key = |k: u32| {
        let span = candidates[kept[k as usize] as usize].span;
        (span.start, span.end, k)
    };
    rest.sort_unstable_by_key(|&k| key(k));
    let mut by_position = Vec::with_capacity(kept.len());
    let mut rest = rest.into_iter().peekable();
    for k in disjoint {
        let before = key(k);
        while let Some(r) = rest.next_if(|&r| key(r) < before) {
            by_position.push(r);
        }
        by_position.push(k);
    }
    by_position.extend(rest);
    by_position
}

/// The items at `picks` (distinct indices into `items`), in the order of
/// `picks`, the others dropped. The kept candidates are moved within the
/// list they came in, by swaps: a new list, or a list of options to take
/// them out of, was memory written afresh for every document, hundreds of
/// bytes per candidate. Two small tables follow the items as they move.
pub(super) fn select_in_order<T>(mut items: Vec<T>, picks: &[u32]) -> Vec<T> {
    let n = u32::try_from(items.len()).expect("fewer than 2^32 candidates");
    // Where each item is now, and which item each place holds.
    let mut place_of: Vec<u32> = (0..n).collect();
    let mut item_at: Vec<u32> = (0..n).collect();
    for (to, &item) in picks.iter().enumerate() {
        // Places before `to` hold earlier picks, so `item` is at `to` or
        // after it.
        let from = place_of[item as usize] as usize;
        if from != to {
            items.swap(to, from);
            let displaced = item_at[to];
            item_at[from] = displaced;
            place_of[displaced as usize] = from as u32;
            item_at[to] = item;
            place_of[item as usize] = to as u32;
        }
    }
    items.truncate(picks.len());
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NodeType, RuleId, Span};
    use crate::rules::Tag;

    fn candidate(start: usize, len: usize, priority: i32, rule: &'static str) -> Candidate {
        Candidate {
            span: Span::new(start, start + len),
            tag: Tag::Node(NodeType::Organization),
            entry: None,
            rule: RuleId::Literal(rule),
            priority,
            value: None,
            suffix_start: None,
        }
    }

    /// Random candidates with many ties, and with fields at the limits of
    /// (and beyond) what packs.
    fn random_candidates(next: &mut impl FnMut() -> u32, wide: bool) -> Vec<Candidate> {
        let rules = ["b/rule", "a/rule", "c/rule"];
        let priorities = [20, 30, 50, 1030, -5, -1999, 32_767_000, -32_768_999, i32::MAX, i32::MIN];
        let count = next() % 50;
        (0..count)
            .map(|_| {
                let len = if wide && next().is_multiple_of(10) { 70_000 } else { (next() % 5) as usize };
                let priority = priorities[next() as usize % if wide { priorities.len() } else { 8 }];
                candidate((next() % 20) as usize, len, priority, rules[next() as usize % rules.len()])
            })
            .collect()
    }

    #[test]
    fn packed_competition_order_is_the_plain_order() {
        let mut next = crate::test_random::xorshift32(0x0dd_ba11);
        for round in 0..2000 {
            let candidates = random_candidates(&mut next, round % 2 == 1);
            let all: Vec<u32> = (0..candidates.len() as u32).collect();
            assert_eq!(competition_order(&candidates, all.clone()), competition_order_plainly(&candidates, all), "{candidates:?}");
        }
    }

    #[test]
    fn position_order_sorts_by_start_end_and_winning_order() {
        let candidates = vec![candidate(5, 2, 20, "a"), candidate(1, 0, 20, "a"), candidate(1, 3, 20, "a"), candidate(1, 0, 20, "b"), candidate(5, 1, 20, "a")];
        // Kept: 1..4 at 5..7 and 1..4 (disjoint, listed by start), the
        // empty spans at 1 and 5..6 (the rest).
        let kept = [0, 3, 2, 1, 4];
        assert_eq!(position_order(&candidates, &kept, [2, 0].into_iter(), vec![4, 3, 1]), vec![1, 3, 2, 4, 0]);
        assert_eq!(position_order(&candidates, &kept, std::iter::empty(), vec![0, 1, 2, 3, 4]), vec![1, 3, 2, 4, 0]);
    }

    /// Selecting in place gives what taking each picked item out of a
    /// list of options, in the order picked, gives: for random selections
    /// of every size (none, some, all) in random orders.
    #[test]
    fn selecting_in_place_takes_the_picked_items_in_order() {
        let mut next = crate::test_random::xorshift32(0x5e1);
        for _ in 0..2000 {
            let n = next() as usize % 40;
            let items: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
            // A random order of all indices, of which a random prefix is picked.
            let mut order: Vec<u32> = (0..n as u32).collect();
            for i in (1..n).rev() {
                order.swap(i, next() as usize % (i + 1));
            }
            let picks = &order[..if n == 0 { 0 } else { next() as usize % (n + 1) }];
            let mut slots: Vec<Option<String>> = items.iter().cloned().map(Some).collect();
            let expected: Vec<String> = picks.iter().map(|&i| slots[i as usize].take().unwrap()).collect();
            assert_eq!(select_in_order(items, picks), expected, "{picks:?}");
        }
    }

    /// Merging the disjoint spans (by start) with the sorted rest gives
    /// what sorting all of them by start, end and place gives.
    #[test]
    fn position_order_is_the_sorted_order() {
        let mut next = crate::test_random::xorshift32(0x9051);
        for _ in 0..1000 {
            let mut candidates = Vec::new();
            let mut disjoint = Vec::new();
            let mut at = 0;
            // Disjoint non-empty spans, in start order.
            while !next().is_multiple_of(6) {
                at += (next() % 3) as usize;
                let len = 1 + (next() % 4) as usize;
                candidates.push(candidate(at, len, 20, "a"));
                at += len;
            }
            let disjoint_count = candidates.len();
            for _ in 0..next() % 8 {
                candidates.push(candidate((next() % 20) as usize, (next() % 4) as usize, 20, "a"));
            }
            // Kept in a random order of winning.
            let mut kept: Vec<u32> = (0..candidates.len() as u32).collect();
            for i in (1..kept.len()).rev() {
                kept.swap(i, next() as usize % (i + 1));
            }
            let place_of = |c: u32| kept.iter().position(|&k| k == c).expect("kept") as u32;
            disjoint.extend((0..disjoint_count as u32).map(place_of));
            let rest: Vec<u32> = (disjoint_count as u32..candidates.len() as u32).map(place_of).collect();
            let mut expected: Vec<u32> = (0..kept.len() as u32).collect();
            expected.sort_by_key(|&k| (candidates[kept[k as usize] as usize].span.start, candidates[kept[k as usize] as usize].span.end, k));
            assert_eq!(position_order(&candidates, &kept, disjoint.into_iter(), rest), expected, "{candidates:?} {kept:?}");
        }
    }
}
