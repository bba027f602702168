//! Rules as data: loading, validating and compiling the files under
//! `rules/` into an immutable [`RuleSet`] that every stage borrows.
//!
//! The built-in rules are embedded (see `builtin.rs`); `RuleSet::from_dir`
//! runs the same loader on a user's directory, and `RuleSet::layered` puts a
//! user's directories on top of a base set. All errors of all files are
//! collected and reported together, each with file, line, column and rule id.

mod bank;
mod builtin;
mod compile;
mod lazy_regex;
mod load;
mod name_search;
mod pattern;
mod raw;
mod reach;
mod relation_words;
mod rules_by_tag;
mod slot_groups;
mod tag_neighbours;
mod trigger;

pub use compile::{
    Dictionary, DictEntry, SuffixSearch, DictKind, Example, Lexicon, LexiconEntry, PosSet, WordLists,
    RegexRule, RelationRule, SegmentRules, SlotSource, Suffix, Surnames,
};
pub use bank::{PossibleRules, RegexBank};
pub use lazy_regex::LazyRegex;
pub use crate::value::Normalizer;
pub use load::RuleSource;
pub use pattern::{tag_bit, Tag, TAG_BASE};
pub use reach::{ObjectReach, Place, PlacedGroup};
pub use rules_by_tag::rules_in;
pub use slot_groups::SlotGroups;
pub use trigger::{PossibleRelations, RelationTriggers, TagCounts};

use crate::error::RuleErrors;
use std::path::Path;
use std::sync::Arc;

/// A compiled, immutable rule set. Cheap to share between threads.
#[derive(Debug)]
pub struct RuleSet {
    pub segment: SegmentRules,
    pub dictionary: Dictionary,
    pub lexicon: Lexicon,
    pub surnames: Surnames,
    pub suffixes: Vec<Suffix>,
    pub suffix_search: SuffixSearch,
    /// The node types each suffix text stands for (论坛 is an event and an
    /// organization suffix), for membership tests once per suffix match.
    pub(crate) suffix_types: rustc_hash::FxHashMap<String, Vec<crate::model::NodeType>>,
    /// The length in characters of the longest suffix.
    pub(crate) max_suffix_chars: usize,
    pub lists: WordLists,
    pub entity_rules: RegexBank,
    pub value_rules: RegexBank,
    pub relations: Vec<RelationRule>,
    /// Built on first use (see [`RuleSet::relation_triggers`]).
    pub(crate) relation_triggers: std::sync::OnceLock<RelationTriggers>,
    /// The trigger words of the entity and the value rules, built on first
    /// use (see [`RuleSet::possible_regex_rules`]).
    pub(crate) regex_triggers: std::sync::OnceLock<trigger::Triggers>,
    /// Where the person, foreign-name and abbreviation rules may start,
    /// by character (built on first use).
    pub(crate) start_chars: std::sync::OnceLock<crate::mention::start_chars::StartChars>,
    /// Every file the set was built from, for `rules check` and provenance.
    pub files: Vec<String>,
}

impl RuleSet {
    /// The trigger words of the relation rules (built on first use: a run
    /// that extracts nothing does not pay for them).
    pub fn relation_triggers(&self) -> &RelationTriggers {
        self.relation_triggers.get_or_init(|| RelationTriggers::new(&self.relations))
    }

    /// The entity rules (`of(0)`) and the value rules (`of(1)`) that may
    /// match a folded document.
    pub fn possible_regex_rules(&self, folded: &crate::normalize::Folded) -> PossibleRules<'_> {
        PossibleRules::new([&self.entity_rules, &self.value_rules], &self.regex_triggers, folded)
    }

    /// Whether `text` is a suffix of one of `types`.
    pub fn is_suffix_of(&self, text: &str, types: &[crate::model::NodeType]) -> bool {
        self.suffix_types.get(text).is_some_and(|have| have.iter().any(|t| types.contains(t)))
    }

    /// Whether `text` is a suffix of any type.
    pub fn is_suffix(&self, text: &str) -> bool {
        self.suffix_types.contains_key(text)
    }

    /// The rules embedded in the binary.
    pub fn builtin() -> Result<Arc<RuleSet>, RuleErrors> {
        static BUILTIN: std::sync::OnceLock<Result<Arc<RuleSet>, RuleErrors>> =
            std::sync::OnceLock::new();
        BUILTIN.get_or_init(|| compile::compile(&[RuleSource::builtin()]).map(Arc::new)).clone()
    }

    /// Rules read from a directory, replacing the built-in ones.
    pub fn from_dir(dir: &Path) -> Result<RuleSet, RuleErrors> {
        compile::compile(&[RuleSource::from_dir(dir)?])
    }

    /// A base rule source with user layers on top: later layers win where
    /// entries conflict (a user gazetteer entry beats a built-in guess).
    pub fn layered(layers: &[RuleSource]) -> Result<RuleSet, RuleErrors> {
        compile::compile(layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile() {
        let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(!rules.files.is_empty());
        // Built-in regexes compile on first use: every one must compile.
        let regex_rules = rules.entity_rules.iter().chain(&rules.value_rules).map(|r| &r.regex);
        let relation_regexes = rules.relations.iter().flat_map(|r| {
            std::iter::once(&r.regex).chain(&r.unless).chain(r.filters.iter().chain(&r.excludes).map(|(_, re)| re))
        });
        for regex in regex_rules.chain(relation_regexes) {
            regex.compile_now().unwrap_or_else(|e| panic!("{}: {e}", regex.as_str()));
        }
    }

    #[test]
    fn every_file_under_rules_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let on_disk = load::list_rule_files(&root).unwrap();
        let embedded: Vec<&str> = builtin::FILES.iter().map(|(p, _)| *p).collect();
        for path in &on_disk {
            assert!(embedded.contains(&path.as_str()), "rules/{path} is not in rules/builtin.rs");
        }
    }
}
