//! The year, month and day fields at the start of a date text, as the
//! `YEAR`, `MONTH` and `DAY` regexes read them.
//!
//! Most date texts are written in ASCII digits (`2015年3月5日`) or name a
//! month or a day in numerals (五月, 二十四日, 3月中旬), and for those the
//! match and its groups can be read off the text directly; a capture search
//! on these regexes, which run too seldom to stay cached, costs about
//! 10,000 estimated cycles, more than the rest of
//! [`parse_date`](super::parse_date). Each shortcut below applies only where
//! it is plain which alternative of the regex matches and that no range
//! follows; every other text goes to the regex.

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
    plain_month(text).unwrap_or_else(|| Fields::captured(&MONTH, text))
}

/// `MONTH` at the start of `text` read off the text ("3月", "3月份",
/// "五月", "十二月", "3月中旬", "1月至3月", "6—8月份"), or `None` to ask
/// the regex.
///
/// Everything after group 1 is optional, so group 1 is its first
/// alternative that fits, taken whole: two ASCII digits (or one); 十 with
/// 一 or 二 after it if there; one numeral. Then 月 and what may follow it
/// ([`month_tail`]) are each taken if there, as nothing after them needs
/// a character back, and a range if one follows whole: a mark and a month
/// ([`number_before`] 月, then its tail). The regex is asked where
/// whitespace or a Unicode digit could extend a part (`\s*`, `\d`).
fn plain_month(text: &str) -> Option<Option<Fields<'_>>> {
    let number = match ascii_digits(text) {
        0 => {
            let mut chars = text.chars();
            match chars.next() {
                Some('十') => '十'.len_utf8() + chars.next().filter(|c| matches!(c, '一' | '二')).map_or(0, char::len_utf8),
                Some(c @ ('正' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九')) => c.len_utf8(),
                Some(c) if extends_a_part(c) => return None,
                _ => return Some(None),
            }
        }
        digits => digits.min(2),
    };
    let mut rest = &text[number..];
    if rest.starts_with(extends_a_part) {
        return None;
    }
    if let Some(after) = rest.strip_prefix('月') {
        rest = month_tail(after);
    }
    let mut last = None;
    if let Some(after) = range_mark(rest)? {
        if let Some(end) = number_before(after, '月')? {
            last = Some(&after[..end]);
            rest = month_tail(&after[end + '月'.len_utf8()..]);
        }
    }
    Some(Some(Fields { end: text.len() - rest.len(), groups: [Some(&text[..number]), last, None] }))
}

/// The text after 份 and a time of the month (中旬 before 中), each taken
/// if there.
fn month_tail(text: &str) -> &str {
    let text = text.strip_prefix('份').unwrap_or(text);
    ["初", "中旬", "上旬", "下旬", "中", "底", "末"].iter().find_map(|t| text.strip_prefix(t)).unwrap_or(text)
}

/// `DAY` at the start of `text`.
pub(super) fn day(text: &str) -> Option<Fields<'_>> {
    plain_day(text).unwrap_or_else(|| Fields::captured(&DAY, text))
}

/// `DAY` at the start of `text` read off the text ("5日", "15号",
/// "二十四日", "1日至7日", "5日至6月3日"), or `None` to ask the regex.
///
/// A day (group 1, and group 3 in a range) is [`day_number`] and a mark;
/// a range, taken if it follows whole, is a mark, a month ([`number_before`]
/// 月, taken if there: a day cannot start where it stands) and a day. The
/// regex is asked where whitespace or a Unicode digit could extend a part
/// (`\s*`, `\d`).
fn plain_day(text: &str) -> Option<Option<Fields<'_>>> {
    let Some(first) = day_number(text)? else { return Some(None) };
    let mut rest = &text[first + '日'.len_utf8()..];
    let (mut month, mut last) = (None, None);
    if let Some(after) = range_mark(rest)? {
        let (month_number, day_from) = match number_before(after, '月')? {
            Some(end) => (Some(&after[..end]), &after[end + '月'.len_utf8()..]),
            None => (None, after),
        };
        if day_from.starts_with(extends_a_part) {
            return None;
        }
        if let Some(end) = day_number(day_from)? {
            (month, last) = (month_number, Some(&day_from[..end]));
            rest = &day_from[end + '日'.len_utf8()..];
        }
    }
    Some(Some(Fields { end: text.len() - rest.len(), groups: [Some(&text[..first]), month, last] }))
}

/// The length of the day number at the start of `text` that a day mark
/// (日, 号, 號: each as long as 日) follows (`(\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号號]`):
/// two ASCII digits (one would leave a digit before the mark); 一, 二 or
/// 三 if there, 十, then a numeral if there (without it a numeral would
/// stand before the mark); one numeral. `None` to ask the regex.
fn day_number(text: &str) -> Option<Option<usize>> {
    let number = match ascii_digits(text) {
        0 => {
            let mut chars = text.chars();
            let (first, second) = (chars.next(), chars.next());
            let tens = match (first, second) {
                (Some('一' | '二' | '三'), Some('十')) => 2,
                (Some('十'), _) => 1,
                _ => 0,
            };
            let after_tens = if tens == 2 { chars.next() } else { second };
            let numerals = match (tens, first) {
                (0, Some(c)) if NUMERALS.contains(&c) => 1,
                (0, Some(c)) if extends_a_part(c) => return None,
                (0, _) => return Some(None),
                _ => tens + usize::from(after_tens.is_some_and(|c| NUMERALS.contains(&c))),
            };
            // (Each of these numerals is three bytes long.)
            numerals * '十'.len_utf8()
        }
        digits @ (1 | 2) => digits,
        // `\d{1,2}` leaves a digit before any mark.
        _ => return Some(None),
    };
    let rest = &text[number..];
    if rest.starts_with(extends_a_part) {
        return None;
    }
    Some(rest.starts_with(['日', '号', '號']).then_some(number))
}

