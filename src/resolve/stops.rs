//! Where the reference passes of [`super::resolve`] look.
//!
//! After the full-form names, the passes of the resolver stop only where a
//! sole surname, the first character of a reference or of a bare suffix,
//! or a pronoun is: a few dozen distinct characters per document, some of
//! them common (the 中 of 中心, the 公 of 公司). One scan of the document
//! finds those places, each with the slot of its character, and the passes
//! then read what starts with that character from the slot (the texts that
//! start with it, the person a surname stands for) instead of looking the
//! character up again, once per pass, in a hash map of characters.

/// How many entries the table by low bits has: a character's low twelve
/// bits tell apart the few dozen characters of a document almost always,
/// and let few other characters through to the comparison. (With ten bits,
/// some twenty Chinese characters shared each entry, and the scan stopped
/// at runs of four characters for characters it then passed by four times
/// as often. The table is kept from one document to the next and only the
/// entries of its characters are cleared: made and cleared whole for every
/// document, 4 KB cost more than the stops saved.)
const LOWS: usize = 4096;
/// No stop character has these low bits.
const NONE: u8 = 0;
/// Several stop characters have these low bits (or a character's slot is
/// too large for a byte): the list itself is searched.
const SHARED: u8 = u8::MAX;

/// The characters to stop at, each with its slot (its place in the order
/// first given).
pub(super) struct StopChars {
    chars: Vec<char>,
    /// Per low twelve bits of a character: [`NONE`], the slot + 1 of the
    /// only stop character with them, or [`SHARED`]. (Boxed: the
    /// characters are kept from one document to the next, and moved.)
    slot_by_low: Box<[u8; LOWS]>,
}

impl Default for StopChars {
    /// No stop characters.
    fn default() -> StopChars {
        StopChars { chars: Vec::new(), slot_by_low: Box::new([NONE; LOWS]) }
    }
}

impl StopChars {
    #[cfg(test)]
    pub(super) fn new(chars: impl IntoIterator<Item = char>) -> StopChars {
        StopChars::default().refilled(chars)
    }

    /// These stop characters replaced by `chars`: the characters of a
    /// document before, their table cleared where they had entries (every
    /// other entry is [`NONE`] already) and their list emptied.
    pub(super) fn refilled(mut self, chars: impl IntoIterator<Item = char>) -> StopChars {
        for &c in &self.chars {
            self.slot_by_low[c as usize % LOWS] = NONE;
        }
        self.chars.clear();
        let mut stop = self;
        for c in chars {
            if stop.slot(c).is_some() {
                continue;
            }
            let slot = stop.chars.len();
            stop.chars.push(c);
            let entry = &mut stop.slot_by_low[c as usize % LOWS];
            *entry = match u8::try_from(slot + 1) {
                Ok(byte) if *entry == NONE && byte != SHARED => byte,
                _ => SHARED,
            };
        }
        stop
    }

    /// How many characters there are (slots run from 0 to this).
    pub(super) fn len(&self) -> usize {
        self.chars.len()
    }

    /// The table's entry for `c`: [`NONE`] when `c` is certainly not a
    /// stop character.
    #[inline]
    fn entry(&self, c: char) -> u8 {
        self.slot_by_low[c as usize % LOWS]
    }

    /// The slot of `c`, if it is a stop character.
    #[inline]
    pub(super) fn slot(&self, c: char) -> Option<usize> {
        match self.entry(c) {
            NONE => None,
            SHARED => self.chars.iter().position(|&k| k == c),
            byte => {
                let slot = byte as usize - 1;
                (self.chars[slot] == c).then_some(slot)
            }
        }
    }

    /// Every position of `text` with a stop character, in order, with the
    /// character's slot.
    #[cfg(test)]
    pub(super) fn stops(&self, text: &[char]) -> Vec<Stop> {
        self.stops_in(Vec::new(), text)
    }

    /// [`StopChars::stops`], listed in `found` (emptied first): the list of
    /// a document before, reused.
    pub(super) fn stops_in(&self, mut found: Vec<Stop>, text: &[char]) -> Vec<Stop> {
        found.clear();
        // (Sized for a stop in sixteen characters: growing from empty, the
        // list was reallocated several times per document.)
        found.reserve(text.len() / 16);
        let mut push_stops = |from: usize, chars: &[char]| {
            for (k, &c) in chars.iter().enumerate() {
                if let Some(slot) = self.slot(c) {
                    found.push(Stop { at: from + k, slot });
                }
            }
        };
        // Four characters at a time: most runs of four hold no stop
        // character, and one test of the four entries together costs less
        // than a test per character.
        let mut fours = text.chunks_exact(4);
        for (k, four) in fours.by_ref().enumerate() {
            if four.iter().fold(NONE, |entries, &c| entries | self.entry(c)) != NONE {
                push_stops(4 * k, four);
            }
        }
        let rest = fours.remainder();
        push_stops(text.len() - rest.len(), rest);
        found
    }
}

