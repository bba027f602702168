//! The built-in rule files, embedded in the binary so newsgraph runs
//! anywhere. This table is the only list: a unit test walks `rules/` on disk
//! and fails when a file is missing here, so nothing is left out silently.

macro_rules! rule_files {
    ($($path:literal),* $(,)?) => {
        /// (path relative to `rules/`, contents)
        pub const FILES: &[(&str, &str)] = &[
            $(($path, include_str!(concat!("../../rules/", $path)))),*
        ];
    };
}

rule_files![
    "entities/event.toml",
    "entities/organization.toml",
    "entities/person.toml",
    "entities/place.toml",
    "entities/source.toml",
    "entities/stems.toml",
    "entities/work.toml",
    "gazetteers/event_suffix.tsv",
    "gazetteers/org_suffix.tsv",
    "gazetteers/organization.tsv",
    "gazetteers/place.tsv",
    "gazetteers/place_suffix.tsv",
    "gazetteers/surname.tsv",
    "gazetteers/title.tsv",
    "lexicon/common_words.tsv",
    "lexicon/name_chars.tsv",
    "lexicon/supplement.tsv",
    "lexicon/words.tsv",
    "relations/author.toml",
    "relations/founder_of.toml",
    "relations/founding_date.toml",
    "relations/held_at.toml",
    "relations/invested_in.toml",
    "relations/located_in.toml",
    "relations/met.toml",
    "relations/monetary_fact.toml",
    "relations/part_of.toml",
    "relations/partner_of.toml",
    "relations/publisher.toml",
    "relations/quantity_fact.toml",
    "relations/said.toml",
    "relations/student_of.toml",
    "relations/works_for.toml",
    "segment.toml",
    "values/date.toml",
    "values/fragments.toml",
    "values/money.toml",
    "values/percent.toml",
    "values/quantity.toml",
];
