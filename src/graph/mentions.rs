//! A node's mentions: a list of compact records that grows without
//! copying what it holds.

use std::fmt;

/// A mention as a graph holds it, in 16 bytes: its document and its
/// spelling (text and rule) as numbers into tables of the graph, its
/// offsets in 32 bits. A graph of a large corpus holds millions (about
/// 14,000 per MB of news), and the 64 bytes of the [`super::MentionRef`]
/// they are read as were most of its memory. Read them through
/// [`super::KnowledgeGraph::mentions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredMention {
    /// The document's number ([`super::KnowledgeGraph`]'s table of ids).
    pub(crate) document: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// The number of the mention's text and rule in the graph's table.
    pub(crate) spelling: u32,
}

/// A node's mentions, in the order their documents were added.
///
/// Held in chunks, each as large as all before it together, rather than in
/// one `Vec`: a node gains mentions document after document over the whole
/// corpus, and a `Vec` that grows by reallocation copies everything it
/// holds each time it doubles (most of all for the most mentioned nodes),
/// reading the old block and writing the new one, both long out of the
/// cache when the next document is merged. A full chunk is kept where it
/// is and a new one started, so a mention is written once. Reads as a
/// list: [`Mentions::iter`], [`Mentions::len`], [`Mentions::first`].
#[derive(Clone, Default)]
pub struct Mentions {
    /// The full chunks, in order.
    full: Vec<Vec<StoredMention>>,
    /// The number of mentions in `full`.
    full_len: usize,
    /// The chunk being filled, after the full ones.
    last: Vec<StoredMention>,
}

/// The iterator of [`Mentions::iter`].
pub type MentionIter<'a> = std::iter::Flatten<std::iter::Chain<std::slice::Iter<'a, Vec<StoredMention>>, std::iter::Once<&'a Vec<StoredMention>>>>;

impl Mentions {
    /// The smallest chunk, as a `Vec` of items this size starts.
    const FIRST_CHUNK: usize = 4;

    pub fn push(&mut self, mention: StoredMention) {
        if self.last.len() == self.last.capacity() {
            self.start_chunk();
        }
        self.last.push(mention);
    }

    /// Leaves the full chunk in place and starts one as large as all
    /// mentions so far: the room held stays within twice the mentions
    /// (plus the first chunk), as a `Vec`'s does.
    #[cold]
    fn start_chunk(&mut self) {
        let capacity = self.len().max(Self::FIRST_CHUNK);
        let filled = std::mem::replace(&mut self.last, Vec::with_capacity(capacity));
        if !filled.is_empty() {
            self.full_len += filled.len();
            self.full.push(filled);
        }
    }

    pub fn len(&self) -> usize {
        self.full_len + self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn first(&self) -> Option<&StoredMention> {
        self.full.first().map_or(self.last.first(), |chunk| chunk.first())
    }

    pub fn last(&self) -> Option<&StoredMention> {
        self.last.last().or_else(|| self.full.last().and_then(|chunk| chunk.last()))
    }

    pub fn iter(&self) -> MentionIter<'_> {
        self.full.iter().chain(std::iter::once(&self.last)).flatten()
    }

    /// The mentions as consecutive slices, in order (for loops that run
    /// faster over a slice than through [`Mentions::iter`]).
    pub fn chunks(&self) -> impl Iterator<Item = &[StoredMention]> + '_ {
        self.full.iter().chain(std::iter::once(&self.last)).map(Vec::as_slice)
    }
}

impl<'a> IntoIterator for &'a Mentions {
    type Item = &'a StoredMention;
    type IntoIter = MentionIter<'a>;
    fn into_iter(self) -> MentionIter<'a> {
        self.iter()
    }
}

impl FromIterator<StoredMention> for Mentions {
    fn from_iter<I: IntoIterator<Item = StoredMention>>(iter: I) -> Mentions {
        Mentions { full: Vec::new(), full_len: 0, last: iter.into_iter().collect() }
    }
}

impl From<Vec<StoredMention>> for Mentions {
    fn from(list: Vec<StoredMention>) -> Mentions {
        Mentions { full: Vec::new(), full_len: 0, last: list }
    }
}

/// Equal as lists, however they are cut into chunks.
impl PartialEq for Mentions {
    fn eq(&self, other: &Mentions) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// A list, as the `Vec` it replaces.
impl fmt::Debug for Mentions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(i: u32) -> StoredMention {
        StoredMention { document: i / 7, start: i, end: i + 2, spelling: i % 3 }
    }

    /// Every length a node's list passes through, and the chunk boundaries
    /// among them: the list reads as the `Vec` pushed the same mentions.
    #[test]
    fn mentions_read_as_the_vec_of_the_same_pushes_at_every_length() {
        let mut mentions = Mentions::default();
        let mut plain: Vec<StoredMention> = Vec::new();
        for i in 0..300 {
            assert_eq!(mentions.len(), plain.len());
            assert_eq!(mentions.is_empty(), plain.is_empty());
            assert_eq!(mentions.first(), plain.first());
            assert_eq!(mentions.last(), plain.last());
            assert!(mentions.iter().eq(plain.iter()));
            assert!((&mentions).into_iter().eq(plain.iter()));
            assert_eq!(mentions.chunks().flatten().cloned().collect::<Vec<_>>(), plain);
            assert_eq!(mentions, Mentions::from(plain.clone()));
            assert_eq!(format!("{mentions:?}"), format!("{plain:?}"));
            mentions.push(mention(i));
            plain.push(mention(i));
        }
        assert_eq!(plain.iter().cloned().collect::<Mentions>(), mentions);
    }

    /// A mention stays where it was written (nothing is copied as the list
    /// grows), and the room held stays within twice the mentions and the
    /// first chunk.
    #[test]
    fn a_mention_is_written_once_and_the_room_held_stays_within_twice_the_mentions() {
        let mut mentions = Mentions::default();
        let mut addresses: Vec<*const StoredMention> = Vec::new();
        for i in 0..5000 {
            mentions.push(mention(i));
            addresses.push(mentions.last().unwrap());
            let room: usize = mentions.full.iter().chain(std::iter::once(&mentions.last)).map(Vec::capacity).sum();
            assert!(room <= 2 * mentions.len() + Mentions::FIRST_CHUNK, "{room} for {}", mentions.len());
        }
        let now: Vec<*const StoredMention> = mentions.iter().map(|m| m as *const StoredMention).collect();
        assert_eq!(now, addresses);
    }
}