/// A position of the document whose character is a stop character.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Stop {
    pub at: usize,
    pub slot: usize,
}

/// Texts (each starting with a stop character) by the slot of their first
/// character: per slot, a chain through the texts that start with it.
pub(super) struct TextsBySlot<'t> {
    texts: Vec<&'t str>,
    /// Per slot, the first text in its chain.
    first: Vec<Option<usize>>,
    /// Per text, the next text in its chain.
    next: Vec<Option<usize>>,
}

impl<'t> TextsBySlot<'t> {
    /// `texts` indexed by first character; an empty text, or one whose
    /// first character is not a stop character, is never found.
    pub(super) fn new(stop_chars: &StopChars, texts: impl Iterator<Item = &'t str>) -> TextsBySlot<'t> {
        let texts: Vec<&str> = texts.collect();
        let mut first = vec![None; stop_chars.len()];
        let mut next = vec![None; texts.len()];
        for (t, text) in texts.iter().enumerate() {
            if let Some(slot) = text.chars().next().and_then(|c| stop_chars.slot(c)) {
                next[t] = first[slot].replace(t);
            }
        }
        TextsBySlot { texts, first, next }
    }

    /// Whether any text starts with the character of `slot`. (Most stops
    /// are the characters of the other passes: they are passed over
    /// before an iterator over no texts is made for them, and a call to
    /// extend the list by nothing.)
    #[inline]
    fn has_texts(&self, slot: usize) -> bool {
        self.first[slot].is_some()
    }

    /// The texts that start with the character of `slot`, as indices.
    fn starting_with(&self, slot: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.first[slot], |&t| self.next[t])
    }

    /// The texts that `chars` starts with, as (text, length in characters),
    /// given the slot of its first character.
    fn found_at<'s>(&'s self, chars: &'s [char], slot: usize) -> impl Iterator<Item = (usize, usize)> + 's {
        self.starting_with(slot).filter_map(|t| starts_with_text(chars, self.texts[t]).map(|len| (t, len)))
    }

    /// Non-overlapping occurrences of the texts in `chars`, leftmost first
    /// and the longest at a position (the texts are distinct): (start,
    /// end, text). `stops` are the stops of `chars`, in order. (A document
    /// has a handful of texts, so comparing them in place costs less than
    /// building an automaton per document.)
    pub(super) fn leftmost_longest(&self, chars: &[char], stops: &[Stop]) -> Vec<(usize, usize, usize)> {
        // (Room for an occurrence per stop, the most there can be: grown
        // from empty, the vector was reallocated a few times per document.)
        let mut found = Vec::with_capacity(stops.len());
        // Where the last occurrence ends: occurrences do not overlap.
        let mut free_from = 0;
        for stop in stops {
            if stop.at < free_from || !self.has_texts(stop.slot) {
                continue;
            }
            if let Some((t, len)) = self.found_at(&chars[stop.at..], stop.slot).max_by_key(|&(_, len)| len) {
                found.push((stop.at, stop.at + len, t));
                free_from = stop.at + len;
            }
        }
        found
    }

    /// Every occurrence of every text in `chars` (overlapping ones too):
    /// (text, start, length), ordered by text then start. `stops` are the
    /// stops of `chars`, in order.
    pub(super) fn occurrences(&self, chars: &[char], stops: &[Stop]) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        for stop in stops.iter().filter(|stop| self.has_texts(stop.slot)) {
            for (t, len) in self.found_at(&chars[stop.at..], stop.slot) {
                found.push((t, stop.at, len));
            }
        }
        found.sort_unstable();
        found
    }
}

