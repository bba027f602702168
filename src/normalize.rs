//! Stage 1: fold a document to one matching form.
//!
//! Rules are written once, against simplified script with half-width ASCII.
//! Folding maps every character to exactly one character:
//!
//! * traditional Chinese → simplified (`億` → `亿`, `雲` → `云`), from the
//!   character table that the `hanconv` crate ships (OpenCC data);
//! * full-width ASCII → half-width (`１０％` → `10%`), ideographic space →
//!   space.
//!
//! Because the mapping is one character to one character, a *character*
//! offset in the folded text is the same offset in the original text. Byte
//! offsets differ (`億` and `亿` are both 3 bytes, but `１` is 3 bytes and `1`
//! is 1), so [`Folded`] keeps a table from folded byte offsets to character
//! offsets; every later stage reports character offsets only.
//!
//! Worked example: original `7.5億元` → folded `7.5亿元`; the money rule
//! matches folded bytes 0..9, which the table turns into characters 0..5,
//! and characters 0..5 of the original are `7.5億元`.

use crate::chars::PlaneBits;
use offsets::{ByteOffsets, Writer};
use std::sync::LazyLock;

mod offsets;

/// The whole fold of every character of the Basic Multilingual Plane, as a
/// dense table (64K entries, one lookup per character instead of a chain of
/// range tests): traditional→simplified from the character table that the
/// `hanconv` crate ships, then full-width ASCII and the ideographic space.
static FOLD_BMP: LazyLock<FoldTable> = LazyLock::new(|| {
    let mut table: Vec<u32> = (0..=0xFFFFu32).map(|c| char::from_u32(c).unwrap_or('\u{FFFD}') as u32).collect();
    for (trad, simp) in hanconv::RawDictionary::TSCharacters.iter() {
        let mut t = trad.chars();
        let mut s = simp.chars();
        if let (Some(t0), None, Some(s0)) = (t.next(), t.next(), s.next()) {
            if (t0 as u32) <= 0xFFFF {
                table[t0 as usize] = s0 as u32;
            }
        }
    }
    for full_width in 0xFF01..=0xFF5Eu32 {
        table[full_width as usize] = full_width - 0xFEE0;
    }
    table[0x3000] = ' ' as u32;
    FoldTable::new(table.into_boxed_slice().try_into().expect("one entry per BMP character"), Vec::new(), false)
});

/// Supplementary-plane traditional characters are rare; a small sorted list.
static T2S_SUPPLEMENTARY: LazyLock<Vec<(char, char)>> = LazyLock::new(|| {
    let mut pairs: Vec<(char, char)> = hanconv::RawDictionary::TSCharacters
        .iter()
        .filter_map(|(trad, simp)| {
            let mut t = trad.chars();
            let t0 = t.next()?;
            if t.next().is_some() || (t0 as u32) <= 0xFFFF {
                return None;
            }
            Some((t0, simp.chars().next()?))
        })
        .collect();
    pairs.sort();
    pairs.dedup_by_key(|p| p.0);
    pairs
});

/// The bit of a [`FoldTable`] entry that flags its folded character.
const FLAGGED: u32 = 1 << 31;

/// The fold of every character of the Basic Multilingual Plane, each entry
/// with a flag saying whether the folded character is one of a few that a
/// later stage wants the positions of (the sentence splitter's marks).
///
/// Folding visits every character anyway: a flag in the entry it already
/// reads finds those positions for free, where a scan of its own tested
/// every character again. A flagged entry differs from its character, so
/// the fold's fast path (a character that folds to itself) stays one
/// comparison.
pub struct FoldTable {
    /// The folded character, with [`FLAGGED`] set if it is flagged.
    bmp: Box<[u32; 0x10000]>,
    /// A bit per character of the Basic Multilingual Plane: set when its
    /// entry is the character itself (it folds to itself, unflagged).
    /// The fold reads this for every character, and `bmp` only where the
    /// bit is clear (rare in news text): the characters of a document
    /// touch some 2.5 KB of these bits against some 80 KB of `bmp`
    /// (a line of 16 entries per character, as the characters in use are
    /// spread over the 20,000 of the CJK block), which did not stay cached.
    same: PlaneBits,
    /// The flagged characters outside the Basic Multilingual Plane.
    flagged_supplementary: Vec<char>,
    /// Whether any character is flagged.
    flags_any: bool,
}

