//! Exporters: views over a [`KnowledgeGraph`] that write bytes. The graph
//! knows nothing of them. Every exporter iterates nodes and edges in id
//! order, so the same graph always gives the same bytes.
//!
//! Most formats are one stream ([`write_with`]); CSV and Neo4j import files
//! are a folder of files ([`ExportFormat::is_directory`]), written with
//! [`write_to_path`], which handles both kinds and writes every file
//! atomically. The graph-tool formats (GraphML, GEXF, DOT, Cytoscape.js,
//! node-link JSON) and the HTML viewer all draw a [`view::GraphView`], which
//! applies the [`view::ViewOptions`] (`--values nodes|attributes`) once for
//! all of them.

pub mod csv;
pub mod cytoscape;
pub mod dot;
pub mod gexf;
pub mod graphml;
pub mod html;
pub mod json;
pub mod nodelink;
pub mod rdf;
mod triple_order;
pub mod view;
pub mod xml;

use crate::atomic_write::write_atomically;
use crate::error::Error;
use crate::graph::KnowledgeGraph;
use oxigraph::io::RdfFormat;
use std::io::{self, Write};
use std::path::Path;
pub use view::{ValueMode, ViewOptions};

/// Every output format, by its `--format` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportFormat {
    /// `{"documents", "nodes", "edges"}`: the contract the scorers read.
    Json,
    /// RDF 1.1 Turtle (union of all graphs).
    Turtle,
    /// RDF 1.1 N-Triples (union of all graphs).
    NTriples,
    /// RDF 1.1 N-Quads: one named graph per document.
    NQuads,
    /// RDF 1.1 TriG: one named graph per document.
    TriG,
    /// RDF/XML (union of all graphs).
    RdfXml,
    /// JSON-LD 1.1 (expanded with a prefix context), named graphs kept.
    JsonLd,
    /// A folder with `nodes.csv` and `edges.csv`.
    Csv,
    /// A folder with Neo4j `neo4j-admin database import` files.
    Neo4j,
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
        ExportFormat::Turtle,
        ExportFormat::NTriples,
        ExportFormat::NQuads,
        ExportFormat::TriG,
        ExportFormat::RdfXml,
        ExportFormat::JsonLd,
        ExportFormat::Csv,
        ExportFormat::Neo4j,
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
            ExportFormat::Turtle => "turtle",
            ExportFormat::NTriples => "ntriples",
            ExportFormat::NQuads => "nquads",
            ExportFormat::TriG => "trig",
            ExportFormat::RdfXml => "rdfxml",
            ExportFormat::JsonLd => "jsonld",
            ExportFormat::Csv => "csv",
            ExportFormat::Neo4j => "neo4j",
            ExportFormat::Graphml => "graphml",
            ExportFormat::Gexf => "gexf",
            ExportFormat::Dot => "dot",
            ExportFormat::Cytoscape => "cytoscape",
            ExportFormat::Nodelink => "nodelink",
            ExportFormat::Html => "html",
        }
    }

    /// The file extension by which `-o` picks the format; empty for folder
    /// formats and for node-link JSON (`.json` means the JSON export), which
    /// are chosen by name only.
    pub fn file_extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Turtle => "ttl",
            ExportFormat::NTriples => "nt",
            ExportFormat::NQuads => "nq",
            ExportFormat::TriG => "trig",
            ExportFormat::RdfXml => "rdf",
            ExportFormat::JsonLd => "jsonld",
            ExportFormat::Csv | ExportFormat::Neo4j | ExportFormat::Nodelink => "",
            ExportFormat::Graphml => "graphml",
            ExportFormat::Gexf => "gexf",
            ExportFormat::Dot => "dot",
            ExportFormat::Cytoscape => "cyjs",
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
            "n3" => "ttl",
            other => other,
        };
        ExportFormat::ALL.iter().copied().find(|f| !f.file_extension().is_empty() && f.file_extension() == ext)
    }

    /// Whether the format writes a folder of files rather than one stream.
    pub fn is_directory(self) -> bool {
        matches!(self, ExportFormat::Csv | ExportFormat::Neo4j)
    }

    /// The oxigraph format of an RDF export format.
    pub fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            ExportFormat::Turtle => RdfFormat::Turtle,
            ExportFormat::NTriples => RdfFormat::NTriples,
            ExportFormat::NQuads => RdfFormat::NQuads,
            ExportFormat::TriG => RdfFormat::TriG,
            ExportFormat::RdfXml => RdfFormat::RdfXml,
            ExportFormat::JsonLd => RdfFormat::JsonLd { profile: Default::default() },
            _ => return None,
        })
    }
}

