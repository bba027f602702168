//! Conformance of `newsgraph::value` against other projects' test cases
//! (`shared/peer-cases/*.jsonl`, see its README.md).
//!
//! The suite is found through `NEWSGRAPH_PEER_CASES`, else
//! `<crate root>/../shared/peer-cases`; when neither exists the test prints a
//! notice and passes (the suite is data beside the repo, not part of it).
//!
//! Each file is filtered to the cases our normalizers claim to handle (the
//! filters are documented per file below), the remaining cases are run, and
//! the test asserts a per-file floor of passes: the floors are the measured
//! pass counts, so any regression fails the test. Peers differ from us in
//! conventions; we compare values, not formats:
//! * a vague amount ("3000多欧元", JioNLP range [3000, 4000]) passes when we
//!   give the lower end with `approx = true`;
//! * a one-sided bound ("1.2元以下", Duckling `to`) passes as an approximate value;
//! * two-sided ranges ("1万-5万元", Duckling `from`+`to`) are skipped: we do not
//!   model intervals of money;
//! * dates are compared at the peer's precision (day / month / year, or the
//!   first and last day of an interval).

use newsgraph::value::*;
use regex::Regex;
use serde_json::Value as J;
use std::path::PathBuf;
use std::sync::LazyLock;

fn suite_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("NEWSGRAPH_PEER_CASES").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/peer-cases")),
    ];
    candidates.into_iter().flatten().find(|p| p.join("README.md").exists())
}

fn read(dir: &std::path::Path, file: &str) -> Vec<J> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect(file)).collect()
}

/// The folding the pipeline does before rules run, reduced to what these
/// cases need: full-width ASCII to half-width, and the traditional
/// characters that occur in the cases (the normalizers also accept
/// traditional numerals directly).
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '號' => '号',
            '個' => '个',
            '兩' => '两',
            '點' => '点',
            '萬' => '万',
            '億' => '亿',
            '幾' => '几',
            '負' => '负',
            '對' => '对',
            '雙' => '双',
            '塊' => '块',
            '圓' => '圆',
            '幣' => '币',
            '錢' => '钱',
            '碼' => '码',
            '參' => '参',
            '貳' => '贰',
            '陸' => '陆',
            _ => c,
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn num(j: &J) -> Option<f64> {
    match j {
        J::Number(n) => n.as_f64(),
        J::String(s) => s.replace(',', "").parse().ok(),
        _ => None,
    }
}

fn raises(j: &J) -> bool {
    j.get("raises").is_some()
}

/// Money through the money normalizer with CNY as the default currency
/// (single-expression peers assume the text is money).
fn money(s: &str) -> Option<(f64, String, bool)> {
    match parse_money_with_default(s, Some("CNY"))? {
        Value::Money { amount, currency, approx } => Some((amount, currency, approx)),
        _ => None,
    }
}

fn has_money_unit(s: &str) -> bool {
    s.contains(['元', '圆', '角', '分'])
}

#[derive(Default)]
struct Tally {
    run: usize,
    pass: usize,
    skipped: usize,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.run += 1;
        if ok {
            self.pass += 1;
        } else if self.failures.len() < 400 {
            self.failures.push(what());
        }
    }
}

// --- numbers ---------------------------------------------------------------

/// cn2an `cn2an()`: every case. Numbers compare by value; `direct`-mode digit
/// strings ("零一" → "01") compare numerically; `{"raises"}` must give None.
/// Cases with 元/圆 go through the money parser.
fn cn2an(cases: &[J], t: &mut Tally) {
    for c in cases {
        let input = c["input"].as_str().unwrap_or_default();
        let exp = &c["expected"];
        let got = if has_money_unit(input) { money(input).map(|m| m.0) } else { parse_number(input) };
        let ok = if raises(exp) { got.is_none() } else { matches!((got, num(exp)), (Some(g), Some(e)) if close(g, e)) };
        t.check(ok, || format!("{input:?}: got {got:?}, want {exp}"));
    }
}

