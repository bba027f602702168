//! The year, month and day fields at the start of a date text, as the
//! `YEAR`, `MONTH` and `DAY` regexes read them.
//!
//! Most date texts are written in ASCII digits (`2015年3月5日`), and for
//! those the match and its groups can be read off the text directly; a
//! capture search on these regexes costs about 1,500 instructions, more
//! than the rest of [`parse_date`](super::parse_date). Each shortcut below
//! applies only where it is plain which alternative of the regex matches and
//! that no optional part follows; every other text goes to the regex.

use regex::Regex;
use std::sync::LazyLock;

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4}|\d{2}|[零〇○一二三四五六七八九]{2,4})\s*年(?:度)?").unwrap());
/// A month or month range: "7月", "10月份", "1-9月份", "1月至9月", "十一月".
static MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2}|十[一二]?|[正一二三四五六七八九])\s*(?:月份?(?:初|中旬|上旬|下旬|中|底|末)?)?(?:\s*(?:-|－|—|~|～|至|到)\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?(?:初|中旬|上旬|下旬|中|底|末)?)?")
        .unwrap()
});
static DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号號](?:\s*(?:-|－|—|~|～|至|到)\s*(?:(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月)?\s*(\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号號])?")
        .unwrap()
});

/// A match at the start of a text: where it ends, and its groups 1 to 3.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Fields<'t> {
    pub end: usize,
    pub groups: [Option<&'t str>; 3],
}

impl<'t> Fields<'t> {
    fn captured(regex: &Regex, text: &'t str) -> Option<Fields<'t>> {
        let c = regex.captures(text)?;
        Some(Fields { end: c.get(0)?.end(), groups: [1, 2, 3].map(|i| c.get(i).map(|m| m.as_str())) })
    }

    fn first_only(end: usize, first: &'t str) -> Fields<'t> {
        Fields { end, groups: [Some(first), None, None] }
    }
}

/// `YEAR` at the start of `text`.
pub(super) fn year(text: &str) -> Option<Fields<'_>> {
    let digits = ascii_digits(text);
    if digits >= 4 {
        // `\d{4}`, the first alternative, takes four of them; the other two
        // cannot match before a third digit. So `\s*年` follows or nothing
        // matches.
        let after = text[4..].trim_start().strip_prefix('年')?;
        let after = after.strip_prefix('度').unwrap_or(after);
        return Some(Fields::first_only(text.len() - after.len(), &text[..4]));
    }
    // A match starts with `\d` or a Chinese numeral: not with another ASCII
    // character or CJK ideograph (今年, 当年, 上半年).
    let first = text.chars().next()?;
    let ideograph = ('\u{4e00}'..='\u{9fff}').contains(&first);
    if (first.is_ascii() && !first.is_ascii_digit()) || (ideograph && !"零一二三四五六七八九".contains(first)) {
        return None;
    }
    Fields::captured(&YEAR, text)
}

/// `MONTH` at the start of `text`.
pub(super) fn month(text: &str) -> Option<Fields<'_>> {
    let digits = ascii_digits(text);
    if (1..=2).contains(&digits) {
        // "3月" or "3月份" before a day in digits or at the end: `\d{1,2}`
        // takes the digits, then 月 and 份; none of the optional parts after
        // them (初…, a range from whitespace or a dash on) can start at an
        // ASCII digit.
        if let Some(after) = text[digits..].strip_prefix('月') {
            let after = after.strip_prefix('份').unwrap_or(after);
            if after.is_empty() || after.as_bytes()[0].is_ascii_digit() {
                return Some(Fields::first_only(text.len() - after.len(), &text[..digits]));
            }
        }
    }
    Fields::captured(&MONTH, text)
}

/// `DAY` at the start of `text`.
pub(super) fn day(text: &str) -> Option<Fields<'_>> {
    let digits = ascii_digits(text);
    if (1..=2).contains(&digits) {
        // "5日" ending the text: the range that may follow needs more.
        let rest = &text[digits..];
        if let Some(mark) = ['日', '号', '號'].into_iter().find(|&m| rest.strip_prefix(m) == Some("")) {
            return Some(Fields::first_only(digits + mark.len_utf8(), &text[..digits]));
        }
    }
    Fields::captured(&DAY, text)
}

/// How many ASCII digits start `text`.
fn ascii_digits(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_random::xorshift32;

    /// Texts made of the characters the three regexes read, digits and
    /// Chinese numerals among them, in random order and length.
    fn texts() -> Vec<String> {
        let alphabet: Vec<char> = "0123456789年月日号號度份初中旬底末-至到 一二三十正〇两x٣今那上半零".chars().collect();
        let mut next = xorshift32(0x9e37_79b9);
        let mut out: Vec<String> = ["2015年", "2015 年度", "98年", "今年", "那年11月", "上半年", "10月份", "6月份5日", "零八年", "二〇一五年", "3月", "3月5日", "12月份", "1-9月", "5日", "15号", "5日至8日", "123日", "2015年3月5日"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for _ in 0..20_000 {
            let len = next() as usize % 9;
            // Digits lead most texts, as in the corpus.
            let mut s: String = (0..next() % 5).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            s.push_str(&crate::test_random::random_text::<String, _>(&alphabet, len, &mut next));
            out.push(s);
        }
        out
    }

    #[test]
    fn the_shortcuts_read_what_the_regexes_capture() {
        for text in texts() {
            assert_eq!(year(&text), Fields::captured(&YEAR, &text), "YEAR {text:?}");
            assert_eq!(month(&text), Fields::captured(&MONTH, &text), "MONTH {text:?}");
            assert_eq!(day(&text), Fields::captured(&DAY, &text), "DAY {text:?}");
        }
    }
}
