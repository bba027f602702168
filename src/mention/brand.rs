//! Brand extensions: a known company and a service word (京东 + 金融,
//! 腾讯 + 视频) name the company's business of that name, a name of its own
//! (`entities/organization.toml` brand_extensions).
//!
//! The service words are ordinary words (金融, 视频) and make no name after
//! anything but a known company: 亚洲金融 is no organization.

use super::{is_cjk, Candidate, PRIORITY_STRONG_SUFFIX};
use crate::model::{NodeType, RuleId, Span};
use crate::rules::{RuleSet, Tag};

const RULE: RuleId = RuleId::Literal("entities/organization/brand-extension");

/// Add a candidate for every known company (a gazetteer entry of class
/// company) followed by a brand-extension word that ends there (a
/// punctuation mark, a function word or a list separator after it).
pub(super) fn brand_extension_candidates(chars: &[char], rules: &RuleSet, out: &mut Vec<Candidate>) {
    let words = rules.lists.list("brand_extensions");
    if words.is_empty() {
        return;
    }
    let stop = rules.lists.set("stem_stop_chars");
    let text_at = |i: usize, w: &str| w.chars().enumerate().all(|(k, c)| chars.get(i + k) == Some(&c));
    // (Most companies are followed by none of the words: the words that
    // start with the character after the name tell, before each word is
    // spelled out. An empty word, spelled everywhere, is in no such index.)
    let (phrases, empty_word) = (rules.lists.phrases("brand_extensions"), words.iter().any(String::is_empty));
    let mut found = Vec::new();
    for c in out.iter() {
        let Some(entry) = c.entry else { continue };
        let entry = rules.dictionary.entry(entry);
        if c.tag != Tag::Node(NodeType::Organization) || entry.class != "company" {
            continue;
        }
        let end = c.span.end;
        if !empty_word && !phrases.starts_at(chars, end) {
            continue;
        }
        for w in words {
            let n = w.chars().count();
            if !text_at(end, w) {
                continue;
            }
            // The word must end the name: 阿里金融、 but not 阿里金融体系.
            let free_end = chars.get(end + n).is_none_or(|&x| !(is_cjk(x) || x.is_ascii_alphanumeric()) || stop.contains(x.to_string().as_str()));
            if free_end {
                found.push(Candidate {
                    span: Span::new(c.span.start, end + n),
                    tag: Tag::Node(NodeType::Organization),
                    entry: None,
                    rule: RULE,
                    priority: PRIORITY_STRONG_SUFFIX,
                    value: None,
                    suffix_start: None,
                });
            }
        }
    }
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use crate::mention::test_support::organizations;

    #[test]
    fn a_known_company_and_a_service_word_make_a_name() {
        assert!(organizations("他们为京东金融、网站等提供服务。").contains(&"京东金融".to_string()));
        // Not inside a longer noun, and not after a place.
        assert!(!organizations("京东金融业务增长很快。").contains(&"京东金融".to_string()));
        assert!(organizations("亚洲金融危机以后。").is_empty());
    }
}