impl std::fmt::Debug for FoldTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let flagged = self.bmp.iter().filter(|&&entry| entry & FLAGGED != 0).count();
        f.debug_struct("FoldTable").field("flagged_bmp_entries", &flagged).field("flagged_supplementary", &self.flagged_supplementary).finish()
    }
}

impl FoldTable {
    /// The fold, with the positions of the characters that fold to one of
    /// `flagged` flagged.
    pub fn flagging(flagged: &[char]) -> FoldTable {
        let plain = &*FOLD_BMP;
        let mut flagged_bmp = vec![false; 0x10000];
        for &c in flagged.iter().filter(|&&c| (c as u32) < 0x10000) {
            flagged_bmp[c as usize] = true;
        }
        let flagged_supplementary: Vec<char> = flagged.iter().copied().filter(|&c| (c as u32) >= 0x10000).collect();
        // Copied through a Vec: `clone` of a boxed array builds it on the
        // stack first.
        let mut bmp: Box<[u32; 0x10000]> = plain.bmp.to_vec().into_boxed_slice().try_into().expect("one entry per BMP character");
        for entry in bmp.iter_mut() {
            let folded = *entry;
            let is_flagged = match flagged_bmp.get(folded as usize) {
                Some(&is_flagged) => is_flagged,
                None => flagged_supplementary.iter().any(|&c| c as u32 == folded),
            };
            if is_flagged {
                *entry |= FLAGGED;
            }
        }
        FoldTable::new(bmp, flagged_supplementary, !flagged.is_empty())
    }

    fn new(bmp: Box<[u32; 0x10000]>, flagged_supplementary: Vec<char>, flags_any: bool) -> FoldTable {
        let mut same = PlaneBits::default();
        for (code, &entry) in bmp.iter().enumerate() {
            if entry == code as u32 {
                same.insert(code as u16);
            }
        }
        FoldTable { bmp, same, flagged_supplementary, flags_any }
    }

    /// Whether the character of the Basic Multilingual Plane `code` folds
    /// to itself, unflagged: `self.bmp[code] == code`, read from the bits.
    #[inline(always)]
    fn folds_to_itself(same: &PlaneBits, code: u32) -> bool {
        same.contains(code as u16)
    }

    /// Sets the entry of a character of the Basic Multilingual Plane (for
    /// tests of folds the built-in table has not).
    #[cfg(test)]
    fn set_entry(&mut self, c: char, entry: u32) {
        self.bmp[c as usize] = entry;
        self.same.set(c as u16, entry == c as u32);
    }

    fn flags_any(&self) -> bool {
        self.flags_any
    }

    /// The entry of a character: its fold, flagged or not.
    #[inline(always)]
    fn entry(&self, c: char) -> u32 {
        match self.bmp.get(c as usize) {
            Some(&entry) => entry,
            None => self.supplementary_entry(c),
        }
    }

    /// [`FoldTable::entry`] outside the Basic Multilingual Plane.
    #[cold]
    #[inline(never)]
    fn supplementary_entry(&self, c: char) -> u32 {
        let table = &*T2S_SUPPLEMENTARY;
        let folded = match table.binary_search_by_key(&c, |p| p.0) {
            Ok(i) => table[i].1,
            Err(_) => c,
        };
        folded as u32 | if self.flagged_supplementary.contains(&folded) { FLAGGED } else { 0 }
    }

    /// The fold of a character.
    #[inline]
    fn fold(&self, c: char) -> char {
        // SAFETY: an entry is a character, with the flag bit above it.
        unsafe { char::from_u32_unchecked(self.entry(c) & !FLAGGED) }
    }
}

/// Fold one character (see the module doc).
#[inline]
pub fn fold_char(c: char) -> char {
    FOLD_BMP.fold(c)
}

/// Whether folding `text` leaves it as it is. (The table is fetched once,
/// not per character as [`fold_char`] does.)
pub fn is_folded(text: &str) -> bool {
    let table = &*FOLD_BMP;
    text.chars().all(|c| table.fold(c) == c)
}

