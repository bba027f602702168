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

/// Traditional→simplified per character, for the Basic Multilingual Plane
/// (a dense table: 64K entries, looked up once per character).
static T2S_BMP: LazyLock<Vec<char>> = LazyLock::new(|| {
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
    let u = c as u32;
    if u < 0x80 {
        return c;
    }
    if (0xFF01..=0xFF5E).contains(&u) {
        return char::from_u32(u - 0xFEE0).unwrap_or(c);
    }
    if u == 0x3000 {
        return ' ';
    }
    if u <= 0xFFFF {
        return T2S_BMP[u as usize];
    }
    let table = &*T2S_SUPPLEMENTARY;
    match table.binary_search_by_key(&c, |p| p.0) {
        Ok(i) => table[i].1,
        Err(_) => c,
    }
}

/// Fold a string: the key form used for matching, node identity and alias
/// comparison. Same length in characters as the input.
pub fn fold(s: &str) -> String {
    // Reserved up front: collecting would grow the String several times, as
    // most characters of Chinese text take three bytes.
    let mut folded = String::with_capacity(s.len());
    folded.extend(s.chars().map(fold_char));
    folded
}

/// Make sure the lookup tables are built (so start-up cost is paid once,
/// before the first document is timed).
pub fn warm_up() {
    LazyLock::force(&T2S_BMP);
    LazyLock::force(&T2S_SUPPLEMENTARY);
}

/// A folded document with the map from folded byte offsets to character
/// offsets (which are also original character offsets).
#[derive(Clone, Debug)]
pub struct Folded {
    pub text: String,
    /// `char_starts[i]` is the byte offset of character `i`; one extra entry
    /// holds the text length, so `char_starts.len() == chars + 1`.
    char_starts: Vec<usize>,
}

impl Folded {
    pub fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut char_starts = Vec::with_capacity(original.len() / 2 + 1);
        for c in original.chars() {
            char_starts.push(text.len());
            text.push(fold_char(c));
        }
        char_starts.push(text.len());
        Folded { text, char_starts }
    }

    /// Number of characters.
    pub fn chars(&self) -> usize {
        self.char_starts.len() - 1
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
        let last = self.char_starts.len() - 1;
        &text[self.char_starts[start.min(last)]..self.char_starts[end.min(last)]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn characters_outside_the_bmp_pass_through() {
        assert_eq!(fold("𠀀😀"), "𠀀😀");
    }
}
