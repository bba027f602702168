//! The entity or value regexes of a rule set, with their trigger words.
//!
//! Each regex would otherwise scan every document in full, although most
//! of them need a word that most documents lack (percentage points, 块钱,
//! a Latin company name). [`RegexBank::possible_in`] finds the trigger
//! words of all regexes in one pass and yields only the rules that can
//! match, in rule order; [`PossibleRules`] does so for the entity and the
//! value bank together.

use super::compile::RegexRule;
use super::trigger::{requirements, Occurrences, Possible, Triggers};
use crate::normalize::Folded;
use std::sync::OnceLock;

#[derive(Debug, Default)]
pub struct RegexBank {
    rules: Vec<RegexRule>,
    /// Built on first search: a run that never searches (`rules check`,
    /// start-up errors) does not pay for it.
    triggers: OnceLock<Triggers>,
}

impl RegexBank {
    pub fn new(rules: Vec<RegexRule>) -> RegexBank {
        RegexBank { rules, triggers: OnceLock::new() }
    }

    fn triggers(&self) -> &Triggers {
        self.triggers.get_or_init(|| Triggers::new(&self.requirements().collect::<Vec<_>>()))
    }

    /// The trigger clauses of each rule, in order.
    fn requirements(&self) -> impl Iterator<Item = Vec<Vec<String>>> + '_ {
        self.rules.iter().map(|r| requirements(r.regex.hir(), &|_| false))
    }

    /// The rules that may match a text, given as its characters (the
    /// others cannot), in order.
    pub fn possible_in<'a>(&'a self, chars: &[char]) -> impl Iterator<Item = &'a RegexRule> + 'a {
        let possible: Possible<'a> = self.triggers().possible_in_chars(chars);
        self.rules.iter().enumerate().filter(move |(i, _)| possible.contains(*i)).map(|(_, r)| r)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, RegexRule> {
        self.rules.iter()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// The rules of two banks that may match a document, found in one scan
/// of its characters: a scan costs about as much per character as per word
/// it finds, and both banks would otherwise walk the same characters. The
/// scan also notes where the words occur, for the regexes searched near
/// them.
pub struct PossibleRules<'a> {
    banks: [&'a RegexBank; 2],
    possible: Possible<'a>,
    occurrences: Occurrences<'a>,
}

impl<'a> PossibleRules<'a> {
    /// `triggers` holds (or is given, on first use) the trigger words of
    /// `banks`, the first bank's rules first, recording the occurrences of
    /// the words each regex is searched near. (Once per document: kept out
    /// of its caller, whose code inlining it only made larger and slower.)
    #[inline(never)]
    pub(super) fn new(banks: [&'a RegexBank; 2], triggers: &'a OnceLock<Triggers>, folded: &Folded) -> PossibleRules<'a> {
        let triggers = triggers.get_or_init(|| {
            let mut triggers = Triggers::new(&banks.iter().flat_map(|b| b.requirements()).collect::<Vec<_>>());
            for (i, rule) in banks.iter().flat_map(|b| b.iter()).enumerate() {
                if let Some(words) = rule.regex.window_words() {
                    triggers.record(i, words);
                }
            }
            triggers
        });
        let (possible, occurrences) = triggers.occurrences_in_chars(folded.as_chars(), |i| folded.byte_at(i));
        PossibleRules { banks, possible, occurrences }
    }

    /// The rules of bank `k` that may match, in order.
    pub fn of(&self, k: usize) -> impl Iterator<Item = &'a RegexRule> + '_ {
        self.numbered(k).map(|(_, r)| r)
    }

    /// [`PossibleRules::of`], each rule with the occurrences of
    /// [`crate::rules::LazyRegex::window_words`], if recorded.
    pub fn with_words(&self, k: usize) -> impl Iterator<Item = (&'a RegexRule, Option<Vec<std::ops::Range<usize>>>)> + '_ {
        self.numbered(k).map(move |(i, r)| (r, self.occurrences.of(i)))
    }

    /// [`PossibleRules::of`], each rule with its number among the rules of
    /// both banks (the first bank's first).
    fn numbered(&self, k: usize) -> impl Iterator<Item = (usize, &'a RegexRule)> + '_ {
        let offset = if k == 0 { 0 } else { self.banks[0].len() };
        self.banks[k].rules.iter().enumerate().map(move |(i, r)| (offset + i, r)).filter(move |&(i, _)| self.possible.contains(i))
    }
}

impl<'a> IntoIterator for &'a RegexBank {
    type Item = &'a RegexRule;
    type IntoIter = std::slice::Iter<'a, RegexRule>;

    fn into_iter(self) -> Self::IntoIter {
        self.rules.iter()
    }
}

#[cfg(test)]
mod tests {
    use crate::normalize::Folded;
    use crate::rules::RuleSet;

    /// The ids of some rules, in order.
    fn ids<'a>(rules: impl Iterator<Item = &'a super::RegexRule>) -> Vec<&'a str> {
        rules.map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn one_scan_of_both_banks_finds_the_rules_each_bank_finds_alone() {
        let rules = RuleSet::builtin().unwrap();
        let seed = include_str!("../../fixtures/yunqi.txt");
        let texts = ["", "2023年3月5日，公司营收1.2亿元，同比增长15%。", "US$300，打8折，三成用户", "《三体》的作者是刘慈欣。"];
        for text in texts.into_iter().chain(seed.split('\n')).chain([seed]) {
            let folded = Folded::new(text);
            let chars: Vec<char> = folded.as_chars().to_vec();
            let joint = rules.possible_regex_rules(&folded);
            for (k, bank) in [&rules.entity_rules, &rules.value_rules].into_iter().enumerate() {
                assert_eq!(ids(joint.of(k)), ids(bank.possible_in(&chars)), "bank {k} of {text:?}");
            }
        }
    }
}
