//! The characters next to the tags of a tagged sentence: a test that rules
//! out most relation rules before their trigger words are searched for.
//!
//! Many clauses of trigger words hold tags (`<Place>的`, `<Title><Person>`,
//! `位于<Place>`): every word of such a clause has a tag with a character
//! next to it, and the word can occur in a sentence only where that tag
//! stands beside that character. A sentence's tags and their neighbours
//! are a handful of pairs, read at its few tag characters; a rule with a
//! clause none of whose pairs the sentence has cannot match it. Ruled out
//! before the rule loop, such rules leave most sentences without a rule
//! that needs the trigger-word automaton's scan of every character. The
//! test is exact in one direction only, like the trigger words': it rules
//! out a rule only where some clause of it has no word in the text.

use super::pattern::tag_bit;

/// Clauses tested (bits of a [`Clauses`]); those past these are not
/// (user rules with many patterns). (Four words, of which the built-in
/// rules fill three: every pair found and every candidate rule ORs or
/// tests a whole set, which eight words made twice the work.)
const CLAUSE_WORDS: usize = 4;
type Clauses = [u64; CLAUSE_WORDS];

/// Slots of [`TagNeighbours::pairs`].
const SLOTS: usize = 1 << 14;

/// A tag (its index) and the character on one side of it (its UTF-8
/// bytes as one number, [`spelled`]: read from a sentence without
/// decoding), as one number.
fn pair_key(tag: u32, neighbour: u64, after: bool) -> u64 {
    (neighbour << 6) | (u64::from(tag) << 1) | u64::from(after)
}

/// The UTF-8 bytes of a character as one number, the first byte highest.
fn spelled(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |k, &b| (k << 8) | u64::from(b))
}

/// The slot of a pair key in [`TagNeighbours::pairs`].
fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
}

/// The pairs of one word: the character before and the character after
/// each of its tags, where the word has them.
fn word_pairs(word: &str) -> Vec<u64> {
    let chars: Vec<char> = word.chars().collect();
    let key = |tag: u32, c: char, after: bool| pair_key(tag.trailing_zeros(), spelled(c.encode_utf8(&mut [0; 4]).as_bytes()), after);
    let mut pairs = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let Some(tag) = tag_bit(c) else { continue };
        if let Some(&before) = i.checked_sub(1).and_then(|b| chars.get(b)) {
            pairs.push(key(tag, before, false));
        }
        if let Some(&after) = chars.get(i + 1) {
            pairs.push(key(tag, after, true));
        }
    }
    pairs
}

/// The UTF-8 bytes of the character of `text` that ends at byte `end`
/// (not 0), [`spelled`]: from the last byte before it that does not
/// continue one. (Where four bytes end there, read at once and cut to the
/// character: folded a byte at a time, the bytes cost a loop of varying
/// length at every tag.)
#[inline]
fn char_ending_at(text: &[u8], end: usize) -> u64 {
    let continues = |at: usize| text[at] & 0xC0 == 0x80;
    let start = match end {
        _ if !continues(end - 1) => end - 1,
        1 => 0,
        _ if !continues(end - 2) => end - 2,
        2 => 0,
        _ if !continues(end - 3) => end - 3,
        _ => end.saturating_sub(4),
    };
    match end.checked_sub(4).and_then(|four| text[four..end].try_into().ok()) {
        Some(last_four) => u64::from(u32::from_be_bytes(last_four) & (u32::MAX >> (8 * (4 - (end - start))))),
        None => spelled(&text[start..end]),
    }
}

/// The UTF-8 bytes of the character of `text` that starts at byte
/// `start` (before its end), [`spelled`]: as many as its lead byte says.
/// (Read as four bytes at once, where there are four, and cut.)
#[inline]
fn char_starting_at(text: &[u8], start: usize) -> u64 {
    let len = match text[start] {
        0..0x80 => 1,
        0x80..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    };
    match text.get(start..start + 4).and_then(|four| four.try_into().ok()) {
        Some(first_four) => u64::from(u32::from_be_bytes(first_four) >> (8 * (4 - len))),
        None => spelled(&text[start..(start + len).min(text.len())]),
    }
}

pub struct TagNeighbours {
    /// [`slot`] of a pair → the index in `pair_clauses` plus one (0: no
    /// pair of a tested clause). Pairs of one slot share an entry: a
    /// sentence with one of them satisfies the clauses of either, which
    /// only weakens the test (rarely: a few hundred pairs in 16,384
    /// slots), where a lookup that told them apart would cost a probe.
    pairs: Box<[u16; SLOTS]>,
    /// The tested clauses that a pair satisfies.
    pair_clauses: Vec<Clauses>,
    /// Rule → its tested clauses.
    rule_clauses: Vec<Clauses>,
}

