//! The extraction pipeline for one document: normalize → segment → mention
//! → resolve → relation. Compile the rules once, then extract many
//! documents; extraction never fails on text (bad text yields fewer facts).
//!
//! Time per document is linear in its length: a document longer than
//! [`MAX_CHUNK_CHARS`] is extracted in chunks of whole sentences of at most
//! that length, whose results are merged (offsets shifted, nodes of the same
//! key joined). Some stages compare every mention with every other one in
//! the document; chunks bound that cost. What a chunk cannot see is the
//! rest of a very long document: a short form or a name known only from
//! another chunk is not linked (docs/robustness.md).

use crate::mention::find_mentions_of_each;
use crate::model::{Document, Fact, Node, NodeKey, Object, Sentence, Span};
use crate::normalize::{CharIndex, FoldTable, Folded};
use crate::relation::match_relations;
use crate::resolve::{resolve, DocumentText};
use crate::rules::RuleSet;
use crate::segment::{mark_chars, split, split_at_marks};
use crate::RuleErrors;
use std::collections::HashMap;
use std::sync::Arc;

/// Documents longer than this many characters are extracted in chunks of
/// whole sentences of at most this length (see the module doc).
pub const MAX_CHUNK_CHARS: usize = 20_000;

/// Character ranges of at most [`MAX_CHUNK_CHARS`], cut between sentences.
fn chunks(text: &str, rules: &RuleSet) -> Vec<Span> {
    let folded = Folded::new(text);
    let total = folded.chars();
    let sentences = split(&folded, &rules.segment).sentences;
    let mut out = Vec::new();
    let mut start = 0;
    let mut last_end = 0;
    for s in sentences {
        // Sentences are at most MAX_SENTENCE_CHARS long, so a chunk always
        // holds at least one.
        if s.end - start > MAX_CHUNK_CHARS && last_end > start {
            out.push(Span::new(start, last_end));
            start = last_end;
        }
        last_end = s.end;
    }
    if start < total {
        out.push(Span::new(start, total));
    }
    out
}

/// Extracts documents with one compiled rule set. Cheap to clone and share
/// across threads.
#[derive(Clone, Debug)]
pub struct Extractor {
    rules: Arc<RuleSet>,
    /// The fold, flagging the sentence splitter's marks of `rules`, so
    /// that folding a document finds them.
    fold: Arc<FoldTable>,
}

impl Extractor {
    /// An extractor with the built-in rules.
    pub fn builtin() -> Result<Extractor, RuleErrors> {
        Ok(Extractor::new(RuleSet::builtin()?))
    }

