//! SPARQL over the RDF view: load graphs (from a [`KnowledgeGraph`] through
//! [`crate::export::rdf::quads`], or RDF files in any format by extension)
//! into an in-memory oxigraph [`Store`], run SPARQL 1.1 queries, and write
//! the results.
//!
//! Queries see the **union of all graphs** as their default graph (unless
//! they name a dataset with `FROM`), so `?s schema:worksFor ?o` finds edges
//! of every document without `GRAPH` clauses; `GRAPH ?g { ... }` still
//! tells which document a triple comes from.
//!
//! SELECT results are written as an aligned table for terminals or in the
//! standard SPARQL results formats (CSV, TSV, JSON, XML); ASK as `true` /
//! `false` (or a results document); CONSTRUCT and DESCRIBE as RDF in any
//! format. Syntax errors carry `source:line:column`.

use crate::error::Error;
use crate::export::{rdf, ExportFormat, ExportOptions};
use crate::graph::KnowledgeGraph;
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator, Variable};
use oxigraph::store::Store;
use std::io::{self, Write};
use std::path::Path;

/// How to print SELECT and ASK results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsFormat {
    /// Aligned columns for a terminal; terms in SPARQL/Turtle syntax with
    /// well-known prefixes abbreviated.
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
}

impl ResultsFormat {
    pub const ALL: &'static [ResultsFormat] =
        &[ResultsFormat::Table, ResultsFormat::Csv, ResultsFormat::Tsv, ResultsFormat::Json, ResultsFormat::Xml];

    pub fn name(self) -> &'static str {
        match self {
            ResultsFormat::Table => "table",
            ResultsFormat::Csv => "csv",
            ResultsFormat::Tsv => "tsv",
            ResultsFormat::Json => "json",
            ResultsFormat::Xml => "xml",
        }
    }

    pub fn from_name(name: &str) -> Option<ResultsFormat> {
        ResultsFormat::ALL.iter().copied().find(|f| f.name() == name.to_ascii_lowercase())
    }

    fn sparql_format(self) -> Option<QueryResultsFormat> {
        match self {
            ResultsFormat::Table => None,
            ResultsFormat::Csv => Some(QueryResultsFormat::Csv),
            ResultsFormat::Tsv => Some(QueryResultsFormat::Tsv),
            ResultsFormat::Json => Some(QueryResultsFormat::Json),
            ResultsFormat::Xml => Some(QueryResultsFormat::Xml),
        }
    }
}

/// An in-memory RDF dataset to query.
pub struct QueryStore {
    store: Store,
}

fn query_err(e: impl std::fmt::Display) -> Error {
    Error::Query(e.to_string())
}

impl QueryStore {
    pub fn new() -> Result<QueryStore, Error> {
        Ok(QueryStore { store: Store::new().map_err(query_err)? })
    }

    /// A store holding the RDF view of a graph.
    pub fn from_graph(graph: &KnowledgeGraph, opts: &ExportOptions) -> Result<QueryStore, Error> {
        let store = QueryStore::new()?;
        store.add_graph(graph, opts)?;
        Ok(store)
    }

    pub fn add_graph(&self, graph: &KnowledgeGraph, opts: &ExportOptions) -> Result<(), Error> {
        self.store.extend(rdf::quads(graph, opts)).map_err(query_err)
    }

    /// The RDF format of a file, by the extensions of the RDF exports:
    /// `.ttl .nt .nq .trig .rdf .jsonld`.
    pub fn rdf_format_of(path: &Path) -> Option<RdfFormat> {
        let ext = path.extension()?.to_str()?;
        ExportFormat::from_extension(ext)?.rdf_format()
    }

    /// Load an RDF file, its format chosen by extension.
    pub fn load_file(&self, path: &Path) -> Result<(), Error> {
        let format = QueryStore::rdf_format_of(path)
            .ok_or_else(|| Error::Query(format!("{}: not an RDF file extension", path.display())))?;
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        self.load_bytes(&bytes, format, &path.display().to_string())
    }

    /// Load RDF text; `source` names it in errors.
    pub fn load_bytes(&self, bytes: &[u8], format: RdfFormat, source: &str) -> Result<(), Error> {
        self.store
            .load_from_slice(RdfParser::from_format(format), bytes)
            .map_err(|e| Error::Query(format!("{source}: {e}")))
    }

