//! The byte offset of every character of a text, in about a byte per
//! character.
//!
//! Folding writes two such tables per document (of the folded text and of
//! the original) at one entry per character, and the later stages read
//! them at each mention. As `u32` each they were a third of the bytes
//! folding wrote, every line of it a miss of the last-level cache. Here
//! each block of [`BLOCK`] entries keeps its first offset whole, and every
//! entry only the low byte of its offset: a character takes at most four
//! bytes, so an entry lies less than 256 bytes past its block's first, and
//! that difference is the difference of the low bytes, modulo 256. (The
//! low byte is written as it is, with no subtraction at each character.)

/// Entries per block: 63 characters of at most four bytes before the last
/// entry of a block keep its difference below 256.
pub const BLOCK: usize = 64;

/// Nondecreasing byte offsets (strictly increasing, as those of the
/// characters of a text and its end are), each less than 2^32, with no
/// two entries of a block more than 255 apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ByteOffsets {
    /// The offset of entry `BLOCK * b`, at `b`.
    blocks: Vec<u32>,
    /// The low byte of each entry's offset.
    within: Vec<u8>,
}

impl ByteOffsets {
    /// The offsets `offsets`, in order.
    ///
    /// # Panics
    ///
    /// If an offset is below the first of its block or 256 past it, or
    /// does not fit in `u32`.
    pub fn collect(offsets: impl Iterator<Item = usize>) -> ByteOffsets {
        let mut table = ByteOffsets::for_writing(offsets.size_hint().0);
        for (k, offset) in offsets.enumerate() {
            table.push(k, offset);
        }
        table
    }

    /// Appends entry `k` (the next one).
    fn push(&mut self, k: usize, offset: usize) {
        debug_assert_eq!(k, self.within.len());
        if k.is_multiple_of(BLOCK) {
            self.blocks.push(u32::try_from(offset).expect("offsets fit in u32"));
        }
        let base = self.blocks[k / BLOCK] as usize;
        assert!(offset >= base && offset - base < 256, "the entries of a block lie within 255 bytes");
        self.within.push(offset as u8);
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.within.len()
    }

    /// Entry `k`.
    #[inline]
    pub fn get(&self, k: usize) -> usize {
        let base = self.blocks[k / BLOCK];
        base as usize + usize::from(self.within[k].wrapping_sub(base as u8))
    }

    /// The number of entries below `byte` (`partition_point(|o| o < byte)`
    /// of the plain list): a search of the blocks' first offsets, then of
    /// the bytes of one block.
    pub fn count_below(&self, byte: usize) -> usize {
        let blocks_below = self.blocks.partition_point(|&b| (b as usize) < byte);
        let Some(block) = blocks_below.checked_sub(1) else { return 0 };
        let start = block * BLOCK;
        let end = (start + BLOCK).min(self.within.len());
        // (Every entry of the block is below `byte` when it is 256 or more
        // past the block's first offset.)
        let base = self.blocks[block];
        match u8::try_from(byte - base as usize) {
            Ok(past_base) => start + self.within[start..end].partition_point(|&w| w.wrapping_sub(base as u8) < past_base),
            Err(_) => end,
        }
    }

    /// An empty table with room for `entries` entries, filled by `push`
    /// (see `collect`) or in place through a [`Writer`], then `finish`ed
    /// once every entry is written.
    pub fn for_writing(entries: usize) -> ByteOffsets {
        ByteOffsets { blocks: Vec::with_capacity(entries / BLOCK + 1), within: Vec::with_capacity(entries) }
    }

    /// Where a [`Writer`] writes this table's entries.
    pub fn writer(&mut self) -> Writer {
        Writer { blocks: self.blocks.as_mut_ptr(), within: self.within.as_mut_ptr() }
    }

    /// Marks the first `entries` entries written.
    ///
    /// # Safety
    ///
    /// A [`Writer`] of this table has written entries `0..entries`, each
    /// once, in order, and `entries` is at most the capacity reserved.
    pub unsafe fn finish(&mut self, entries: usize) {
        // SAFETY: the caller's promise; a block's first offset is written
        // with its block's first entry.
        unsafe {
            self.within.set_len(entries);
            self.blocks.set_len(entries.div_ceil(BLOCK));
        }
    }
}

