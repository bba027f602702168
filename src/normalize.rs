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

use std::mem::MaybeUninit;
use std::sync::LazyLock;

/// The whole fold per character of the Basic Multilingual Plane (a dense
/// table: 64K entries, one lookup per character instead of a chain of range
/// tests): traditional→simplified from the character table that the
/// `hanconv` crate ships, then full-width ASCII and the ideographic space.
static FOLD_BMP: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut table: Vec<char> =
        (0..=0xFFFFu32).map(|c| char::from_u32(c).unwrap_or('\u{FFFD}')).collect();
    for (trad, simp) in hanconv::RawDictionary::TSCharacters.iter() {
        let mut t = trad.chars();
        let mut s = simp.chars();
        if let (Some(t0), None, Some(s0)) = (t.next(), t.next(), s.next()) {
            if (t0 as u32) <= 0xFFFF {
                table[t0 as usize] = s0;
            }
        }
    }
    for full_width in 0xFF01..=0xFF5Eu32 {
        table[full_width as usize] = char::from_u32(full_width - 0xFEE0).expect("ASCII");
    }
    table[0x3000] = ' ';
    table
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

/// Fold one character (see the module doc).
#[inline]
pub fn fold_char(c: char) -> char {
    fold_with(&FOLD_BMP, c)
}

/// [`fold_char`] with the table already at hand (a `LazyLock` costs a check
/// per access, which shows in a loop over every character of a document).
#[inline]
fn fold_with(bmp: &[char], c: char) -> char {
    match bmp.get(c as usize) {
        Some(&folded) => folded,
        None => {
            let table = &*T2S_SUPPLEMENTARY;
            match table.binary_search_by_key(&c, |p| p.0) {
                Ok(i) => table[i].1,
                Err(_) => c,
            }
        }
    }
}

/// Whether folding `text` leaves it as it is. (The table is fetched once,
/// not per character as [`fold_char`] does.)
pub fn is_folded(text: &str) -> bool {
    let bmp = &*FOLD_BMP;
    text.chars().all(|c| fold_with(bmp, c) == c)
}

/// Fold a string: the key form used for matching, node identity and alias
/// comparison. Same length in characters as the input.
pub fn fold(s: &str) -> String {
    // Reserved up front: collecting would grow the String several times, as
    // most characters of Chinese text take three bytes.
    let bmp = &*FOLD_BMP;
    let mut folded = String::with_capacity(s.len());
    folded.extend(s.chars().map(|c| fold_with(bmp, c)));
    folded
}

/// Make sure the lookup tables are built (so start-up cost is paid once,
/// before the first document is timed).
pub fn warm_up() {
    LazyLock::force(&FOLD_BMP);
    LazyLock::force(&T2S_SUPPLEMENTARY);
}

/// Offsets are stored as `u32`, which halves the memory the two offset
/// tables of a document write and read (they hold one entry per character,
/// as many entries as the text has characters). A text is therefore limited
/// to this many bytes, folded or not: far above any document that input
/// reading lets through (`InputOptions::max_document_bytes`, 64 MiB by
/// default), and checked, so that a larger text fails loudly rather than
/// with wrong offsets.
pub const MAX_TEXT_BYTES: usize = u32::MAX as usize;

/// An offset into a text of at most [`MAX_TEXT_BYTES`] as a table entry.
fn offset_entry(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or_else(|_| panic!("a text of {offset} bytes is over the limit of {MAX_TEXT_BYTES} bytes"))
}

