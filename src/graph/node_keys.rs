//! The graph's nodes by key, with short keys held in the table itself.
//!
//! Every node of every document is looked up by its key on the merge,
//! which runs on one thread. A map from [`NodeKey`] held each key's text in
//! an allocation of its own, out of the cache by the time the key comes
//! again: finding a node read the table's control bytes, its slot and then
//! the text, a cache miss apiece. Here a key of up to [`KeySlot::ROOM`]
//! bytes (eight characters of Chinese, as most names and values are) is
//! written into its slot, which is half a cache line, so that finding it
//! reads the slot alone; a longer key is kept aside and compared there.

use super::inline_text::InlineText;
use crate::model::{NodeKey, NodeType};
use hashbrown::HashTable;
use petgraph::stable_graph::NodeIndex;
use rustc_hash::FxHashMap;
use std::hash::Hasher;

/// One node's entry: its index and its key, in place or, too long, aside.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct KeySlot {
    node: u32,
    node_type: NodeType,
    key: InlineText<{ KeySlot::ROOM }>,
}

impl KeySlot {
    const ROOM: usize = 26;
}

/// The graph's nodes by key.
#[derive(Clone, Debug, Default)]
pub(super) struct NodeKeys {
    slots: HashTable<KeySlot>,
    /// The keys too long for their slots, by node.
    long_keys: FxHashMap<u32, Box<str>>,
}

impl NodeKeys {
    pub(super) fn get(&self, key: &NodeKey) -> Option<NodeIndex> {
        let slot = self.slots.find(hash(key.node_type, key.key.as_bytes()), |slot| self.is_key_of(slot, key))?;
        Some(NodeIndex::new(slot.node as usize))
    }

    /// Enters `node` under `key`, which no node has yet.
    pub(super) fn insert(&mut self, key: &NodeKey, node: NodeIndex) {
        debug_assert!(self.get(key).is_none());
        let slot = KeySlot { node: u32::try_from(node.index()).expect("node indexes are 32 bits"), node_type: key.node_type, key: InlineText::of(&key.key) };
        if slot.key.bytes().is_none() {
            self.long_keys.insert(slot.node, key.key.as_str().into());
        }
        let long_keys = &self.long_keys;
        self.slots.insert_unique(hash(key.node_type, key.key.as_bytes()), slot, |slot| hash(slot.node_type, key_bytes(long_keys, slot)));
    }

    fn is_key_of(&self, slot: &KeySlot, key: &NodeKey) -> bool {
        slot.node_type == key.node_type && key_bytes(&self.long_keys, slot) == key.key.as_bytes()
    }
}

/// The bytes of a slot's key.
fn key_bytes<'a>(long_keys: &'a FxHashMap<u32, Box<str>>, slot: &'a KeySlot) -> &'a [u8] {
    slot.key.bytes().unwrap_or_else(|| long_keys[&slot.node].as_bytes())
}

fn hash(node_type: NodeType, key: &[u8]) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write_u8(node_type as u8);
    hasher.write(key);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<KeySlot>(), 32);
    }

    /// Keys of every length around the room a slot holds, keys alike but
    /// for their last byte or their type, and Chinese names: each finds its
    /// own node, as a map by key does, however many were entered before.
    #[test]
    fn every_key_finds_its_own_node_and_no_other_as_a_map_by_key_does() {
        let mut texts: Vec<String> = Vec::new();
        for n in 0..=KeySlot::ROOM + 3 {
            texts.push("a".repeat(n));
            texts.push(format!("{}b", "a".repeat(n)));
        }
        texts.extend(["王坚", "数梦工场", "阿里巴巴集团控股有限公司", "杭州市西湖区云栖小镇国际会展中心"].map(String::from));
        let keys: Vec<NodeKey> = texts
            .iter()
            .flat_map(|t| [NodeKey::new(NodeType::Person, t.as_str()), NodeKey::new(NodeType::Organization, t.as_str())])
            .collect();
        let mut table = NodeKeys::default();
        let mut map = std::collections::HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            // A third of the keys are never entered, and never found.
            if i % 3 == 2 {
                continue;
            }
            table.insert(key, NodeIndex::new(i * 7));
            map.insert(key.clone(), NodeIndex::new(i * 7));
            for probe in &keys {
                assert_eq!(table.get(probe), map.get(probe).copied(), "{probe:?} after {i} entered");
            }
        }
    }
}