/// Duckling numerals: every case.
fn duckling_numeral(cases: &[J], t: &mut Tally) {
    for c in cases {
        let input = fold(c["input"].as_str().unwrap_or_default());
        let want = num(&c["expected"]["value"]);
        let got = parse_number(&input);
        t.check(matches!((got, want), (Some(g), Some(w)) if close(g, w)), || format!("{input:?}: got {got:?}, want {want:?}"));
    }
}

/// hutool: every case; 元/角/分 amounts through the money parser.
fn hutool(cases: &[J], t: &mut Tally) {
    for c in cases {
        let input = c["input"].as_str().unwrap_or_default();
        let exp = &c["expected"];
        let got = if has_money_unit(input) { money(input).map(|m| m.0) } else { parse_number(input) };
        let ok = if raises(exp) { got.is_none() } else { matches!((got, num(exp)), (Some(g), Some(e)) if close(g, e)) };
        t.check(ok, || format!("{input:?}: got {got:?}, want {exp}"));
    }
}

/// chinese2digits (extraction): each (Chinese string, digits string) pair it
/// reports is one case. Digit strings "0.05", "4%", "2345/432" are compared
/// as numbers; percent-like inputs (分之, %) go through the percent parser.
fn chinese2digits(cases: &[J], t: &mut Tally) {
    for c in cases {
        let e = &c["expected"];
        let (Some(cn), Some(dg)) = (e["ch_number_string_list"].as_array(), e["digits_string_list"].as_array()) else {
            continue;
        };
        for (a, b) in cn.iter().zip(dg) {
            let (a, b) = (fold(a.as_str().unwrap_or_default()), b.as_str().unwrap_or_default());
            let want = if let Some(p) = b.strip_suffix('%') {
                p.parse::<f64>().ok().map(|v| v / 100.0)
            } else if let Some((x, y)) = b.split_once('/') {
                match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(x), Ok(y)) => Some(x / y),
                    _ => None,
                }
            } else {
                b.parse().ok()
            };
            let got = if a.contains("分之") || a.ends_with('%') {
                match parse_percent(&a) {
                    Some(Value::Percent { fraction, .. }) => Some(fraction),
                    _ => None,
                }
            } else {
                parse_number(&a)
            };
            t.check(matches!((got, want), (Some(g), Some(w)) if close(g, w)), || format!("{a:?}: got {got:?}, want {b}"));
        }
    }
}

/// Recognizers-Text number model: each span with a plain decimal value
/// (number ranges like "(20,35]" and ordinals are skipped: ranges are not
/// values for us, ordinals are not quantities).
fn recognizers_number(cases: &[J], t: &mut Tally) {
    for c in cases {
        for r in c["expected"].as_array().into_iter().flatten() {
            let ty = r["TypeName"].as_str().unwrap_or_default();
            let v = r["Resolution"]["value"].as_str().unwrap_or_default();
            if ty != "number" || v.starts_with(['(', '[']) || v.ends_with([')', ']']) {
                t.skipped += 1;
                continue;
            }
            let text = fold(r["Text"].as_str().unwrap_or_default());
            let want: Option<f64> = v.parse().ok();
            let got = parse_number(&text);
            t.check(matches!((got, want), (Some(g), Some(w)) if close(g, w)), || format!("{text:?}: got {got:?}, want {v}"));
        }
    }
}

// --- money -----------------------------------------------------------------

fn iso_of_case(case: &str) -> &'static str {
    match case {
        "元" => "CNY",
        "美元" => "USD",
        "港元" => "HKD",
        "新台币" => "TWD",
        "日元" => "JPY",
        "欧元" => "EUR",
        "泰铢" => "THB",
        "卢布" => "RUB",
        "韩元" => "KRW",
        "澳元" => "AUD",
        "英镑" => "GBP",
        _ => "?",
    }
}

