//! The one XML escaping function of the XML exporters (GraphML, GEXF).
//!
//! Article text can hold anything: `<`, `&`, quotes, control characters
//! pasted from a web page, emoji and CJK Extension B characters. Markup
//! characters are escaped as entities; characters that XML 1.0 does not
//! allow at all (C0 controls other than TAB, LF and CR, and the
//! noncharacters U+FFFE and U+FFFF) are replaced by U+FFFD, since not even a
//! character reference may name them. Characters outside the Basic
//! Multilingual Plane are kept as they are: they are valid XML and UTF-8
//! writes them as one four-byte sequence. (Rust strings cannot hold lone
//! surrogates, so those need no check.)

use std::borrow::Cow;

/// Whether `c` is a legal XML 1.0 `Char`.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Escape text for element content and for attribute values in either
/// kind of quotes. TAB, LF and CR become character references so attribute
/// values keep them through attribute-value normalization.
pub fn escape(s: &str) -> Cow<'_, str> {
    if s.chars()
        .all(|c| is_xml_char(c) && !matches!(c, '<' | '>' | '&' | '"' | '\'' | '\t' | '\n' | '\r'))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_drops_illegal_characters() {
        assert_eq!(escape("王坚"), "王坚");
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(
            escape("a\u{1}b\u{0}c\u{FFFE}\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}"
        );
        assert_eq!(escape("\t\n\r"), "&#9;&#10;&#13;");
        assert_eq!(escape("😀𠀀"), "😀𠀀");
    }
}