    pub fn new(rules: Arc<RuleSet>) -> Extractor {
        let fold = Arc::new(FoldTable::flagging(&mark_chars(&rules.segment)));
        Extractor { rules, fold }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Extract one document. `id` is the document id used in provenance.
    pub fn extract(&self, id: &str, text: &str) -> Document {
        self.extract_owned(id.to_string(), text.to_string())
    }

    /// [`Extractor::extract`] of a text the caller is done with: the
    /// document keeps it, where `extract` copies it (a copy of every
    /// document's text written, and later freed, by the extraction).
    pub fn extract_owned(&self, id: String, text: String) -> Document {
        if text.len() <= MAX_CHUNK_CHARS {
            return self.whole(id, text);
        }
        let chunks = chunks(&text, &self.rules);
        if chunks.len() <= 1 {
            return self.whole(id, text);
        }
        let index = CharIndex::new(&text);
        let mut merged = Document {
            id,
            text: String::new(),
            chars: 0,
            sentences: Vec::new(),
            nodes: Vec::new(),
            facts: Vec::new(),
        };
        let mut by_key: HashMap<NodeKey, usize> = HashMap::new();
        let chunk_bytes: Vec<_> = chunks.iter().map(|chunk| index.bytes(chunk.start, chunk.end)).collect();
        let parts = self.parts_of_each(&chunk_bytes.iter().map(|bytes| &text[bytes.clone()]).collect::<Vec<_>>());
        for ((chunk, bytes), part) in chunks.into_iter().zip(chunk_bytes).zip(parts) {
            let (shift, byte_shift, sentence_shift) = (chunk.start, bytes.start, merged.sentences.len());
            let move_span = |s: Span| Span::new(s.start + shift, s.end + shift);
            merged.sentences.extend(part.sentences.iter().map(|s| Sentence { span: move_span(s.span) }));
            for mut node in part.nodes {
                for m in &mut node.mentions {
                    m.span = move_span(m.span);
                    m.bytes = m.bytes.start + byte_shift..m.bytes.end + byte_shift;
                    m.sentence += sentence_shift;
                }
                match by_key.get(&node.key) {
                    Some(&i) => {
                        let into = &mut merged.nodes[i];
                        into.aliases.extend(node.aliases);
                        if node.name != into.name {
                            into.aliases.insert(node.name);
                        }
                        for spellings in node.listed {
                            if !into.listed.iter().any(|known| Arc::ptr_eq(known, &spellings)) {
                                into.listed.push(spellings);
                            }
                        }
                        into.mentions.extend(node.mentions);
                    }
                    None => {
                        by_key.insert(node.key.clone(), merged.nodes.len());
                        merged.nodes.push(node);
                    }
                }
            }
            for mut fact in part.facts {
                fact.evidence.span = move_span(fact.evidence.span);
                fact.evidence.sentence += sentence_shift;
                if let Object::Quote { span, .. } = &mut fact.object {
                    *span = move_span(*span);
                }
                merged.facts.push(fact);
            }
        }
        for node in &mut merged.nodes {
            let name = node.name.clone();
            node.aliases.remove(&name);
        }
        merged.chars = text.chars().count();
        merged.text = text;
        merged
    }

    /// Extract one document in one piece, whatever its length.
    pub fn extract_whole(&self, id: &str, text: &str) -> Document {
        self.whole(id.to_string(), text.to_string())
    }

    /// [`Extractor::extract_whole`] of an owned text, which the document
    /// keeps.
    fn whole(&self, id: String, text: String) -> Document {
        self.parts(&text).into_document(id, text)
    }

    /// What the extraction of `text` in one piece finds.
    fn parts(&self, text: &str) -> Parts {
        self.parts_of_each(&[text]).pop().expect("one text in, one out")
    }

    /// Extract a batch of documents, stage by stage: each stage runs over
    /// every document of the batch before the next stage starts (see
    /// [`Extractor::parts_of_each`]). The documents are those that
    /// [`Extractor::extract_owned`] would give, in the same order.
    pub fn extract_batch(&self, docs: Vec<(String, String)>) -> Vec<Document> {
        let mut out = Vec::with_capacity(docs.len());
        let mut group: Vec<(String, String)> = Vec::new();
        let mut group_bytes = 0;
        for (id, text) in docs {
            // Only a text of more characters than a chunk holds can be cut
            // into chunks (a long article in three-byte characters is
            // still one piece, and goes with the group).
            if text.len() > MAX_CHUNK_CHARS && text.chars().count() > MAX_CHUNK_CHARS {
                self.extract_group(std::mem::take(&mut group), &mut out);
                group_bytes = 0;
                out.push(self.extract_owned(id, text));
                continue;
            }
            group_bytes += text.len();
            group.push((id, text));
            if group_bytes >= STAGE_GROUP_BYTES {
                self.extract_group(std::mem::take(&mut group), &mut out);
                group_bytes = 0;
            }
        }
        self.extract_group(group, &mut out);
        out
    }

    /// [`Extractor::whole`] of each document of `group`, stage by stage.
    fn extract_group(&self, group: Vec<(String, String)>, out: &mut Vec<Document>) {
        if group.is_empty() {
            return;
        }
        let texts: Vec<&str> = group.iter().map(|(_, text)| text.as_str()).collect();
        let parts = self.parts_of_each(&texts);
        out.extend(group.into_iter().zip(parts).map(|((id, text), part)| part.into_document(id, text)));
    }

    /// What the extraction of each text in one piece finds, stage by
    /// stage: every stage is a function of one document and what the
    /// earlier stages found in it, so running a stage over all the texts
    /// before the next stage gives what running the texts one by one
    /// gives. It keeps each stage's code and tables (the lazy DFAs of the
    /// regexes, the lexicon, the automata) in the caches for the whole
    /// group instead of loading them again for every document.
    fn parts_of_each(&self, texts: &[&str]) -> Vec<Parts> {
        let rules = &self.rules;
        let folds: Vec<(Folded, CharIndex, Vec<u32>)> = texts.iter().map(|text| Folded::flagging(text, &self.fold)).collect();
        let segmented: Vec<_> = folds.iter().map(|(folded, _, marks)| split_at_marks(folded, marks, &rules.segment)).collect();
        let candidates = find_mentions_of_each(&folds.iter().map(|(folded, _, _)| folded).collect::<Vec<_>>(), rules);
        let resolved: Vec<_> = (0..texts.len())
            .map(|d| {
                let (folded, index, _) = &folds[d];
                let doc_text = DocumentText {
                    original: texts[d],
                    index,
                    folded,
                    chars: folded.as_chars(),
                    sentences: &segmented[d].sentences,
                    quotes: &segmented[d].quotes,
                };
                resolve(&doc_text, &candidates[d], rules)
            })
            .collect();
        drop(candidates);
        let facts: Vec<_> = (0..texts.len())
            .map(|d| {
                let (folded, index, _) = &folds[d];
                let text = texts[d];
                let original_slice = |span: Span| index.slice(text, span.start, span.end).to_string();
                match_relations(folded, &segmented[d].sentences, &original_slice, &resolved[d], rules)
            })
            .collect();
        folds
            .iter()
            .zip(segmented)
            .zip(resolved)
            .zip(facts)
            .map(|((((folded, _, _), segmented), resolved), facts)| Parts {
                chars: folded.as_chars().len(),
                sentences: segmented.sentences.iter().map(|&span| Sentence { span }).collect(),
                nodes: resolved.nodes,
                facts,
            })
            .collect()
    }
}

/// Documents are extracted stage by stage in groups of about this many
/// bytes of text (see [`Extractor::parts_of_each`]): the whole batch of a
/// worker (`stream.rs`). On news text (2 MB, 5 KB articles; callgrind's
/// cycle estimate), a group of one document costs 1,100 M cycles per 2 MB,
/// of 16 KB 1,073 M, of 64 KB 995 M, of 128 KB 979 M and of 256 KB 980 M:
/// most of the gain is instruction and last-level cache misses and
/// mispredicted branches, the code, tables and branch history of each
/// stage staying warm from one document to the next. What a group keeps
/// meanwhile (the folded texts, candidates, resolved nodes) grows with it.
const STAGE_GROUP_BYTES: usize = 128 * 1024;

/// A [`Document`] but its id and text.
struct Parts {
    chars: usize,
    sentences: Vec<Sentence>,
    nodes: Vec<Node>,
    facts: Vec<Fact>,
}

impl Parts {
    fn into_document(self, id: String, text: String) -> Document {
        let Parts { chars, sentences, nodes, facts } = self;
        Document { id, text, chars, sentences, nodes, facts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractor() -> Extractor {
        Extractor::builtin().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Documents of the seed article's lines and of pieces of it: short
    /// and long, empty, and one longer than a chunk.
    fn corpus() -> Vec<(String, String)> {
        let article = include_str!("../fixtures/yunqi.txt");
        let lines: Vec<&str> = article.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut texts: Vec<String> = Vec::new();
        for lines_per_text in 1..=6 {
            texts.extend(lines.chunks(lines_per_text).map(|c| c.join("\n")));
        }
        texts.push(String::new());
        // More bytes than a chunk holds characters, fewer characters: one
        // piece, extracted with the group.
        let two_articles = article.repeat(2);
        assert!(two_articles.len() > MAX_CHUNK_CHARS && two_articles.chars().count() <= MAX_CHUNK_CHARS);
        texts.push(two_articles);
        texts.push(long_text());
        texts.push(article.to_string());
        texts.into_iter().enumerate().map(|(i, t)| (format!("d{i}"), t)).collect()
    }

    /// The seed article repeated: more than two chunks.
    fn long_text() -> String {
        let article = include_str!("../fixtures/yunqi.txt");
        article.repeat(1 + 2 * MAX_CHUNK_CHARS / article.chars().count())
    }

    #[test]
    fn a_batch_extracted_stage_by_stage_gives_each_document_as_extracted_alone() {
        let extractor = extractor();
        let docs = corpus();
        assert!(docs.iter().any(|(_, t)| t.len() > MAX_CHUNK_CHARS));
        // More than one group of the stage-by-stage extraction.
        assert!(docs.iter().map(|(_, t)| t.len()).sum::<usize>() > STAGE_GROUP_BYTES);
        let alone: Vec<Document> = docs.iter().map(|(id, t)| extractor.extract(id, t)).collect();
        assert!(alone.iter().map(|d| d.facts.len()).sum::<usize>() > 0);
        assert_eq!(extractor.extract_batch(docs.clone()), alone);
        // Any cut of the corpus into batches: the same documents.
        for size in [1, 2, 7] {
            let batched: Vec<Document> = docs.chunks(size).flat_map(|b| extractor.extract_batch(b.to_vec())).collect();
            assert_eq!(batched, alone, "batches of {size}");
        }
    }

    #[test]
    fn a_long_document_is_the_merge_of_its_chunks_extracted_together() {
        let extractor = extractor();
        let text = long_text();
        let chunks = chunks(&text, &extractor.rules);
        assert!(chunks.len() > 2);
        let index = CharIndex::new(&text);
        let pieces: Vec<&str> = chunks.iter().map(|c| &text[index.bytes(c.start, c.end)]).collect();
        let together = extractor.parts_of_each(&pieces);
        for (piece, part) in pieces.iter().zip(together) {
            let alone = extractor.parts(piece);
            assert_eq!((part.chars, &part.sentences, &part.nodes, &part.facts), (alone.chars, &alone.sentences, &alone.nodes, &alone.facts));
        }
    }
}
