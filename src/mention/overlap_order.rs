//! The two orders of overlap resolution.
//!
//! A document has thousands of candidates, and sorting them by a tuple of
//! five fields with a fallback to the rule id cost more than the rest of
//! the resolution. Each candidate's fields are instead packed, most
//! significant first, into one `u64` whose integer order is the tuple's
//! order; only candidates equal in every packed field (rare) are then
//! ordered by rule id. Each field takes only the bits its range in the
//! document needs (a document's priorities, lengths and starts span a
//! few dozen bits together), so that the key is a machine word: the
//! standard sort orders words with branch-free networks, where it sorted
//! 16-byte keys by insertion with a mispredicted branch per step. Fields
//! too wide to pack together (texts or rule sets far beyond any seen)
//! fall back to the plain comparison.
//!
//! The winners' order by position needs no such sort: their non-empty
//! spans never overlap, so the map of kept spans lists them by start, and
//! only the few others are sorted in.

use super::{Candidate, PRIORITY_PER_LAYER};
use std::cmp::Reverse;

/// The competing candidates (indices into `candidates`) in the order they
/// compete: higher layer, longer span, higher priority, earlier start,
/// rule id, earlier candidate.
pub(super) fn competition_order(candidates: &[Candidate], mut competing: Vec<u32>) -> Vec<u32> {
    let Some(packing) = Packing::fitting(candidates, &competing) else { return competition_order_plainly(candidates, competing) };
    let mut keys: Vec<u64> = competing.iter().map(|&i| packing.key(&candidates[i as usize], i)).collect();
    keys.sort_unstable();
    // Equal but for the index: by rule id, then index.
    let rule = |k: &u64| &candidates[packing.index_of(*k) as usize].rule;
    let index_bits = packing.index_bits;
    for tied in keys.chunk_by_mut(|a, b| a >> index_bits == b >> index_bits).filter(|run| run.len() > 1) {
        tied.sort_unstable_by(|a, b| rule(a).cmp(rule(b)).then(a.cmp(b)));
    }
    competing.clear();
    competing.extend(keys.into_iter().map(|k| packing.index_of(k)));
    competing
}

/// Where the fields of [`competition_order`]'s key lie in a `u64`, for
/// one set of candidates: each field is its distance from the end of its
/// range that ranks first (the highest layer, length and priority, start
/// 0), in as many bits as the range needs.
struct Packing {
    highest_layer: i64,
    one_layer: bool,
    longest: u64,
    highest_priority: i64,
    /// Shifts of the layer, length, priority and start fields; the index
    /// takes the lowest `index_bits` bits.
    layer_shift: u32,
    length_shift: u32,
    priority_shift: u32,
    index_bits: u32,
}

impl Packing {
    /// The packing of the candidates at `competing`, if there are any and
    /// their fields fit in 63 bits together (so that no shift reaches 64).
    fn fitting(candidates: &[Candidate], competing: &[u32]) -> Option<Packing> {
        if competing.is_empty() {
            return None;
        }
        let (mut lengths, mut priorities) = ((u64::MAX, 0), (i32::MAX, i32::MIN));
        let (mut last_start, mut last_index) = (0, 0);
        for &i in competing {
            let c = &candidates[i as usize];
            let (length, priority) = (c.span.len() as u64, c.priority);
            lengths = (lengths.0.min(length), lengths.1.max(length));
            priorities = (priorities.0.min(priority), priorities.1.max(priority));
            last_start = last_start.max(c.span.start as u64);
            last_index = last_index.max(i);
        }
        // (A layer never falls as the priority rises: the layers lie
        // between those of the lowest and the highest priority.)
        let layers = (i64::from(priorities.0 / PRIORITY_PER_LAYER), i64::from(priorities.1 / PRIORITY_PER_LAYER));
        let bits = |spread: u64| u64::BITS - spread.leading_zeros();
        let index_bits = bits(u64::from(last_index));
        let start_bits = bits(last_start);
        let priority_bits = bits(u64::from(priorities.1.abs_diff(priorities.0)));
        let length_bits = bits(lengths.1.saturating_sub(lengths.0));
        let layer_bits = bits(layers.1.abs_diff(layers.0));
        let priority_shift = index_bits + start_bits;
        let length_shift = priority_shift + priority_bits;
        let layer_shift = length_shift + length_bits;
        (layer_shift + layer_bits < u64::BITS).then_some(Packing {
            highest_layer: layers.1,
            one_layer: layers.0 == layers.1,
            longest: lengths.1,
            highest_priority: i64::from(priorities.1),
            layer_shift,
            length_shift,
            priority_shift,
            index_bits,
        })
    }

    /// The key of candidate `c`, at `index` in the candidates.
    fn key(&self, c: &Candidate, index: u32) -> u64 {
        // (Most documents have one layer: no division for them.)
        let layer = if self.one_layer { 0 } else { self.highest_layer.abs_diff(i64::from(layer_of(c))) };
        let length = self.longest - c.span.len() as u64;
        let priority = self.highest_priority.abs_diff(i64::from(c.priority));
        layer << self.layer_shift | length << self.length_shift | priority << self.priority_shift | (c.span.start as u64) << self.index_bits | u64::from(index)
    }

    fn index_of(&self, key: u64) -> u32 {
        (key & ((1 << self.index_bits) - 1)) as u32
    }
}

fn layer_of(c: &Candidate) -> i32 {
    c.priority / PRIORITY_PER_LAYER
}

/// [`competition_order`] by comparing the fields one by one.
fn competition_order_plainly(candidates: &[Candidate], competing: Vec<u32>) -> Vec<u32> {
    let rank = |i: u32| {
        let c = &candidates[i as usize];
        (Reverse(layer_of(c)), Reverse(c.span.len()), Reverse(c.priority), c.span.start, i)
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
                // (Starts this far and the widest priorities together
                // take more than a word.)
                let start = if wide && next().is_multiple_of(10) { 1 << 40 } else { (next() % 20) as usize };
                candidate(start, len, priority, rules[next() as usize % rules.len()])
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
