//! Leftmost-longest search of a set of names (the gazetteer spellings) over
//! the decoded characters of a document.
//!
//! An Aho-Corasick automaton walks every character of the text (about 75
//! instructions each, with UTF-8 decoding and failure transitions), yet
//! only a few positions of news text (one in fourteen) begin with the
//! first two characters of any name. A filter of those pairs, a hashed bit
//! test per character, skips the other positions; from the rest a walk
//! down a trie finds the longest name that starts there. Taking the
//! longest name at the first position that has one, then going on after
//! it, is exactly the leftmost-longest search.

use crate::chars::{PairFilter, PairHash};
use rustc_hash::FxHashMap;

/// Lines of the pair filter: 2^17 bits (16 KB). The filter is read at
/// every character of a document, at the line of the character: at 2^19
/// bits (64 KB) the lines of a document's characters did not stay in the
/// first-level cache and missed the last-level one at every document. At
/// 16 KB more positions pass the filter without a name's first two
/// characters (each then costs a lookup of the pair: 0.9 million
/// instructions and 1.1 million estimated cycles more per 2 MB of news),
/// but the misses spared in the scan are worth 5.3 million (callgrind).
const PAIR_FILTER_LINES: usize = (1 << 17) / 512;

/// No name ends at this node.
const NO_VALUE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    /// The node's edges: `edges[first_edge..first_edge + edge_count]`,
    /// sorted by character.
    first_edge: u32,
    edge_count: u32,
    /// The value of the name that ends here, or [`NO_VALUE`].
    value: u32,
}

/// An edge of the trie with the node it leads to: a step of the walk
/// reads the edge and, on the same cache line, what it needs of the node.
/// (With the nodes in an array of their own, each step read a cold line
/// more.)
#[derive(Clone, Copy, Debug)]
struct Edge {
    c: char,
    node: Node,
}

pub struct NameSearch {
    /// The first two characters of every name.
    pair_filter: PairFilter<PAIR_FILTER_LINES>,
    /// The first two characters of a name → the trie node they lead to.
    pair_nodes: FxHashMap<u64, Node>,
    /// Names of one character → their values.
    singles: FxHashMap<char, u32>,
    /// The edges of every node below the pairs; see [`Node::first_edge`].
    edges: Vec<Edge>,
}

impl std::fmt::Debug for NameSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameSearch").field("edges", &self.edges.len()).finish_non_exhaustive()
    }
}

fn pair_key(first: char, second: char) -> u64 {
    (first as u64) << 32 | second as u64
}