/// A folded document with the map from folded byte offsets to character
/// offsets (which are also original character offsets).
#[derive(Clone, Debug)]
pub struct Folded {
    pub text: String,
    /// The characters of `text`, for the stages that work by character
    /// offset.
    chars: Vec<char>,
    /// `char_starts[i]` is the byte offset of character `i`; one extra entry
    /// holds the text length, so `char_starts.len() == chars + 1`.
    char_starts: Vec<u32>,
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

/// The characters of `original` from character `k` (at byte `at`) on, up
/// to the first one that folds to another character: each decoded, folded
/// and written with its offset in the original. Returns where it stopped
/// (the offsets of that character, or of the end) and that character folded
/// with its width in the original, or `None` at the end. A function of its
/// own, so that the few values of this loop stay in registers (inlined into
/// the loop around it, they were spilled to the stack and reloaded for
/// every character).
///
/// # Safety
///
/// `at` is the offset of character `k` of `original`, and both tables have
/// one slot per character of `original`.
#[inline(never)]
unsafe fn fold_run(
    original: &str,
    bmp: &[char; 0x10000],
    mut at: usize,
    mut k: usize,
    chars_out: &mut [MaybeUninit<char>],
    original_starts_out: &mut [MaybeUninit<u32>],
) -> (usize, usize, Option<(char, usize)>) {
    let bytes = original.as_bytes();
    let original_starts_out = &mut original_starts_out[..chars_out.len()];
    while k < chars_out.len() {
        // SAFETY: `at` is the offset of character `k` (the caller's
        // promise, kept by moving `at` past each character).
        let (code, width) = unsafe { decode_at(bytes, at) };
        let folded = match bmp.get(code as usize) {
            Some(&folded) => folded,
            // SAFETY: decoded from valid UTF-8, so a scalar value.
            None => fold_with(bmp, unsafe { char::from_u32_unchecked(code) }),
        };
        // Below `MAX_TEXT_BYTES`, checked by the caller.
        original_starts_out[k].write(at as u32);
        chars_out[k].write(folded);
        if folded as u32 != code {
            return (at, k, Some((folded, width)));
        }
        at += width;
        k += 1;
    }
    (at, k, None)
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
    /// Most characters fold to themselves: the folded text is copied from
    /// the original a run at a time (up to the next character that folds to
    /// another), not encoded again character by character.
    ///
    /// # Panics
    ///
    /// If the original or the folded text is longer than [`MAX_TEXT_BYTES`].
    pub fn with_index(original: &str) -> (Folded, CharIndex) {
        offset_entry(original.len());
        // Counted first (the standard count reads a word at a time), so
        // that the tables are allocated at their size and filled in place
        // below: a push per character into each of three vectors kept
        // their lengths and capacities in memory and checked them, a fifth
        // of the instructions of this pass. (Not zeroed first: zeroing the
        // tables costs as much as writing them.)
        let count = original.chars().count();
        let bmp: &[char; 0x10000] = FOLD_BMP.as_slice().try_into().expect("one entry per BMP character");
        let mut text = String::with_capacity(original.len());
        let mut chars: Vec<char> = Vec::with_capacity(count);
        let mut char_starts: Vec<u32> = Vec::with_capacity(count + 1);
        let mut original_starts: Vec<u32> = Vec::with_capacity(count + 1);
        let chars_out = &mut chars.spare_capacity_mut()[..count];
        let starts_out = &mut char_starts.spare_capacity_mut()[..count];
        let original_starts_out = &mut original_starts.spare_capacity_mut()[..count];
        // Where the current run of characters that fold to themselves
        // starts in the original (as a byte offset, and as a character
        // offset); and the folded text's length minus the original's up to
        // there (wrapping: folding shortens full-width characters and may
        // lengthen others).
        let (mut run_start, mut run_first) = (0, 0);
        let mut shift = 0u32;
        let (mut at, mut k) = (0usize, 0usize);
        loop {
            // Per character, only what `fold_run` does; the offsets in the
            // folded text of the whole run are filled in after it, in one
            // vectorizable loop.
            // SAFETY: `at` is the offset of character `k` (0 at first, then
            // just past the character that ended the last run), and the
            // tables have `count` slots, one per character.
            let changed;
            (at, k, changed) = unsafe { fold_run(original, bmp, at, k, chars_out, original_starts_out) };
            // The run and the character that ends it (which starts where
            // its original starts, shifted by what came before it).
            let run_end = count.min(k + 1);
            for (start, original_start) in starts_out[run_first..run_end].iter_mut().zip(&original_starts_out[run_first..run_end]) {
                // SAFETY: written by `fold_run`.
                start.write(unsafe { original_start.assume_init() }.wrapping_add(shift));
            }
            let Some((folded, width)) = changed else { break };
            text.push_str(&original[run_start..at]);
            text.push(folded);
            shift = shift.wrapping_add(folded.len_utf8() as u32).wrapping_sub(width as u32);
            at += width;
            k += 1;
            (run_start, run_first) = (at, k);
        }
        // SAFETY: the loop wrote the first `count` elements of each table
        // (one per character: `count` is the number of characters), and the
        // capacities were reserved for them.
        unsafe {
            chars.set_len(count);
            char_starts.set_len(count);
            original_starts.set_len(count);
        }
        text.push_str(&original[run_start..]);
        char_starts.push(offset_entry(text.len()));
        original_starts.push(original.len() as u32);
        (Folded { text, chars, char_starts }, CharIndex { char_starts: original_starts })
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
        self.char_starts.partition_point(|&b| (b as usize) < byte)
    }

    /// Byte offset of a character offset.
    #[inline]
    pub fn byte_at(&self, char_index: usize) -> usize {
        self.char_starts[char_index.min(self.char_starts.len() - 1)] as usize
    }

    /// The folded text of a character range.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        &self.text[self.byte_at(start)..self.byte_at(end)]
    }
}

/// Character offsets → byte offsets of the *original* text, for slicing the
/// original without re-walking it.
#[derive(Clone, Debug)]
pub struct CharIndex {
    char_starts: Vec<u32>,
}

impl CharIndex {
    /// # Panics
    ///
    /// If `text` is longer than [`MAX_TEXT_BYTES`].
    pub fn new(text: &str) -> CharIndex {
        let end = offset_entry(text.len());
        let mut char_starts: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
        char_starts.push(end);
        CharIndex { char_starts }
    }

    pub fn slice<'t>(&self, text: &'t str, start: usize, end: usize) -> &'t str {
        &text[self.bytes(start, end)]
    }

    /// The byte range of the characters `start..end`.
    pub fn bytes(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        let last = self.char_starts.len() - 1;
        self.char_starts[start.min(last)] as usize..self.char_starts[end.min(last)] as usize
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
