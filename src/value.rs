//! Value normalizers: turn the text of a matched value mention (dates, money,
//! percents, quantities) into a typed, canonical [`Value`].
//!
//! These functions are pure and do no I/O. They are only called on text that a
//! value rule (`rules/values/*.toml`) already matched, so they favour tolerance
//! (accept traditional numerals, spaces, stray `个`) over strict validation:
//! deciding *whether* something is a value is the rules' job, deciding *what* it
//! is is ours. Input is normally the FOLDED text (simplified characters,
//! half-width ASCII digits), but traditional numeral characters (萬 億 點 兩 貳
//! 參 陸 …) are accepted too so the functions also work on raw text.
//!
//! # Arithmetic
//! Numbers are parsed into an exact decimal [`Dec`] (`i128` mantissa × 10^exp).
//! Multipliers (十 百 千 万 亿 兆, k/w/M/G) only shift the exponent, and
//! sections are added exactly, so `14880.13万` is `1488013 × 10^2` and
//! converts to exactly `148801300.0`. The conversion to `f64` goes through
//! Rust's correctly rounded float parser, so a decimal like `0.19` becomes the
//! same `f64` as the literal `0.19`. Only true fractions (`1/3`, `三分之一`)
//! divide in floating point. 兆 is read as 10^12 (the reading that financial
//! reports and the peer suites use), 万亿 stacks to 10^12 as well.
//!
//! # Approximation policy
//! Vague amounts keep the round number that is written and set `approx`:
//! `7000多万` → 70 000 000 (approx), `十几位` → 10 (approx), `几十万` → 100 000,
//! `接近上千人` → 1000, `八九亿` → 800 000 000 (the lower end of the range).
//! Hedges that set `approx`: 多 余 来 几 数 上(千/万) before or inside the
//! number, prefixes 约 大约 近 将近 接近 超过 逾 突破 不到 不足 至少 最多 小于
//! 大于 高于 低于 约合 …, and suffixes 左右 上下 以上 以下 开外 前后. We do not
//! model intervals: a bound (`以上`, `不到`) is just an approximate value,
//! because the graph needs one node per value and a stable key.
//!
//! # Dates
//! [`parse_date`] produces an unresolved [`DateExpr`]; relative years (今年,
//! 那年) and bare months need a [`DateContext`] to become ISO 8601 text via
//! [`DateExpr::resolve`]. Ranges are ISO intervals `start/end` at month or day
//! precision; a recurring month (每年10月) is `--10`.

use regex::Regex;
use std::cell::RefCell;
use std::fmt;
use std::sync::LazyLock;
use crate::chars::CharFilter;

mod date_fields;

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/// A normalized value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Date(DateValue),
    /// `amount` is in major units of `currency` (ISO 4217).
    Money { amount: f64, currency: String, approx: bool },
    /// `fraction` is the ratio: 19% → 0.19.
    Percent { fraction: f64, approx: bool },
    /// `unit` is written as in the (folded) text, e.g. "人", "个城市".
    Quantity { amount: f64, unit: String, approx: bool },
}

/// A resolved date in ISO 8601 form: a date, a reduced-precision date, an
/// interval `start/end`, or a recurring month `--MM`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateValue {
    pub iso: String,
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Date(_) => "Date",
            Value::Money { .. } => "Money",
            Value::Percent { .. } => "Percent",
            Value::Quantity { .. } => "Quantity",
        }
    }

    /// Stable key text used for node identity: "2013-01-23", "CNY 750000000",
    /// "0.19", "4000 人"; approximate values get a "~" prefix so that "近6万人"
    /// and "6万人" stay distinct facts.
    pub fn canonical(&self) -> String {
        let mut key = String::with_capacity(32);
        self.write_canonical(&mut key);
        key
    }

    /// Appends [`Value::canonical`] to `out`: the resolver looks every value
    /// mention's node up by it, so it writes the key into one reused buffer,
    /// piece by piece (`format!` costs several times as much).
    pub fn write_canonical(&self, out: &mut String) {
        if self.approx() {
            out.push('~');
        }
        match self {
            Value::Date(d) => out.push_str(&d.iso),
            Value::Money { amount, currency, .. } => {
                out.push_str(currency);
                out.push(' ');
                push_num(out, *amount);
            }
            Value::Percent { fraction, .. } => push_num(out, *fraction),
            Value::Quantity { amount, unit, .. } => {
                push_num(out, *amount);
                out.push(' ');
                out.push_str(unit);
            }
        }
    }

    /// Whether the mention was hedged (多, 约, 近, 左右 …). Dates are never approximate.
    pub fn approx(&self) -> bool {
        match self {
            Value::Date(_) => false,
            Value::Money { approx, .. } | Value::Percent { approx, .. } | Value::Quantity { approx, .. } => *approx,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Append the shortest round-trip text of a number, without a trailing ".0"
/// and never in exponent form (Rust's `Display` for `f64` guarantees both),
/// with "-0" → "0".
fn push_num(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push('0');
        return;
    }
    // Whole amounts (most money and quantities) print as integers: below
    // 2^53 an integral f64 is exact, so `Display` prints the same digits,
    // at several times the cost of formatting an integer.
    if x.fract() == 0.0 && x.abs() < 1e15 {
        push_integer(out, x as i64);
        return;
    }
    let s = format!("{x}");
    // A true fraction (1/3) prints 17 significant digits; cut to 12 decimals
    // so the key stays short. Exact decimals (0.19, 148801300) print as is.
    if s.len() > 16 && s.contains('.') {
        let t = format!("{x:.12}");
        out.push_str(t.trim_end_matches('0').trim_end_matches('.'));
        return;
    }
    out.push_str(&s);
}

/// Append the decimal digits of `n`, as `Display` writes them.
fn push_integer(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// The normalizer a rule names in its `normalizer` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalizer {
    Date,
    Money,
    /// Money where a bare 万/亿 amount with no currency word is read as CNY:
    /// only rules that matched a money context (税收, 融资 …) use it.
    MoneyCnyImplied,
    Percent,
    Quantity,
}

impl Normalizer {
    pub fn from_name(name: &str) -> Option<Normalizer> {
        Some(match name {
            "date" => Normalizer::Date,
            "money" => Normalizer::Money,
            "money_cny_implied" => Normalizer::MoneyCnyImplied,
            "percent" => Normalizer::Percent,
            "quantity" => Normalizer::Quantity,
            _ => return None,
        })
    }

    /// The value type ("Date", "Money", …) this normalizer produces.
    pub fn type_name(self) -> &'static str {
        match self {
            Normalizer::Date => "Date",
            Normalizer::Money | Normalizer::MoneyCnyImplied => "Money",
            Normalizer::Percent => "Percent",
            Normalizer::Quantity => "Quantity",
        }
    }

    /// Normalize non-date text; dates need a context, see [`parse_date`].
    /// For `Date` this resolves with an empty context (explicit dates only).
    pub fn normalize(self, text: &str) -> Option<Value> {
        match self {
            Normalizer::Date => parse_date(text)?.resolve(&DateContext::default()).map(Value::Date),
            Normalizer::Money => parse_money(text),
            Normalizer::MoneyCnyImplied => parse_money_with_default(text, Some("CNY")),
            Normalizer::Percent => parse_percent(text),
            Normalizer::Quantity => parse_quantity(text),
        }
    }
}

// ---------------------------------------------------------------------------
// Exact decimals
// ---------------------------------------------------------------------------

/// Exact decimal `m × 10^e`. i128 holds 38 digits, far more than any amount
/// written in news; overflow makes the parse fail rather than round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dec {
    pub m: i128,
    pub e: i32,
}

impl Dec {
    pub const ZERO: Dec = Dec { m: 0, e: 0 };

    pub fn int(n: i128) -> Dec {
        Dec { m: n, e: 0 }
    }

    fn pow10(k: u32) -> Option<i128> {
        10i128.checked_pow(k)
    }

    pub fn checked_add(self, o: Dec) -> Option<Dec> {
        if self.m == 0 {
            return Some(o);
        }
        if o.m == 0 {
            return Some(self);
        }
        let e = self.e.min(o.e);
        let a = self.m.checked_mul(Self::pow10((self.e - e) as u32)?)?;
        let b = o.m.checked_mul(Self::pow10((o.e - e) as u32)?)?;
        Some(Dec { m: a.checked_add(b)?, e })
    }

    pub fn shift(self, k: i32) -> Dec {
        Dec { m: self.m, e: self.e + k }
    }

    pub fn mul_int(self, n: i128) -> Option<Dec> {
        Some(Dec { m: self.m.checked_mul(n)?, e: self.e })
    }

    pub fn negated(self) -> Dec {
        Dec { m: -self.m, e: self.e }
    }

    /// The value as an integer, if it is one ("十" is 1 × 10^1).
    pub fn to_integer(self) -> Option<i128> {
        if self.e >= 0 {
            self.m.checked_mul(Self::pow10(self.e as u32)?)
        } else {
            let p = Self::pow10((-self.e) as u32)?;
            (self.m % p == 0).then_some(self.m / p)
        }
    }

    pub fn is_zero(self) -> bool {
        self.m == 0
    }

    /// Correctly rounded conversion (through the float parser).
    pub fn to_f64(self) -> f64 {
        if self.m == 0 {
            return 0.0;
        }
        // Clinger's fast path: a mantissa below 2^53 and 10^|e| up to 10^22
        // are both exact in f64, so one multiplication or division, rounded
        // once, is the correctly rounded result the parser gives.
        const EXACT_POWERS: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
            1e20, 1e21, 1e22,
        ];
        if self.m.unsigned_abs() < 1 << 53 && self.e.unsigned_abs() < 23 {
            let (m, p) = (self.m as f64, EXACT_POWERS[self.e.unsigned_abs() as usize]);
            return if self.e >= 0 { m * p } else { m / p };
        }
        format!("{}e{}", self.m, self.e).parse().unwrap_or(f64::NAN)
    }
}