/// The base IRI of exported resources when none is given.
pub const DEFAULT_BASE: &str = "https://newsgraph.example/";

/// Settings shared by the exporters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// Base IRI of nodes, documents and statements; ends with `/` or `#`.
    pub base: String,
    /// How the graph-tool and HTML formats draw values.
    pub view: ViewOptions,
}

impl ExportOptions {
    /// Options with a checked base IRI: it must be an absolute IRI; a `/` is
    /// added when it ends with neither `/` nor `#`.
    pub fn with_base(base: &str) -> Result<ExportOptions, Error> {
        let mut base = base.to_string();
        if !base.ends_with('/') && !base.ends_with('#') {
            base.push('/');
        }
        oxigraph::model::NamedNode::new(&base)
            .map_err(|e| Error::Export(format!("invalid base IRI \"{base}\": {e}")))?;
        Ok(ExportOptions { base, view: ViewOptions::default() })
    }
}

impl Default for ExportOptions {
    fn default() -> ExportOptions {
        ExportOptions { base: DEFAULT_BASE.to_string(), view: ViewOptions::default() }
    }
}

/// Write the graph in a single-stream format with default options.
pub fn write(graph: &KnowledgeGraph, format: ExportFormat, out: &mut dyn Write) -> io::Result<()> {
    write_with(graph, format, &ExportOptions::default(), out)
}

/// Write the graph in a single-stream format. Folder formats are refused
/// with [`io::ErrorKind::InvalidInput`]: use [`write_to_path`].
pub fn write_with(graph: &KnowledgeGraph, format: ExportFormat, opts: &ExportOptions, out: &mut dyn Write) -> io::Result<()> {
    if let Some(rdf_format) = format.rdf_format() {
        return rdf::write(graph, rdf_format, opts, out);
    }
    match format {
        ExportFormat::Json => json::write(graph, out),
        ExportFormat::Graphml => graphml::write(graph, &opts.view, out),
        ExportFormat::Gexf => gexf::write(graph, &opts.view, out),
        ExportFormat::Dot => dot::write(graph, &opts.view, out),
        ExportFormat::Cytoscape => cytoscape::write(graph, &opts.view, out),
        ExportFormat::Nodelink => nodelink::write(graph, &opts.view, out),
        ExportFormat::Html => html::write(graph, &opts.view, out),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("format {} writes a folder: give an output folder with -o", other.name()),
        )),
    }
}

/// Write the graph to `path`: a file for stream formats, a folder (created
/// if missing) for folder formats. Each file is written atomically; a folder
/// export replaces its files one by one.
pub fn write_to_path(graph: &KnowledgeGraph, format: ExportFormat, path: &Path, opts: &ExportOptions) -> Result<(), Error> {
    let io_err = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    if !format.is_directory() {
        return write_atomically(path, |w| write_with(graph, format, opts, w)).map_err(io_err(path));
    }
    std::fs::create_dir_all(path).map_err(io_err(path))?;
    let files: &[(&str, csv::Table)] = match format {
        ExportFormat::Csv => &[("nodes.csv", csv::Table::Nodes), ("edges.csv", csv::Table::Edges)],
        _ => &[("nodes.csv", csv::Table::Neo4jNodes), ("relationships.csv", csv::Table::Neo4jRelationships)],
    };
    for (name, table) in files {
        let file = path.join(name);
        write_atomically(&file, |w| csv::write_table(graph, *table, w)).map_err(io_err(&file))?;
    }
    Ok(())
}