impl std::fmt::Debug for TagNeighbours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagNeighbours").field("pairs", &self.pair_clauses.len()).field("rules", &self.rule_clauses.len()).finish_non_exhaustive()
    }
}

impl TagNeighbours {
    /// `requirements[i]` are the clauses of rule `i`, as for
    /// `RelationWords`: those whose every word has a tag are tested.
    pub fn new(requirements: &[Vec<Vec<String>>]) -> TagNeighbours {
        let mut pairs = Box::new([0u16; SLOTS]);
        let mut pair_clauses: Vec<Clauses> = Vec::new();
        let mut rule_clauses = Vec::with_capacity(requirements.len());
        let mut tested = 0;
        for rule in requirements {
            let mut own = [0; CLAUSE_WORDS];
            for clause in rule {
                // (An empty word satisfies nothing, as in `RelationWords`.)
                let words: Vec<Vec<u64>> = clause.iter().filter(|w| !w.is_empty()).map(|w| word_pairs(w)).collect();
                // A word without a tag (or a lone tag) needs no pair.
                if words.is_empty() || words.iter().any(Vec::is_empty) || tested == CLAUSE_WORDS * 64 {
                    continue;
                }
                let (word, bit) = (tested / 64, 1 << (tested % 64));
                tested += 1;
                own[word] |= bit;
                for key in words.into_iter().flatten() {
                    let at = &mut pairs[slot(key)];
                    if *at == 0 {
                        // (One entry per slot at most: the count fits.)
                        pair_clauses.push([0; CLAUSE_WORDS]);
                        *at = pair_clauses.len() as u16;
                    }
                    pair_clauses[usize::from(*at) - 1][word] |= bit;
                }
            }
            rule_clauses.push(own);
        }
        TagNeighbours { pairs, pair_clauses, rule_clauses }
    }