// ---------------------------------------------------------------------------
// Character classes
// ---------------------------------------------------------------------------

fn cn_digit(c: char) -> Option<i128> {
    Some(match c {
        '零' | '〇' | '○' | 'Ｏ' => 0,
        '一' | '壹' | '幺' | '弌' => 1,
        '二' | '两' | '兩' | '倆' | '俩' | '贰' | '貳' | '弍' => 2,
        '三' | '叁' | '參' | '参' | '弎' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<i32> {
    Some(match c {
        '十' | '拾' => 1,
        '百' | '佰' => 2,
        '千' | '仟' => 3,
        _ => return None,
    })
}

fn big_unit(c: char) -> Option<i32> {
    Some(match c {
        '万' | '萬' | 'w' | 'W' => 4,
        '亿' | '億' => 8,
        '兆' => 12,
        'k' | 'K' => 3,
        'M' => 6,
        'G' => 9,
        _ => return None,
    })
}

fn is_point(c: char) -> bool {
    matches!(c, '点' | '點')
}

/// Characters that can be part of a number as written in Chinese text,
/// including the vague markers; used to split "645家" into number and unit.
fn is_number_char(c: char) -> bool {
    c.is_ascii_digit()
        || cn_digit(c).is_some()
        || small_unit(c).is_some()
        || matches!(c, '万' | '萬' | '亿' | '億' | '兆' | '点' | '點' | '.' | ',' | '廿' | '卅' | '卌' | '几' | '数' | '多' | '余' | '来')
}

// ---------------------------------------------------------------------------
// Number parsing
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
    /// A single Chinese digit (零 is `Digit(0)`).
    Digit(i128),
    /// A run of Arabic digits, possibly with a decimal point and thousands separators.
    Arabic(Dec),
    Small(i32),
    Big(i32),
    Point,
    /// 几/数 standing for an unknown digit (read as 1 before a unit, 0 after).
    Some_,
    /// 多 / 余 / 来 after a number: "and more".
    More,
}

/// Longer digit runs are not read as numbers (an `i128` holds 38 digits).
const MAX_ARABIC_DIGITS: usize = 36;

/// Hands `read` the tokens of `s` and whether a vague token is among them,
/// or gives `None` if `s` is not made of number tokens. The characters and
/// tokens are lexed into two vectors kept per thread and reused: a number
/// is parsed at every value mention, and allocating and freeing two vectors
/// for each cost about as much as the lexing itself.
fn with_tokens<R>(s: &str, read: impl FnOnce(&[Tok], bool) -> Option<R>) -> Option<R> {
    thread_local! {
        static BUFFERS: RefCell<(Vec<char>, Vec<Tok>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }
    BUFFERS.with_borrow_mut(|(chars, toks)| {
        let approx = lex(s, chars, toks)?;
        read(toks, approx)
    })
}

/// Lexes `s` into `toks` (through `chars`, both cleared first); returns
/// whether a vague token was seen.
fn lex(s: &str, chars: &mut Vec<char>, toks: &mut Vec<Tok>) -> Option<bool> {
    chars.clear();
    chars.extend(s.chars().filter(|c| !c.is_whitespace()));
    toks.clear();
    let mut approx = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            // Arabic run: digits, one '.', and ',' / '，' only as a thousands
            // separator (exactly three digits follow), so "1,2" is not 12.
            // The digits are read into the mantissa as they come, not
            // gathered into a string to parse (an allocation per number):
            // up to `MAX_ARABIC_DIGITS` of them cannot overflow it.
            let mut m: i128 = 0;
            let mut digits = 0usize;
            let mut frac_len: i32 = 0;
            let mut in_frac = false;
            while i < chars.len() {
                let c = chars[i];
                if c.is_ascii_digit() {
                    if digits < MAX_ARABIC_DIGITS {
                        m = m * 10 + i128::from(c as u8 - b'0');
                    }
                    digits += 1;
                    if in_frac {
                        frac_len += 1;
                    }
                    i += 1;
                } else if c == '.' && !in_frac && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    in_frac = true;
                    i += 1;
                } else if (c == ',' || c == '，')
                    && !in_frac
                    && digits > 0
                    && (1..=3).all(|k| chars.get(i + k).is_some_and(|d| d.is_ascii_digit()))
                    && !chars.get(i + 4).is_some_and(|d| d.is_ascii_digit())
                {
                    i += 1;
                } else {
                    break;
                }
            }
            if digits == 0 || digits > MAX_ARABIC_DIGITS {
                return None;
            }
            toks.push(Tok::Arabic(Dec { m, e: -frac_len }));
            continue;
        }
        match c {
            '廿' => toks.extend([Tok::Digit(2), Tok::Small(1)]),
            '卅' => toks.extend([Tok::Digit(3), Tok::Small(1)]),
            '卌' => toks.extend([Tok::Digit(4), Tok::Small(1)]),
            '几' | '數' | '数' => {
                approx = true;
                toks.push(Tok::Some_)
            }
            '多' | '余' | '餘' | '来' | '來' => {
                approx = true;
                toks.push(Tok::More)
            }
            _ if is_point(c) => toks.push(Tok::Point),
            _ => {
                if let Some(d) = cn_digit(c) {
                    toks.push(Tok::Digit(d));
                } else if let Some(k) = small_unit(c) {
                    toks.push(Tok::Small(k));
                } else if let Some(k) = big_unit(c) {
                    toks.push(Tok::Big(k));
                } else {
                    return None;
                }
            }
        }
        i += 1;
    }
    Some(approx)
}

/// Parse a plain number (no unit) into an exact decimal. Returns the value
/// and whether it was vague (几, 多 …). Handles Arabic, Chinese (ordinary and
/// financial), mixed ("1万600", "10.1万"), digit-by-digit ("一七二零",
/// "二〇一三"), abbreviated ("三万五" = 35000, "两万二零三" = 22003) and
/// the range-like "八九亿" (lower end, approx).
pub fn parse_dec(s: &str) -> Option<(Dec, bool)> {
    let s = trim(s);
    let (neg, s) = match s.strip_prefix(['负', '負', '-', '−', '－']) {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (v, approx) = match plain_digits(s) {
        Some(v) => (v, false),
        None => parse_lexed(s)?,
    };
    Some((if neg { v.negated() } else { v }, approx))
}

/// ASCII digits only, the commonest number text: what lexing makes of
/// them (one Arabic token, which [`unit_mode`] returns as it is) without
/// the token vector.
fn plain_digits(s: &str) -> Option<Dec> {
    let plain = !s.is_empty() && s.len() <= MAX_ARABIC_DIGITS && s.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| s.parse().ok().map(Dec::int)).flatten()
}

/// [`parse_dec`] of a text without its sign, by its tokens.
fn parse_lexed(s: &str) -> Option<(Dec, bool)> {
    with_tokens(s, |toks, approx| {
        if toks.is_empty() {
            return None;
        }
        let (v, a) = match digit_sequence(toks) {
            Some(v) => (v, false),
            None => unit_mode(toks)?,
        };
        Some((v, approx || a))
    })
}

/// "一七二零点一" style: only single digits (and an optional point), at least
/// two digits before the point, or a single one. Read positionally.
fn digit_sequence(toks: &[Tok]) -> Option<Dec> {
    let point = toks.iter().position(|t| *t == Tok::Point);
    let (int, frac) = match point {
        Some(p) => (&toks[..p], &toks[p + 1..]),
        None => (toks, &toks[..0]),
    };
    if int.is_empty() || (point.is_some() && frac.is_empty()) {
        return None;
    }
    let mut m: i128 = 0;
    for t in int.iter().chain(frac) {
        match t {
            Tok::Digit(d) => m = m.checked_mul(10)?.checked_add(*d)?,
            _ => return None,
        }
    }
    Some(Dec { m, e: -(frac.len() as i32) })
}

/// Fraction digits after 点: single digits or an Arabic run (without its own point).
fn fraction_after_point(toks: &[Tok]) -> Option<(Dec, usize)> {
    let mut m: i128 = 0;
    let mut e: i32 = 0;
    let mut n = 0;
    for t in toks {
        match t {
            Tok::Digit(d) => {
                m = m.checked_mul(10)?.checked_add(*d)?;
                e -= 1;
            }
            Tok::Arabic(a) if a.e == 0 && n == 0 => {
                // "零點77": the Arabic run is the whole fraction; keep its
                // leading zeros by counting its characters is impossible
                // here, so read it as written (77 → .77).
                let len = a.m.to_string().len() as i32;
                m = a.m;
                e = -len;
            }
            _ => break,
        }
        n += 1;
    }
    if n == 0 {
        return None;
    }
    Some((Dec { m, e }, n))
}