impl NameSearch {
    /// The search of non-empty names, each reporting its value (of a name
    /// given twice, the first value).
    pub fn new<'a>(names: impl IntoIterator<Item = (&'a str, u32)>) -> NameSearch {
        // The trie, children found by (node, character) while inserting.
        let mut child_of: FxHashMap<(u32, char), u32> = FxHashMap::default();
        let mut values: Vec<u32> = vec![NO_VALUE];
        for (name, value) in names {
            let mut node = 0;
            for c in name.chars() {
                let next = values.len() as u32;
                node = *child_of.entry((node, c)).or_insert(next);
                if node == next {
                    values.push(NO_VALUE);
                }
            }
            if node != 0 && values[node as usize] == NO_VALUE {
                values[node as usize] = value;
            }
        }
        let mut children: Vec<Vec<(char, u32)>> = vec![Vec::new(); values.len()];
        for (&(parent, c), &child) in &child_of {
            children[parent as usize].push((c, child));
        }
        let mut nodes = Vec::with_capacity(values.len());
        let mut edges: Vec<(char, u32)> = Vec::with_capacity(child_of.len());
        for (mut node_edges, value) in children.into_iter().zip(values) {
            node_edges.sort_unstable();
            nodes.push(Node { first_edge: edges.len() as u32, edge_count: node_edges.len() as u32, value });
            edges.extend(node_edges);
        }
        let children = |node: u32| {
            let node = &nodes[node as usize];
            &edges[node.first_edge as usize..(node.first_edge + node.edge_count) as usize]
        };
        let mut search = NameSearch {
            pair_filter: PairFilter::default(),
            pair_nodes: FxHashMap::default(),
            singles: FxHashMap::default(),
            edges: edges.iter().map(|&(c, child)| Edge { c, node: nodes[child as usize] }).collect(),
        };
        for &(first, node) in children(0) {
            if nodes[node as usize].value != NO_VALUE {
                search.singles.insert(first, nodes[node as usize].value);
            }
            for &(second, grandchild) in children(node) {
                search.pair_filter.insert(first, second);
                search.pair_nodes.insert(pair_key(first, second), nodes[grandchild as usize]);
            }
        }
        search
    }

    /// The node that `node` leads to by `c`, if any.
    fn child(&self, node: Node, c: char) -> Option<Node> {
        let edges = &self.edges[node.first_edge as usize..(node.first_edge + node.edge_count) as usize];
        if edges.len() <= 8 {
            edges.iter().find(|e| e.c == c).map(|e| e.node)
        } else {
            edges.binary_search_by_key(&c, |e| e.c).ok().map(|i| edges[i].node)
        }
    }

    /// Calls `found(start, end, value)` for every leftmost-longest match,
    /// in text order, with character offsets.
    pub fn leftmost_longest(&self, chars: &[char], mut found: impl FnMut(usize, usize, u32)) {
        let mut i = 0;
        while let Some(start) = self.next_possible_start(chars, i) {
            match self.longest_at(chars, start) {
                Some((end, value)) => {
                    found(start, end, value);
                    i = end;
                }
                None => i = start + 1,
            }
        }
    }

    /// The first position from `from` on where a name may start: where the
    /// first two characters of a name stand, by the filter (anywhere, if a
    /// name has one character). A tight loop over the text, with no call.
    #[inline]
    fn next_possible_start(&self, chars: &[char], from: usize) -> Option<usize> {
        if !self.singles.is_empty() {
            return (from < chars.len()).then_some(from);
        }
        let (&first, rest) = chars.get(from..)?.split_first()?;
        // (Each character hashed once, as the second of a pair and then as
        // the first of the next.)
        let mut before = PairHash::of(first);
        for (k, &c) in rest.iter().enumerate() {
            let hash = PairHash::of(c);
            if self.pair_filter.may_contain_hashed(before, hash) {
                return Some(from + k);
            }
            before = hash;
        }
        None
    }

    /// The end and value of the longest name that starts at `i`.
    fn longest_at(&self, chars: &[char], i: usize) -> Option<(usize, u32)> {
        let first = chars[i];
        let mut longest = match self.singles.is_empty() {
            true => None,
            false => self.singles.get(&first).map(|&value| (i + 1, value)),
        };
        let Some(&second) = chars.get(i + 1) else { return longest };
        let Some(&after_pair) = self.pair_nodes.get(&pair_key(first, second)) else { return longest };
        let mut node = after_pair;
        let mut end = i + 2;
        loop {
            if node.value != NO_VALUE {
                longest = Some((end, node.value));
            }
            match chars.get(end).and_then(|&c| self.child(node, c)) {
                Some(next) => {
                    node = next;
                    end += 1;
                }
                None => return longest,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NameSearch;
    use crate::test_random::{random_text, xorshift32};

    fn leftmost_longest(search: &NameSearch, text: &str) -> Vec<(usize, usize, u32)> {
        let chars: Vec<char> = text.chars().collect();
        let mut found = Vec::new();
        search.leftmost_longest(&chars, |start, end, value| found.push((start, end, value)));
        found
    }

    /// The plain definition: at the first position where a name starts,
    /// the longest name there; then on from its end.
    fn by_definition(names: &[String], text: &str) -> Vec<(usize, usize, u32)> {
        let chars: Vec<char> = text.chars().collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let longest = names
                .iter()
                .enumerate()
                .map(|(value, name)| (name.chars().collect::<Vec<char>>(), value as u32))
                .filter(|(name, _)| chars[i..].starts_with(name))
                .max_by_key(|(name, value)| (name.len(), std::cmp::Reverse(*value)));
            match longest {
                Some((name, value)) => {
                    found.push((i, i + name.len(), value));
                    i += name.len();
                }
                None => i += 1,
            }
        }
        found
    }

    #[test]
    fn the_longest_name_at_the_first_position_wins_and_the_search_goes_on_after_it() {
        let names = ["北京", "北京市", "京市", "市长", "长江", "江"];
        let search = NameSearch::new(names.iter().enumerate().map(|(v, n)| (*n, v as u32)));
        assert_eq!(leftmost_longest(&search, "北京市长江"), vec![(0, 3, 1), (3, 5, 4)]);
        assert_eq!(leftmost_longest(&search, "北京长江"), vec![(0, 2, 0), (2, 4, 4)]);
        assert_eq!(leftmost_longest(&search, "北江北"), vec![(1, 2, 5)]);
        assert_eq!(leftmost_longest(&search, ""), vec![]);
    }

    #[test]
    fn a_name_given_twice_reports_its_first_value() {
        let search = NameSearch::new([("上海", 7), ("上海", 9)]);
        assert_eq!(leftmost_longest(&search, "上海"), vec![(0, 2, 7)]);
    }

    #[test]
    fn the_search_finds_what_the_definition_finds_on_random_names_and_text() {
        let alphabet: Vec<char> = "北京市长江大学a1 东".chars().collect();
        let mut next = xorshift32(0x5EA2);
        for _ in 0..400 {
            let mut names: Vec<String> = Vec::new();
            for _ in 0..1 + next() % 12 {
                let name: String = random_text(&alphabet, 1 + next() as usize % 5, &mut next);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            let search = NameSearch::new(names.iter().enumerate().map(|(v, n)| (n.as_str(), v as u32)));
            let text: String = random_text(&alphabet, next() as usize % 60, &mut next);
            assert_eq!(leftmost_longest(&search, &text), by_definition(&names, &text), "{names:?} {text}");
        }
    }
}
