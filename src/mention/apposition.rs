//! Apposition: a description followed by the name in quotation marks.
//!
//! 设立了软件工程职业学院“青溪学院”: the suffix guess before the quotation
//! marks (软件工程职业学院) describes the quoted name that ends in the same
//! suffix (青溪学院); only the quoted one is a name.

use super::Candidate;
use crate::rules::Tag;

const OPEN: &[char] = &['“', '「', '‘', '"', '\''];
const CLOSE: &[char] = &['”', '」', '’', '"', '\''];

/// Drop the suffix guesses of `kept` (sorted by position) that a quoted
/// name of the same type and suffix follows right away.
pub(super) fn drop_descriptions(chars: &[char], kept: &mut Vec<Candidate>) {
    let mut drop = Vec::new();
    for (i, a) in kept.iter().enumerate() {
        let (Some(suffix_start), None, Tag::Node(_)) = (a.suffix_start, a.entry, a.tag) else { continue };
        if !chars.get(a.span.end).is_some_and(|c| OPEN.contains(c)) {
            continue;
        }
        let suffix = &chars[suffix_start as usize..a.span.end];
        let quoted = kept[i + 1..].iter().find(|b| b.span.start == a.span.end + 1).is_some_and(|b| {
            b.tag == a.tag
                && b.span.len() > suffix.len()
                && chars[..b.span.end].ends_with(suffix)
                && chars.get(b.span.end).is_some_and(|c| CLOSE.contains(c))
        });
        if quoted {
            drop.push(i);
        }
    }
    for i in drop.into_iter().rev() {
        kept.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use crate::mention::test_support::mentions;

    fn names(text: &str) -> Vec<String> {
        mentions(text).into_iter().map(|(name, _)| name).collect()
    }

    #[test]
    fn a_description_before_the_quoted_name_is_no_name() {
        let found = names("镇里还设立了软件工程职业学院“青溪学院”。");
        assert!(found.contains(&"青溪学院".to_string()), "{found:?}");
        assert!(!found.iter().any(|n| n.ends_with("职业学院")), "{found:?}");
        // Without the quoted name the suffix guess stays.
        assert!(names("镇里还设立了软件工程职业学院。").iter().any(|n| n.ends_with("职业学院")));
    }
}
