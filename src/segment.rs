//! Stage 2: split a folded document into sentences and find quotations.
//!
//! A sentence ends at a terminator (。！？ and their ASCII forms, a line
//! break) unless the terminator stands inside a quotation: `他说：“好。走吧。”`
//! is one sentence, so a quotation and its speaker stay together. A closing
//! quote or bracket right after a terminator belongs to the sentence it
//! closes. A quotation that never closes within `max_quote_chars` is not
//! treated as one (an unbalanced quote must not swallow the article).
//!
//! A sentence longer than [`MAX_SENTENCE_CHARS`] (a table or a page with no
//! punctuation) is cut into pieces of at most that length, so that relation
//! matching, which costs more than linear time in a sentence's length,
//! stays bounded (docs/robustness.md).

use crate::chars::CharFilterOf;
use crate::model::Span;
use crate::normalize::Folded;
use crate::rules::SegmentRules;

/// Sentences and quotations of one document, in character offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Segmented {
    pub sentences: Vec<Span>,
    /// The quoted words, without the quote marks.
    pub quotes: Vec<Span>,
}

/// The longest sentence; longer runs are cut into pieces of this length.
pub const MAX_SENTENCE_CHARS: usize = 1000;

pub fn split(folded: &Folded, rules: &SegmentRules) -> Segmented {
    split_at_marks(folded, &marks(folded.as_chars(), rules), rules)
}

/// [`split`], given the offsets of the characters of `folded` that are
/// among [`mark_chars`], in order (which folding can find as it goes: see
/// `normalize::FoldTable`).
pub fn split_at_marks(folded: &Folded, marks: &[u32], rules: &SegmentRules) -> Segmented {
    let chars = folded.as_chars();
    let quotes = find_quotes(chars, marks, rules);
    let mut quotes_left = quotes.iter().peekable();
    let mut sentences = Vec::new();
    let mut start = 0;
    // Where the search for the next sentence end resumes: the end of the
    // last sentence, past terminators and closers that may be marks too.
    let mut next = 0;
    for &i in marks {
        let i = i as usize;
        let c = chars[i];
        let is_break = c == '\n' || c == '\r';
        if i < next {
            continue;
        }
        // Quotes are in order and do not overlap: drop those that end
        // before `i`, and the next one tells whether `i` is inside.
        while quotes_left.next_if(|q| q.end <= i).is_some() {}
        let inside_quote = quotes_left.peek().is_some_and(|q| q.start <= i);
        let is_terminator = rules.terminators.contains(&c) && !inside_quote;
        if !(is_break || is_terminator) {
            continue;
        }
        let mut end = i + 1;
        if is_terminator {
            // Runs of terminators (？！, ……) and the closers that follow
            // them stay with the sentence.
            while end < chars.len() && (rules.terminators.contains(&chars[end]) || rules.closers.contains(&chars[end])) {
                end += 1;
            }
        }
        push_trimmed(chars, start, if is_break { i } else { end }, &mut sentences);
        start = end;
        next = end;
    }
    push_trimmed(chars, start, chars.len(), &mut sentences);
    Segmented { sentences, quotes }
}

/// Every character that can end a sentence or open or close a quotation.
pub fn mark_chars(rules: &SegmentRules) -> Vec<char> {
    let quote_marks = rules.quote_pairs.iter().flat_map(|&(open, close)| [open, close]);
    rules.terminators.iter().copied().chain(['\n', '\r']).chain(quote_marks).collect()
}

/// The positions of every [`mark_chars`] character, in order: the one scan
/// of the document's characters. Both passes then visit these few positions
/// only (a sentence holds a handful), where each used to test every
/// character against its own set.
///
/// The filter has a bit per value of the low twelve bits (512 bytes, cleared
/// per document for less than a character's worth of work each; an exact
/// table of the Basic Multilingual Plane cost more to clear than it saved):
/// it lets about one character of Chinese text in three hundred that is
/// not a mark through to the search of the set, where a filter by the low
/// byte let one in twenty through.
fn marks(chars: &[char], rules: &SegmentRules) -> Vec<u32> {
    let set = mark_chars(rules);
    let filter = CharFilterOf::<64>::new(set.iter().copied());
    let mut marks = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if filter.may_contain(c) && set.contains(&c) {
            marks.push(i as u32);
        }
    }
    marks
}

fn push_trimmed(chars: &[char], mut start: usize, mut end: usize, out: &mut Vec<Span>) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    while start < end {
        let piece_end = end.min(start + MAX_SENTENCE_CHARS);
        out.push(Span::new(start, piece_end));
        start = piece_end;
    }
}