/// Fold a string: the key form used for matching, node identity and alias
/// comparison. Same length in characters as the input.
pub fn fold(s: &str) -> String {
    // Reserved up front: collecting would grow the String several times, as
    // most characters of Chinese text take three bytes.
    let table = &*FOLD_BMP;
    let mut folded = String::with_capacity(s.len());
    folded.extend(s.chars().map(|c| table.fold(c)));
    folded
}

/// Make sure the lookup tables are built (so start-up cost is paid once,
/// before the first document is timed).
pub fn warm_up() {
    LazyLock::force(&FOLD_BMP);
    LazyLock::force(&T2S_SUPPLEMENTARY);
}

/// The offset tables of a document (see `offsets`) keep a `u32` per block
/// of characters, which keeps them small: they hold an entry per
/// character and are written and read at every mention. A text is
/// therefore limited to this many bytes, folded or not: far above any
/// document that input reading lets through
/// (`InputOptions::max_document_bytes`, 64 MiB by default), and checked,
/// so that a larger text fails loudly rather than with wrong offsets.
pub const MAX_TEXT_BYTES: usize = u32::MAX as usize;

/// Panics if a text of `bytes` bytes is over [`MAX_TEXT_BYTES`].
fn check_text_length(bytes: usize) {
    assert!(bytes <= MAX_TEXT_BYTES, "a text of {bytes} bytes is over the limit of {MAX_TEXT_BYTES} bytes");
}

/// A folded document with the map from folded byte offsets to character
/// offsets (which are also original character offsets).
#[derive(Clone, Debug)]
pub struct Folded {
    /// The folded text, read through [`Folded::text`]: private, because
    /// [`Folded::slice`] relies on `char_starts` being its offsets.
    text: String,
    /// The characters of `text`, for the stages that work by character
    /// offset.
    chars: Vec<char>,
    /// Entry `i` is the byte offset of character `i`; one extra entry
    /// holds the text length, so `char_starts.len() == chars + 1`.
    char_starts: ByteOffsets,
}

/// The character that starts at byte `at` of `bytes`, as a code point, and
/// its length in bytes. Decoded by hand because nearly every character of
/// Chinese text takes three bytes: that case is a few shifts and masks,
/// where the standard decoder's general loop took about twenty instructions
/// per character.
///
/// # Safety
///
/// `bytes` is valid UTF-8 and `at` is the offset of a character in it.
#[inline(always)]
unsafe fn decode_at(bytes: &[u8], at: usize) -> (u32, usize) {
    // SAFETY (all reads): a leading byte is followed by as many continuation
    // bytes as it announces, all inside valid UTF-8.
    let lead = u32::from(*bytes.get_unchecked(at));
    if lead & 0xF0 == 0xE0 {
        let second = u32::from(*bytes.get_unchecked(at + 1) & 0x3F);
        let third = u32::from(*bytes.get_unchecked(at + 2) & 0x3F);
        return (((lead & 0x0F) << 12) | (second << 6) | third, 3);
    }
    if lead < 0x80 {
        return (lead, 1);
    }
    let second = u32::from(*bytes.get_unchecked(at + 1) & 0x3F);
    if lead < 0xE0 {
        return (((lead & 0x1F) << 6) | second, 2);
    }
    let third = u32::from(*bytes.get_unchecked(at + 2) & 0x3F);
    let fourth = u32::from(*bytes.get_unchecked(at + 3) & 0x3F);
    (((lead & 0x07) << 18) | (second << 12) | (third << 6) | fourth, 4)
}

/// Where folding stands: the offset of a character in the original and of
/// its fold in the folded text, and its number.
#[derive(Clone, Copy)]
struct Position {
    original: usize,
    folded: usize,
    char_index: usize,
}

/// The tables [`Folded::flagging`] fills, one slot per character of the
/// original, and the folded text, written through raw pointers: the loop
/// over every character keeps no length or capacity in memory and checks
/// none (a push per character kept them in memory and checked them, a
/// fifth of the instructions of the pass).
struct FoldOutput {
    text: *mut u8,
    /// Bytes allocated at `text`: at least the folded text written so far,
    /// what is left of the original, and four bytes more (see
    /// [`FoldOutput::step`]).
    text_capacity: usize,
    chars: *mut char,
    char_starts: Writer,
    original_starts: Writer,
    flagged: *mut u32,
    flagged_count: usize,
}

