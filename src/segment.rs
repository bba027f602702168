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

use crate::chars::CharFilter;
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
    let chars = folded.as_chars();
    let quotes = find_quotes(chars, rules);
    let ends = CharFilter::new(rules.terminators.iter().copied().chain(['\n', '\r']));
    let mut quotes_left = quotes.iter().peekable();
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !ends.may_contain(c) {
            i += 1;
            continue;
        }
        let is_break = c == '\n' || c == '\r';
        // Quotes are in order and do not overlap: drop those that end
        // before `i`, and the next one tells whether `i` is inside.
        while quotes_left.next_if(|q| q.end <= i).is_some() {}
        let inside_quote = quotes_left.peek().is_some_and(|q| q.start <= i);
        let is_terminator = rules.terminators.contains(&c) && !inside_quote;
        if is_break || is_terminator {
            let mut end = i + 1;
            if is_terminator {
                // Runs of terminators (？！, ……) and the closers that follow
                // them stay with the sentence.
                while end < chars.len()
                    && (rules.terminators.contains(&chars[end]) || rules.closers.contains(&chars[end]))
                {
                    end += 1;
                }
            }
            push_trimmed(chars, start, if is_break { i } else { end }, &mut sentences);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    push_trimmed(chars, start, chars.len(), &mut sentences);
    Segmented { sentences, quotes }
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

/// Balanced quotation marks on one line, outermost pairs only.
fn find_quotes(chars: &[char], rules: &SegmentRules) -> Vec<Span> {
    let openers = CharFilter::new(rules.quote_pairs.iter().map(|&(open, _)| open));
    let mut quotes = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !openers.may_contain(chars[i]) {
            i += 1;
            continue;
        }
        let Some(&(_, close)) = rules.quote_pairs.iter().find(|(open, _)| *open == chars[i]) else {
            i += 1;
            continue;
        };
        let limit = (i + 1 + rules.max_quote_chars).min(chars.len());
        let found = (i + 1..limit).take_while(|&j| chars[j] != '\n').find(|&j| chars[j] == close);
        match found {
            Some(j) => {
                if j > i + 1 {
                    quotes.push(Span::new(i + 1, j));
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
    quotes
}

#[cfg(test)]
mod tests {
    use super::*;
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

    /// [`split`] as it was written first: every character looked up in the
    /// rules' lists, a flag per character for "inside a quotation".
    fn split_plainly(chars: &[char], rules: &SegmentRules) -> Vec<Span> {
        let quotes = find_quotes(chars, rules);
        let mut inside_quote = vec![false; chars.len()];
        for q in &quotes {
            inside_quote[q.start..q.end].fill(true);
        }
        let (mut sentences, mut start, mut i) = (Vec::new(), 0, 0);
        while i < chars.len() {
            let c = chars[i];
            let is_break = c == '\n' || c == '\r';
            let is_terminator = rules.terminators.contains(&c) && !inside_quote[i];
            if is_break || is_terminator {
                let mut end = i + 1;
                while is_terminator
                    && end < chars.len()
                    && (rules.terminators.contains(&chars[end]) || rules.closers.contains(&chars[end]))
                {
                    end += 1;
                }
                push_trimmed(chars, start, if is_break { i } else { end }, &mut sentences);
                (start, i) = (end, end);
            } else {
                i += 1;
            }
        }
        push_trimmed(chars, start, chars.len(), &mut sentences);
        sentences
    }

    #[test]
    fn filtered_split_agrees_with_the_plain_one_on_random_text() {
        let rules = RuleSet::builtin().unwrap();
        // Special characters, and others with the same low eight bits
        // (`Ă` U+0102 and `。` U+3002 share 0x02, `Ĝ` U+011C and `“`
        // U+201C share 0x1C), which the filter lets through to the exact
        // test.
        let alphabet: Vec<char> = "王说好。！？!?\n\r “”「」『』）)ĂĜ".chars().collect();
        let mut next = crate::test_random::xorshift32(0xC0FFEE);
        for len in 0..400 {
            let text: String = crate::test_random::random_text(&alphabet, len, &mut next);
            let folded = Folded::new(&text);
            let plain = split_plainly(folded.as_chars(), &rules.segment);
            assert_eq!(split(&folded, &rules.segment).sentences, plain, "{text:?}");
        }
    }

    #[test]
    fn quotes_are_found_without_their_marks() {
        let rules = RuleSet::builtin().unwrap();
        let folded = Folded::new("他说：“我们可以。”");
        let seg = split(&folded, &rules.segment);
        assert_eq!(seg.quotes, vec![Span::new(4, 9)]);
    }
}
