//! The trigger words of the relation patterns, found in a tagged sentence
//! by one pass of a character-wise Aho-Corasick automaton.
//!
//! Most tagged sentences with a mention pass the mention tests of some
//! pattern and are then searched for its trigger words (see
//! `trigger::RelationTriggers`): some 60% of a corpus's text. Looking up
//! each character in an index of word starts (`Triggers`, built for whole
//! documents) cost some 65 instructions a character there, as relation
//! words start with the commonest characters (的, 在, 和, a comma, every
//! tag character) and most characters led to hash lookups. The automaton
//! takes one transition a character and stops only where a word ends
//! (2,013 words for the built-in rules, 1,574 of them with tags).

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashMap;
use super::trigger::Possible;

pub struct RelationWords {
    /// Pattern `i` is word `i`.
    automaton: CharwiseDoubleArrayAhoCorasick<u32>,
    /// Word → the clauses it satisfies.
    word_clauses: Vec<Vec<usize>>,
    clauses: usize,
    /// Regex → its clauses (empty: always possible).
    regex_clauses: Vec<Vec<usize>>,
}

impl std::fmt::Debug for RelationWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelationWords").field("words", &self.word_clauses.len()).field("clauses", &self.clauses).finish_non_exhaustive()
    }
}

impl RelationWords {
    /// `requirements[i]` are the clauses of regex `i`: every match of it
    /// contains a word of each (`trigger::requirements`).
    pub fn new(requirements: &[Vec<Vec<String>>]) -> RelationWords {
        let mut word_ids: FxHashMap<&str, usize> = FxHashMap::default();
        let mut words: Vec<&str> = Vec::new();
        let mut word_clauses: Vec<Vec<usize>> = Vec::new();
        let mut clauses = 0;
        let mut regex_clauses = Vec::with_capacity(requirements.len());
        for regex in requirements {
            let mut own = Vec::with_capacity(regex.len());
            for clause in regex {
                own.push(clauses);
                // An empty word satisfies nothing (as in `Triggers`).
                for word in clause.iter().filter(|w| !w.is_empty()) {
                    let id = *word_ids.entry(word.as_str()).or_insert_with(|| {
                        words.push(word.as_str());
                        word_clauses.push(Vec::new());
                        words.len() - 1
                    });
                    word_clauses[id].push(clauses);
                }
                clauses += 1;
            }
            regex_clauses.push(own);
        }
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&words)
            .expect("a few thousand short words make a small automaton");
        RelationWords { automaton, word_clauses, clauses, regex_clauses }
    }

    /// Whether regex `i` has a clause of words: one without is possible
    /// in every text, and needs no scan of it to say so.
    pub fn needs_words(&self, i: usize) -> bool {
        self.regex_clauses.get(i).is_some_and(|own| !own.is_empty())
    }

    /// [`RelationWords::possible_in`] with a new buffer.
    #[cfg(test)]
    pub fn possible(&self, text: &str) -> Possible<'_> {
        self.possible_in(text, Vec::new())
    }

    /// The regexes that may match `text`: those with a word of each of
    /// their clauses in it. `satisfied` (of any length and contents) is
    /// the buffer of the answer: one reused from one sentence to the next
    /// is neither allocated nor freed for each.
    pub fn possible_in(&self, text: &str, mut satisfied: Vec<bool>) -> Possible<'_> {
        satisfied.clear();
        satisfied.resize(self.clauses, false);
        // Overlapping: every occurrence of every word, 的 within 里的 too.
        for found in self.automaton.find_overlapping_iter(text) {
            for &clause in &self.word_clauses[found.value() as usize] {
                satisfied[clause] = true;
            }
        }
        Possible { satisfied, regex_clauses: &self.regex_clauses }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clauses(c: &[&[&str]]) -> Vec<Vec<String>> {
        c.iter().map(|words| words.iter().map(|w| w.to_string()).collect()).collect()
    }

    /// A regex is possible exactly where each of its clauses has a word
    /// that is a substring of the text.
    fn plainly_possible(requirements: &[Vec<Vec<String>>], i: usize, text: &str) -> bool {
        requirements[i].iter().all(|clause| clause.iter().any(|w| !w.is_empty() && text.contains(w.as_str())))
    }

    /// A buffer left by the test of another text changes nothing.
    #[test]
    fn a_reused_buffer_answers_as_a_new_one() {
        let requirements = vec![clauses(&[&["说", "表示"]]), clauses(&[&["的"], &["成立"]]), Vec::new()];
        let words = RelationWords::new(&requirements);
        let mut buffer = vec![true; 7];
        for text in ["说的成立", "", "的", "表示成立的", "a"] {
            let reused = words.possible_in(text, buffer);
            let new = words.possible(text);
            assert_eq!(reused.satisfied, new.satisfied, "{text:?}");
            buffer = reused.satisfied;
        }
    }

    #[test]
    fn without_words_every_regex_is_possible() {
        let words = RelationWords::new(&[Vec::new(), Vec::new()]);
        assert!(words.possible("说").contains(0) && words.possible("").contains(1));
        assert!(RelationWords::new(&[]).possible("说").contains(0));
    }

    /// A regex that needs no words is one every text makes possible, so
    /// it may skip the scan; one that needs words is not.
    #[test]
    fn a_regex_needs_words_where_some_text_rules_it_out() {
        let requirements = vec![Vec::new(), clauses(&[&["说"]]), clauses(&[&["的"], &["说", "表示"]]), clauses(&[&[""]])];
        let words = RelationWords::new(&requirements);
        for i in 0..requirements.len() + 2 {
            let ruled_out_somewhere = ["", "说", "的", "a"].iter().any(|text| !words.possible(text).contains(i));
            assert_eq!(words.needs_words(i), ruled_out_somewhere, "regex {i}");
        }
    }

    #[test]
    fn the_words_of_the_builtin_relation_patterns_are_found_wherever_they_occur() {
        let (rules, requirements) = super::super::trigger::builtin_relation_requirements();
        let words = RelationWords::new(&requirements);
        // Texts of whole words, first halves of words (which must not count)
        // and other characters.
        let pieces: Vec<&str> = requirements.iter().flatten().flatten().map(String::as_str).collect();
        let mut next = crate::test_random::xorshift32(0xB0B);
        let mut possible_somewhere = 0;
        for _ in 0..400 {
            let mut text = String::new();
            for _ in 0..next() % 24 {
                let word = pieces[next() as usize % pieces.len()];
                match next() % 4 {
                    0 => text.push_str(word),
                    1 => text.extend(word.chars().take(word.chars().count().div_ceil(2))),
                    _ => text.push(['，', '。', '的', 'a', '\u{E000}', '\u{E002}'][next() as usize % 6]),
                }
            }
            let possible = words.possible(&text);
            for i in 0..requirements.len() {
                let plain = plainly_possible(&requirements, i, &text);
                possible_somewhere += usize::from(plain);
                assert_eq!(possible.contains(i), plain, "rule {} in {text:?}", rules.relations[i].id);
            }
        }
        assert!(possible_somewhere > 1000, "only {possible_somewhere}");
    }

    #[test]
    fn a_regex_is_possible_where_each_of_its_clauses_has_a_word_in_the_text() {
        let tag = |i: u32| char::from_u32(crate::rules::TAG_BASE + i).unwrap().to_string();
        let requirements = vec![
            clauses(&[&["说", "表示"], &["“"]]),
            clauses(&[&[&format!("{}的", tag(2)), &format!("{}里的", tag(2))]]),
            clauses(&[&["的"], &["里的"]]),
            Vec::new(),
            clauses(&[&[""]]),
            clauses(&[&["成立", "成立了", "立"], &[&tag(1)]]),
        ];
        let words = RelationWords::new(&requirements);
        let alphabet: Vec<char> = format!("说表示“的里成立了a，{}{}{}", tag(1), tag(2), tag(3)).chars().collect();
        let mut next = crate::test_random::xorshift32(0xC1A5);
        for len in 0..600 {
            let text: String = crate::test_random::random_text(&alphabet, len % 60, &mut next);
            let possible = words.possible(&text);
            for i in 0..requirements.len() {
                assert_eq!(possible.contains(i), plainly_possible(&requirements, i, &text), "regex {i} in {text:?}");
            }
        }
    }
}
