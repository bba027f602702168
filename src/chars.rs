//! Runs of a document's characters as table keys, without allocating.
//!
//! The mention rules probe string-keyed tables (lexicon, gazetteer, word
//! lists) with short runs of folded characters, many times per character of
//! input. Collecting each run into a `String` made allocation the largest
//! cost of extraction; these helpers encode the run on the stack instead,
//! or compare characters directly.

use rustc_hash::{FxHashMap, FxHashSet};

/// Runs up to this many bytes of UTF-8 are encoded on the stack; longer
/// ones (rare: the longest lexicon word has a few characters) allocate.
const STACK_BYTES: usize = 64;

/// Call `f` with `chars` encoded as UTF-8.
#[inline]
pub fn with_str<R>(chars: &[char], f: impl FnOnce(&str) -> R) -> R {
    if chars.len() * 4 > STACK_BYTES {
        return f(&chars.iter().collect::<String>());
    }
    let mut buf = [0u8; STACK_BYTES];
    let mut len = 0;
    for &c in chars {
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    // SAFETY: the bytes were written by `char::encode_utf8` only.
    f(unsafe { std::str::from_utf8_unchecked(&buf[..len]) })
}

/// Whether `word` is spelled at character `i`.
#[inline]
pub fn spelled_at(chars: &[char], i: usize, word: &[char]) -> bool {
    chars.get(i..i + word.len()).is_some_and(|run| run == word)
}

/// A word list indexed by first and by last character, for "does one of
/// these words start (end) here" at every position of a document.
///
/// (Most positions hold no first or last character of a word: a filter of
/// those characters answers them before the maps are hashed.)
#[derive(Debug, Default)]
pub struct Phrases {
    by_first: FxHashMap<char, Vec<Box<[char]>>>,
    by_last: FxHashMap<char, Vec<Box<[char]>>>,
    firsts: CharFilter,
    lasts: CharFilter,
}

impl Phrases {
    pub fn new<'a>(words: impl IntoIterator<Item = &'a String>) -> Phrases {
        let mut p = Phrases::default();
        for w in words {
            let chars: Box<[char]> = w.chars().collect();
            let (Some(&first), Some(&last)) = (chars.first(), chars.last()) else { continue };
            p.by_first.entry(first).or_default().push(chars.clone());
            p.by_last.entry(last).or_default().push(chars);
            p.firsts.insert(first);
            p.lasts.insert(last);
        }
        p
    }

    /// Whether a word of the list starts at character `i`. (The first word
    /// spelled there answers: the longest is not sought.)
    #[inline]
    pub fn starts_at(&self, chars: &[char], i: usize) -> bool {
        self.starting_at(chars, i).is_some_and(|words| words.iter().any(|w| spelled_at(chars, i, w)))
    }

    /// The length in characters of the longest word of the list that
    /// starts at character `i`.
    #[inline]
    pub fn longest_at(&self, chars: &[char], i: usize) -> Option<usize> {
        self.starting_at(chars, i)?.iter().filter(|w| spelled_at(chars, i, w)).map(|w| w.len()).max()
    }

    /// The words that start with the character at `i`.
    #[inline]
    fn starting_at(&self, chars: &[char], i: usize) -> Option<&Vec<Box<[char]>>> {
        let first = chars.get(i)?;
        if !self.firsts.may_contain(*first) {
            return None;
        }
        self.by_first.get(first)
    }

    /// Whether a word of the list ends right before character `i`. (The
    /// first word spelled there answers.)
    #[inline]
    pub fn ends_at(&self, chars: &[char], i: usize) -> bool {
        let Some(words) = i.checked_sub(1).and_then(|j| self.ending_with(chars.get(j)?)) else { return false };
        words.iter().any(|w| i >= w.len() && spelled_at(chars, i - w.len(), w))
    }

    /// Whether a word of exactly `len` characters of the list ends right
    /// before character `i`.
    #[inline]
    pub fn has_word_ending_at(&self, chars: &[char], i: usize, len: usize) -> bool {
        let Some(words) = i.checked_sub(1).and_then(|j| self.ending_with(chars.get(j)?)) else { return false };
        i >= len && words.iter().any(|w| w.len() == len && spelled_at(chars, i - len, w))
    }

    /// The lengths in characters of the words of the list that end right
    /// before character `i`, as bits: bit `n` is set when
    /// [`Phrases::has_word_ending_at`] `(chars, i, n)` holds (for `n`
    /// below 32; longer words are left out). (For a caller that asks
    /// several lengths at one position: the words are looked up once.)
    #[inline]
    pub fn lengths_ending_at(&self, chars: &[char], i: usize) -> u32 {
        let Some(words) = i.checked_sub(1).and_then(|j| self.ending_with(chars.get(j)?)) else { return 0 };
        words.iter().filter(|w| w.len() < 32 && i >= w.len() && spelled_at(chars, i - w.len(), w)).fold(0, |lengths, w| lengths | 1 << w.len())
    }

    /// The length in characters of the longest word of the list that ends
    /// right before character `i`.
    #[inline]
    pub fn longest_ending_at(&self, chars: &[char], i: usize) -> Option<usize> {
        let words = i.checked_sub(1).and_then(|j| self.ending_with(chars.get(j)?))?;
        words.iter().filter(|w| i >= w.len() && spelled_at(chars, i - w.len(), w)).map(|w| w.len()).max()
    }

    #[inline]
    fn ending_with(&self, last: &char) -> Option<&Vec<Box<[char]>>> {
        if !self.lasts.may_contain(*last) {
            return None;
        }
        self.by_last.get(last)
    }
}