static RANGE_SEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"到|至|-|~|—|－|～").unwrap());

/// JioNLP `parse_money` cases (the `extract_money` span cases are skipped:
/// extraction is the rules' job, not the normalizer's). Two-sided ranges
/// ("1万-5万元", "两到三万") are skipped; vague amounts ("3000多", "几十万")
/// must give the lower end, approx.
fn jionlp_money(cases: &[J], t: &mut Tally) {
    for c in cases {
        if c["peer_meta"]["function"].as_str() != Some("jio.parse_money") {
            t.skipped += 1;
            continue;
        }
        let input = fold(c["input"].as_str().unwrap_or_default());
        let e = &c["expected"];
        let (want, want_approx) = match &e["num"] {
            J::Array(a) => {
                if RANGE_SEP.is_match(&input) {
                    t.skipped += 1;
                    continue;
                }
                (num(&a[0]), true)
            }
            n => (num(n), e["definition"].as_str() != Some("accurate")),
        };
        let cur = iso_of_case(e["case"].as_str().unwrap_or_default());
        let got = money(&input);
        let ok = matches!((&got, want), (Some((g, gc, ga)), Some(w)) if close(*g, w) && gc == cur && *ga == want_approx);
        t.check(ok, || format!("{input:?}: got {got:?}, want {want:?} {cur} approx={want_approx}"));
    }
}

/// Duckling amount-of-money: Cent amounts are our amount × 100; Dollar is a
/// generic 元/块; one-sided intervals are approximate values; two-sided
/// intervals are skipped.
fn duckling_money(cases: &[J], t: &mut Tally) {
    for c in cases {
        let input = fold(c["input"].as_str().unwrap_or_default());
        let e = &c["expected"];
        let (want, approx) = match e["type"].as_str() {
            Some("value") => (num(&e["value"]), false),
            _ => match (e.get("from"), e.get("to")) {
                (Some(_), Some(_)) => {
                    t.skipped += 1;
                    continue;
                }
                (Some(b), None) | (None, Some(b)) => (num(b), true),
                _ => continue,
            },
        };
        let unit = e["unit"].as_str().unwrap_or_default();
        let (scale, cur) = match unit {
            "Cent" => (100.0, "CNY"),
            "HKD" => (1.0, "HKD"),
            _ => (1.0, "CNY"),
        };
        let got = money(&input);
        let ok = matches!((&got, want), (Some((g, gc, ga)), Some(w)) if close(g * scale, w) && (gc == cur || (unit == "Cent" && gc == "HKD")) && *ga == approx);
        t.check(ok, || format!("{input:?}: got {got:?}, want {want:?} {unit}"));
    }
}

/// Recognizers-Text currency: each extracted span with a value is one
/// single-expression case (spans without a value, a bare currency word, and
/// spans without an ISO code, "$20", are skipped).
fn recognizers_currency(cases: &[J], t: &mut Tally) {
    for c in cases {
        for r in c["expected"].as_array().into_iter().flatten() {
            let res = &r["Resolution"];
            let (Some(v), Some(iso)) = (res["value"].as_str(), res["isoCurrency"].as_str()) else {
                t.skipped += 1;
                continue;
            };
            let text = fold(r["Text"].as_str().unwrap_or_default());
            let want: Option<f64> = v.parse().ok();
            let got = match parse_money(&text) {
                Some(Value::Money { amount, currency, .. }) => Some((amount, currency)),
                _ => None,
            };
            let ok = matches!((&got, want), (Some((g, gc)), Some(w)) if close(*g, w) && gc == iso);
            t.check(ok, || format!("{text:?}: got {got:?}, want {v} {iso}"));
        }
    }
}

// --- percent ---------------------------------------------------------------