/// Balanced quotation marks on one line, outermost pairs only. A quotation
/// opens at an opening mark and closes at the first matching closing mark
/// within `max_quote_chars`, unless a line ends first; the search for the
/// next one resumes after its closing mark (or after an opening mark that
/// found none). Line breaks and quotation marks are all among `marks`.
fn find_quotes(chars: &[char], marks: &[u32], rules: &SegmentRules) -> Vec<Span> {
    let mut quotes = Vec::new();
    let mut k = 0;
    while k < marks.len() {
        let i = marks[k] as usize;
        k += 1;
        let Some(&(_, close)) = rules.quote_pairs.iter().find(|(open, _)| *open == chars[i]) else {
            continue;
        };
        let limit = (i + 1 + rules.max_quote_chars).min(chars.len());
        let found = marks[k..].iter().map(|&j| j as usize).position(|j| j >= limit || chars[j] == '\n' || chars[j] == close);
        if let Some(offset) = found {
            let j = marks[k + offset] as usize;
            if j < limit && chars[j] == close {
                if j > i + 1 {
                    quotes.push(Span::new(i + 1, j));
                }
                k += offset + 1;
            }
        }
    }
    quotes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::FoldTable;
    use crate::rules::RuleSet;

    fn sentences(text: &str) -> Vec<String> {
        let rules = RuleSet::builtin().unwrap();
        let folded = Folded::new(text);
        let seg = split(&folded, &rules.segment);
        let index = crate::normalize::CharIndex::new(text);
        seg.sentences.iter().map(|s| index.slice(text, s.start, s.end).to_string()).collect()
    }

    #[test]
    fn splits_at_terminators_and_line_breaks() {
        assert_eq!(sentences("一。二！三？\n四"), ["一。", "二！", "三？", "四"]);
    }

    #[test]
    fn quotation_stays_inside_its_sentence() {
        assert_eq!(
            sentences("王坚说：“好。走吧。”然后走了。下一句。"),
            ["王坚说：“好。走吧。”然后走了。", "下一句。"]
        );
    }

    #[test]
    fn closing_quote_after_terminator_belongs_to_the_sentence() {
        assert_eq!(sentences("“好。”他说。下一句。"), ["“好。”他说。", "下一句。"]);
        assert_eq!(sentences("（完。）下一句。"), ["（完。）", "下一句。"]);
    }

    #[test]
    fn unbalanced_quote_does_not_swallow_the_text() {
        assert_eq!(sentences("他说“好。下一句。"), ["他说“好。", "下一句。"]);
    }

    #[test]
    fn an_overlong_sentence_is_cut_into_bounded_pieces() {
        let text = "王".repeat(MAX_SENTENCE_CHARS * 2 + 5) + "。下一句。";
        let lens: Vec<usize> = sentences(&text).iter().map(|s| s.chars().count()).collect();
        assert_eq!(lens, [MAX_SENTENCE_CHARS, MAX_SENTENCE_CHARS, 6, 4]);
    }

    #[test]
    fn quotes_are_found_without_their_marks() {
        let rules = RuleSet::builtin().unwrap();
        let folded = Folded::new("他说：“我们可以。”");
        let seg = split(&folded, &rules.segment);
        assert_eq!(seg.quotes, vec![Span::new(4, 9)]);
    }

    /// The segmentation as first written: every character tested, a scan
    /// for sentence ends and another for quotations. The reference the
    /// scan of [`marks`], and the marks that folding flags, must agree
    /// with.
    fn split_scanning_every_character(chars: &[char], rules: &SegmentRules) -> Segmented {
        let mut quotes = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let Some(&(_, close)) = rules.quote_pairs.iter().find(|(open, _)| *open == chars[i]) else {
                i += 1;
                continue;
            };
            let limit = (i + 1 + rules.max_quote_chars).min(chars.len());
            match (i + 1..limit).take_while(|&j| chars[j] != '\n').find(|&j| chars[j] == close) {
                Some(j) => {
                    if j > i + 1 {
                        quotes.push(Span::new(i + 1, j));
                    }
                    i = j + 1;
                }
                None => i += 1,
            }
        }
        let mut sentences = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < chars.len() {
            let c = chars[i];
            let is_break = c == '\n' || c == '\r';
            let inside_quote = quotes.iter().any(|q| q.start <= i && i < q.end);
            let is_terminator = rules.terminators.contains(&c) && !inside_quote;
            if !(is_break || is_terminator) {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            if is_terminator {
                while end < chars.len() && (rules.terminators.contains(&chars[end]) || rules.closers.contains(&chars[end])) {
                    end += 1;
                }
            }
            push_trimmed(chars, start, if is_break { i } else { end }, &mut sentences);
            start = end;
            i = end;
        }
        push_trimmed(chars, start, chars.len(), &mut sentences);
        Segmented { sentences, quotes }
    }

    #[test]
    fn one_scan_of_the_marks_or_the_marks_flagged_by_folding_split_as_testing_every_character_does() {
        let builtin = RuleSet::builtin().unwrap().segment.clone();
        // Short quotations, so the length limit is reached; a line break
        // that is also a terminator; a quotation mark that closes itself.
        let odd = SegmentRules {
            terminators: "。!\n".chars().collect(),
            closers: "”)\"".chars().collect(),
            quote_pairs: vec![('“', '”'), ('"', '"')],
            max_quote_chars: 3,
        };
        // A terminator outside the Basic Multilingual Plane, whose bit in
        // the filter is that of U+0002 and `。` U+3002.
        let supplementary = SegmentRules { terminators: "。\u{20002}".chars().collect(), ..odd.clone() };
        // Special characters, and others with the same low twelve bits
        // (`𓀂` U+13002, U+0002 and `𠀂` U+20002 share them with `。`
        // U+3002), which the filter lets through to the exact test; and
        // characters that share only their low byte with a special one
        // (`Ă` U+0102 with `。`, `Ĝ` U+011C with `“` U+201C).
        let alphabet: Vec<char> = "王说好 。！？!?\n\r“”「」『』）)\"ĂĜ\u{13002}\u{2}\u{20002}".chars().collect();
        let mut next = crate::test_random::xorshift32(0x5e9);
        for rules in [&builtin, &odd, &supplementary] {
            for len in 0..400 {
                let text: String = crate::test_random::random_text(&alphabet, len % 60, &mut next);
                let folded = Folded::new(&text);
                let expected = split_scanning_every_character(folded.as_chars(), rules);
                assert_eq!(split(&folded, rules), expected, "{text:?}");
                let (folded, _, marks) = Folded::flagging(&text, &FoldTable::flagging(&mark_chars(rules)));
                assert_eq!(split_at_marks(&folded, &marks, rules), expected, "{text:?}");
            }
        }
    }
}