/// The characters of the Basic Multilingual Plane.
const BMP: usize = 0x10000;

/// Bit flags per character: a table over the Basic Multilingual Plane, the
/// rare others in a hash map. (The table always has its full size: a lookup
/// at every character of a document needs no bounds check.)
pub struct CharFlags<T> {
    bmp: Box<[T; BMP]>,
    other: FxHashMap<char, T>,
}

impl<T> std::fmt::Debug for CharFlags<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CharFlags").field("others", &self.other.len()).finish_non_exhaustive()
    }
}

impl<T: Copy + Default + std::ops::BitOrAssign> Default for CharFlags<T> {
    fn default() -> CharFlags<T> {
        let bmp = vec![T::default(); BMP].into_boxed_slice().try_into().ok().expect("the table has BMP entries");
        CharFlags { bmp, other: FxHashMap::default() }
    }
}

impl<T: Copy + Default + std::ops::BitOrAssign> CharFlags<T> {
    /// Sets `flags` for `c`, beside those it has.
    pub fn add(&mut self, c: char, flags: T) {
        match self.bmp.get_mut(c as usize) {
            Some(known) => *known |= flags,
            None => *self.other.entry(c).or_default() |= flags,
        }
    }

    /// The flags of `c` (none for a character never added).
    #[inline]
    pub fn get(&self, c: char) -> T {
        match self.bmp.get(c as usize) {
            Some(&flags) => flags,
            None => self.other.get(&c).copied().unwrap_or_default(),
        }
    }

    /// The flags of a character of the Basic Multilingual Plane, given as
    /// its code point: a table read with neither a bounds check nor a test
    /// for the plane (for scans that test a few characters' planes at once).
    #[inline]
    pub fn get_in_plane(&self, c: u16) -> T {
        self.bmp[usize::from(c)]
    }

    /// The characters outside the table that have flags.
    pub fn others(&self) -> usize {
        self.other.len()
    }
}

/// Which characters may be in a small set, by one bit per value of the low
/// bits of the code point (`WORDS` words of 64 bits: [`CharFilter`]'s 32
/// bytes are cheap to build per document or per search, unlike an exact
/// [`CharBits`] of 8 KB): a scan then looks a character up in the set
/// itself only where the filter lets it through.
#[derive(Debug)]
pub struct CharFilterOf<const WORDS: usize> {
    bits: [u64; WORDS],
}

/// A filter by the low byte: enough for a handful of characters.
pub type CharFilter = CharFilterOf<4>;

impl<const WORDS: usize> Default for CharFilterOf<WORDS> {
    fn default() -> Self {
        CharFilterOf { bits: [0; WORDS] }
    }
}

