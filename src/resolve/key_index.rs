//! The index of a document's nodes by the hash of their key, for the
//! resolver's node builder.
//!
//! Every mention looks its node up, and most mentions make a new node, so
//! the index is probed and filled once per mention. The builder hashes
//! each key once already; a general hash map of those hashes hashed them
//! again and stored, per slot, a hash and a node for a single lookup. Here
//! the slots are node numbers in a table at most half full, probed
//! linearly from the hash's high bits, and each node's hash is kept once,
//! in node order.

/// Node numbers by key hash. Finds the nodes whose key has a given hash;
/// telling their keys apart is the caller's (see [`KeyIndex::find`]).
/// (The default has no slots: only for [`KeyIndex::emptied`].)
#[derive(Default)]
pub(super) struct KeyIndex {
    /// Per slot, a node number + 1, or 0 for an empty slot. A power of
    /// two long, and at least twice as long as there are nodes, so a probe
    /// meets an empty slot soon.
    slots: Vec<u32>,
    /// 64 minus the number of bits of a slot number: a hash shifted right
    /// by this is its first slot.
    shift: u32,
    /// Per node, the hash of its key: compared before the key, and read
    /// again to place the nodes when the table grows.
    hashes: Vec<u64>,
}

/// The fewest slots a table has.
const MIN_SLOTS: usize = 16;

impl KeyIndex {
    /// An index with room for `nodes` nodes before it grows.
    #[cfg(test)]
    pub(super) fn with_capacity(nodes: usize) -> KeyIndex {
        KeyIndex::default().emptied(nodes)
    }

    /// This index emptied, with room for `nodes` nodes before it grows:
    /// the tables of a document before are cleared and reused, not made
    /// again.
    pub(super) fn emptied(mut self, nodes: usize) -> KeyIndex {
        let slots = nodes.saturating_mul(2).next_power_of_two().max(MIN_SLOTS);
        self.slots.clear();
        self.slots.resize(slots, 0);
        self.shift = 64 - slots.trailing_zeros();
        self.hashes.clear();
        self.hashes.reserve(nodes);
        self
    }

    /// The node whose key has hash `hash` and for which `is_key` holds
    /// (the caller compares the key itself), if there is one.
    #[inline]
    pub(super) fn find(&self, hash: u64, mut is_key: impl FnMut(usize) -> bool) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = self.first_slot(hash);
        loop {
            let node = (self.slots[at] as usize).checked_sub(1)?;
            if self.hashes[node] == hash && is_key(node) {
                return Some(node);
            }
            at = (at + 1) & mask;
        }
    }

    /// Indexes the next node, whose key has hash `hash`, and returns its
    /// number: nodes are numbered in the order they are pushed, from 0.
    pub(super) fn push(&mut self, hash: u64) -> usize {
        let node = self.hashes.len();
        self.hashes.push(hash);
        if 2 * self.hashes.len() > self.slots.len() {
            self.grow();
        } else {
            self.place(node);
        }
        node
    }

    /// The slot a probe for `hash` starts at.
    #[inline]
    fn first_slot(&self, hash: u64) -> usize {
        // (`shift` is below 64: a table has at least two slots.)
        (hash >> self.shift) as usize
    }

    /// Puts node `node` into the first empty slot from its hash's.
    fn place(&mut self, node: usize) {
        let mask = self.slots.len() - 1;
        let mut at = self.first_slot(self.hashes[node]);
        while self.slots[at] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = u32::try_from(node + 1).expect("fewer than 2^32 nodes in a document");
    }

    /// Doubles the table and places every node again.
    fn grow(&mut self) {
        let slots = 2 * self.slots.len();
        self.slots = vec![0; slots];
        self.shift = 64 - slots.trailing_zeros();
        for node in 0..self.hashes.len() {
            self.place(node);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Finding by hash and key gives what a map from (hash, key) to node
    /// gives: on random keys whose hashes often collide (a few bits of
    /// hash, in the high bits and the low), from a small table that grows
    /// many times.
    #[test]
    fn every_node_is_found_by_its_hash_and_key_and_no_other() {
        let mut random = crate::test_random::xorshift32(0x1dea);
        for round in 0..200 {
            let mut index = KeyIndex::with_capacity(round % 5);
            let mut keys: Vec<(u64, u32)> = Vec::new();
            let mut expected: BTreeMap<(u64, u32), usize> = BTreeMap::new();
            for _ in 0..random() % 300 {
                let bits = u64::from(random() % 8);
                let hash = if round % 2 == 0 { bits << 61 | bits } else { bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) };
                let key = (hash, random() % 40);
                let found = index.find(hash, |node| keys[node] == key);
                assert_eq!(found, expected.get(&key).copied());
                if found.is_none() {
                    let node = index.push(hash);
                    assert_eq!(node, keys.len());
                    keys.push(key);
                    expected.insert(key, node);
                }
            }
            for (&(hash, key), &node) in &expected {
                assert_eq!(index.find(hash, |n| keys[n] == (hash, key)), Some(node));
                assert_eq!(index.find(hash, |n| keys[n] == (hash, key + 100)), None);
            }
            assert!(2 * keys.len() <= index.slots.len());
        }
    }

    /// An index emptied for reuse finds what a new one finds: none of the
    /// nodes of its previous use, and every node pushed since.
    #[test]
    fn an_emptied_index_is_a_new_one() {
        let mut random = crate::test_random::xorshift32(0xe3b7);
        let mut index = KeyIndex::with_capacity(3);
        for round in 0..100 {
            let hashes: Vec<u64> = (0..random() % 200).map(|_| u64::from(random() % 64) << 58).collect();
            for &h in &hashes {
                index.push(h);
            }
            index = index.emptied(round % 7);
            let fresh = KeyIndex::with_capacity(round % 7);
            assert_eq!((&index.slots, index.shift, &index.hashes), (&fresh.slots, fresh.shift, &fresh.hashes));
            for &h in &hashes {
                assert_eq!(index.find(h, |_| true), None);
            }
            let node = index.push(hashes.first().copied().unwrap_or(0));
            assert_eq!(node, 0);
            assert_eq!(index.find(hashes.first().copied().unwrap_or(0), |n| n == 0), Some(0));
        }
    }
}
