//! Rule regexes compiled on first use.
//!
//! Compiling the ~150 built-in regexes into automata was a quarter of the
//! start-up of a one-sentence run, which needs a handful of them. Loading
//! a rule file still parses every regex (syntax errors, unknown classes
//! and the trigger words come from the parse), so mistakes are reported at
//! load time; what is deferred is the automaton. The only error the parse
//! cannot see is a regex too large to compile: regexes of user rule files
//! are therefore compiled at load, and the built-in ones are compiled by
//! a test.

use regex::Regex;
use regex_syntax::hir::{Hir, HirKind};
use std::sync::OnceLock;

/// Size limits keep a hostile rule from blowing up memory; the regex crate
/// guarantees linear-time matching.
const SIZE_LIMIT: usize = 1 << 22;

#[derive(Debug)]
pub struct LazyRegex {
    source: String,
    /// The parse, kept for the trigger words and the group names.
    hir: Hir,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    /// Parse `source` (the error text is the regex crate's).
    pub fn parse(source: &str) -> Result<LazyRegex, String> {
        let hir = regex_syntax::ParserBuilder::new().build().parse(source).map_err(|e| regex::Error::Syntax(e.to_string()).to_string())?;
        Ok(LazyRegex { source: source.to_string(), hir, compiled: OnceLock::new() })
    }

    /// Compile now, reporting a regex too large to compile.
    pub fn compile_now(&self) -> Result<&Regex, String> {
        if let Some(r) = self.compiled.get() {
            return Ok(r);
        }
        let r = build(&self.source).map_err(|e| e.to_string())?;
        Ok(self.compiled.get_or_init(|| r))
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn hir(&self) -> &Hir {
        &self.hir
    }

    /// The names of the regex's named groups.
    pub fn group_names(&self) -> Vec<String> {
        fn walk(hir: &Hir, out: &mut Vec<String>) {
            match hir.kind() {
                HirKind::Capture(c) => {
                    if let Some(name) = &c.name {
                        out.push(name.to_string());
                    }
                    walk(&c.sub, out);
                }
                HirKind::Repetition(r) => walk(&r.sub, out),
                HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().for_each(|p| walk(p, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.hir, &mut out);
        out
    }
}

fn build(source: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(source).size_limit(SIZE_LIMIT).dfa_size_limit(SIZE_LIMIT).build()
}

impl std::ops::Deref for LazyRegex {
    type Target = Regex;

    /// The compiled regex. Regexes that could fail to compile were compiled
    /// at load ([`LazyRegex::compile_now`]), so this does not fail.
    fn deref(&self) -> &Regex {
        self.compiled.get_or_init(|| build(&self.source).unwrap_or_else(|e| panic!("rule regex {:?} does not compile: {e}", self.source)))
    }
}