/// Recognizers-Text percent: each extracted span is one case; "50%" → 0.5.
fn recognizers_percent(cases: &[J], t: &mut Tally) {
    for c in cases {
        for r in c["expected"].as_array().into_iter().flatten() {
            let text = fold(r["Text"].as_str().unwrap_or_default());
            let v = r["Resolution"]["value"].as_str().unwrap_or_default();
            let want = v.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()).map(|p| p / 100.0);
            let got = match parse_percent(&text) {
                Some(Value::Percent { fraction, .. }) => Some(fraction),
                _ => None,
            };
            t.check(matches!((got, want), (Some(g), Some(w)) if close(g, w)), || format!("{text:?}: got {got:?}, want {v}"));
        }
    }
}

// --- dates -----------------------------------------------------------------

/// The calendar-date forms we model exactly. Everything else is skipped:
/// times of day, holidays and solar terms, weekdays and weeks, relative days
/// (今天, 下个月), durations and "N年前", lunar dates, 旬/初/底 (sub-month
/// parts we keep at month precision), and ranges across years.
static SUPPORTED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let m = r"(?:[0-9]{1,2}|十[一二]?|[一二三四五六七八九])";
    let d = r"(?:[0-9]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号]";
    let year = r"(?:(?:[0-9]{4}|[0-9]{2}|[一二][〇零一二三四五六七八九]{3}|[〇零一二三四五六七八九]{2})年|今年|去年|前年|明年|后年)";
    Regex::new(&format!(
        r"^(?:[0-9]{{4}}[-./][0-9]{{1,2}}[-./][0-9]{{1,2}}|{year}|{year}?(?:上半年|下半年|前三季度|第?[一二三四1-4]季度|{m}(?:月份?)?(?:-|－|—|~|至|到){m}月份?|{m}月份?(?:{d}(?:(?:-|至|到)(?:{m}月)?{d})?)?))$"
    ))
    .unwrap()
});

fn ref_ctx(reference: Option<&str>) -> DateContext {
    let year = reference.and_then(|r| r.get(..4)).and_then(|y| y.parse().ok());
    let month = reference.and_then(|r| r.get(5..7)).and_then(|m| m.parse().ok());
    DateContext { document_year: year, previous_year: year, previous_month: month, ..Default::default() }
}

fn resolve(input: &str, ctx: &DateContext) -> Option<String> {
    parse_date(input)?.resolve(ctx).map(|d| d.iso)
}

/// First and last day of an ISO date, reduced date or interval.
fn day_bounds(iso: &str) -> Option<(String, String)> {
    let (a, b) = iso.split_once('/').unwrap_or((iso, iso));
    let first = match a.len() {
        4 => format!("{a}-01-01"),
        7 => format!("{a}-01"),
        10 => a.to_string(),
        _ => return None,
    };
    let last = match b.len() {
        4 => format!("{b}-12-31"),
        7 => {
            let y: i32 = b[..4].parse().ok()?;
            let m: u32 = b[5..7].parse().ok()?;
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let d = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m as usize).checked_sub(1)?];
            format!("{b}-{d:02}")
        }
        10 => b.to_string(),
        _ => return None,
    };
    Some((first, last))
}

/// Duckling time: `kind = date` cases whose input is a supported calendar
/// form; reference time 2013-02-12. A value must match the peer's day and
/// grain; an interval must match its first and last day (Duckling's `to` is
/// exclusive, so we compare our end + 1 grain with it only through the start
/// date and grain).
fn duckling_time(cases: &[J], t: &mut Tally) {
    for c in cases {
        let input = fold(c["input"].as_str().unwrap_or_default());
        let e = &c["expected"];
        if c["kind"].as_str() != Some("date") || !SUPPORTED_DATE.is_match(&input) || e["type"].as_str() != Some("value") {
            t.skipped += 1;
            continue;
        }
        let ctx = ref_ctx(c["reference_time"].as_str());
        let want_day = e["value"].as_str().and_then(|v| v.get(..10)).unwrap_or_default();
        let want = match e["grain"].as_str() {
            Some("year") => want_day.get(..4),
            Some("month") => want_day.get(..7),
            Some("day") => Some(want_day),
            _ => None,
        };
        let got = resolve(&input, &ctx);
        t.check(got.is_some() && got.as_deref() == want, || format!("{input:?}: got {got:?}, want {want:?}"));
    }
}