fn unit_mode(toks: &[Tok]) -> Option<(Dec, bool)> {
    let mut approx = false;
    let mut total = Dec::ZERO;
    let mut section = Dec::ZERO;
    let mut pending: Option<Dec> = None;
    // Whether `pending` is a single Chinese digit written right after a unit
    // (so "三万五" can mean 5 × 10^3).
    let mut pending_abbrev = false;
    let mut pending_decimal = false;
    let mut last_unit: Option<i32> = None; // unit exponent of the previous token
    let mut prev_small = i32::MAX; // small units must decrease within a section
    let mut max_big = 0;
    let mut closed = false; // a decimal was multiplied out: nothing may follow but bigger units
    let mut seen_any = false;
    let mut i = 0;
    let flush_abbrev = |pending: &mut Option<Dec>, abbrev: bool, unit: Option<i32>| -> Option<Dec> {
        let p = pending.take()?;
        match (abbrev, unit) {
            (true, Some(u)) if u >= 1 => Some(p.shift(u - 1)),
            _ => Some(p),
        }
    };
    while i < toks.len() {
        let t = toks[i];
        let prev_was_unit = i > 0 && matches!(toks[i - 1], Tok::Small(_) | Tok::Big(_));
        match t {
            Tok::Digit(d) => {
                if closed {
                    return None;
                }
                if d == 0 {
                    // 零 fills a gap: "一千零一"; it ends any abbreviation.
                    if let Some(p) = flush_abbrev(&mut pending, pending_abbrev, last_unit) {
                        if !pending_abbrev {
                            return None;
                        }
                        section = section.checked_add(p)?;
                    }
                    last_unit = None;
                    pending_abbrev = false;
                    seen_any = true;
                    i += 1;
                    continue;
                }
                if pending.is_some() {
                    // Two digits in a row inside a unit number: only "八九亿",
                    // "三五百" (a vague range) is meaningful; keep the lower end.
                    let next_is_unit = matches!(toks.get(i + 1), Some(Tok::Small(_) | Tok::Big(_)));
                    if next_is_unit {
                        approx = true;
                        i += 1;
                        continue;
                    }
                    return None;
                }
                pending = Some(Dec::int(d));
                pending_abbrev = prev_was_unit;
                pending_decimal = false;
                seen_any = true;
            }
            Tok::Arabic(a) => {
                if closed || pending.is_some() {
                    return None;
                }
                pending = Some(a);
                pending_abbrev = false;
                pending_decimal = a.e < 0;
                seen_any = true;
            }
            Tok::Some_ => {
                if pending.is_some() {
                    return None;
                }
                // 几十 → 10 (leading 几 is one), 十几 / 二十几万 / 一百零几万 → the
                // 几 adds nothing; 几 alone → None.
                if !seen_any && matches!(toks.get(i + 1), Some(Tok::Small(_) | Tok::Big(_))) {
                    pending = Some(Dec::int(1));
                } else if !seen_any {
                    return None;
                }
                pending_abbrev = false;
                seen_any = true;
            }
            Tok::More => {
                // "7000多万", "十多", "100多": the hedge adds nothing to the value.
                if !seen_any {
                    return None;
                }
            }
            Tok::Small(k) => {
                if closed || k >= prev_small {
                    return None;
                }
                let n = pending.take().unwrap_or(Dec::int(1));
                section = section.checked_add(n.shift(k))?;
                prev_small = k;
                last_unit = Some(k);
                pending_abbrev = false;
                seen_any = true;
            }
            Tok::Big(k) => {
                let mut n = section;
                // "百二萬" = 120万: a digit abbreviated after 百/千 keeps that meaning before 万.
                let small_abbrev = pending_abbrev && last_unit.is_some_and(|u| (2..=3).contains(&u));
                if let Some(p) = flush_abbrev(&mut pending, small_abbrev, last_unit) {
                    n = n.checked_add(p)?;
                }
                if closed && !n.is_zero() {
                    return None;
                }
                if pending_decimal {
                    closed = true;
                }
                pending_decimal = false;
                if n.is_zero() && total.is_zero() && !seen_any {
                    n = Dec::int(1); // "萬九", "万人" as "一万"
                }
                if k > max_big || n.is_zero() {
                    // "3千万亿": the bigger unit scales everything before it.
                    total = total.checked_add(n)?.shift(k);
                    max_big = max_big.max(k);
                    if k > max_big {
                        max_big = k;
                    }
                } else {
                    total = total.checked_add(n.shift(k))?;
                }
                section = Dec::ZERO;
                prev_small = i32::MAX;
                last_unit = Some(k);
                pending_abbrev = false;
                seen_any = true;
            }
            Tok::Point => {
                // "一百点123", "一点五万": everything so far is the integer part;
                // "两千三点一" = 2300.1 keeps the abbreviation.
                let mut int = total.checked_add(section)?;
                if let Some(p) = flush_abbrev(&mut pending, pending_abbrev, last_unit) {
                    if p.e < 0 {
                        return None;
                    }
                    int = int.checked_add(p)?;
                }
                if !seen_any {
                    return None;
                }
                let (frac, n) = fraction_after_point(&toks[i + 1..])?;
                pending = Some(int.checked_add(frac)?);
                pending_decimal = true;
                pending_abbrev = false;
                total = Dec::ZERO;
                section = Dec::ZERO;
                max_big = 0;
                prev_small = i32::MAX;
                i += 1 + n;
                continue;
            }
        }
        i += 1;
    }
    if !seen_any {
        return None;
    }
    if let Some(p) = flush_abbrev(&mut pending, pending_abbrev, last_unit) {
        section = section.checked_add(p)?;
    }
    Some((total.checked_add(section)?, approx))
}

/// Parse a number: "7.5亿", "14880.13万", "一千二百", "两", "十几" (→ 10),
/// "3,000", "〇", "壹贰叁", "1.2万亿", "二分之一", "1/3", "第七", "五打".
pub fn parse_number(s: &str) -> Option<f64> {
    parse_number_approx(s).map(|(v, _)| v)
}

static MIXED_SLASH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(-?[0-9]+) +([0-9]+)/([0-9]+)$").unwrap());

/// Whether `s` holds `c`, read byte by byte: for the few bytes of a value
/// text that is cheaper than `str::contains`, which for a character outside
/// ASCII sets up a substring search (about 140 instructions a call, several
/// calls per date).
fn holds(s: &str, c: char) -> bool {
    let mut buffer = [0; 4];
    let needle = c.encode_utf8(&mut buffer).as_bytes();
    let bytes = s.as_bytes();
    let last = needle[needle.len() - 1];
    // (UTF-8 is self-synchronizing: the needle's bytes ending at a byte of
    // the text are an occurrence of the character, never a part of another.)
    (0..bytes.len()).any(|i| bytes[i] == last && bytes[..=i].ends_with(needle))
}

/// `s` without its whitespace, copied only when it has some (most value
/// texts have none).
fn without_whitespace(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(char::is_whitespace) {
        std::borrow::Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// [`parse_number`] that also reports whether the number was vague.
pub fn parse_number_approx(s: &str) -> Option<(f64, bool)> {
    // "1 3/5" = 1.6: a space separates a whole number from a fraction.
    // The regex needs a slash: most numbers are spared the search.
    if let Some(c) = s.contains('/').then(|| MIXED_SLASH.captures(s.trim())).flatten() {
        let w: f64 = c[1].parse().ok()?;
        let f = c[2].parse::<f64>().ok()? / c[3].parse::<f64>().ok()?;
        return Some((if w < 0.0 { w - f } else { w + f }, false));
    }
    let compact = without_whitespace(s);
    let s: &str = &compact;
    // "三百五又三分之一", "一又十分一": whole 又 fraction.
    if let Some((w, f)) = s.split_once('又') {
        let (neg, w) = match w.strip_prefix(['负', '負', '-']) {
            Some(w) => (true, w),
            None => (false, w),
        };
        let (wv, a) = parse_dec(w)?;
        let f = if f.contains("分之") || f.contains("份") { f.to_string() } else { f.replacen('分', "分之", 1) };
        let (fv, b) = parse_number_approx(&f)?;
        let v = wv.to_f64() + fv;
        return Some((if neg { -v } else { v }, a || b));
    }
    let s = s.strip_prefix('第').unwrap_or(s);
    let s = s.strip_suffix(['个', '個']).unwrap_or(s);
    if s.is_empty() {
        return None;
    }
    if matches!(s, "半" | "一半" | "1半" | "一半半") {
        return Some((0.5, false));
    }
    // Fractions: "三分之一" (denominator first), "二份一", "1/3". (Each
    // separator is looked for only when a character of one is there: a
    // substring search costs more than the rest of a plain number.)
    let separators: &[&str] = if s.contains(['分', '份', '/']) { &["分之", "份之", "份", "/"] } else { &[] };
    for &sep in separators {
        if let Some((a, b)) = s.split_once(sep) {
            let (a, b) = if sep == "/" { (b, a) } else { (a, b) };
            let (den, x) = parse_dec(a)?;
            let (num, y) = parse_dec(b)?;
            if den.is_zero() {
                return None;
            }
            return Some((num.to_f64() / den.to_f64(), x || y));
        }
    }
    // Counting words: a pair / a dozen.
    for (suffix, factor) in [("对", 2), ("對", 2), ("双", 2), ("雙", 2), ("打", 12)] {
        if let Some(n) = s.strip_suffix(suffix) {
            let (d, a) = parse_dec(n)?;
            return Some((d.mul_int(factor)?.to_f64(), a));
        }
    }
    let (d, a) = parse_dec(s)?;
    Some((d.to_f64(), a))
}

// ---------------------------------------------------------------------------
// Hedges
// ---------------------------------------------------------------------------

/// Hedging prefixes, longest first so "将近" wins over "近".
const APPROX_PREFIXES: &[&str] = &[
    "大约有", "大概有", "将近", "接近", "大约", "大概", "约合", "约为", "差不多", "超过", "超出", "突破", "不到", "不足",
    "不超过", "不少于", "至少", "最少", "最多", "小于", "大于", "高于", "低于", "少于", "多于", "近", "约", "逾", "超",
    "达约", "起码", "起碼", "上",
];
/// Non-hedging words a rule may leave in front of a number.
const PLAIN_PREFIXES: &[&str] = &["高达", "多达", "共计", "合计", "总计", "总共", "一共", "仅", "只有", "达到", "达", "共", "为", "是"];
const APPROX_SUFFIXES: &[&str] = &["左右", "上下", "以上", "以下", "之多", "开外", "前后", "出头", "多", "余", "来", "许"];

/// The characters the prefixes start with, and those the suffixes end with:
/// a text that starts (ends) with none of them has no hedge to strip, and
/// is spared comparing each word (most value texts).
static PREFIX_STARTS: LazyLock<FewChars> = LazyLock::new(|| FewChars::new(APPROX_PREFIXES.iter().chain(PLAIN_PREFIXES).filter_map(|p| p.chars().next())));
static SUFFIX_ENDS: LazyLock<FewChars> = LazyLock::new(|| FewChars::new(APPROX_SUFFIXES.iter().filter_map(|p| p.chars().next_back())));

/// A few characters, sorted for a binary search, behind a filter by the
/// low byte of the code point: a text's first and last characters are
/// looked up at every value, most are none of them, and the filter's one
/// bit answers for most of those without the search.
struct FewChars {
    filter: CharFilter,
    sorted: Vec<char>,
}

impl FewChars {
    fn new(chars: impl Iterator<Item = char>) -> FewChars {
        let mut sorted: Vec<char> = chars.collect();
        sorted.sort_unstable();
        sorted.dedup();
        FewChars { filter: CharFilter::new(sorted.iter().copied()), sorted }
    }

    #[inline]
    fn contains(&self, c: char) -> bool {
        self.filter.may_contain(c) && self.sorted.binary_search(&c).is_ok()
    }
}

/// `s.trim()`, read off the first and the last byte when neither can be
/// part of a whitespace character: the commonest case, in which `trim`
/// would decode both characters and look a CJK one up in the Unicode
/// tables. (A whitespace character starts with an ASCII blank or 0xC2,
/// 0xE1, 0xE2 or 0xE3, and ends with an ASCII blank, 0x80 to 0x8A, 0x9F,
/// 0xA0, 0xA8, 0xA9 or 0xAF; a CJK ideograph starts with none of those.)
#[inline]
fn trim(s: &str) -> &str {
    let may_start_blank = |b: u8| matches!(b, b'\t'..=b'\r' | b' ' | 0xC2 | 0xE1..=0xE3);
    let may_end_blank = |b: u8| matches!(b, b'\t'..=b'\r' | b' ' | 0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF);
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&first), Some(&last)) if !may_start_blank(first) && !may_end_blank(last) => s,
        _ => s.trim(),
    }
}

