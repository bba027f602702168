//! Error types of the library. Rule errors carry the file, line, column and
//! rule id so an author can jump to the mistake; they are collected, not
//! returned one at a time, so a broken rule directory is reported whole.

use std::fmt;
use std::path::PathBuf;

/// One problem in a rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// Path of the rule file relative to the rule directory (`relations/met.toml`).
    pub file: String,
    /// 1-based line and column; 0 when the problem concerns the whole file.
    pub line: usize,
    pub column: usize,
    /// Full rule id (`relations/met/person-met-person`), when one applies.
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule {rule}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found while loading and compiling a rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} error(s) in the rules:", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// Errors of the library's fallible entry points.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Rules(RuleErrors),
    #[error("export failed: {0}")]
    Export(String),
    #[error("{0}")]
    Query(String),
}

impl From<RuleErrors> for Error {
    fn from(e: RuleErrors) -> Error {
        Error::Rules(e)
    }
}
