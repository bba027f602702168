//! The relation pattern language.
//!
//! A relation rule matches a *tagged sentence*: the folded sentence in which
//! every mention (entity, value, title, quotation) is replaced by one private
//! use character that stands for its tag. A pattern is a regex over that
//! string in which `<Type:slot>` stands for one mention of that type,
//! captured under the name `slot`; `<Person|Organization:s>` allows either
//! type, and `<Title>` matches without capturing. Everything else is plain
//! regex syntax, matched against the words between the mentions:
//!
//! ```text
//! <Organization:o>的?<Title:t><Person:s>      阿里云总裁王坚
//! ```
//!
//! Because a mention is one character, `.{0,6}` counts a whole mention as
//! one step, and a slot can never match half a name.

use crate::model::NodeType;

/// Private-use code point of the first tag; tag `i` is `TAG_BASE + i`.
pub const TAG_BASE: u32 = 0xE000;

/// The bit of a tag character, `1 << i` for `TAG_BASE + i` (none for other
/// characters): sets of tags are `u32` masks of these.
pub fn tag_bit(c: char) -> Option<u32> {
    let i = (c as u32).wrapping_sub(TAG_BASE);
    (i < 32).then(|| 1 << i)
}

/// What a mention in a tagged sentence stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    Node(NodeType),
    /// A job title or form of address (总裁, 省长, 先生).
    Title,
}

impl Tag {
    const ALL: [Tag; 11] = [
        Tag::Node(NodeType::Person),
        Tag::Node(NodeType::Organization),
        Tag::Node(NodeType::Place),
        Tag::Node(NodeType::Event),
        Tag::Node(NodeType::Work),
        Tag::Node(NodeType::Date),
        Tag::Node(NodeType::Money),
        Tag::Node(NodeType::Percent),
        Tag::Node(NodeType::Quantity),
        Tag::Node(NodeType::Quotation),
        Tag::Title,
    ];

    pub fn parse(name: &str) -> Option<Tag> {
        match name {
            "Title" => Some(Tag::Title),
            "Quote" => Some(Tag::Node(NodeType::Quotation)),
            other => NodeType::parse(other).map(Tag::Node),
        }
    }

    /// The private-use character standing for this tag: `TAG_BASE` plus
    /// its index in [`Tag::ALL`]. (Matched, not searched for in `ALL`: it
    /// is asked for every mention of every sentence, some of them several
    /// times.)
    pub fn symbol(self) -> char {
        let index = match self {
            Tag::Node(NodeType::Person) => 0,
            Tag::Node(NodeType::Organization) => 1,
            Tag::Node(NodeType::Place) => 2,
            Tag::Node(NodeType::Event) => 3,
            Tag::Node(NodeType::Work) => 4,
            Tag::Node(NodeType::Date) => 5,
            Tag::Node(NodeType::Money) => 6,
            Tag::Node(NodeType::Percent) => 7,
            Tag::Node(NodeType::Quantity) => 8,
            Tag::Node(NodeType::Quotation) => 9,
            Tag::Title => 10,
        };
        char::from_u32(TAG_BASE + index).unwrap_or('\u{E000}')
    }
}

/// A pattern turned into a regex, with the slots it names.
#[derive(Debug)]
pub struct CompiledPattern {
    pub regex_source: String,
    pub slots: Vec<String>,
}

/// Translate `<Type|Type:slot>` groups into regex groups. Errors carry the
/// character column (0-based) inside the pattern.
pub fn translate(pattern: &str) -> Result<CompiledPattern, (usize, String)> {
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut slots = Vec::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if in_class {
            // Inside a character class `<` stands for any mention:
            // `[^。<]` is "neither a full stop nor a mention".
            if c == '<' {
                out.push_str(&format!("{}-{}", Tag::ALL[0].symbol(), Tag::ALL[Tag::ALL.len() - 1].symbol()));
            } else {
                if c == ']' {
                    in_class = false;
                }
                out.push(c);
            }
            i += 1;
            continue;
        }
        if c == '[' {
            in_class = true;
            out.push(c);
            // A `]` right after `[` or `[^` is literal.
            if let Some(&next) = chars.get(i + 1) {
                if next == '^' {
                    out.push('^');
                    i += 1;
                }
            }
            if chars.get(i + 1) == Some(&']') {
                out.push(']');
                i += 1;
            }
            i += 1;
            continue;
        }
        // `(?P<name>` is regex syntax, not a slot.
        if c == '<' && !(i >= 2 && chars[i - 1] == 'P' && chars[i - 2] == '?') {
            let Some(close) = chars[i..].iter().position(|&x| x == '>').map(|p| p + i) else {
                return Err((i, "unclosed `<` slot".to_string()));
            };
            let inner: String = chars[i + 1..close].iter().collect();
            let (types, slot) = match inner.split_once(':') {
                Some((t, s)) => (t, Some(s)),
                None => (inner.as_str(), None),
            };
            let mut class = String::new();
            for name in types.split('|') {
                let Some(tag) = Tag::parse(name.trim()) else {
                    return Err((i + 1, format!("unknown entity type \"{}\"", name.trim())));
                };
                class.push(tag.symbol());
            }
            match slot {
                Some(s) => {
                    let s = s.trim();
                    if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        return Err((i + 1, format!("bad slot name \"{s}\"")));
                    }
                    if slots.iter().any(|x| x == s) {
                        return Err((i + 1, format!("slot \"{s}\" used twice")));
                    }
                    slots.push(s.to_string());
                    out.push_str(&format!("(?P<{s}>[{class}])"));
                }
                None => out.push_str(&format!("[{class}]")),
            }
            i = close + 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    Ok(CompiledPattern { regex_source: out, slots })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_become_named_groups_of_tag_characters() {
        let p = translate("<Organization:o>的?<Title:t><Person:s>").unwrap();
        assert_eq!(p.slots, ["o", "t", "s"]);
        let re = regex::Regex::new(&p.regex_source).unwrap();
        let tagged = format!(
            "{}{}{}说",
            Tag::Node(NodeType::Organization).symbol(),
            Tag::Title.symbol(),
            Tag::Node(NodeType::Person).symbol()
        );
        let caps = re.captures(&tagged).unwrap();
        assert_eq!(caps.name("s").unwrap().start(), 6);
    }

    #[test]
    fn the_symbol_of_a_tag_is_its_place_in_the_list_of_all() {
        for (i, tag) in Tag::ALL.into_iter().enumerate() {
            assert_eq!(tag.symbol() as u32, TAG_BASE + i as u32, "{tag:?}");
        }
    }

    #[test]
    fn unknown_types_and_repeated_slots_are_errors() {
        assert_eq!(translate("<Persn:s>说").unwrap_err().1, "unknown entity type \"Persn\"");
        assert!(translate("<Person:s><Person:s>").is_err());
        assert!(translate("<Person:s").is_err());
    }

    #[test]
    fn a_bracket_in_a_class_stands_for_any_mention() {
        let p = translate("<Person:s>[^。<]{0,3}说").unwrap();
        let re = regex::Regex::new(&p.regex_source).unwrap();
        let person = Tag::Node(NodeType::Person).symbol();
        let org = Tag::Node(NodeType::Organization).symbol();
        assert!(re.is_match(&format!("{person}对他说")));
        assert!(!re.is_match(&format!("{person}对{org}说")));
    }

    #[test]
    fn regex_named_groups_are_left_alone() {
        let p = translate("(?P<m>融资)<Money:x>").unwrap();
        assert!(p.regex_source.starts_with("(?P<m>融资)"));
        assert_eq!(p.slots, ["x"]);
    }
}