impl FoldOutput {
    /// The characters from `at` on that take three bytes and fold to one
    /// of one or three bytes, flagged or not, or take one byte and fold to
    /// themselves, unflagged (nearly all of them), each decoded, looked up
    /// in `entries` and written with its offsets and bytes (and its flag);
    /// up to the first other one, or four bytes before the end (a
    /// three-byte character is copied as a word with the byte after it).
    /// Returns where it stopped. A function of its own, without a call in
    /// its loop, so that the loop's dozen values stay in registers (with
    /// the general case in the same loop, the table pointers were kept on
    /// the stack and reloaded for every character).
    ///
    /// # Safety
    ///
    /// `bytes` is valid UTF-8, `at` a character of it with its slots in
    /// the tables reserved, and `text_capacity` holds.
    #[inline(never)]
    unsafe fn fast_run(&mut self, bytes: &[u8], table: &FoldTable, at: Position) -> Position {
        let (entries, same) = (&*table.bmp, &table.same);
        let Position { original: mut at, folded: mut out, char_index: mut k } = at;
        let (text, chars, char_starts, original_starts) = (self.text, self.chars, self.char_starts, self.original_starts);
        let (flagged, mut flagged_count) = (self.flagged, self.flagged_count);
        let fast_end = bytes.len().saturating_sub(3);
        // SAFETY: the caller's promises, kept by moving past each character
        // written; `at < fast_end` leaves four bytes to read at `at`, and
        // the capacity of the folded text four bytes more than what is left
        // of the original.
        unsafe {
            while at < fast_end {
                let lead = u32::from(*bytes.get_unchecked(at));
                // The offsets first, whatever the character: one test of
                // the block for both tables. (A character left to `step`
                // has them written again there, the same.)
                if k.is_multiple_of(offsets::BLOCK) {
                    original_starts.start_block(k, at);
                    char_starts.start_block(k, out);
                }
                original_starts.write_within(k, at);
                char_starts.write_within(k, out);
                if lead & 0xF0 == 0xE0 {
                    // A three-byte character `1110aaaa 10bbbbbb 10cccccc`
                    // is `aaaabbbbbbcccccc`: the bytes shifted into place
                    // and summed, less the marker bits they carry
                    // (0xE0 << 12 | 0x80 << 6 | 0x80).
                    let code = (lead << 12) + (u32::from(*bytes.get_unchecked(at + 1)) << 6) + u32::from(*bytes.get_unchecked(at + 2)) - 0xE2080;
                    if FoldTable::folds_to_itself(same, code) {
                        chars.add(k).write(char::from_u32_unchecked(code));
                        let word = bytes.as_ptr().add(at).cast::<u32>().read_unaligned();
                        text.add(out).cast::<u32>().write_unaligned(word);
                        out += 3;
                    } else {
                        let entry = *entries.get_unchecked(code as usize);
                        if entry < 0x80 {
                            // Full-width ASCII (the comma and colon of
                            // Chinese text, a character in a dozen) folds
                            // to one byte.
                            chars.add(k).write(char::from_u32_unchecked(entry));
                            text.add(out).write(entry as u8);
                            out += 1;
                        } else {
                            // A sentence mark (flagged, a character in
                            // thirty) or a traditional character, which
                            // fold to a three-byte character: here rather
                            // than in `step`, which is a return from this
                            // loop and a call back into it.
                            let folded = entry & !FLAGGED;
                            if !(0x800..0x10000).contains(&folded) {
                                break;
                            }
                            chars.add(k).write(char::from_u32_unchecked(folded));
                            let encoded = (0xE0 | folded >> 12) | (0x80 | (folded >> 6 & 0x3F)) << 8 | (0x80 | (folded & 0x3F)) << 16;
                            text.add(out).cast::<u32>().write_unaligned(encoded.to_le());
                            out += 3;
                            if entry & FLAGGED != 0 {
                                flagged.add(flagged_count).write(k as u32);
                                flagged_count += 1;
                            }
                        }
                    }
                    at += 3;
                } else if lead < 0x80 && FoldTable::folds_to_itself(same, lead) {
                    chars.add(k).write(char::from_u32_unchecked(lead));
                    text.add(out).write(lead as u8);
                    at += 1;
                    out += 1;
                } else {
                    break;
                }
                k += 1;
            }
        }
        self.flagged_count = flagged_count;
        Position { original: at, folded: out, char_index: k }
    }