/// Strip hedges around a value text; returns the core and whether any hedge was seen.
/// "上" only counts before 百/千/万/亿 ("上千人"), where it means "about one".
pub fn strip_approx(s: &str) -> (&str, bool) {
    let mut s = trim(s);
    let mut approx = false;
    if !s.starts_with(|c: char| c.is_ascii()) {
        loop {
            let Some(first) = s.chars().next().filter(|&c| PREFIX_STARTS.contains(c)) else { break };
            let mut changed = false;
            for p in APPROX_PREFIXES.iter().filter(|p| p.starts_with(first)) {
                if let Some(rest) = s.strip_prefix(p) {
                    if *p == "上" && !rest.starts_with(['百', '千', '万', '亿', '萬', '億']) {
                        continue;
                    }
                    s = rest.trim_start();
                    approx = true;
                    changed = true;
                    break;
                }
            }
            // (Only a word that starts with the text's first character can
            // be stripped: the others are not compared. A hedge stripped
            // above changed it.)
            let first = s.chars().next();
            for p in PLAIN_PREFIXES.iter().filter(|p| first.is_some_and(|c| p.starts_with(c))) {
                if let Some(rest) = s.strip_prefix(p) {
                    if rest.starts_with(|c: char| c.is_ascii_digit() || is_number_char(c) || APPROX_PREFIXES.iter().any(|a| rest.starts_with(a))) {
                        s = rest.trim_start();
                        changed = true;
                        break;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }
    loop {
        let Some(last) = s.chars().next_back().filter(|&c| SUFFIX_ENDS.contains(c)) else { break };
        let mut changed = false;
        for p in APPROX_SUFFIXES.iter().filter(|p| p.ends_with(last)) {
            if let Some(rest) = s.strip_suffix(p) {
                if rest.is_empty() {
                    continue;
                }
                s = rest.trim_end();
                approx = true;
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    (s, approx)
}

/// Split "645家" into the number 645 (and whether it was vague) and the
/// unit "家": the longest prefix made of number characters that still
/// parses as a number. (The number is returned parsed: a text of number
/// characters alone reads the same by [`parse_dec`] as by
/// [`parse_number_approx`], whose other forms need characters that are
/// not number characters, so parsing it once is enough.)
fn split_number_unit(s: &str) -> Option<((Dec, bool), &str)> {
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if is_number_char(c) || c.is_ascii_digit() || ((c == ',' || c == '.') && i > 0) {
            end = i + c.len_utf8();
        } else if c.is_whitespace() && end > 0 {
            continue;
        } else {
            break;
        }
    }
    // Back off until the prefix parses ("5千米": 千 belongs to the unit).
    let mut cut = end;
    while cut > 0 {
        let (num, unit) = s.split_at(cut);
        let parsed = parse_dec(num).filter(|_| !(unit.starts_with(['米', '克', '瓦', '卡', '伏']) && num.ends_with(['千', '百']) && cut != end));
        if let Some(parsed) = parsed {
            if num.ends_with('千') && unit.starts_with(['米', '克', '瓦', '卡', '伏']) && num.chars().count() > 1 {
                // "5千米" is 5 km, "10万千瓦" is 100000 kW.
                let n2 = &num[..num.len() - '千'.len_utf8()];
                if let Some(parsed) = parse_dec(n2) {
                    return Some((parsed, &s[n2.len()..]));
                }
            }
            return Some((parsed, unit));
        }
        cut = s[..cut].char_indices().last().map(|(i, _)| i).unwrap_or(0);
    }
    None
}

// ---------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------

/// Currency words and their ISO codes, longest first. Words ending in 元 are
/// listed explicitly so "美元" is not read as "美" + 元.
const CURRENCIES: &[(&str, &str)] = &[
    ("新加坡元", "SGD"),
    ("瑞士法郎", "CHF"),
    ("新台币", "TWD"),
    ("新台幣", "TWD"),
    ("人民币", "CNY"),
    ("人民幣", "CNY"),
    ("港币", "HKD"),
    ("港幣", "HKD"),
    ("港元", "HKD"),
    ("港圆", "HKD"),
    ("美元", "USD"),
    ("美圆", "USD"),
    ("美金", "USD"),
    ("欧元", "EUR"),
    ("歐元", "EUR"),
    ("日元", "JPY"),
    ("日圆", "JPY"),
    ("日币", "JPY"),
    ("日幣", "JPY"),
    ("英镑", "GBP"),
    ("英鎊", "GBP"),
    ("台币", "TWD"),
    ("台幣", "TWD"),
    ("韩元", "KRW"),
    ("韓元", "KRW"),
    ("泰铢", "THB"),
    ("卢布", "RUB"),
    ("澳元", "AUD"),
    ("加元", "CAD"),
    ("卢比", "INR"),
    ("奈拉", "NGN"),
    ("法郎", "CHF"),
    ("RMB", "CNY"),
    ("HK$", "HKD"),
    ("US$", "USD"),
    ("NT$", "TWD"),
    ("CNY", "CNY"),
    ("USD", "USD"),
    ("HKD", "HKD"),
    ("EUR", "EUR"),
    ("JPY", "JPY"),
    ("GBP", "GBP"),
    ("￥", "CNY"),
    ("¥", "CNY"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
];

/// The currency words by the character they start with, and by the one
/// they end with: only the words a text can start (end) with are compared
/// with it (most amounts end with 元, which ends ten words, not all 47).
static CURRENCIES_BY_FIRST: LazyLock<CurrenciesByChar> = LazyLock::new(|| CurrenciesByChar::new(|w| w.chars().next()));
static CURRENCIES_BY_LAST: LazyLock<CurrenciesByChar> = LazyLock::new(|| CurrenciesByChar::new(|w| w.chars().next_back()));

/// Currency words grouped by a character of theirs, sorted by it, each
/// group in the order of [`CURRENCIES`] (longest first).
struct CurrenciesByChar(Vec<(char, Vec<(&'static str, &'static str)>)>);

impl CurrenciesByChar {
    fn new(key: impl Fn(&str) -> Option<char>) -> CurrenciesByChar {
        let mut groups: Vec<(char, Vec<(&'static str, &'static str)>)> = Vec::new();
        for &(word, iso) in CURRENCIES {
            let c = key(word).expect("currency words are not empty");
            match groups.iter_mut().find(|(k, _)| *k == c) {
                Some((_, group)) => group.push((word, iso)),
                None => groups.push((c, vec![(word, iso)])),
            }
        }
        groups.sort_by_key(|&(c, _)| c);
        CurrenciesByChar(groups)
    }

    /// The words of `c`, in the order of [`CURRENCIES`] (none for `None`).
    fn of(&self, c: Option<char>) -> &[(&'static str, &'static str)] {
        let group = c.and_then(|c| self.0.binary_search_by_key(&c, |&(k, _)| k).ok());
        group.map_or(&[], |i| &self.0[i].1)
    }
}

/// Minor units (jiao / fen) and their scale.
fn minor_unit(c: char) -> Option<i32> {
    match c {
        '角' | '毛' | '毫' => Some(-1),
        '分' | '仙' => Some(-2),
        _ => None,
    }
}

fn is_major_unit(c: char) -> bool {
    matches!(c, '元' | '圆' | '圓' | '块' | '塊' | '蚊' | '个' | '個')
}

/// Parse a money amount: "7.5亿元", "10个亿左右", "接近30亿元", "2000万美元",
/// "100元", "3块5毛", "人民币8千元". A bare "7000多万" has no currency and is
/// rejected here; see [`parse_money_with_default`].
pub fn parse_money(s: &str) -> Option<Value> {
    parse_money_with_default(s, None)
}

/// [`parse_money`] where a number with no currency word at all is read in
/// `currency_default` (the `money_cny_implied` normalizer passes "CNY").
pub fn parse_money_with_default(s: &str, currency_default: Option<&str>) -> Option<Value> {
    // "50万元(含)以上": the inclusive marker carries no value.
    let mut compact = without_whitespace(s);
    // (Each replace copies the text: most amounts have no 含.)
    if holds(&compact, '含') {
        compact = std::borrow::Cow::Owned(compact.replace("(含)", "").replace("（含）", ""));
    }
    let (mut core, mut approx) = strip_approx(&compact);
    let mut currency: Option<&str> = None;
    // Prefix currency: "人民币50元", "港币3.14", "$20". (Most amounts
    // start with a digit, which starts no currency word: none is compared.)
    let currencies = CURRENCIES_BY_FIRST.of(core.chars().next());
    for (w, iso) in currencies {
        if let Some(rest) = core.strip_prefix(w) {
            currency = Some(iso);
            core = rest;
            break;
        }
    }
    let (c2, a2) = strip_approx(core);
    core = c2;
    approx |= a2;
    core = core.trim_end_matches(['整', '正', '钱', '錢']);
    // Suffix currency: "2000万美元", "8亿元人民币", "三万元欧元".
    let currencies = CURRENCIES_BY_LAST.of(core.chars().next_back());
    for (w, iso) in currencies {
        if let Some(rest) = core.strip_suffix(w) {
            if rest.is_empty() {
                continue;
            }
            currency = Some(iso);
            core = rest.trim_end_matches(['元', '圆']);
            if core.len() != rest.len() {
                core = rest.strip_suffix(['元', '圆']).unwrap_or(rest);
            }
            break;
        }
    }
    core = core.trim_end_matches(['整', '正', '钱', '錢']);
    let (c3, a3) = strip_approx(core);
    core = c3;
    approx |= a3;
    // "10个亿", "两个亿": 个 before 万/亿 is only a counter.
    let owned;
    if core.contains(['个', '個']) && (core.contains("个亿") || core.contains("个万") || core.contains("個億") || core.contains("個萬")) {
        owned = core.replace("个亿", "亿").replace("个万", "万").replace("個億", "億").replace("個萬", "萬");
        core = &owned;
    }
    let (major_txt, minor_txt, had_major_unit) = match core.char_indices().find(|(_, c)| is_major_unit(*c)) {
        Some((i, c)) => (&core[..i], &core[i + c.len_utf8()..], true),
        None => match core.char_indices().find(|(_, c)| minor_unit(*c).is_some()) {
            // "两毛五", "叁角贰分": minor units only.
            Some(_) => ("", core, false),
            None => (core, "", false),
        },
    };
    if major_txt.is_empty() && minor_txt.is_empty() {
        return None;
    }
    let mut amount = Dec::ZERO;
    if !major_txt.is_empty() {
        let (d, a) = parse_dec(major_txt)?;
        amount = d;
        approx |= a;
    } else if had_major_unit && !minor_txt.is_empty() {
        // "个半" / "个九": Cantonese 个 with an implied one.
        amount = Dec::int(1);
    } else if had_major_unit {
        return None;
    }
    if !minor_txt.is_empty() {
        let (m, a) = parse_minor(minor_txt, if had_major_unit { 0 } else { i32::MIN })?;
        amount = amount.checked_add(m)?;
        approx |= a;
    }
    let currency = match currency {
        Some(c) => c,
        None if had_major_unit || !minor_txt.is_empty() => "CNY",
        None => currency_default?,
    };
    Some(Value::Money { amount: amount.to_f64(), currency: currency.to_string(), approx })
}

/// Minor part after the major unit: "5毛", "三毛", "6角三分", "二" (= 2角
/// after 块), "零四" (= 4分), "半" (= 5角). `after` is the scale of the
/// previous unit (0 for 元, i32::MIN when there was none).
fn parse_minor(s: &str, after: i32) -> Option<(Dec, bool)> {
    let mut total = Dec::ZERO;
    let mut last = after;
    let mut zero = false;
    let mut rest = s;
    let mut approx = false;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(['零', '〇', '0']) {
            zero = true;
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix('半') {
            total = total.checked_add(Dec { m: 5, e: -1 })?;
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix('又') {
            rest = r;
            continue;
        }
        // Next number up to a minor unit (or the end).
        let end = rest.char_indices().find(|(_, c)| minor_unit(*c).is_some() || *c == '美').map(|(i, _)| i).unwrap_or(rest.len());
        let (num, tail) = rest.split_at(end);
        let (d, a) = parse_dec(num)?;
        approx |= a;
        let tail = tail.strip_prefix('美').unwrap_or(tail); // "三美分"
        let scale = match tail.chars().next() {
            Some(c) => {
                rest = &tail[c.len_utf8()..];
                minor_unit(c)?
            }
            None => {
                rest = tail;
                // Abbreviated: one step below the previous unit, or 分 after 零.
                if zero {
                    -2
                } else if last == i32::MIN {
                    return None;
                } else {
                    last - 1
                }
            }
        };
        if scale < -2 {
            return None;
        }
        total = total.checked_add(d.shift(scale))?;
        last = scale;
        zero = false;
    }
    Some((total, approx))
}

// ---------------------------------------------------------------------------
// Percent
// ---------------------------------------------------------------------------

/// Parse a percent: "19%", "百分之五十", "千分之2.4", "1/3", "五成", "三成半",
/// "75折", "对折", "六个百分点", "近50%".
pub fn parse_percent(s: &str) -> Option<Value> {
    let compact = without_whitespace(s);
    let (core, mut approx) = strip_approx(&compact);
    let (neg, core) = match core.strip_prefix(['负', '負', '-', '−', '－']) {
        Some(r) => (true, r),
        None => (false, core),
    };
    let mut num = |t: &str| -> Option<f64> {
        let (v, a) = parse_number_approx(t)?;
        approx |= a;
        Some(v)
    };
    let fraction = if let Some((den, n)) = core.split_once("分之") {
        // 百分之, 千分之, 万分之, 百万分之 …: the denominator is a number too.
        let d = parse_dec(den).or_else(|| parse_dec(&format!("一{den}")))?.0.to_f64();
        num(n)? / d
    } else if let Some(n) = core.strip_suffix(['%', '％']) {
        num(n)? / 100.0
    } else if let Some(n) = core.strip_suffix('‰') {
        num(n)? / 1000.0
    } else if let Some(n) = core.strip_suffix("个百分点").or_else(|| core.strip_suffix("百分点")) {
        num(n)? / 100.0
    } else if let Some((a, b)) = core.split_once('成') {
        // 三成 = 30%, 三成半 = 35%, 七成六 = 76%, 半成 = 5%.
        let tens = if a == "半" { 0.5 } else { num(a)? };
        let ones = match b {
            "" => 0.0,
            "半" => 5.0,
            _ => num(b)?,
        };
        if ones >= 10.0 {
            return None;
        }
        (tens + ones / 10.0) / 10.0
    } else if let Some(a) = core.strip_suffix('折') {
        // 八折 = 80%, 75折 / 七五折 = 75%, 8.5折 = 85%, 对折 / 半折 = 50%.
        match a {
            "对" | "對" | "半" => 0.5,
            _ => {
                // "七五折" is two digits; "十折" is no discount at all.
                if a.contains(['十', '拾']) {
                    return None;
                }
                let v = num(a)?;
                let v = if v >= 10.0 { v / 100.0 } else { v / 10.0 };
                if v <= 0.0 || v >= 1.0 {
                    return None;
                }
                v
            }
        }
    } else if core.contains('/') {
        num(core)?
    } else {
        return None;
    };
    let fraction = if neg { -fraction } else { fraction };
    Some(Value::Percent { fraction, approx })
}

// ---------------------------------------------------------------------------
// Quantity
// ---------------------------------------------------------------------------

/// Parse a quantity: "645家", "6万人", "近6万人", "将近50倍", "三平方公里",
/// "五个城市", "十几位", "两个小时", "不到两周", "接近上千人", "五大".
/// The unit is kept as written, except that a counter 个 before a time unit is
/// dropped ("两个小时" → 小时, "三个月" → 月) so durations share one unit.
pub fn parse_quantity(s: &str) -> Option<Value> {
    let compact = without_whitespace(s);
    let (core, mut approx) = strip_approx(&compact);
    let ((number, a), unit) = split_number_unit(core)?;
    let amount = number.to_f64();
    approx |= a;
    let (unit, a) = strip_approx_unit(unit);
    approx |= a;
    if unit.is_empty() {
        return None;
    }
    let unit = match unit.strip_prefix(['个', '個']) {
        Some(u) if matches!(u, "小时" | "月" | "星期" | "礼拜" | "钟头" | "工作日" | "季度") => u,
        _ => unit,
    };
    Some(Value::Quantity { amount, unit: unit.to_string(), approx })
}

/// Hedges written between number and unit or after the unit: "400多家", "3万人左右".
fn strip_approx_unit(u: &str) -> (&str, bool) {
    let mut u = u;
    let mut approx = false;
    for p in ["多", "余"] {
        if let Some(r) = u.strip_prefix(p) {
            if !r.is_empty() {
                u = r;
                approx = true;
            }
        }
    }
    for p in ["左右", "上下", "以上", "以下", "之多", "开外", "出头", "多"] {
        if let Some(r) = u.strip_suffix(p) {
            if !r.is_empty() {
                u = r;
                approx = true;
            }
        }
    }
    (u, approx)
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// How a date expression names its year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearRef {
    /// No year written ("7月", "23日").
    None,
    /// Written out: "2013年", "二〇一三年", "98年".
    Explicit(i32),
    /// Relative to the document year: 今年 0, 去年 -1, 前年 -2, 明年 +1.
    Document(i32),
    /// Relative to the previous explicit year in the text: 那年/当年/同年 0, 次年 +1.
    Previous(i32),
}

/// An unresolved date expression, the output of [`parse_date`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateExpr {
    pub year: YearRef,
    pub month: Option<u32>,
    pub day: Option<u32>,
    /// End of a range within the same year: (month, day).
    pub end: Option<(Option<u32>, Option<u32>)>,
    /// 每年10月: a month that recurs every year.
    pub recurring: bool,
    /// 去年同期: "the same period" of an earlier year.
    pub same_period: bool,
}

/// What a date needs from the document to resolve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateContext {
    /// The year the document was written (for 今年/去年).
    pub document_year: Option<i32>,
    /// The nearest explicit year mentioned before this expression (for 那年 and bare months).
    pub previous_year: Option<i32>,
    /// The month of the nearest earlier date mention (for a bare "23日").
    pub previous_month: Option<u32>,
    /// The months of the nearest earlier date mention that names months
    /// (2015年1-9月 → (1, 9)), for 去年同期 / 同一时期.
    pub previous_months: Option<(u32, u32)>,
}

impl DateExpr {
    pub fn explicit_year(&self) -> Option<i32> {
        match self.year {
            YearRef::Explicit(y) => Some(y),
            _ => None,
        }
    }

    pub fn month(&self) -> Option<u32> {
        self.month
    }

    /// The year this expression refers to once resolved, if any; the engine
    /// can feed it forward as the next mention's `previous_year`.
    pub fn year_in(&self, ctx: &DateContext) -> Option<i32> {
        match self.year {
            YearRef::Explicit(y) => Some(y),
            YearRef::Document(k) => ctx.document_year.map(|y| y + k),
            YearRef::Previous(k) => ctx.previous_year.map(|y| y + k),
            YearRef::None if self.recurring => None,
            YearRef::None => ctx.previous_year,
        }
    }

    pub fn resolve(&self, ctx: &DateContext) -> Option<DateValue> {
        if self.recurring {
            let m = self.month?;
            let mut iso = String::from("-");
            for part in std::iter::once(m).chain(self.day) {
                iso.push('-');
                push_padded(&mut iso, part, 2);
            }
            return Some(DateValue { iso });
        }
        let y = self.year_in(ctx)?;
        if !(1..=9999).contains(&y) {
            return None;
        }
        if self.same_period {
            // The same months as the previous dated period, in this year;
            // without one, the whole year.
            return Some(DateValue {
                iso: match ctx.previous_months {
                    Some((a, b)) if a == b => iso_date(y, &[a]),
                    Some((a, b)) => format!("{}/{}", iso_date(y, &[a]), iso_date(y, &[b])),
                    None => iso_date(y, &[]),
                },
            });
        }
        // A bare day takes the month from context.
        let month = match (self.month, self.day) {
            (None, Some(_)) => Some(ctx.previous_month?),
            (m, _) => m,
        };
        let point = |m: Option<u32>, d: Option<u32>| -> Option<String> {
            Some(match (m, d) {
                (None, None) => iso_date(y, &[]),
                (Some(m), None) => iso_date(y, &[m]),
                (Some(m), Some(d)) => {
                    if d > days_in_month(y, m) {
                        return None;
                    }
                    iso_date(y, &[m, d])
                }
                (None, Some(_)) => return None,
            })
        };
        let start = point(month, self.day)?;
        let iso = match self.end {
            None => start,
            Some((em, ed)) => {
                // "1月23日至25日": the end inherits the start's month.
                let em = em.or(if ed.is_some() { month } else { None });
                let end = point(em, ed)?;
                if end < start {
                    return None;
                }
                format!("{start}/{end}")
            }
        };
        Some(DateValue { iso })
    }
}

/// `YYYY`, then `-MM` for each of `parts` (a month, a day), as
/// `format!("{y:04}-{m:02}-{d:02}")` writes them for a year of 1 to 9999:
/// every date mention is resolved, and `format!` cost several times as
/// much as writing the digits.
fn iso_date(year: i32, parts: &[u32]) -> String {
    let mut iso = String::with_capacity(10);
    push_padded(&mut iso, year.unsigned_abs(), 4);
    for &part in parts {
        iso.push('-');
        push_padded(&mut iso, part, 2);
    }
    iso
}

/// Append the decimal digits of `n`, with leading zeros up to `width`
/// digits (`format!("{n:0width$}")`).
fn push_padded(out: &mut String, n: u32, width: usize) {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(n);
    (digits.len()..width).for_each(|_| out.push('0'));
    out.push_str(digits);
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

static NUMERIC_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})\s*[-./]\s*(\d{1,2})(?:\s*[-./]\s*(\d{1,2}))?[日号]?$").unwrap());
fn small_int(s: &str) -> Option<u32> {
    if s == "正" {
        return Some(1);
    }
    let (d, a) = parse_dec(s)?;
    if a || d.m < 0 {
        return None;
    }
    u32::try_from(d.to_integer()?).ok()
}

/// Parse a date expression (see the module docs for the forms). Returns
/// `None` for text that is not a calendar date we can model, such as
/// "80后" (a generation) or "2018财年第二季度" (a fiscal calendar).
pub fn parse_date(s: &str) -> Option<DateExpr> {
    let s = trim(s);
    // Each regex below needs a character most date texts lack: the
    // searches are skipped when it is absent.
    // (Looked for byte by byte: these are ASCII, and a search for any of
    // several characters decodes every character.)
    if let Some(c) = s.bytes().any(|b| matches!(b, b'-' | b'.' | b'/')).then(|| NUMERIC_DATE.captures(s)).flatten() {
        let y: i32 = c[1].parse().ok()?;
        let m = small_int(&c[2])?;
        let d = c.get(3).map(|d| d.as_str().parse().ok()).unwrap_or(Some(0))?;
        if !(1..=12).contains(&m) || d > 31 {
            return None;
        }
        return Some(DateExpr {
            year: YearRef::Explicit(y),
            month: Some(m),
            day: if d == 0 { None } else { Some(d) },
            end: None,
            recurring: false,
            same_period: false,
        });
    }
    let mut e = DateExpr { year: YearRef::None, month: None, day: None, end: None, recurring: false, same_period: false };
    let mut rest = s;
    for p in ["每年的", "每年", "每到", "每逢"] {
        if let Some(r) = rest.strip_prefix(p) {
            e.recurring = true;
            rest = r.trim_start();
            break;
        }
    }
    // Year.
    const REL: &[(&str, YearRef)] = &[
        ("今年", YearRef::Document(0)),
        ("本年", YearRef::Document(0)),
        ("去年", YearRef::Document(-1)),
        ("上年", YearRef::Document(-1)),
        ("前年", YearRef::Document(-2)),
        ("明年", YearRef::Document(1)),
        ("来年", YearRef::Document(1)),
        ("后年", YearRef::Document(2)),
        ("那年", YearRef::Previous(0)),
        ("那一年", YearRef::Previous(0)),
        ("当年", YearRef::Previous(0)),
        ("同年", YearRef::Previous(0)),
        ("该年", YearRef::Previous(0)),
        ("次年", YearRef::Previous(1)),
        ("翌年", YearRef::Previous(1)),
        ("第二年", YearRef::Previous(1)),
    ];
    if !e.recurring {
        if let Some(year) = holds(rest, '年').then(|| date_fields::year(rest)).flatten() {
            let t = year.groups[0]?;
            let y = if t.chars().all(|c| c.is_ascii_digit()) {
                t.parse::<i32>().ok()?
            } else {
                i32::try_from(with_tokens(t, |toks, _| digit_sequence(toks))?.m).ok()?
            };
            let y = match t.chars().count() {
                // Two-digit years: "98年" → 1998, "13年" → 2013.
                2 => {
                    if y < 50 {
                        2000 + y
                    } else {
                        1900 + y
                    }
                }
                4 => y,
                _ => return None,
            };
            e.year = YearRef::Explicit(y);
            rest = &rest[year.end..];
        } else {
            for (w, r) in REL {
                if let Some(x) = rest.strip_prefix(w) {
                    e.year = *r;
                    rest = x;
                    break;
                }
            }
        }
        if let Some(x) = rest.strip_prefix("同期").or_else(|| rest.strip_prefix("同一时期")) {
            if e.year == YearRef::None {
                return None;
            }
            e.same_period = true;
            rest = x;
        }
    }
    rest = rest.trim_start();
    // Half years, quarters, year start/end.
    let period: Option<(u32, u32)> = [
        ("上半年", (1, 6)),
        ("下半年", (7, 12)),
        ("前三季度", (1, 9)),
        ("年初", (1, 1)),
        ("初", (1, 1)),
        ("年底", (12, 12)),
        ("年末", (12, 12)),
        ("底", (12, 12)),
        ("末", (12, 12)),
    ]
    .iter()
    .find_map(|(w, p)| rest.strip_prefix(w).map(|x| (x, *p)))
    .map(|(x, p)| {
        rest = x;
        p
    })
    .or_else(|| {
        let r = rest.strip_prefix('第').unwrap_or(rest);
        let c0 = r.chars().next()?;
        let q = match c0 {
            '一' | '1' => 1,
            '二' | '2' => 2,
            '三' | '3' => 3,
            '四' | '4' => 4,
            _ => return None,
        };
        let r = &r[c0.len_utf8()..];
        let x = r.strip_prefix("季度").or_else(|| r.strip_prefix('季'))?;
        rest = x;
        Some((q * 3 - 2, q * 3))
    });
    if let Some((a, b)) = period {
        if e.recurring {
            return None;
        }
        e.month = Some(a);
        if a != b {
            e.end = Some((Some(b), None));
        }
    } else {
        // The regex makes 月 optional only to allow "1-9月"; a bare number
        // is not a month (so a text without 月 is spared the search).
        if let Some(month) = holds(rest, '月').then(|| date_fields::month(rest)).flatten() {
            let whole = &rest[..month.end];
            if holds(whole, '月') {
                let m = small_int(month.groups[0]?)?;
                if !(1..=12).contains(&m) {
                    return None;
                }
                e.month = Some(m);
                if let Some(m2) = month.groups[1] {
                    let m2 = small_int(m2)?;
                    if !(1..=12).contains(&m2) || m2 < m {
                        return None;
                    }
                    e.end = Some((Some(m2), None));
                }
                rest = &rest[whole.len()..];
            }
        }
        if e.end.is_none() {
            if let Some(day) = rest.contains(['日', '号', '號']).then(|| date_fields::day(rest)).flatten() {
                let d = small_int(day.groups[0]?)?;
                if !(1..=31).contains(&d) {
                    return None;
                }
                e.day = Some(d);
                if let Some(d2) = day.groups[2] {
                    let m2 = match day.groups[1] {
                        Some(m2) => Some(small_int(m2)?),
                        None => None,
                    };
                    e.end = Some((m2, Some(small_int(d2)?)));
                }
                rest = &rest[day.end..];
            }
        }
    }
    let rest = trim(rest);
    let rest = rest.strip_suffix("以来").unwrap_or(rest);
    if !rest.is_empty() {
        return None;
    }
    if e.year == YearRef::None && e.month.is_none() && e.day.is_none() {
        return None;
    }
    if e.recurring && e.month.is_none() {
        return None;
    }
    Some(e)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_holds_a_character_exactly_when_str_contains_says_so() {
        // (Characters whose last bytes are those of 年, E5 B9 B4: 繴 E7 B9 B4, ´ C2 B4.)
        let alphabet = ['年', '月', '日', '含', '1', 'a', '号', '繴', '´', '𠀀', '\u{3000}', 'é'];
        let mut next = crate::test_random::xorshift32(0x5eed_da7e);
        for len in 0..600 {
            let text: String = crate::test_random::random_text(&alphabet, len % 13, &mut next);
            for c in alphabet.iter().copied().chain(['b', '\u{5e73}']) {
                assert_eq!(holds(&text, c), text.contains(c), "{c:?} in {text:?}");
            }
        }
    }

    #[test]
    fn an_amount_is_compared_with_the_currency_words_it_can_start_or_end_with() {
        let chars: Vec<char> = CURRENCIES.iter().flat_map(|(w, _)| w.chars()).chain(['5', '万', '亿', '块', 'x']).collect();
        for c in chars.into_iter().map(Some).chain([None]) {
            let starting: Vec<_> = CURRENCIES.iter().copied().filter(|(w, _)| c.is_some_and(|c| w.starts_with(c))).collect();
            let ending: Vec<_> = CURRENCIES.iter().copied().filter(|(w, _)| c.is_some_and(|c| w.ends_with(c))).collect();
            assert_eq!(CURRENCIES_BY_FIRST.of(c), starting, "{c:?}");
            assert_eq!(CURRENCIES_BY_LAST.of(c), ending, "{c:?}");
        }
    }

    #[test]
    fn trimming_reads_as_str_trim_reads() {
        // Every whitespace character starts and ends with a byte the
        // shortcut leaves to `str::trim`.
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|c| c.is_whitespace()) {
            for text in [format!("{c}年"), format!("5{c}"), c.to_string()] {
                assert_eq!(trim(&text), text.trim(), "{c:?}");
            }
        }
        let alphabet = ['5', '年', '万', '〇', '—', '‰', '　', ' ', '\t', '\u{a0}', '\u{85}', '\u{2009}', '\u{205f}', '\u{1680}', 'é', '点', '\u{3001}'];
        let mut next = crate::test_random::xorshift32(0x5eed_7215);
        for len in 0..3000 {
            let text: String = crate::test_random::random_text(&alphabet, len % 7, &mut next);
            assert_eq!(trim(&text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn the_hedge_characters_are_found_as_a_search_of_their_list_finds_them() {
        let words = APPROX_PREFIXES.iter().chain(PLAIN_PREFIXES).chain(APPROX_SUFFIXES);
        let listed: Vec<char> = words.flat_map(|w| w.chars()).collect();
        for c in (0..=0x3_0000).filter_map(char::from_u32) {
            assert_eq!(PREFIX_STARTS.contains(c), PREFIX_STARTS.sorted.contains(&c), "{c:?}");
            assert_eq!(SUFFIX_ENDS.contains(c), SUFFIX_ENDS.sorted.contains(&c), "{c:?}");
        }
        assert!(listed.iter().all(|&c| PREFIX_STARTS.contains(c) == APPROX_PREFIXES.iter().chain(PLAIN_PREFIXES).any(|w| w.starts_with(c))));
        assert!(listed.iter().all(|&c| SUFFIX_ENDS.contains(c) == APPROX_SUFFIXES.iter().any(|w| w.ends_with(c))));
    }

    fn fmt_num(x: f64) -> String {
        let mut text = String::new();
        push_num(&mut text, x);
        text
    }

    #[test]
    fn integers_print_as_display_prints_them() {
        let mut next = crate::test_random::xorshift64(0x0bad_5eed_1234_4321);
        let mut samples = vec![0, 1, -1, 9, 10, -10, i64::MAX, i64::MIN];
        samples.extend((0..2000).map(|_| (next() >> (next() % 64)) as i64));
        for n in samples {
            let mut text = String::from("x");
            push_integer(&mut text, n);
            assert_eq!(text, format!("x{n}"));
        }
    }

    #[test]
    fn iso_dates_are_written_as_format_writes_them() {
        for y in (1..=9999).step_by(7).chain([1, 9, 10, 99, 100, 999, 1000, 9999]) {
            assert_eq!(iso_date(y, &[]), format!("{y:04}"));
            for m in [0, 1, 9, 10, 12, 13, 99, 100, 12345] {
                assert_eq!(iso_date(y, &[m]), format!("{y:04}-{m:02}"));
                for d in [0, 1, 9, 10, 28, 31, 99, 100, u32::MAX] {
                    assert_eq!(iso_date(y, &[m, d]), format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
    }

    #[test]
    fn recurring_dates_and_same_periods_resolve_to_iso_text() {
        let date = |s: &str, ctx: &DateContext| parse_date(s).and_then(|e| e.resolve(ctx)).map(|d| d.iso);
        let ctx = DateContext { document_year: Some(2015), previous_year: Some(2014), previous_month: Some(3), previous_months: Some((1, 9)) };
        assert_eq!(date("每年10月", &ctx).as_deref(), Some("--10"));
        assert_eq!(date("每年3月5日", &ctx).as_deref(), Some("--03-05"));
        assert_eq!(date("去年同期", &ctx).as_deref(), Some("2014-01/2014-09"));
        assert_eq!(date("去年同期", &DateContext { previous_months: Some((4, 4)), ..ctx }).as_deref(), Some("2014-04"));
        assert_eq!(date("去年同期", &DateContext { previous_months: None, ..ctx }).as_deref(), Some("2014"));
        assert_eq!(date("5日", &ctx).as_deref(), Some("2014-03-05"));
        assert_eq!(date("2013年1月23日至25日", &ctx).as_deref(), Some("2013-01-23/2013-01-25"));
    }

    #[test]
    fn a_number_reads_the_same_whatever_was_lexed_before_it() {
        // The lexing buffers are reused from number to number: what a text
        // reads as must not depend on the texts read before it (longer,
        // shorter, failing halfway), so the readings in one order and in
        // the reverse order agree.
        let alphabet = ['1', '0', '5', '.', ',', '一', '二', '零', '十', '百', '千', '万', '亿', '点', '几', '多', '廿', '两', ' ', '人'];
        let mut next = crate::test_random::xorshift32(0x1e55_ed01);
        let mut texts: Vec<String> = ["1,234.5万", "一千零一", "三万五", "八九亿", "廿", "十几", "二〇一三"].map(String::from).to_vec();
        texts.extend((0..3000).map(|n| crate::test_random::random_text::<String, _>(&alphabet, n % 13, &mut next)));
        let forward: Vec<_> = texts.iter().map(|t| parse_dec(t)).collect();
        let mut backward: Vec<_> = texts.iter().rev().map(|t| parse_dec(t)).collect();
        backward.reverse();
        assert_eq!(forward, backward);
        assert!(forward.iter().filter(|r| r.is_some()).count() > 100, "the random texts include numbers");
    }

    #[test]
    fn whole_numbers_print_as_display_prints_them() {
        let mut next = crate::test_random::xorshift64(0x9e37_79b9_7f4a_7c15);
        let mut samples = vec![1.0, -1.0, 7.0, 1e14, 999_999_999_999_999.0, -999_999_999_999_999.0, 148_801_300.0];
        for _ in 0..2000 {
            let digits = next() % 16;
            let whole = (next() % 10u64.pow(digits as u32)) as f64;
            samples.push(if next() % 2 == 0 { whole } else { -whole });
        }
        for x in samples {
            let expected = if x == 0.0 { "0".to_string() } else { format!("{x}") };
            assert_eq!(fmt_num(x), expected, "{x}");
        }
        assert_eq!(fmt_num(0.19), "0.19");
        assert_eq!(fmt_num(1e15), "1000000000000000");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333333333");
    }

    #[test]
    fn number_characters_read_alike_as_a_number_and_as_a_decimal() {
        // split_number_unit parses a quantity's number with parse_dec alone.
        let alphabet: Vec<char> = "0123456789.,一二两三五七八九十百千万亿零〇壹佰仟萬億兆点几数多余来廿卅".chars().collect();
        assert!(alphabet.iter().all(|&c| is_number_char(c)));
        let mut next = crate::test_random::xorshift64(0x5851_f42d_4c95_7f2d);
        let mut texts: Vec<String> = ["3.5万", "1,200", "十几", "两千三百", "7000多", "二〇一三", "5千"].map(String::from).to_vec();
        for _ in 0..20_000 {
            let len = 1 + next() as usize % 8;
            texts.push(crate::test_random::random_text(&alphabet, len, &mut next));
        }
        for text in texts {
            let as_decimal = parse_dec(&text).map(|(d, approx)| (d.to_f64(), approx));
            assert_eq!(as_decimal, parse_number_approx(&text), "{text}");
        }
    }

    #[test]
    fn plain_digits_read_as_their_tokens_would() {
        let mut next = crate::test_random::xorshift64(0x2545_f491_4f6c_dd1d);
        let mut texts: Vec<String> = vec!["0".into(), "00".into(), "07".into(), "2015".into(), "9".repeat(36), "9".repeat(37), "1".repeat(39)];
        for _ in 0..5_000 {
            let len = 1 + next() as usize % 40;
            texts.push((0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect());
        }
        for text in texts {
            assert_eq!(plain_digits(&text).map(|v| (v, false)), parse_lexed(&text), "{text}");
        }
    }

    #[test]
    fn numbers() {
        let cases: &[(&str, f64)] = &[
            ("7.5亿", 750_000_000.0),
            ("14880.13万", 148_801_300.0),
            ("一千二百", 1200.0),
            ("两", 2.0),
            ("十几", 10.0),
            ("3,000", 3000.0),
            ("〇", 0.0),
            ("壹贰叁", 123.0),
            ("1.2万亿", 1.2e12),
            ("三万五", 35000.0),
            ("两万二零三", 22003.0),
            ("一百二十万三", 1_203_000.0),
            ("萬九", 19000.0),
            ("200亿零四千230", 20_000_004_230.0),
            ("一点五万", 15000.0),
            ("零点零一", 0.01),
            ("负一七二零点一", -1720.1),
            ("二分之一", 0.5),
            ("1/4", 0.25),
            ("3千万亿", 3e15),
            ("二十亿零一十万零一百一十二", 2_000_100_112.0),
            ("五打", 60.0),
            ("第十一", 11.0),
        ];
        for (s, want) in cases {
            assert_eq!(parse_number(s), Some(*want), "{s}");
        }
        for bad in ["", "十一十二", "点一", "10.1万零100", "一百你三", "一百一二三", "元"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    fn money(amount: f64, cur: &str, approx: bool) -> Option<Value> {
        Some(Value::Money { amount, currency: cur.into(), approx })
    }

    #[test]
    fn moneys() {
        let cases: &[(&str, Option<Value>)] = &[
            ("7.5亿元", money(750_000_000.0, "CNY", false)),
            ("14880.13万元", money(148_801_300.0, "CNY", false)),
            ("7000多万", None),
            ("10个亿左右", None),
            ("接近30亿元", money(3e9, "CNY", true)),
            ("突破120亿元", money(1.2e10, "CNY", true)),
            ("2000万美元", money(2e7, "USD", false)),
            ("100元", money(100.0, "CNY", false)),
            ("3块5毛", money(3.5, "CNY", false)),
            ("一块二", money(1.2, "CNY", false)),
            ("三块零四", money(3.04, "CNY", false)),
            ("50元6角三分", money(50.63, "CNY", false)),
            ("8亿元人民币", money(8e8, "CNY", false)),
            ("港币两千九百六十元", money(2960.0, "HKD", false)),
            ("两毛五", money(0.25, "CNY", false)),
        ];
        for (s, want) in cases {
            assert_eq!(&parse_money(s), want, "{s}");
        }
        assert_eq!(parse_money_with_default("7000多万", Some("CNY")), money(7e7, "CNY", true));
        assert_eq!(parse_money_with_default("10个亿左右", Some("CNY")), money(1e9, "CNY", true));
        assert_eq!(parse_money_with_default("1000万", Some("CNY")), money(1e7, "CNY", false));
    }

    #[test]
    #[allow(clippy::approx_constant)] // 104.71% is not π/3
    fn percents() {
        let cases: &[(&str, f64, bool)] = &[
            ("19%", 0.19, false),
            ("百分之五十", 0.5, false),
            ("104.71%", 1.0471, false),
            ("五成", 0.5, false),
            ("三成半", 0.35, false),
            ("75折", 0.75, false),
            ("千分之2.4", 0.0024, false),
            ("近50%", 0.5, true),
            ("六个百分点", 0.06, false),
        ];
        for (s, f, a) in cases {
            assert_eq!(parse_percent(s), Some(Value::Percent { fraction: *f, approx: *a }), "{s}");
        }
        let Some(Value::Percent { fraction, .. }) = parse_percent("1/3") else { panic!() };
        assert!((fraction - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(parse_percent("十折"), None);
    }

    #[test]
    fn quantities() {
        let q = |a: f64, u: &str, ap: bool| Some(Value::Quantity { amount: a, unit: u.into(), approx: ap });
        let cases: &[(&str, Option<Value>)] = &[
            ("645家", q(645.0, "家", false)),
            ("6万人", q(60000.0, "人", false)),
            ("3万平米", q(30000.0, "平米", false)),
            ("近6万人", q(60000.0, "人", true)),
            ("将近50倍", q(50.0, "倍", true)),
            ("三平方公里", q(3.0, "平方公里", false)),
            ("五个城市", q(5.0, "个城市", false)),
            ("十几位", q(10.0, "位", true)),
            ("两个小时", q(2.0, "小时", false)),
            ("不到两周", q(2.0, "周", true)),
            ("接近上千人", q(1000.0, "人", true)),
            ("五大", q(5.0, "大", false)),
            ("400多家", q(400.0, "家", true)),
            ("200多天", q(200.0, "天", true)),
            ("5千米", q(5.0, "千米", false)),
            ("几万人", q(10000.0, "人", true)),
        ];
        for (s, want) in cases {
            assert_eq!(&parse_quantity(s), want, "{s}");
        }
    }

    #[test]
    fn dates() {
        let ctx = DateContext { document_year: Some(2017), previous_year: Some(2013), previous_month: Some(1), ..Default::default() };
        let cases: &[(&str, Option<&str>)] = &[
            ("2013年1月23日", Some("2013-01-23")),
            ("2017年", Some("2017")),
            ("2012年8月", Some("2012-08")),
            ("2015年1-9月", Some("2015-01/2015-09")),
            ("2015年1-9月份", Some("2015-01/2015-09")),
            ("2015年1月至9月", Some("2015-01/2015-09")),
            ("2010年上半年", Some("2010-01/2010-06")),
            ("2010年下半年", Some("2010-07/2010-12")),
            ("2015年第二季度", Some("2015-04/2015-06")),
            ("一季度", Some("2013-01/2013-03")),
            ("2017年7月至9月底", Some("2017-07/2017-09")),
            ("今年", Some("2017")),
            ("去年", Some("2016")),
            ("前年", Some("2015")),
            ("那年11月", Some("2013-11")),
            ("7月", Some("2013-07")),
            ("10月份", Some("2013-10")),
            ("七月", Some("2013-07")),
            ("每到10月份", Some("--10")),
            ("每年10月", Some("--10")),
            ("去年同期", Some("2016")),
            ("二〇一三年一月二十三日", Some("2013-01-23")),
            ("2013.1.23", Some("2013-01-23")),
            ("2013-01-23", Some("2013-01-23")),
            ("2013/1/23", Some("2013-01-23")),
            ("1月23日", Some("2013-01-23")),
            ("23日", Some("2013-01-23")),
            ("九零年9月十号", Some("1990-09-10")),
            ("2013年1月23日至2月5日", Some("2013-01-23/2013-02-05")),
            ("2013年2月30日", None),
        ];
        for (s, want) in cases {
            let got = parse_date(s).and_then(|e| e.resolve(&ctx)).map(|d| d.iso);
            assert_eq!(got.as_deref(), *want, "{s}");
        }
        for bad in ["80后", "2018财年第二季度", "2017", "第7.5章"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("23日").unwrap().resolve(&DateContext::default()), None);
    }

    #[test]
    fn float_conversion_is_the_float_parsers() {
        let mut next = crate::test_random::xorshift64(0x1234_5678_9abc_def1);
        for _ in 0..200_000 {
            // Mantissas of every length up to past 2^53, both signs.
            let digits = 1 + next() % 18;
            let m = (next() % 10u64.pow(digits as u32)) as i128 * if next() % 2 == 0 { 1 } else { -1 };
            let e = (next() % 51) as i32 - 25;
            let want: f64 = format!("{m}e{e}").parse().unwrap();
            assert_eq!(Dec { m, e }.to_f64().to_bits(), if m == 0 { 0.0f64.to_bits() } else { want.to_bits() }, "{m}e{e}");
        }
        for m in [(1i128 << 53) - 1, 1 << 53, (1 << 53) + 1, -(1 << 53) + 1] {
            for e in -23..=23 {
                assert_eq!(Dec { m, e }.to_f64(), format!("{m}e{e}").parse::<f64>().unwrap(), "{m}e{e}");
            }
        }
    }

    #[test]
    fn canonical_keys() {
        assert_eq!(parse_money("7.5亿元").unwrap().canonical(), "CNY 750000000");
        assert_eq!(parse_percent("19%").unwrap().canonical(), "0.19");
        assert_eq!(parse_quantity("4000人").unwrap().canonical(), "4000 人");
        assert_eq!(parse_quantity("近6万人").unwrap().canonical(), "~60000 人");
        assert_eq!(parse_percent("1/3").unwrap().canonical(), "0.333333333333");
    }
}