/// Writes the entries of a [`ByteOffsets`] in order through raw pointers,
/// for a loop over every character that keeps no length in memory (see
/// `FoldOutput`).
#[derive(Clone, Copy)]
pub struct Writer {
    blocks: *mut u32,
    within: *mut u8,
}

impl Writer {
    /// Writes entry `k`, `offset`.
    ///
    /// # Safety
    ///
    /// Entries `0..k` are written, `k` is below the capacity reserved, and
    /// `offset` is at most 255 past the first of its block and fits in
    /// `u32`.
    #[inline(always)]
    pub unsafe fn write(self, k: usize, offset: usize) {
        // SAFETY: the caller's promise.
        unsafe {
            if k.is_multiple_of(BLOCK) {
                self.start_block(k, offset);
            }
            self.write_within(k, offset);
        }
    }

    /// [`Writer::write`] in two parts, for a caller that tests the block
    /// once for two tables: the first offset of `k`'s block, where `k` is
    /// the first entry of its block.
    ///
    /// # Safety
    ///
    /// As for [`Writer::write`]; `k % BLOCK == 0`.
    #[inline(always)]
    pub unsafe fn start_block(self, k: usize, offset: usize) {
        // SAFETY: the caller's promise.
        unsafe { self.blocks.add(k / BLOCK).write(offset as u32) };
    }

    /// The rest of [`Writer::write`]: the low byte of entry `k`.
    ///
    /// # Safety
    ///
    /// As for [`Writer::write`].
    #[inline(always)]
    pub unsafe fn write_within(self, k: usize, offset: usize) {
        // SAFETY: the caller's promise.
        unsafe { self.within.add(k).write(offset as u8) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strictly increasing offsets, steps of one to four bytes.
    fn random_offsets(len: usize, next: &mut impl FnMut() -> u32) -> Vec<usize> {
        let mut at = (next() % 1000) as usize;
        (0..len)
            .map(|_| {
                let offset = at;
                at += 1 + (next() % 4) as usize;
                offset
            })
            .collect()
    }

    #[test]
    fn every_entry_reads_back_as_the_plain_list_holds_it() {
        let mut next = crate::test_random::xorshift32(0x0FF5);
        for len in 0..400 {
            let plain = random_offsets(len, &mut next);
            let table = ByteOffsets::collect(plain.iter().copied());
            assert_eq!(table.len(), plain.len());
            for (k, &offset) in plain.iter().enumerate() {
                assert_eq!(table.get(k), offset);
            }
        }
    }

    #[test]
    fn the_entries_below_a_byte_are_counted_as_a_search_of_the_plain_list_counts_them() {
        let mut next = crate::test_random::xorshift32(0xC0DE);
        for len in 0..300 {
            let plain = random_offsets(len, &mut next);
            let table = ByteOffsets::collect(plain.iter().copied());
            let last = plain.last().copied().unwrap_or(0);
            for byte in 0..=last + 300 {
                assert_eq!(table.count_below(byte), plain.partition_point(|&o| o < byte), "{byte} in {plain:?}");
            }
        }
    }

    #[test]
    fn a_writer_fills_the_table_that_collecting_builds() {
        let mut next = crate::test_random::xorshift32(0x3A1);
        for len in 0..300 {
            let plain = random_offsets(len, &mut next);
            let mut table = ByteOffsets::for_writing(len);
            let writer = table.writer();
            for (k, &offset) in plain.iter().enumerate() {
                // SAFETY: `k < len`, the capacity, entries `0..k` written;
                // the steps are of at most four bytes.
                unsafe { writer.write(k, offset) };
            }
            // SAFETY: every entry written, in order.
            unsafe { table.finish(len) };
            assert_eq!(table, ByteOffsets::collect(plain.iter().copied()));
        }
    }
}
