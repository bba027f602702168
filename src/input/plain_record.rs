//! The common JSON Lines record, `{"id": "…", "text": "…"}` whose two
//! strings have no escape and no control character, read without a JSON
//! parser. serde_json tests every byte of a text for an escape, eight bytes
//! at a time; here the end of a string is found a vector at a time
//! ([`memchr`]) and its bytes are tested by a loop the compiler vectorizes.
//! Any other line (other keys or key order, an escape, a number id, a
//! syntax error) is left to serde_json, so what is accepted, and every
//! error message, stays the same.

/// The strings of a plain record, as written in the line (no escapes, so
/// also as serde_json decodes them).
#[derive(Debug, PartialEq)]
pub(super) struct PlainRecord<'a> {
    pub id: &'a str,
    pub text: &'a str,
}

/// The record of `line` if it is plain, else `None` (not an error: the
/// line may still be a valid record, for serde_json to read).
pub(super) fn parse(line: &str) -> Option<PlainRecord<'_>> {
    let mut at = 0;
    for token in ["{", "\"id\"", ":"] {
        at = after_token(line, at, token)?;
    }
    let (id, at) = plain_string(line, at)?;
    let mut at = at;
    for token in [",", "\"text\"", ":"] {
        at = after_token(line, at, token)?;
    }
    let (text, at) = plain_string(line, at)?;
    let at = after_token(line, at, "}")?;
    (skip_whitespace(line, at) == line.len()).then_some(PlainRecord { id, text })
}

/// JSON's whitespace, the bytes serde_json skips between tokens.
fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_whitespace(line: &str, at: usize) -> usize {
    at + line.as_bytes()[at..].iter().take_while(|&&b| is_json_whitespace(b)).count()
}

/// Where `token` ends if it comes next after whitespace.
fn after_token(line: &str, at: usize, token: &str) -> Option<usize> {
    let at = skip_whitespace(line, at);
    line.as_bytes()[at..].starts_with(token.as_bytes()).then_some(at + token.len())
}

/// The string that comes next after whitespace, and where it ends, if it
/// has neither an escape nor a control character (which serde_json
/// rejects). Without escapes, the first quote ends the string.
fn plain_string(line: &str, at: usize) -> Option<(&str, usize)> {
    let start = after_token(line, at, "\"")?;
    let end = start + memchr::memchr(b'"', &line.as_bytes()[start..])?;
    let content = &line[start..end];
    (!has_escape_or_control(content.as_bytes())).then_some((content, end + 1))
}

/// Whether a byte is a backslash or below 0x20. Or-ed over all bytes,
/// without an early exit, so that the loop is vectorized: texts are long
/// and almost never have one.
fn has_escape_or_control(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &b| found | (b < 0x20) | (b == b'\\'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::xorshift64;

    #[test]
    fn a_compact_or_spaced_record_with_plain_strings_is_read() {
        let expected = Some(PlainRecord { id: "doc-1", text: "今天，“大理石村”。" });
        assert_eq!(parse(r#"{"id":"doc-1","text":"今天，“大理石村”。"}"#), expected);
        assert_eq!(parse(" {\"id\": \"doc-1\",\t\"text\" : \"今天，“大理石村”。\"}\r"), expected);
        assert_eq!(parse(r#"{"id":"","text":""}"#), Some(PlainRecord { id: "", text: "" }));
    }

    #[test]
    fn any_other_line_is_left_to_serde_json() {
        for line in [
            r#"{"text":"a","id":"x"}"#,
            r#"{"id":"x","text":"a","lang":"zh"}"#,
            r#"{"id":1,"text":"a"}"#,
            r#"{"id":null,"text":"a"}"#,
            r#"{"id":"x","text":"a\nb"}"#,
            r#"{"id":"x\"y","text":"a"}"#,
            "{\"id\":\"x\",\"text\":\"a\tb\"}",
            r#"{"id":"x","text":"a"} x"#,
            r#"{"id":"x","text":"a"}}"#,
            r#"{"id":"x","text":"a""#,
            r#"{"id":"x","text":"a}"#,
            r#"{"id":"x" "text":"a"}"#,
            r#"["x","a"]"#,
            "",
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }

    /// What serde_json makes of a line, as far as a plain record goes: the
    /// two strings of an object with exactly the keys `id` and `text`.
    fn serde_reading(line: &str) -> Option<(String, String)> {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        let object = value.as_object()?;
        Some((object.get("id")?.as_str()?.to_string(), object.get("text")?.as_str()?.to_string()))
    }

    #[test]
    fn a_plain_record_reads_as_serde_json_reads_it_on_random_lines() {
        // Lines built from pieces of records, quotes, escapes, control
        // characters, whitespace and Chinese text: whenever the plain
        // reader accepts one, serde_json reads the same two strings.
        let pieces = ["{", "}", "\"id\"", "\"text\"", ":", ",", "\"", "\\", "\\n", "\t", " ", "\r", "\u{1}", "doc-1", "今天", "“村”", "1", "null", "\"id\":\"a\"", "\"text\":\"b\""];
        let mut next = xorshift64(9);
        let mut below = |n: usize| (next() % n as u64) as usize;
        let mut accepted = 0;
        for _ in 0..200_000 {
            let mut line = String::new();
            let shape = below(3);
            if shape > 0 {
                line.push_str(r#"{"id":""#);
            }
            for _ in 0..below(8) {
                line.push_str(pieces[below(pieces.len())]);
            }
            if shape > 1 {
                line.push_str(r#"","text":"正文"}"#);
            }
            if let Some(record) = parse(&line) {
                accepted += 1;
                assert_eq!(serde_reading(&line), Some((record.id.to_string(), record.text.to_string())), "{line:?}");
            }
        }
        assert!(accepted > 1000, "only {accepted} lines were plain records");
    }
}
