//! The `newsgraph` command line: a thin layer over the library. Flags are
//! validated here and turned into library calls; per-document failures are
//! reported and counted, never fatal (exit status 1 when any happened).

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use newsgraph::export::{self, ExportFormat, ValueMode, ViewOptions};
use newsgraph::input::{self, InputOptions};
use newsgraph::rules::{RuleSet, RuleSource};
use newsgraph::{Extractor, KnowledgeGraph};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "newsgraph", version, about = "Chinese news text in, a knowledge graph out")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract a knowledge graph from files, folders, JSON Lines corpora or stdin (-).
    Extract(ExtractArgs),
}

#[derive(Args)]
struct RuleArgs {
    /// Replace the built-in rules with the rules in DIR.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Add the rules in DIR on top (repeatable; later layers win).
    #[arg(long = "add-rules", value_name = "DIR")]
    add_rules: Vec<PathBuf>,
}

#[derive(Args)]
struct InputArgs {
    /// Input files, folders (every *.txt and *.jsonl below), or - for stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Text encoding of the inputs (gbk, gb18030, big5, utf-8); detected when not given.
    #[arg(long)]
    encoding: Option<String>,
    /// Read stdin as JSON Lines ({"id", "text"} per line).
    #[arg(long)]
    jsonl: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// No progress bar or summary.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Args)]
struct ExtractArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format (json, graphml, gexf, dot, cytoscape, nodelink, html); default from the -o extension, else json.
    #[arg(long, short = 'f')]
    format: Option<String>,
    /// Graph-tool and HTML formats: draw values as nodes, or fold them into attributes of their entity.
    #[arg(long, value_name = "nodes|attributes", default_value = "nodes")]
    values: String,
    /// Output file (default: stdout).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => extract(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn load_rules(args: &RuleArgs) -> Result<Arc<RuleSet>> {
    if args.rules.is_none() && args.add_rules.is_empty() {
        return Ok(RuleSet::builtin()?);
    }
    let mut layers = vec![match &args.rules {
        Some(dir) => RuleSource::from_dir(dir)?,
        None => RuleSource::builtin(),
    }];
    for dir in &args.add_rules {
        layers.push(RuleSource::from_dir(dir)?);
    }
    Ok(Arc::new(RuleSet::layered(&layers)?))
}

fn output_format(format: Option<&str>, output: Option<&Path>) -> Result<ExportFormat> {
    if let Some(name) = format {
        return ExportFormat::from_name(name).with_context(|| {
            let names: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format \"{name}\" (one of: {})", names.join(", "))
        });
    }
    let ext = output.and_then(|p| p.extension()).and_then(|e| e.to_str());
    Ok(ext.and_then(ExportFormat::from_extension).unwrap_or(ExportFormat::Json))
}

/// Outcome of reading and extracting the inputs.
struct Run {
    graph: KnowledgeGraph,
    failures: usize,
}

fn run_extraction(extractor: &Extractor, args: &InputArgs) -> Result<Run> {
    let encoding = match &args.encoding {
        Some(label) => Some(
            encoding_rs::Encoding::for_label(label.as_bytes())
                .with_context(|| format!("unknown encoding \"{label}\""))?,
        ),
        None => None,
    };
    let opts = InputOptions { encoding, stdin_is_jsonl: args.jsonl, ..InputOptions::default() };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build()?;
    let mut graph = KnowledgeGraph::new();
    let mut failures = 0;
    let mut docs = input::documents(&args.inputs, &opts);
    // Extract in parallel batches, merge in input order: the graph is the
    // same whatever the thread count.
    const BATCH: usize = 256;
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        for item in docs.by_ref() {
            match item {
                Ok(doc) => {
                    if let Some(enc) = doc.encoding {
                        if !args.quiet {
                            eprintln!("note: {}: decoded as {enc}", doc.origin);
                        }
                    }
                    batch.push(doc);
                    if batch.len() == BATCH {
                        break;
                    }
                }
                Err(e) if e.is_warning() => {
                    if !args.quiet {
                        eprintln!("warning: {e}");
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    failures += 1;
                }
            }
        }
        if batch.is_empty() {
            break;
        }
        let extracted: Vec<_> =
            pool.install(|| batch.par_iter().map(|d| extractor.extract(&d.id, &d.text)).collect());
        for doc in &extracted {
            graph.add_document(doc);
        }
    }
    Ok(Run { graph, failures })
}

fn extract(args: ExtractArgs) -> Result<ExitCode> {
    let format = output_format(args.format.as_deref(), args.output.as_deref())?;
    let view = ViewOptions {
        values: ValueMode::from_name(&args.values)
            .with_context(|| format!("unknown --values \"{}\" (one of: nodes, attributes)", args.values))?,
    };
    let rules = load_rules(&args.rules)?;
    let extractor = Extractor::new(rules);
    let run = run_extraction(&extractor, &args.input)?;
    match &args.output {
        Some(path) => newsgraph::atomic_write::write_atomically(path, |w| export::write_with(&run.graph, format, &view, w))
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            export::write_with(&run.graph, format, &view, &mut lock)?;
            lock.flush()?;
        }
    }
    if run.failures > 0 {
        eprintln!("{} document(s) failed", run.failures);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