    pub fn len(&self) -> usize {
        self.store.len().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Run a query. `source` names the query text in syntax errors, which
    /// read `source:line:column: message`.
    pub fn run(&self, query: &str, source: &str) -> Result<QueryResults<'static>, Error> {
        let mut prepared =
            SparqlEvaluator::new().parse_query(query).map_err(|e| Error::Query(syntax_message(source, &e.to_string())))?;
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        prepared.on_store(&self.store).execute().map_err(|e| Error::Query(format!("{source}: {e}")))
    }
}

/// oxigraph reports `error at 3:14: expected ...`; make it
/// `source:3:14: expected ...` as compilers do.
fn syntax_message(source: &str, message: &str) -> String {
    if let Some(rest) = message.strip_prefix("error at ") {
        if let Some((pos, msg)) = rest.split_once(": ") {
            if pos.split(':').all(|p| p.parse::<usize>().is_ok()) {
                return format!("{source}:{pos}: {msg}");
            }
        }
    }
    format!("{source}: {message}")
}

/// Write query results: SELECT and ASK as `results`, CONSTRUCT/DESCRIBE as
/// RDF in `graph_format`.
pub fn write_results(
    results: QueryResults<'_>,
    results_format: ResultsFormat,
    graph_format: RdfFormat,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let io = |e: io::Error| Error::Query(e.to_string());
    match results {
        QueryResults::Boolean(b) => match results_format.sparql_format() {
            None => writeln!(out, "{b}").map_err(io),
            Some(f) => QueryResultsSerializer::from_format(f).serialize_boolean_to_writer(out, b).map(drop).map_err(io),
        },
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let mut rows = Vec::new();
            for s in solutions {
                let s = s.map_err(query_err)?;
                rows.push(variables.iter().map(|v| s.get(v).cloned()).collect::<Vec<Option<Term>>>());
            }
            match results_format.sparql_format() {
                None => write_table(&variables, &rows, out).map_err(io),
                Some(f) => {
                    let mut w = QueryResultsSerializer::from_format(f)
                        .serialize_solutions_to_writer(out, variables.clone())
                        .map_err(io)?;
                    for row in &rows {
                        w.serialize(variables.iter().zip(row).filter_map(|(v, t)| t.as_ref().map(|t| (v, t))))
                            .map_err(io)?;
                    }
                    w.finish().map(drop).map_err(io)
                }
            }
        }
        QueryResults::Graph(triples) => {
            let mut all: Vec<Triple> = triples.collect::<Result<_, _>>().map_err(query_err)?;
            all.sort_by_cached_key(|t| t.to_string());
            all.dedup();
            let mut serializer = RdfSerializer::from_format(graph_format);
            if !matches!(graph_format, RdfFormat::NTriples | RdfFormat::NQuads) {
                for (name, iri) in rdf::PREFIXES {
                    serializer = serializer.with_prefix(*name, *iri).map_err(query_err)?;
                }
            }
            let mut w = serializer.for_writer(out);
            for t in &all {
                w.serialize_triple(t).map_err(io)?;
            }
            w.finish().map(drop).map_err(io)
        }
    }
}

/// A term as shown in the table: IRIs abbreviated with the well-known
/// prefixes, literals by their lexical form (no quotes, tags or types).
pub fn display_term(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => {
            for (prefix, iri) in rdf::PREFIXES {
                if let Some(local) = n.as_str().strip_prefix(iri) {
                    if !local.is_empty() && local.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
                        return format!("{prefix}:{local}");
                    }
                }
            }
            n.to_string()
        }
        Term::Literal(l) => l.value().to_string(),
        other => other.to_string(),
    }
}

/// Display width: CJK and other wide characters count two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD => 2,
            0..=0x1F | 0x7F..=0x9F | 0x200B..=0x200F => 0,
            _ => 1,
        })
        .sum()
}

/// The aligned terminal table: a header, a rule, one line per solution,
/// cells padded by display width; line breaks in cells shown as `⏎`.
fn write_table(variables: &[Variable], rows: &[Vec<Option<Term>>], out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = variables.iter().map(|v| v.as_str().to_string()).collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|t| t.as_ref().map(display_term).unwrap_or_default().replace(['\n', '\r'], "⏎").replace('\t', " "))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |out: &mut dyn Write, r: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < r.len() {
                s.push_str(&" ".repeat(widths[i] - width(c)));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, &header)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat((*w).max(1))).collect();
    line(out, &rule)?;
    for r in &cells {
        line(out, r)?;
    }
    writeln!(out, "({} row{})", cells.len(), if cells.len() == 1 { "" } else { "s" })
}