impl<const WORDS: usize> CharFilterOf<WORDS> {
    pub fn new(chars: impl IntoIterator<Item = char>) -> Self {
        let mut filter = Self::default();
        for c in chars {
            filter.insert(c);
        }
        filter
    }

    pub fn insert(&mut self, c: char) {
        let (word, bit) = Self::slot(c);
        self.bits[word] |= bit;
    }

    /// False when `c` is certainly not in the set.
    #[inline]
    pub fn may_contain(&self, c: char) -> bool {
        let (word, bit) = Self::slot(c);
        self.bits[word] & bit != 0
    }

    #[inline]
    fn slot(c: char) -> (usize, u64) {
        let low = c as usize % (WORDS * 64);
        (low / 64, 1 << (low % 64))
    }
}

/// Which pairs of characters (one right after the other) may be in a set:
/// a Bloom filter blocked by the first character. The first character's
/// hash picks one of `LINES` lines of 512 bits (a cache line; a power of
/// two), the second's hash a word of the line and two bits in it (one
/// load, as likely to be both set for a pair not in the set as two bits
/// anywhere in the line). A clear bit means no pair of the set; two set
/// bits, perhaps one.
///
/// (A hash of the whole pair spread a scan's tests over every line of the
/// filter, and as consecutive pairs of text are nearly all distinct, most
/// tests of a document missed the cache. By first character, the tests
/// touch the lines of the characters in use, most of them of the few
/// hundred commonest, which stay cached.)
pub struct PairFilter<const LINES: usize> {
    lines: Box<[PairLine; LINES]>,
}

/// One cache line of a [`PairFilter`].
#[derive(Clone, Copy, Default)]
#[repr(align(64))]
struct PairLine([u64; 8]);

/// A character's hash for a [`PairFilter`]: a scan of consecutive pairs
/// hashes each character once, as the second of one pair and the first of
/// the next.
#[derive(Clone, Copy)]
pub struct PairHash(u64);

