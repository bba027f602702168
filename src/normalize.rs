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
    char_starts: Vec<usize>,
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
    pub fn with_index(original: &str) -> (Folded, CharIndex) {
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
        let mut char_starts: Vec<usize> = Vec::with_capacity(count + 1);
        let mut original_starts: Vec<usize> = Vec::with_capacity(count + 1);
        let chars_out = &mut chars.spare_capacity_mut()[..count];
        let starts_out = &mut char_starts.spare_capacity_mut()[..count];
        let original_starts_out = &mut original_starts.spare_capacity_mut()[..count];
        // Where the current run of characters that fold to themselves
        // starts in the original; and the folded text's length minus the
        // original's up to here (wrapping: folding shortens full-width
        // characters and may lengthen others).
        let mut run_start = 0;
        let mut shift = 0usize;
        let slots = original_starts_out.iter_mut().zip(starts_out.iter_mut()).zip(chars_out.iter_mut());
        for ((at, c), ((original_slot, start_slot), char_slot)) in original.char_indices().zip(slots) {
            let folded = match bmp.get(c as usize) {
                Some(&folded) => folded,
                None => fold_with(bmp, c),
            };
            original_slot.write(at);
            start_slot.write(at.wrapping_add(shift));
            char_slot.write(folded);
            if folded != c {
                text.push_str(&original[run_start..at]);
                text.push(folded);
                shift = shift.wrapping_add(folded.len_utf8()).wrapping_sub(c.len_utf8());
                run_start = at + c.len_utf8();
            }
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
        char_starts.push(text.len());
        original_starts.push(original.len());
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
        self.char_starts.partition_point(|&b| b < byte)
    }

    /// Byte offset of a character offset.
    #[inline]
    pub fn byte_at(&self, char_index: usize) -> usize {
        self.char_starts[char_index.min(self.char_starts.len() - 1)]
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
    char_starts: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        let mut char_starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        char_starts.push(text.len());
        CharIndex { char_starts }
    }

    pub fn slice<'t>(&self, text: &'t str, start: usize, end: usize) -> &'t str {
        &text[self.bytes(start, end)]
    }

    /// The byte range of the characters `start..end`.
    pub fn bytes(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        let last = self.char_starts.len() - 1;
        self.char_starts[start.min(last)]..self.char_starts[end.min(last)]
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
    fn characters_outside_the_bmp_pass_through() {
        assert_eq!(fold("𠀀😀"), "𠀀😀");
    }
}