/// JioNLP `parse_time`: `kind = date` cases whose input is a supported
/// calendar form, skipping `ret_future=True` calls (future-preference
/// resolution, which we do not model). Compared by first and last day.
fn jionlp_time(cases: &[J], t: &mut Tally) {
    for c in cases {
        let input = fold(c["input"].as_str().unwrap_or_default());
        let meta = &c["peer_meta"];
        let future = meta["kwargs"]["ret_future"].as_bool().unwrap_or(false);
        let e = &c["expected"];
        let times = e["time"].as_array();
        if c["kind"].as_str() != Some("date")
            || meta["function"].as_str() != Some("jio.parse_time")
            || future
            || !SUPPORTED_DATE.is_match(&input)
            || times.is_none_or(|a| a.len() != 2)
        {
            t.skipped += 1;
            continue;
        }
        let times = times.unwrap();
        let want = (
            times[0].as_str().and_then(|s| s.get(..10)).unwrap_or_default().to_string(),
            times[1].as_str().and_then(|s| s.get(..10)).unwrap_or_default().to_string(),
        );
        let ctx = ref_ctx(c["reference_time"].as_str());
        let got = resolve(&input, &ctx).and_then(|iso| day_bounds(&iso));
        t.check(got.as_ref() == Some(&want), || format!("{input:?}: got {got:?}, want {want:?}"));
    }
}

type Runner = fn(&[J], &mut Tally);

/// (file, runner, floor): the floor is the measured pass count.
const FILES: &[(&str, Runner, usize)] = &[
    ("cn2an_cn2an.jsonl", cn2an, 153),
    ("duckling_zh_numeral.jsonl", duckling_numeral, 127),
    ("hutool.jsonl", hutool, 25),
    ("chinese2digits.jsonl", chinese2digits, 33),
    ("recognizers_text_zh_number.jsonl", recognizers_number, 376),
    ("jionlp_money.jsonl", jionlp_money, 39),
    ("duckling_zh_amount_of_money.jsonl", duckling_money, 31),
    ("recognizers_text_zh_currency.jsonl", recognizers_currency, 31),
    ("recognizers_text_zh_percent.jsonl", recognizers_percent, 160),
    ("duckling_zh_time.jsonl", duckling_time, 32),
    ("jionlp_time.jsonl", jionlp_time, 29),
];

/// Run the peer suite, print a table of pass rates, fail on regression.
pub fn values_peer_cases() {
    let Some(dir) = suite_dir() else {
        eprintln!("values_peer_cases: peer-cases suite not found (set NEWSGRAPH_PEER_CASES); skipped");
        return;
    };
    let verbose = std::env::var_os("PEER_CASES_VERBOSE").is_some();
    let mut regressions = Vec::new();
    println!("{:<38} {:>5} {:>5} {:>7} {:>6} {:>5}", "file", "run", "pass", "rate", "skip", "floor");
    for (file, runner, floor) in FILES {
        let cases = read(&dir, file);
        let mut t = Tally::default();
        runner(&cases, &mut t);
        let rate = if t.run == 0 { 0.0 } else { 100.0 * t.pass as f64 / t.run as f64 };
        println!("{file:<38} {:>5} {:>5} {rate:>6.1}% {:>6} {floor:>5}", t.run, t.pass, t.skipped);
        if verbose {
            for f in &t.failures {
                println!("    FAIL {f}");
            }
        }
        if t.pass < *floor {
            regressions.push(format!("{file}: {} passed, floor {floor}", t.pass));
        }
    }
    assert!(regressions.is_empty(), "peer-case regressions:\n{}", regressions.join("\n"));
}

#[test]
fn peer_cases() {
    values_peer_cases();
}