    /// Writes the character at `at`, whatever it is: the general case,
    /// for the few characters [`FoldOutput::fast_run`] leaves (flagged
    /// one-byte ones, two- and four-byte ones, those that fold to another
    /// width but one, the last bytes of the text). Returns the widths of the character in the
    /// original and folded.
    ///
    /// # Safety
    ///
    /// `bytes` is valid UTF-8, `at` a character of it with its slots in
    /// the tables reserved, and `text_capacity` holds (grown here if the
    /// fold is wider than the original character).
    #[inline(always)]
    unsafe fn step(&mut self, grow: &mut Vec<u8>, table: &FoldTable, bytes: &[u8], at: Position) -> (usize, usize) {
        let Position { original: at, folded: out, char_index: k } = at;
        // SAFETY: the caller's promises.
        unsafe {
            let (code, width) = decode_at(bytes, at);
            let entry = table.entry(char::from_u32_unchecked(code));
            let folded = char::from_u32_unchecked(entry & !FLAGGED);
            self.chars.add(k).write(folded);
            self.original_starts.write(k, at);
            self.char_starts.write(k, out);
            if entry & FLAGGED != 0 {
                self.flagged.add(self.flagged_count).write(k as u32);
                self.flagged_count += 1;
            }
            let folded_width = folded.len_utf8();
            if folded_width > width {
                self.grow_text(grow, out, folded_width - width);
            }
            folded.encode_utf8(std::slice::from_raw_parts_mut(self.text.add(out), folded_width));
            (width, folded_width)
        }
    }

    /// Makes room for `more` bytes of folded text beyond the original's
    /// length (a fold wider than its character: rare, never in Chinese or
    /// ASCII text), keeping the bytes written so far (`written`).
    #[cold]
    #[inline(never)]
    fn grow_text(&mut self, text: &mut Vec<u8>, written: usize, more: usize) {
        // SAFETY: the first `written` bytes at `text` are written, and
        // `text` is the vector they are allocated in.
        unsafe { text.set_len(written) };
        text.reserve_exact(self.text_capacity + more - written);
        self.text = text.as_mut_ptr();
        self.text_capacity = text.capacity();
    }
}

impl Folded {
    pub fn new(original: &str) -> Folded {
        Folded::with_index(original).0
    }

    /// The folded document and the [`CharIndex`] of the original, in one
    /// pass over the original: each character is decoded once, instead of
    /// once for folding, once for the character vector and once for the
    /// index.
    ///
    /// # Panics
    ///
    /// If the original or the folded text is longer than [`MAX_TEXT_BYTES`].
    pub fn with_index(original: &str) -> (Folded, CharIndex) {
        let (folded, index, _) = Folded::flagging(original, &FOLD_BMP);
        (folded, index)
    }

