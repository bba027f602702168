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

use crate::mention::find_mentions;
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
        for chunk in chunks {
            let bytes = index.bytes(chunk.start, chunk.end);
            let part = self.parts(&text[bytes.clone()]);
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
        let Parts { chars, sentences, nodes, facts } = self.parts(&text);
        Document { id, text, chars, sentences, nodes, facts }
    }

    /// What the extraction of `text` in one piece finds.
    fn parts(&self, text: &str) -> Parts {
        let (folded, index, marks) = Folded::flagging(text, &self.fold);
        let chars = folded.as_chars();
        let segmented = split_at_marks(&folded, &marks, &self.rules.segment);
        let candidates = find_mentions(&folded, chars, &self.rules);
        let doc_text = DocumentText {
            original: text,
            index: &index,
            folded: &folded,
            chars,
            sentences: &segmented.sentences,
            quotes: &segmented.quotes,
        };
        let resolved = resolve(&doc_text, &candidates, &self.rules);
        let original_slice = |span: Span| index.slice(text, span.start, span.end).to_string();
        let facts = match_relations(&folded, &segmented.sentences, &original_slice, &resolved, &self.rules);
        Parts {
            chars: chars.len(),
            sentences: segmented.sentences.iter().map(|&span| Sentence { span }).collect(),
            nodes: resolved.nodes,
            facts,
        }
    }
}

/// A [`Document`] but its id and text.
struct Parts {
    chars: usize,
    sentences: Vec<Sentence>,
    nodes: Vec<Node>,
    facts: Vec<Fact>,
}
