//! Reading rule files: from the embedded table or from a directory. Only
//! `*.toml` and `*.tsv` files are rules; anything else (README.md) is left
//! alone. Files are returned sorted by path so compilation is deterministic.

use crate::error::{RuleError, RuleErrors};
use std::path::Path;

/// The files of one rule layer.
#[derive(Clone, Debug)]
pub struct RuleSource {
    /// `built-in` or the directory path, for messages.
    pub origin: String,
    /// (path relative to the layer root with `/` separators, contents)
    pub files: Vec<(String, String)>,
}

impl RuleSource {
    pub fn builtin() -> RuleSource {
        RuleSource {
            origin: "built-in".to_string(),
            files: super::builtin::FILES
                .iter()
                .map(|(p, c)| (p.to_string(), c.to_string()))
                .collect(),
        }
    }

    pub fn from_dir(dir: &Path) -> Result<RuleSource, RuleErrors> {
        let paths = list_rule_files(dir).map_err(|e| {
            RuleErrors(vec![RuleError {
                file: dir.display().to_string(),
                line: 0,
                column: 0,
                rule: None,
                message: format!("cannot read rule directory: {e}"),
            }])
        })?;
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for rel in paths {
            match std::fs::read_to_string(dir.join(&rel)) {
                Ok(text) => files.push((rel, text)),
                Err(e) => errors.push(RuleError {
                    file: dir.join(&rel).display().to_string(),
                    line: 0,
                    column: 0,
                    rule: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        if errors.is_empty() {
            Ok(RuleSource { origin: dir.display().to_string(), files })
        } else {
            Err(RuleErrors(errors))
        }
    }

    /// A single in-memory file, for tests and for one-line user additions.
    pub fn from_files(origin: &str, files: &[(&str, &str)]) -> RuleSource {
        RuleSource {
            origin: origin.to_string(),
            files: files.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect(),
        }
    }
}

/// Relative paths of every `*.toml` / `*.tsv` file below `root`, sorted.
pub fn list_rule_files(root: &Path) -> std::io::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("toml" | "tsv")) {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let parts: Vec<String> =
                    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort();
    Ok(out)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(text.len());
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