    /// [`Folded::with_index`] with the fold of `table`, and the offsets of
    /// the characters whose fold `table` flags, in order.
    ///
    /// Most characters take three bytes, fold to themselves and are not
    /// flagged; for them the loop decodes the character, reads its entry,
    /// finds it equal, and writes the character, its two offsets and its
    /// bytes: no call, no check of a table's length.
    ///
    /// # Panics
    ///
    /// If the original or the folded text is longer than [`MAX_TEXT_BYTES`].
    pub fn flagging(original: &str, table: &FoldTable) -> (Folded, CharIndex, Vec<u32>) {
        check_text_length(original.len());
        let bytes = original.as_bytes();
        // Counted first (the standard count reads a word at a time), so
        // that the tables are allocated at their size and filled in place.
        // (Not zeroed first: zeroing the tables costs as much as writing
        // them.)
        let count = original.chars().count();
        let mut text: Vec<u8> = Vec::with_capacity(original.len() + 4);
        let mut chars: Vec<char> = Vec::with_capacity(count);
        // (A byte per character and a word per 64: see `offsets`.)
        let mut char_starts = ByteOffsets::for_writing(count + 1);
        let mut original_starts = ByteOffsets::for_writing(count + 1);
        // At most one flag per character; the capacity is not touched
        // beyond the flags written.
        let mut flagged: Vec<u32> = Vec::with_capacity(if table.flags_any() { count } else { 0 });
        let mut output = FoldOutput {
            text: text.as_mut_ptr(),
            text_capacity: text.capacity(),
            chars: chars.as_mut_ptr(),
            char_starts: char_starts.writer(),
            original_starts: original_starts.writer(),
            flagged: flagged.as_mut_ptr(),
            flagged_count: 0,
        };
        let mut at = Position { original: 0, folded: 0, char_index: 0 };
        // SAFETY (the whole loop): `at` is character `at.char_index` of the
        // original (0 at first, then moved past each character), so it is
        // below `count` while `at.original` is inside the text, and every
        // table slot written is reserved; the folded text's capacity holds
        // (see `FoldOutput::text_capacity`: a character that folds to
        // itself takes as many bytes as it took, and `step` grows the text
        // for the others).
        unsafe {
            loop {
                at = output.fast_run(bytes, table, at);
                if at.original == bytes.len() {
                    break;
                }
                let (width, folded_width) = output.step(&mut text, table, bytes, at);
                at = Position { original: at.original + width, folded: at.folded + folded_width, char_index: at.char_index + 1 };
            }
            debug_assert_eq!(at.char_index, count);
            // The loops wrote the first `count` slots of each table, the
            // first `flagged_count` flags and the first `at.folded` bytes of the
            // text, all characters encoded whole; `text` is the vector
            // `output.text` points into (grown, if it was, by `step`).
            chars.set_len(count);
            // The entries of the ends, after every character's.
            output.char_starts.write(count, at.folded);
            output.original_starts.write(count, at.original);
            char_starts.finish(count + 1);
            original_starts.finish(count + 1);
            flagged.set_len(output.flagged_count);
            text.set_len(at.folded);
        }
        // SAFETY: see above: whole characters only.
        let text = unsafe { String::from_utf8_unchecked(text) };
        check_text_length(text.len());
        (Folded { text, chars, char_starts }, CharIndex { char_starts: original_starts }, flagged)
    }

    /// The characters of the folded text.
    pub fn as_chars(&self) -> &[char] {
        &self.chars
    }

    /// Number of characters.
    pub fn chars(&self) -> usize {
        self.chars.len()
    }

    /// Character offset of a byte offset that lies on a character boundary.
    #[inline]
    pub fn char_at(&self, byte: usize) -> usize {
        self.char_starts.count_below(byte)
    }

    /// Byte offset of a character offset.
    #[inline]
    pub fn byte_at(&self, char_index: usize) -> usize {
        self.char_starts.get(char_index.min(self.char_starts.len() - 1))
    }

    /// The folded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The folded text of a character range.
    ///
    /// # Panics
    ///
    /// If `start` is past `end` (after both are cut to the text's end).
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let bytes = self.byte_at(start)..self.byte_at(end);
        assert!(bytes.start <= bytes.end, "characters {start}..{end} are out of order");
        debug_assert!(self.text.is_char_boundary(bytes.start) && self.text.is_char_boundary(bytes.end));
        // SAFETY: both ends are entries of `char_starts`, the offsets of the
        // characters of `text` and of its end (both private, and neither
        // written after folding), so on boundaries within it. (Slicing's own checks read
        // the text's byte at each end, often a cache miss, at every mention
        // the later stages spell: 9.7 → 6.2 M estimated cycles per 2 MB.)
        unsafe { self.text.get_unchecked(bytes) }
    }
}

/// Character offsets → byte offsets of the *original* text, for slicing the
/// original without re-walking it.
#[derive(Clone, Debug)]
pub struct CharIndex {
    char_starts: ByteOffsets,
}