    /// Take out of `candidates` (a bit set over rules) the rules with a
    /// tested clause of which `tagged` has no pair. `tag_places`: where
    /// every tag character (`TAG_BASE + i`, the UTF-8 bytes EE 80 80+i) of
    /// it starts, if known.
    pub fn rule_out(&self, tagged: &str, tag_places: Option<&[usize]>, candidates: &mut [u64]) {
        if candidates.iter().all(|&w| w == 0) {
            return;
        }
        let mut satisfied: Clauses = [0; CLAUSE_WORDS];
        let bytes = tagged.as_bytes();
        let mut note = |key: u64| {
            if let Some(at) = self.pairs[slot(key)].checked_sub(1) {
                // (Word by word over the fixed length: a zip of the two
                // iterators was not unrolled.)
                let clauses = &self.pair_clauses[usize::from(at)];
                for w in 0..CLAUSE_WORDS {
                    satisfied[w] |= clauses[w];
                }
            }
        };
        let mut pairs_at = |at: usize| {
            let Some(&[0xEE, 0x80, last]) = bytes.get(at..at + 3) else { return };
            let Some(tag) = (last as u32).checked_sub(0x80).filter(|&i| i < 32) else { return };
            if at > 0 {
                note(pair_key(tag, char_ending_at(bytes, at), false));
            }
            if at + 3 < bytes.len() {
                note(pair_key(tag, char_starting_at(bytes, at + 3), true));
            }
        };
        match tag_places {
            Some(places) => places.iter().for_each(|&at| pairs_at(at)),
            // (Found by the `memchr` crate's vector search: the lead byte
            // of a tag is rare in Chinese text.)
            None => memchr::memchr_iter(0xEE, bytes).for_each(pairs_at),
        }
        for (w, candidate) in candidates.iter_mut().enumerate() {
            let mut rules = *candidate;
            while rules != 0 {
                let bit = rules.trailing_zeros() as usize;
                rules &= rules - 1;
                let unmet = self.rule_clauses.get(w * 64 + bit).is_some_and(|own| own.iter().zip(&satisfied).any(|(o, s)| o & !s != 0));
                if unmet {
                    *candidate &= !(1 << bit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(i: u32) -> char {
        char::from_u32(crate::rules::TAG_BASE + i).unwrap()
    }

    fn left(requirements: &[Vec<Vec<String>>], text: &str) -> u64 {
        let mut candidates = [u64::MAX >> (64 - requirements.len())];
        TagNeighbours::new(requirements).rule_out(text, None, &mut candidates);
        candidates[0]
    }

    #[test]
    fn the_pairs_of_a_word_are_its_tags_with_the_characters_beside_them() {
        let (place, org) = (tag(2), tag(1));
        let mut pairs = word_pairs(&format!("在{place}的{org}"));
        pairs.sort_unstable();
        let mut expected: Vec<u64> =
            [('在', 2, false), ('的', 2, true), ('的', 1, false)].map(|(c, tag, after)| pair_key(tag, spelled(c.to_string().as_bytes()), after)).to_vec();
        expected.sort_unstable();
        assert_eq!(pairs, expected);
        assert!(word_pairs("成立").is_empty() && word_pairs(&place.to_string()).is_empty());
    }

    /// Every rule it rules out, the trigger-word scan says cannot match;
    /// and the tag characters' places, given, change nothing.
    #[test]
    fn a_rule_ruled_out_is_one_whose_trigger_words_the_text_lacks() {
        let (rules, requirements) = super::super::trigger::builtin_relation_requirements();
        let words = super::super::relation_words::RelationWords::new(&requirements);
        let neighbours = TagNeighbours::new(&requirements);
        // Texts of whole words, halves of words and other characters.
        let pieces: Vec<&str> = requirements.iter().flatten().flatten().map(String::as_str).collect();
        let mut next = crate::test_random::xorshift32(0x7A65);
        let (mut ruled_out, mut possible_left) = (0, 0);
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..next() % 16 {
                let word = pieces[next() as usize % pieces.len()];
                match next() % 4 {
                    0 => text.push_str(word),
                    1 => text.extend(word.chars().skip(word.chars().count() / 2)),
                    _ => text.push(['，', '的', 'a', tag(0), tag(1), tag(2), tag(10)][next() as usize % 7]),
                }
            }
            let all = |n: usize| (0..n.div_ceil(64)).map(|w| if (w + 1) * 64 <= n { u64::MAX } else { (1 << (n % 64)) - 1 }).collect::<Vec<u64>>();
            let mut candidates = all(requirements.len());
            neighbours.rule_out(&text, None, &mut candidates);
            let places: Vec<usize> = text.char_indices().filter(|&(_, c)| tag_bit(c).is_some()).map(|(at, _)| at).collect();
            let mut from_places = all(requirements.len());
            neighbours.rule_out(&text, Some(&places), &mut from_places);
            assert_eq!(candidates, from_places, "{text:?}");
            let possible = words.possible(&text);
            for rule in 0..requirements.len() {
                let left = candidates[rule / 64] & (1 << (rule % 64)) != 0;
                assert!(left || !possible.contains(rule), "{} ruled out in {text:?}", rules.relations[rule].id);
                ruled_out += usize::from(!left);
                possible_left += usize::from(left && possible.contains(rule));
            }
        }
        assert!(ruled_out > 20_000 && possible_left > 1000, "{ruled_out} ruled out, {possible_left} possible");
    }

    /// Read four bytes at once, or byte by byte within four bytes of
    /// either end of the text, the neighbours are the decoder's characters.
    #[test]
    fn the_characters_beside_a_place_are_those_a_decoder_finds() {
        let alphabet: Vec<char> = "a,中。\u{E000}\u{E00A}é𠀀\n".chars().collect();
        let mut next = crate::test_random::xorshift32(0xBE51DE);
        for len in 1..300 {
            let text: String = crate::test_random::random_text(&alphabet, len % 12 + 1, &mut next);
            for (at, c) in text.char_indices() {
                let own = spelled(c.to_string().as_bytes());
                assert_eq!(char_starting_at(text.as_bytes(), at), own, "{text:?} at {at}");
                let end = at + c.len_utf8();
                assert_eq!(char_ending_at(text.as_bytes(), end), own, "{text:?} to {end}");
            }
        }
    }

    #[test]
    fn a_rule_is_ruled_out_only_by_a_clause_whose_every_word_has_a_tag() {
        let words = |w: &[String]| w.to_vec();
        let place_of = format!("{}的", tag(2));
        let requirements = vec![
            vec![words(&["成立".to_string(), place_of.clone()])],
            vec![words(std::slice::from_ref(&place_of))],
            vec![words(&[place_of.clone(), format!("在{}", tag(2))]), words(&["说".to_string()])],
        ];
        assert_eq!(left(&requirements, "没有标签"), 0b001);
        assert_eq!(left(&requirements, &format!("在{}里的", tag(2))), 0b101);
        assert_eq!(left(&requirements, &format!("{}的", tag(2))), 0b111);
    }
}
