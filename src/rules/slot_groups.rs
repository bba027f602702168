//! The capture group numbers of a relation rule's slots and groups.
//!
//! A match is read by group name (subject, object, filtered slots,
//! qualifier groups) several times per match, and a lookup by name hashes
//! the name each time: that was most of the cost of turning matches into
//! facts. The numbers are found once, from the parsed pattern, and a match
//! is read by number.

use regex_syntax::hir::{Hir, HirKind};

/// Group numbers of the names a relation rule reads from its matches
/// (`None`: the pattern has no such group, so the match has nothing there,
/// as a lookup by that name finds nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotGroups {
    pub subject: Option<usize>,
    pub object: Option<usize>,
    /// Per `RelationRule::filters` entry, in order.
    pub filters: Vec<Option<usize>>,
    /// Per `RelationRule::excludes` entry, in order.
    pub excludes: Vec<Option<usize>>,
    /// Per `RelationRule::qualifiers` entry, in order: its slot or group.
    pub qualifiers: Vec<Option<usize>>,
}

/// The number of the group called `name` in a parsed regex: the number a
/// match of the compiled regex has it under.
pub fn group_index(hir: &Hir, name: &str) -> Option<usize> {
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some(name) => Some(c.index as usize),
        HirKind::Capture(c) => group_index(&c.sub, name),
        HirKind::Repetition(r) => group_index(&r.sub, name),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().find_map(|p| group_index(p, name)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_numbers_are_those_of_the_compiled_regex() {
        let patterns = ["(?P<s>a)(b)(?:(?P<o>c)|(?P<t>d))*", "(?:.*(?P<x>[甲乙])(?P<m>[^。]{0,3}?)丙)$", "a(?P<only>b)?"];
        for pattern in patterns {
            let hir = regex_syntax::parse(pattern).unwrap();
            let regex = regex::Regex::new(pattern).unwrap();
            for (number, name) in regex.capture_names().enumerate() {
                if let Some(name) = name {
                    assert_eq!(group_index(&hir, name), Some(number), "{name} in {pattern}");
                }
            }
            assert_eq!(group_index(&hir, "absent"), None);
        }
    }
}
