//! The extraction pipeline for one document: normalize → segment → mention
//! → resolve → relation. Compile the rules once, then extract many
//! documents; extraction never fails on text (bad text yields fewer facts).

use crate::mention::find_mentions;
use crate::model::{Document, Sentence, Span};
use crate::normalize::{CharIndex, Folded};
use crate::relation::match_relations;
use crate::resolve::{resolve, DocumentText};
use crate::rules::RuleSet;
use crate::segment::split;
use crate::RuleErrors;
use std::sync::Arc;

/// Extracts documents with one compiled rule set. Cheap to clone and share
/// across threads.
#[derive(Clone, Debug)]
pub struct Extractor {
    rules: Arc<RuleSet>,
}

impl Extractor {
    /// An extractor with the built-in rules.
    pub fn builtin() -> Result<Extractor, RuleErrors> {
        Ok(Extractor { rules: RuleSet::builtin()? })
    }

    pub fn new(rules: Arc<RuleSet>) -> Extractor {
        Extractor { rules }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Extract one document. `id` is the document id used in provenance.
    pub fn extract(&self, id: &str, text: &str) -> Document {
        let folded = Folded::new(text);
        let chars: Vec<char> = folded.text.chars().collect();
        let segmented = split(&folded, &self.rules.segment);
        let candidates = find_mentions(&folded, &chars, &self.rules);
        let index = CharIndex::new(text);
        let doc_text = DocumentText {
            original: text,
            index: &index,
            chars: &chars,
            sentences: &segmented.sentences,
            quotes: &segmented.quotes,
        };
        let resolved = resolve(&doc_text, &candidates, &self.rules);
        let original_slice = |span: Span| index.slice(text, span.start, span.end).to_string();
        let facts = match_relations(&chars, &segmented.sentences, &original_slice, &resolved, &self.rules);
        Document {
            id: id.to_string(),
            text: text.to_string(),
            chars: chars.len(),
            sentences: segmented.sentences.iter().map(|&span| Sentence { span }).collect(),
            nodes: resolved.nodes,
            facts,
        }
    }
}
