//! Serde mirrors of the rule files, one to one. No validation and no
//! compiled matcher lives here: `compile.rs` turns these into a `RuleSet`.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// One `*.toml` rule file (segment, entities, values or relations).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRuleFile {
    /// File-level default entity or value type of every `[[rule]]`.
    #[serde(rename = "type")]
    pub node_type: Option<Spanned<String>>,
    /// File-level default predicate of every relation `[[rule]]`.
    pub predicate: Option<Spanned<String>>,
    /// Named word lists used by the recognizers (`speech_verbs = [...]`).
    #[serde(default)]
    pub lists: BTreeMap<String, Spanned<Vec<String>>>,
    /// Named regex fragments, referenced as `{name}` in any regex.
    #[serde(default)]
    pub fragments: BTreeMap<String, Spanned<String>>,
    /// Scalar settings (segmentation limits and the like).
    #[serde(default)]
    pub settings: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    #[serde(rename = "type")]
    pub node_type: Option<Spanned<String>>,
    pub predicate: Option<Spanned<String>>,
    /// Entity and value rules: a regex over folded text.
    pub regex: Option<Spanned<String>>,
    /// Relation rules: the slot pattern language (see rules/README.md).
    pub pattern: Option<Spanned<String>>,
    pub normalizer: Option<Spanned<String>>,
    #[serde(default)]
    pub priority: i32,
    pub subject: Option<Spanned<String>>,
    pub object: Option<Spanned<String>>,
    #[serde(default)]
    pub qualifiers: BTreeMap<String, Spanned<String>>,
    /// Antipatterns: the rule does not fire where one of these matches the
    /// same sentence.
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    /// Relation rules: slot → regex that the slot's folded text must match
    /// whole (`{ t = '创始人|联合创始人' }`).
    #[serde(default)]
    pub filter: BTreeMap<String, Spanned<String>>,
    /// Relation rules: slot → regex that the slot's folded text must NOT
    /// match whole (`{ t = '创始人' }`).
    #[serde(default)]
    pub exclude: BTreeMap<String, Spanned<String>>,
    /// Relation rules: slots that also take every mention listed with them
    /// (X、Y和Z).
    #[serde(default)]
    pub enumerate: Vec<Spanned<String>>,
    /// Relation rules: match once per object mention, ending at it (the
    /// pattern must end with the object slot), so a greedy `.*` before the
    /// subject finds the nearest subject of every object.
    #[serde(default)]
    pub each_object: bool,
    /// Human note; ignored by the engine.
    #[allow(dead_code)]
    pub note: Option<String>,
    #[serde(default, rename = "example")]
    pub examples: Vec<RawExample>,
}

/// A rule's own test: a text and what the rule must (or must not) find.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExample {
    pub text: String,
    #[serde(default)]
    pub expect: Vec<toml::Value>,
}