impl PairHash {
    #[inline]
    pub fn of(c: char) -> PairHash {
        PairHash((c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
}

impl<const LINES: usize> Default for PairFilter<LINES> {
    fn default() -> Self {
        const { assert!(LINES.is_power_of_two() && LINES >= 2) };
        let lines = vec![PairLine::default(); LINES].into_boxed_slice().try_into().ok().expect("LINES lines");
        PairFilter { lines }
    }
}

impl<const LINES: usize> PairFilter<LINES> {
    /// The first character's hash keeps this many top bits: one per line.
    const LINE_SHIFT: u32 = 64 - LINES.trailing_zeros();

    pub fn insert(&mut self, first: char, second: char) {
        let (line, word, bits) = Self::slots(PairHash::of(first), PairHash::of(second));
        self.lines[line].0[word] |= bits;
    }

    /// False when no pair of the set is `first` then `second`.
    #[inline]
    pub fn may_contain(&self, first: char, second: char) -> bool {
        self.may_contain_hashed(PairHash::of(first), PairHash::of(second))
    }

    /// [`PairFilter::may_contain`] of two characters' hashes.
    #[inline]
    pub fn may_contain_hashed(&self, first: PairHash, second: PairHash) -> bool {
        let (line, word, bits) = Self::slots(first, second);
        // (`line` is below `LINES`: the shift keeps as many bits.)
        self.lines[line % LINES].0[word] & bits == bits
    }

    /// The line of the first character, and the word of the line and the
    /// (one or two) bits of the word of the second, from bits of its hash
    /// the line does not use.
    #[inline]
    fn slots(first: PairHash, second: PairHash) -> (usize, usize, u64) {
        let line = (first.0 >> Self::LINE_SHIFT) as usize;
        let word = (second.0 >> 61) as usize;
        (line, word, 1 << (second.0 >> 55 & 63) | 1 << (second.0 >> 49 & 63))
    }
}

/// A set of characters tested at every character of a document: a bit per
/// character of the Basic Multilingual Plane (8 KB), the rare others in a
/// hash set, so that a test is a shift and a mask rather than a hash probe.
/// (The table always has its full size: a test needs no bounds check,
/// which was a third of its cost.)
#[derive(Clone, Debug, Default)]
pub struct CharBits {
    bmp: PlaneBits,
    other: FxHashSet<char>,
}

/// A bit per character of the Basic Multilingual Plane (8 KB), given as
/// its code point: the table of a test made at every character of a
/// document, a shift and a mask where a table of bytes or words would load
/// a cache line for each of the thousands of different characters of a
/// text.
#[derive(Clone, Debug)]
pub struct PlaneBits(Box<[u64; BMP / 64]>);

impl Default for PlaneBits {
    fn default() -> PlaneBits {
        PlaneBits(Box::new([0; BMP / 64]))
    }
}

impl PlaneBits {
    pub fn insert(&mut self, code: u16) {
        self.0[usize::from(code) / 64] |= 1 << (code % 64);
    }

    pub fn set(&mut self, code: u16, on: bool) {
        let (word, bit) = (usize::from(code) / 64, code % 64);
        self.0[word] = self.0[word] & !(1 << bit) | u64::from(on) << bit;
    }

    #[inline]
    pub fn contains(&self, code: u16) -> bool {
        self.word_from(code) & 1 == 1
    }

    /// The word holding the bit of `code`, shifted down to that bit (its
    /// lowest bit is `contains(code)`): several characters' words or-ed
    /// together answer whether any is in the set with one test.
    #[inline]
    pub fn word_from(&self, code: u16) -> u64 {
        self.0[usize::from(code) / 64] >> (code % 64)
    }
}

impl CharBits {
    pub fn insert(&mut self, c: char) {
        match u16::try_from(u32::from(c)) {
            Ok(code) => self.bmp.insert(code),
            Err(_) => {
                self.other.insert(c);
            }
        }
    }

    #[inline]
    pub fn contains(&self, c: char) -> bool {
        match u16::try_from(u32::from(c)) {
            Ok(code) => self.bmp.contains(code),
            Err(_) => self.other.contains(&c),
        }
    }
}

impl FromIterator<char> for CharBits {
    fn from_iter<I: IntoIterator<Item = char>>(chars: I) -> CharBits {
        let mut bits = CharBits::default();
        chars.into_iter().for_each(|c| bits.insert(c));
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn phrases_answer_as_a_plain_scan_of_the_word_list_does() {
        // (The first/last character filter must never hide a word, nor let a
        // character in that only shares a bucket with one: 席 U+5E2D, inside a
        // word only, shares the low byte of 中 U+4E2D.)
        let words: Vec<String> = ["中国", "说", "国中", "中", "国席说", "说中国"].iter().map(|w| w.to_string()).collect();
        let phrases = Phrases::new(&words);
        let lists: Vec<Vec<char>> = words.iter().map(|w| chars(w)).collect();
        let alphabet = ['中', '国', '说', '席', 'a', '𠀀'];
        let mut next = crate::test_random::xorshift32(0x9e1);
        for _ in 0..300 {
            let text: Vec<char> = {
                let len = (next() % 10) as usize;
                crate::test_random::random_text(&alphabet, len, &mut next)
            };
            for i in 0..=text.len() + 1 {
                let starting = lists.iter().filter(|w| spelled_at(&text, i, w)).map(|w| w.len()).max();
                let ending = lists.iter().filter(|w| i >= w.len() && spelled_at(&text, i - w.len(), w)).map(|w| w.len()).max();
                assert_eq!(phrases.longest_at(&text, i), starting, "{text:?} at {i}");
                assert_eq!(phrases.longest_ending_at(&text, i), ending, "{text:?} at {i}");
                for len in 1..=3 {
                    let exact = lists.iter().any(|w| w.len() == len && i >= len && spelled_at(&text, i - len, w));
                    assert_eq!(phrases.has_word_ending_at(&text, i, len), exact, "{text:?} at {i}, {len}");
                    assert_eq!(phrases.lengths_ending_at(&text, i) >> len & 1 == 1, exact, "{text:?} at {i}, {len} as bits");
                }
            }
        }
    }

    #[test]
    fn filters_never_turn_away_what_was_inserted() {
        let mut next = crate::test_random::xorshift32(0xF17);
        let chars: Vec<char> = (0..300).filter_map(|_| char::from_u32(next() % 0x2_0000)).collect();
        let narrow = CharFilter::new(chars.iter().copied());
        let wide = CharFilterOf::<64>::new(chars.iter().copied());
        let mut pairs = PairFilter::<128>::default();
        chars.windows(2).for_each(|w| pairs.insert(w[0], w[1]));
        assert!(chars.iter().all(|&c| narrow.may_contain(c) && wide.may_contain(c)));
        assert!(chars.windows(2).all(|w| pairs.may_contain(w[0], w[1])));
        // Empty filters hold nothing.
        assert!(!CharFilter::default().may_contain('王') && !PairFilter::<128>::default().may_contain('王', '坚'));
        // The wide filter tells apart characters that share their low byte
        // (王 U+738B, Ƌ U+018B) but not their low twelve bits.
        assert!(!CharFilterOf::<64>::new(['王']).may_contain('Ƌ') && CharFilter::new(['王']).may_contain('Ƌ'));
    }

    #[test]
    fn a_pair_filter_lets_through_every_inserted_pair_and_few_others() {
        // As the gazetteer's name starts are: thousands of pairs, some
        // first characters with dozens of second ones.
        let mut next = crate::test_random::xorshift32(0xB10C);
        let mut cjk = move || char::from_u32(0x4E00 + next() % 0x5200).expect("a CJK character");
        let mut pairs = FxHashSet::default();
        for _ in 0..1500 {
            let (first, seconds) = (cjk(), 1 + cjk() as u32 % 8);
            for _ in 0..seconds {
                pairs.insert((first, cjk()));
            }
        }
        for _ in 0..10 {
            let first = cjk();
            for _ in 0..70 {
                pairs.insert((first, cjk()));
            }
        }
        let mut filter = PairFilter::<1024>::default();
        pairs.iter().for_each(|&(a, b)| filter.insert(a, b));
        assert!(pairs.iter().all(|&(a, b)| filter.may_contain(a, b)));
        let others: Vec<(char, char)> = (0..100_000).map(|_| (cjk(), cjk())).filter(|p| !pairs.contains(p)).collect();
        let let_through = others.iter().filter(|&&(a, b)| filter.may_contain(a, b)).count();
        assert!(let_through * 100 < others.len(), "{let_through} of {} other pairs let through", others.len());
    }

    #[test]
    fn char_bits_hold_exactly_the_inserted_characters() {
        let bits: CharBits = "王欧😀".chars().collect();
        assert!(bits.contains('王') && bits.contains('欧') && bits.contains('😀'));
        assert!(!bits.contains('阳') && !bits.contains('😁') && !bits.contains('a'));
        assert!(!CharBits::default().contains('王'));
    }

    #[test]
    fn with_str_spells_short_and_long_runs() {
        let short = chars("阿里云");
        assert_eq!(with_str(&short, str::to_string), "阿里云");
        let long = chars(&"云".repeat(40));
        assert_eq!(with_str(&long, str::to_string), "云".repeat(40));
        assert_eq!(with_str(&[], str::to_string), "");
    }

    #[test]
    fn phrases_find_words_starting_and_ending_at_a_position() {
        let words = ["表示".to_string(), "表示说".to_string(), "说".to_string()];
        let p = Phrases::new(&words);
        let text = chars("他表示说好");
        assert_eq!(p.longest_at(&text, 1), Some(3));
        assert!(p.starts_at(&text, 3));
        assert!(!p.starts_at(&text, 0));
        assert!(!p.starts_at(&text, 9));
        assert!(p.ends_at(&text, 3));
        assert!(p.ends_at(&text, 4));
        assert!(!p.ends_at(&text, 0));
        assert!(!p.ends_at(&text, 2));
        assert_eq!(p.longest_ending_at(&text, 4), Some(3));
        assert_eq!(p.longest_ending_at(&text, 3), Some(2));
        assert_eq!(p.longest_ending_at(&text, 2), None);
        assert!(p.has_word_ending_at(&text, 4, 3) && p.has_word_ending_at(&text, 4, 1));
        assert!(!p.has_word_ending_at(&text, 4, 2) && !p.has_word_ending_at(&text, 0, 1));
    }
}
