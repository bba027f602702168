//! Exporters: views over a [`KnowledgeGraph`] that write bytes. The graph
//! knows nothing of them. Every exporter iterates nodes and edges in id
//! order, so the same graph always gives the same bytes.
//!
//! The graph-tool formats (GraphML, GEXF, DOT, Cytoscape.js, node-link JSON)
//! and the HTML viewer all draw a [`view::GraphView`], which applies the
//! [`view::ViewOptions`] (`--values nodes|attributes`) once for all of them.

pub mod json;

pub mod cytoscape;
pub mod dot;
pub mod gexf;
pub mod graphml;
pub mod html;
pub mod nodelink;
pub mod view;
pub mod xml;

use crate::graph::KnowledgeGraph;
use std::io::{self, Write};
pub use view::{ValueMode, ViewOptions};

/// Every output format, by its `--format` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportFormat {
    /// `{"documents", "nodes", "edges"}`: the contract the scorers read.
    Json,
    /// GraphML with typed keys and yEd labels (yEd, Cytoscape, Gephi, NetworkX).
    Graphml,
    /// GEXF 1.3 with colours and dated edges (Gephi).
    Gexf,
    /// Graphviz DOT.
    Dot,
    /// Cytoscape.js elements JSON (Cytoscape.js, Cytoscape desktop).
    Cytoscape,
    /// NetworkX / D3 node-link JSON.
    Nodelink,
    /// One self-contained HTML page: interactive graph and its evidence.
    Html,
}

impl ExportFormat {
    pub const ALL: &'static [ExportFormat] = &[
        ExportFormat::Json,
        ExportFormat::Graphml,
        ExportFormat::Gexf,
        ExportFormat::Dot,
        ExportFormat::Cytoscape,
        ExportFormat::Nodelink,
        ExportFormat::Html,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Graphml => "graphml",
            ExportFormat::Gexf => "gexf",
            ExportFormat::Dot => "dot",
            ExportFormat::Cytoscape => "cytoscape",
            ExportFormat::Nodelink => "nodelink",
            ExportFormat::Html => "html",
        }
    }

    /// The usual file extension. Node-link JSON shares `json` with the JSON
    /// export, which keeps it: `-o x.json` means `--format json`.
    pub fn file_extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Graphml => "graphml",
            ExportFormat::Gexf => "gexf",
            ExportFormat::Dot => "dot",
            ExportFormat::Cytoscape => "cyjs",
            ExportFormat::Nodelink => "json",
            ExportFormat::Html => "html",
        }
    }

    pub fn from_name(name: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.iter().copied().find(|f| f.name() == name.to_ascii_lowercase())
    }

    pub fn from_extension(ext: &str) -> Option<ExportFormat> {
        let ext = ext.to_ascii_lowercase();
        let ext = match ext.as_str() {
            "gv" => "dot",
            "htm" => "html",
            other => other,
        };
        ExportFormat::ALL.iter().copied().find(|f| f.file_extension() == ext)
    }
}

/// Write the graph in a format.
pub fn write(graph: &KnowledgeGraph, format: ExportFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        ExportFormat::Json => json::write(graph, out),
        ExportFormat::Graphml
        | ExportFormat::Gexf
        | ExportFormat::Dot
        | ExportFormat::Cytoscape
        | ExportFormat::Nodelink
        | ExportFormat::Html => write_with(graph, format, &ViewOptions::default(), out),
    }
}

/// Write the graph in a format, with view options for the formats that
/// draw a [`view::GraphView`] (the others ignore them).
pub fn write_with(
    graph: &KnowledgeGraph,
    format: ExportFormat,
    options: &ViewOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ExportFormat::Graphml => graphml::write(graph, options, out),
        ExportFormat::Gexf => gexf::write(graph, options, out),
        ExportFormat::Dot => dot::write(graph, options, out),
        ExportFormat::Cytoscape => cytoscape::write(graph, options, out),
        ExportFormat::Nodelink => nodelink::write(graph, options, out),
        ExportFormat::Html => html::write(graph, options, out),
        _ => write(graph, format, out),
    }
}
