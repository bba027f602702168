//! Exporters: views over a [`KnowledgeGraph`] that write bytes. The graph
//! knows nothing of them. Every exporter iterates nodes and edges in id
//! order, so the same graph always gives the same bytes.

pub mod json;

use crate::graph::KnowledgeGraph;
use std::io::{self, Write};

/// Every output format, by its `--format` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportFormat {
    /// `{"documents", "nodes", "edges"}`: the contract the scorers read.
    Json,
}

impl ExportFormat {
    pub const ALL: &'static [ExportFormat] = &[ExportFormat::Json];

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
        }
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
        }
    }

    pub fn from_name(name: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.iter().copied().find(|f| f.name() == name.to_ascii_lowercase())
    }

    pub fn from_extension(ext: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.iter().copied().find(|f| f.file_extension() == ext.to_ascii_lowercase())
    }
}

/// Write the graph in a format.
pub fn write(graph: &KnowledgeGraph, format: ExportFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        ExportFormat::Json => json::write(graph, out),
    }
}