impl CharIndex {
    /// # Panics
    ///
    /// If `text` is longer than [`MAX_TEXT_BYTES`].
    pub fn new(text: &str) -> CharIndex {
        check_text_length(text.len());
        CharIndex { char_starts: ByteOffsets::collect(text.char_indices().map(|(b, _)| b).chain([text.len()])) }
    }

    pub fn slice<'t>(&self, text: &'t str, start: usize, end: usize) -> &'t str {
        &text[self.bytes(start, end)]
    }

    /// The byte range of the characters `start..end`.
    pub fn bytes(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        let last = self.char_starts.len() - 1;
        self.char_starts.get(start.min(last))..self.char_starts.get(end.min(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_folded_when_folding_leaves_it_unchanged() {
        for text in ["数梦工场", "阿里云", "", "abc", "雲棲小鎮", "Ｉｎｔｅｌ", "杭州（西湖）"] {
            assert_eq!(is_folded(text), fold(text) == text, "{text}");
        }
    }

    #[test]
    fn traditional_folds_to_simplified_character_by_character() {
        assert_eq!(fold("雲棲小鎮管委會"), "云栖小镇管委会");
        assert_eq!(fold("呂鋼鋒"), "吕钢锋");
        assert_eq!(fold("7.5億元"), "7.5亿元");
    }

    #[test]
    fn full_width_ascii_folds_to_half_width() {
        assert_eq!(fold("１０４．７１％"), "104.71%");
        assert_eq!(fold("ＣＴＯ"), "CTO");
        assert_eq!(fold("a\u{3000}b"), "a b");
    }

    #[test]
    fn simplified_and_ascii_text_is_unchanged() {
        let s = "阿里云总裁王坚 said 10%";
        assert_eq!(fold(s), s);
    }

    #[test]
    fn offsets_survive_folding() {
        // Full-width digits shrink from 3 bytes to 1; characters stay put.
        let original = "收入１４８８０萬元，王堅說";
        let folded = Folded::new(original);
        assert_eq!(folded.chars(), original.chars().count());
        let byte = folded.text.find("王坚").unwrap();
        let start = folded.char_at(byte);
        let index = CharIndex::new(original);
        assert_eq!(index.slice(original, start, start + 2), "王堅");
        assert_eq!(folded.slice(start, start + 2), "王坚");
    }

    #[test]
    fn one_pass_agrees_with_folding_and_indexing_separately() {
        // Characters that fold to themselves, to a character of the same
        // width, to a shorter one, and supplementary-plane ones.
        let alphabet: Vec<char> = "a1 .\n王坚雲億萬說１０％ＣＴＯ\u{3000}。“”é𠀀😀".chars().collect();
        let mut next = crate::test_random::xorshift32(0x5EED);
        for len in 0..200 {
            let original: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let (folded, index) = Folded::with_index(&original);
            assert_eq!(folded.text, fold(&original));
            assert_eq!(folded.as_chars(), folded.text.chars().collect::<Vec<char>>());
            assert_eq!(folded.chars(), original.chars().count());
            let plain_index = CharIndex::new(&original);
            for (i, (at, _)) in folded.text.char_indices().enumerate() {
                assert_eq!(folded.byte_at(i), at);
                assert_eq!(folded.char_at(at), i);
                assert_eq!(index.slice(&original, i, i + 1), plain_index.slice(&original, i, i + 1));
            }
            assert_eq!(folded.byte_at(folded.chars()), folded.text.len());
        }
    }

    #[test]
    fn a_slice_is_the_folded_text_of_its_characters_cut_to_the_end() {
        let alphabet: Vec<char> = "a1 .王坚雲億１％，。é𠀀😀".chars().collect();
        let mut next = crate::test_random::xorshift32(0x511C);
        for len in 0..80 {
            let original: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let folded = Folded::new(&original);
            let chars: Vec<char> = fold(&original).chars().collect();
            for start in 0..=len + 2 {
                for end in start..=len + 2 {
                    let expected: String = chars[start.min(len)..end.min(len)].iter().collect();
                    assert_eq!(folded.slice(start, end), expected, "{start}..{end} of {original:?}");
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "out of order")]
    fn a_slice_of_characters_out_of_order_panics() {
        Folded::new("阿里云总裁王坚").slice(3, 1);
    }

    #[test]
    fn folding_with_flags_folds_as_plain_folding_and_flags_the_characters_that_fold_to_a_flagged_one() {
        // Characters of every width that fold to themselves, to a
        // narrower one, to a wider one, to a flagged one, or are flagged
        // themselves; runs long enough for the word-at-a-time copy and
        // texts ending on every kind of character.
        let alphabet: Vec<char> = "a1 .,\n王坚雲億萬說１０％，。！“”é𠀀😀\u{3000}".chars().collect();
        let flag_sets: [&[char]; 4] = [&[], &['。', '!', '\n', '“', '”'], &[',', '亿', '😀', '𠀀'], &['王', ' ', 'e']];
        let mut next = crate::test_random::xorshift32(0xF1A6);
        for flagged in flag_sets {
            let table = FoldTable::flagging(flagged);
            for len in 0..300 {
                let original: String = crate::test_random::random_text(&alphabet, len % 90, &mut next);
                let (folded, index, flags) = Folded::flagging(&original, &table);
                let (plain, plain_index) = Folded::with_index(&original);
                assert_eq!(folded.text, fold(&original));
                assert_eq!(folded.text, plain.text);
                assert_eq!(folded.chars, plain.chars);
                assert_eq!(folded.char_starts, plain.char_starts);
                assert_eq!(index.char_starts, plain_index.char_starts);
                let expected: Vec<u32> = (0..plain.chars.len() as u32).filter(|&i| flagged.contains(&plain.chars[i as usize])).collect();
                assert_eq!(flags, expected, "{original:?} flagging {flagged:?}");
            }
        }
    }

    #[test]
    fn the_folded_text_grows_for_folds_wider_than_their_characters() {
        // The built-in fold never widens a character; a table that does
        // (one byte to three, two to four) must still fold exactly.
        let mut table = FoldTable::flagging(&['王']);
        table.set_entry('a', '王' as u32 | FLAGGED);
        table.set_entry('é', '𠀀' as u32);
        let alphabet: Vec<char> = "aé王,坚".chars().collect();
        let mut next = crate::test_random::xorshift32(0x6B0);
        for len in 0..200 {
            let original: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let (folded, index, flags) = Folded::flagging(&original, &table);
            let expected: String = original.chars().map(|c| table.fold(c)).collect();
            assert_eq!(folded.text, expected);
            assert_eq!(folded.as_chars(), expected.chars().collect::<Vec<char>>());
            for (i, (at, _)) in expected.char_indices().enumerate() {
                assert_eq!(folded.byte_at(i), at);
            }
            assert_eq!(folded.byte_at(folded.chars()), expected.len());
            assert_eq!(index.char_starts, CharIndex::new(&original).char_starts);
            let expected_flags: Vec<u32> = expected.chars().enumerate().filter(|&(_, c)| c == '王').map(|(i, _)| i as u32).collect();
            assert_eq!(flags, expected_flags);
        }
    }

    #[test]
    fn a_character_has_its_folds_to_itself_bit_exactly_when_its_entry_is_itself() {
        let flagged = FoldTable::flagging(&['。', '王', ',', '亿']);
        let mut widened = FoldTable::flagging(&[]);
        widened.set_entry('a', '王' as u32);
        widened.set_entry('王', '王' as u32 | FLAGGED);
        widened.set_entry('王', '王' as u32);
        for table in [&*FOLD_BMP, &flagged, &widened] {
            for code in 0..0x10000u32 {
                assert_eq!(FoldTable::folds_to_itself(&table.same, code), table.bmp[code as usize] == code, "{code:#x}");
            }
        }
    }

    #[test]
    fn every_character_decodes_to_itself_and_its_width() {
        let mut buffer = [0u8; 4];
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let encoded = c.encode_utf8(&mut buffer).as_bytes();
            // SAFETY: `encoded` is one character of valid UTF-8, at 0.
            assert_eq!(unsafe { decode_at(encoded, 0) }, (c as u32, c.len_utf8()), "{c:?}");
        }
    }

    #[test]
    fn characters_outside_the_bmp_pass_through() {
        assert_eq!(fold("𠀀😀"), "𠀀😀");
    }
}