/// The numerals that stand alone for a day, or for a month in a range.
const NUMERALS: [char; 9] = ['一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// The length of the number at the start of `text` that `unit` follows,
/// read as `(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*unit` reads it:
/// the first alternative that `unit` follows. `None` to ask the regex.
fn number_before(text: &str, unit: char) -> Option<Option<usize>> {
    let number = match ascii_digits(text) {
        0 => {
            let mut chars = text.chars();
            match chars.next() {
                // (十一 before 十; without the unit after 十一, 十 alone.)
                Some('十') => match (chars.next(), chars.next()) {
                    (Some(c @ ('一' | '二')), Some(after)) if after == unit => '十'.len_utf8() + c.len_utf8(),
                    (Some('一' | '二'), Some(after)) if extends_a_part(after) => return None,
                    _ => '十'.len_utf8(),
                },
                Some(c) if NUMERALS.contains(&c) => c.len_utf8(),
                Some(c) if extends_a_part(c) => return None,
                _ => return Some(None),
            }
        }
        digits @ (1 | 2) => digits,
        // `\d{1,2}` leaves a digit before the unit.
        _ => return Some(None),
    };
    let rest = &text[number..];
    if rest.starts_with(extends_a_part) {
        return None;
    }
    Some(rest.starts_with(unit).then_some(number))
}

/// The text after the mark of a range at the start of `text`, if one is
/// there. `None` to ask the regex (whitespace, which `\s*` would take).
fn range_mark(text: &str) -> Option<Option<&str>> {
    if text.starts_with(extends_a_part) {
        return None;
    }
    let Some(mark) = text.chars().next().filter(|c| matches!(c, '-' | '－' | '—' | '~' | '～' | '至' | '到')) else { return Some(None) };
    let after = &text[mark.len_utf8()..];
    if after.starts_with(extends_a_part) {
        return None;
    }
    Some(Some(after))
}

/// Whether `c` could be taken by a `\s*` or a `\d` of the regexes where
/// a shortcut reads (then the regex is asked). (CJK ideographs, most of
/// what is read, are neither, and are spared the look-up of the Unicode
/// number table.)
fn extends_a_part(c: char) -> bool {
    c.is_whitespace() || (!c.is_ascii() && !('\u{4e00}'..='\u{9fff}').contains(&c) && c.is_numeric())
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
        let alphabet: Vec<char> = "0123456789年月日号號度份初中旬上下底末-－—~～至到 \u{3000}一二三四九十正〇两x٣３今那上半零".chars().collect();
        let mut next = xorshift32(0x9e37_79b9);
        let mut out: Vec<String> = ["2015年", "2015 年度", "98年", "今年", "那年11月", "上半年", "10月份", "6月份5日", "零八年", "二〇一五年", "3月", "3月5日", "12月份", "1-9月", "5日", "15号", "5日至8日", "123日", "2015年3月5日", "3月中旬", "4月初", "五月", "十二月二十四日", "七月二十日", "二十四日", "十日", "三十x日", "1月至3月", "6—8月", "十一月 ", "5 日", "３日", "5日至6月3日", "1至4月份", "7月至9月底", "十月至十一 月", "3月-十二月", "9日至11日", "5日至10月"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for _ in 0..20_000 {
            let len = next() as usize % 9;
            // Digits or numerals lead most texts, as in the corpus.
            let numerals = ['一', '二', '三', '四', '九', '十', '正'];
            let mut s: String = if next().is_multiple_of(2) {
                (0..next() % 5).map(|_| char::from(b'0' + (next() % 10) as u8)).collect()
            } else {
                crate::test_random::random_text(&numerals, (next() % 4) as usize, &mut next)
            };
            s.push_str(&crate::test_random::random_text::<String, _>(&alphabet, len, &mut next));
            out.push(s);
        }
        // Numbers, units, marks and blanks in random order: months and days
        // in ranges, and near misses of them.
        let pieces = ["1", "5", "12", "123", "十", "十一", "二", "三十", "二十五", "五", "正", "月", "份", "日", "号", "至", "到", "-", "—", " ", "中旬", "中", "初", "底", "x", "３", "٣", "年"];
        for _ in 0..30_000 {
            out.push((0..1 + next() % 7).map(|_| pieces[next() as usize % pieces.len()]).collect());
        }
        out
    }

    #[test]
    fn no_cjk_ideograph_extends_a_number_or_a_blank() {
        for c in '\u{4e00}'..='\u{9fff}' {
            assert!(!c.is_numeric() && !c.is_whitespace(), "{c}");
        }
    }

    #[test]
    fn common_months_and_days_are_read_without_the_regexes() {
        for text in ["3月", "10月份", "五月", "十二月", "3月中旬", "4月初", "1月至3月", "6—8月份", "7月至9月底"] {
            assert!(plain_month(text).is_some_and(|m| m.is_some()), "{text}");
        }
        for text in ["5日", "15号", "二十四日", "十日", "六日", "1日至7日", "5日至6月3日"] {
            assert!(plain_day(text).is_some_and(|d| d.is_some()), "{text}");
        }
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
