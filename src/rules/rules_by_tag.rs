//! Which relation rules a tagged sentence's mentions can fill.
//!
//! A rule whose subject slot or object slot takes none of the tags in a
//! sentence cannot match it (the slot groups match tag characters only).
//! Testing both slots of every rule in every sentence is most of the work
//! of ruling rules out; instead each tag lists, as a bit set over the
//! rules, the rules whose subject (object) slot takes it, and a sentence's
//! candidates are the union over its tags, subject side and object side
//! intersected: a few word operations per tag.

/// Tags are bits `0..32` of a slot's tag mask (`RelationRule::slot_tags`).
const TAGS: usize = 32;

#[derive(Debug, Default)]
pub struct RulesByTag {
    /// `subject[t]`: bit set over rules, of those whose subject slot takes
    /// tag `t`; `object` likewise.
    subject: Vec<Vec<u64>>,
    object: Vec<Vec<u64>>,
    /// Words of 64 rules in each bit set.
    words: usize,
}

impl RulesByTag {
    /// From each rule's (subject, object) tag masks, in rule order.
    pub fn new(slot_tags: &[(u32, u32)]) -> RulesByTag {
        let words = slot_tags.len().div_ceil(64);
        let mut subject = vec![vec![0u64; words]; TAGS];
        let mut object = vec![vec![0u64; words]; TAGS];
        for (rule, &(s, o)) in slot_tags.iter().enumerate() {
            for tag in 0..TAGS {
                if s >> tag & 1 == 1 {
                    subject[tag][rule / 64] |= 1 << (rule % 64);
                }
                if o >> tag & 1 == 1 {
                    object[tag][rule / 64] |= 1 << (rule % 64);
                }
            }
        }
        RulesByTag { subject, object, words }
    }

    /// Into `candidates` (a bit set over rules): the rules whose subject
    /// and object slots each take one of the tags in `present`.
    pub fn candidates(&self, present: u32, candidates: &mut Vec<u64>) {
        candidates.clear();
        candidates.resize(self.words, 0);
        for (w, candidate) in candidates.iter_mut().enumerate() {
            let (mut subjects, mut objects) = (0, 0);
            let mut tags = present;
            while tags != 0 {
                let tag = tags.trailing_zeros() as usize;
                subjects |= self.subject[tag][w];
                objects |= self.object[tag][w];
                tags &= tags - 1;
            }
            *candidate = subjects & objects;
        }
    }
}

/// The rules of a bit set, in order.
pub fn rules_in(set: &[u64]) -> impl Iterator<Item = usize> + '_ {
    set.iter().enumerate().flat_map(|(w, &word)| {
        let mut rest = word;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                w * 64 + bit
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_the_rules_both_of_whose_slots_take_a_present_tag() {
        let mut next = crate::test_random::xorshift32(0xB17);
        // More rules than one word holds, masks of one to a few tags.
        let mut mask = || (0..1 + next() % 3).fold(0u32, |m, _| m | 1 << (next() % 12));
        let slot_tags: Vec<(u32, u32)> = (0..150).map(|_| (mask(), mask())).collect();
        let by_tag = RulesByTag::new(&slot_tags);
        let mut candidates = Vec::new();
        let mut next = crate::test_random::xorshift32(0x5E7);
        for _ in 0..2000 {
            let present = next() & 0xFFF & next();
            by_tag.candidates(present, &mut candidates);
            let plain: Vec<usize> =
                slot_tags.iter().enumerate().filter(|(_, (s, o))| s & present != 0 && o & present != 0).map(|(r, _)| r).collect();
            assert_eq!(rules_in(&candidates).collect::<Vec<_>>(), plain, "tags {present:b}");
        }
    }
}