/// The length of `text` in characters, if `chars` starts with it.
pub(super) fn starts_with_text(chars: &[char], text: &str) -> Option<usize> {
    let mut len = 0;
    for c in text.chars() {
        if chars.get(len) != Some(&c) {
            return None;
        }
        len += 1;
    }
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    /// Every occurrence of every text in `chars`, by comparing every text
    /// at every position: (text, start, length), ordered.
    fn every_occurrence(chars: &[char], texts: &[&str]) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        for at in 0..chars.len() {
            for (t, text) in texts.iter().enumerate() {
                if let Some(len) = starts_with_text(&chars[at..], text).filter(|&len| len > 0) {
                    found.push((t, at, len));
                }
            }
        }
        found.sort_unstable();
        found
    }

    #[test]
    fn a_text_is_a_prefix_when_every_character_matches_in_place() {
        assert_eq!(starts_with_text(&chars("区长说"), "区长"), Some(2));
        assert_eq!(starts_with_text(&chars("区长"), "区长说"), None);
        assert_eq!(starts_with_text(&chars("区委书记"), "区长"), None);
        assert_eq!(starts_with_text(&chars("区长"), ""), Some(0));
    }

    #[test]
    fn stops_are_exactly_the_stop_characters_in_order() {
        let stop = StopChars::new(chars("他王😀他"));
        assert_eq!(stop.len(), 3);
        let at = |text: &str| stop.stops(&chars(text)).iter().map(|s| (s.at, stop.chars[s.slot])).collect::<Vec<_>>();
        assert_eq!(at("王说他是王😀"), vec![(0, '王'), (2, '他'), (4, '王'), (5, '😀')]);
        assert_eq!(at("她说"), vec![]);
        // 席 U+5E2D, 中 U+4E2D and 븭 U+BE2D share their low twelve bits: the
        // table sends them to the list, which holds only two.
        let shared = StopChars::new(chars("中븭"));
        assert_eq!(shared.stops(&chars("席中븭a")), vec![Stop { at: 1, slot: 0 }, Stop { at: 2, slot: 1 }]);
        // Runs of four and what is left after them.
        let text = chars("王说他是王😀王a他");
        let at: Vec<usize> = stop.stops(&text).iter().map(|s| s.at).collect();
        assert_eq!(at, (0..text.len()).filter(|&i| stop.slot(text[i]).is_some()).collect::<Vec<_>>());
        assert_eq!(at, vec![0, 2, 4, 5, 6, 8]);
    }

    /// Refilled from the characters of a document before, the stop
    /// characters, their whole table and the stops are what new ones give.
    #[test]
    fn refilled_stop_characters_are_new_ones() {
        let mut random = crate::test_random::xorshift32(0x7e05);
        let alphabet = chars("王说他是😀a中븭席");
        let (mut reused, mut found) = (StopChars::default(), Vec::new());
        for _ in 0..300 {
            let wanted: Vec<char> = (0..random() % 6).map(|_| alphabet[random() as usize % alphabet.len()]).collect();
            let text: Vec<char> = (0..random() % 30).map(|_| alphabet[random() as usize % alphabet.len()]).collect();
            let fresh = StopChars::new(wanted.iter().copied());
            reused = reused.refilled(wanted.iter().copied());
            assert_eq!(reused.chars, fresh.chars);
            assert_eq!(reused.slot_by_low, fresh.slot_by_low);
            found = reused.stops_in(found, &text);
            assert_eq!(found, fresh.stops(&text));
        }
    }

    /// A character's slot is found whatever the table holds at its low
    /// bits: on random characters from a narrow range (so many share their
    /// low bits) and more characters than a byte numbers.
    #[test]
    fn every_stop_character_and_no_other_has_a_slot() {
        let mut random = crate::test_random::xorshift32(0x5107);
        for round in 0..200 {
            let range = if round % 2 == 0 { 300 } else { 20_000 };
            let count = random() % 400;
            let mut pick = || char::from_u32(0x4e00 + random() % range).expect("a CJK character");
            let wanted: Vec<char> = (0..count).map(|_| pick()).collect();
            let stop = StopChars::new(wanted.iter().copied());
            for _ in 0..500 {
                let c = pick();
                assert_eq!(stop.slot(c).map(|s| stop.chars[s]), wanted.contains(&c).then_some(c));
            }
            assert!(wanted.iter().all(|&c| stop.slot(c).is_some_and(|s| stop.chars[s] == c)));
        }
    }

    /// Searching from the stops finds what comparing every text at every
    /// position finds, on random text over a small alphabet (so texts
    /// occur often, overlapping and nested).
    #[test]
    fn searching_from_the_stops_finds_what_a_full_scan_finds() {
        let alphabet = chars("数梦工场银杏谷他");
        let mut random = crate::test_random::xorshift32(0x5eed);
        let mut pick = |n: usize| random() as usize % n;
        for _ in 0..500 {
            let text: Vec<char> = (0..pick(40)).map(|_| alphabet[pick(alphabet.len())]).collect();
            let owned: Vec<String> = (0..1 + pick(4))
                .map(|_| (0..pick(4)).map(|_| alphabet[pick(alphabet.len())]).collect())
                .collect::<std::collections::BTreeSet<String>>()
                .into_iter()
                .collect();
            let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
            // Other stop characters (a pronoun) come along.
            let stop = StopChars::new(texts.iter().filter_map(|t| t.chars().next()).chain(['他']));
            let stops = stop.stops(&text);
            let by_slot = TextsBySlot::new(&stop, texts.iter().copied());
            let every = every_occurrence(&text, &texts);
            assert_eq!(by_slot.occurrences(&text, &stops), every, "{texts:?}");
            // Leftmost first, the longest at a position, none overlapping.
            let mut expected = Vec::new();
            let mut free_from = 0;
            for at in 0..text.len() {
                let longest = every.iter().filter(|&&(_, a, _)| a == at).max_by_key(|&&(_, _, len)| len);
                if let Some(&(t, _, len)) = longest.filter(|_| at >= free_from) {
                    expected.push((at, at + len, t));
                    free_from = at + len;
                }
            }
            assert_eq!(by_slot.leftmost_longest(&text, &stops), expected, "{texts:?}");
        }
    }
}
