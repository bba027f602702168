//! The `newsgraph` command line: a thin layer over the library. Flags are
//! validated here and turned into library calls; per-document failures are
//! reported and counted, never fatal (exit status 1 when any happened).

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use newsgraph::export::{self, ExportFormat, ExportOptions, ValueMode};
use newsgraph::input::{self, InputOptions};
use newsgraph::query::{self, QueryStore, ResultsFormat};
use newsgraph::rules::{RuleSet, RuleSource};
use newsgraph::{Extractor, KnowledgeGraph};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

mod allocator;
mod progress;

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
    /// Run a SPARQL query over articles (extracted on the fly) and/or RDF files.
    Query(QueryArgs),
    /// Score extraction against a gold graph (*.json) or a PER/ORG/LOC set (*.jsonl).
    Eval(EvalArgs),
    /// Show, sentence by sentence, the mentions, values and facts found, with the rules, and the matches that lost.
    Explain(ExplainArgs),
    /// Rule authoring tools.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate rule files and run every rule's examples (built-in rules, or DIR layered on them with --add).
    Check {
        /// A rule directory to check instead of the built-in rules.
        dir: Option<PathBuf>,
        /// Check DIR as a layer on top of the built-in rules.
        #[arg(long)]
        add: bool,
        /// List every passing rule (by default only DIR's own rules and the failures).
        #[arg(long, short = 'v')]
        verbose: bool,
    },
}

#[derive(Args)]
struct ExplainArgs {
    /// The article to explain (a text file, a JSON Lines corpus, or - for stdin).
    file: PathBuf,
    /// Only this sentence (numbered from 1).
    #[arg(long, short = 's', value_name = "N")]
    sentence: Option<usize>,
    /// Highlight matches with ANSI colours: auto (when stdout is a terminal), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    color: String,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Args)]
struct EvalArgs {
    /// Gold file: a graph (*.json, fixtures/SCHEMA.md) or NER lines (*.jsonl).
    #[arg(long)]
    gold: PathBuf,
    /// Inputs to extract (default for a *.jsonl gold: the gold file itself).
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// List what was missed and what was spurious (with the rule).
    #[arg(long)]
    show_misses: bool,
    /// Save this result (scores, misses, spurious) as JSON for a later --compare.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// Compare with a result saved by --save: what was gained and lost.
    #[arg(long, value_name = "FILE")]
    compare: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
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
    /// Output format (json, turtle, ntriples, nquads, trig, rdfxml, jsonld,
    /// csv, neo4j, graphml, gexf, dot, cytoscape, nodelink, html); default
    /// from the -o extension, else json. csv and neo4j write a folder (-o DIR).
    #[arg(long, short = 'f')]
    format: Option<String>,
    /// Graph-tool and HTML formats: draw values as nodes, or fold them into attributes of their entity.
    #[arg(long, value_name = "nodes|attributes", default_value = "nodes")]
    values: String,
    /// Output file, or folder for csv/neo4j (default: stdout).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Base IRI of RDF resources.
    #[arg(long, value_name = "IRI", default_value = export::DEFAULT_BASE)]
    base: String,
    /// Write document by document as they are extracted (in input order),
    /// without merging: memory stays bounded for any corpus size. Formats:
    /// nquads (default) or jsonl (one JSON object per document).
    #[arg(long)]
    stream: bool,
}

#[derive(Args)]
struct QueryArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RuleArgs,
    /// The SPARQL query text.
    #[arg(long, short = 'e', conflicts_with = "query_file", required_unless_present = "query_file")]
    query: Option<String>,
    /// A file holding the SPARQL query.
    #[arg(long, value_name = "FILE")]
    query_file: Option<PathBuf>,
    /// SELECT/ASK results format: table, csv, tsv, json, xml.
    #[arg(long, default_value = "table")]
    results: String,
    /// RDF format of CONSTRUCT/DESCRIBE results.
    #[arg(long, short = 'f', default_value = "turtle")]
    format: String,
    /// Base IRI of RDF resources of extracted articles.
    #[arg(long, value_name = "IRI", default_value = export::DEFAULT_BASE)]
    base: String,
}

fn main() -> ExitCode {
    allocator::keep_freed_pages();
    allocator::no_transparent_huge_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => extract(args),
        Command::Eval(args) => eval(args),
        Command::Explain(args) => explain(args),
        Command::Rules { command: RulesCommand::Check { dir, add, verbose } } => rules_check(dir, add, verbose),
        Command::Query(args) => run_query(args),
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
    /// The `--jobs` threads, kept for the export (the JSON export renders
    /// nodes and edges on them).
    pool: rayon::ThreadPool,
}

/// Read the inputs, extract every document in parallel (`--jobs`) and hand
/// the documents to `sink` in input order, so that everything built from
/// them is the same whatever the thread count. Shows progress and the
/// summary line; returns the number of failed documents.
fn for_each_document<T: Send + 'static>(
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    args: &InputArgs,
    inputs: &[PathBuf],
    render: newsgraph::stream::Render<T>,
    mut sink: impl FnMut(&newsgraph::Document, T) -> Result<()>,
) -> Result<usize> {
    let encoding = match &args.encoding {
        Some(label) => Some(
            encoding_rs::Encoding::for_label(label.as_bytes())
                .with_context(|| format!("unknown encoding \"{label}\""))?,
        ),
        None => None,
    };
    let opts = InputOptions { encoding, stdin_is_jsonl: args.jsonl, ..InputOptions::default() };
    let mut progress = progress::Progress::new(inputs, args.quiet);
    let printer = progress.printer();
    let failures = std::cell::Cell::new(0);
    let docs = input::documents(inputs, &opts).filter_map(|item| match item {
        Ok(doc) => {
            if let Some(enc) = doc.encoding {
                if !args.quiet {
                    printer.suspend(|| eprintln!("note: {}: decoded as {enc}", doc.origin));
                }
            }
            Some((doc.id, doc.text))
        }
        Err(e) if e.is_warning() => {
            if !args.quiet {
                printer.suspend(|| eprintln!("warning: {e}"));
            }
            None
        }
        Err(e) => {
            printer.suspend(|| eprintln!("error: {e}"));
            failures.set(failures.get() + 1);
            None
        }
    });
    newsgraph::stream::extract_render_ordered(extractor, pool, docs, render, |doc, rendered| {
        progress.document(doc);
        sink(doc, rendered)
    })?;
    progress.finish(failures.get());
    Ok(failures.get())
}

/// Extract the inputs into one merged graph.
fn run_extraction(extractor: &Extractor, args: &InputArgs, inputs: &[PathBuf]) -> Result<Run> {
    let pool = thread_pool(args)?;
    let mut graph = KnowledgeGraph::new();
    let failures = for_each_document(extractor, &pool, args, inputs, Arc::new(|_: &newsgraph::Document| ()), |doc, ()| {
        graph.add_document(doc);
        Ok(())
    })?;
    Ok(Run { graph, failures, pool })
}

/// `--jobs N` threads (all cores by default).
fn thread_pool(args: &InputArgs) -> Result<rayon::ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build()?)
}

/// Formats `extract --stream` writes document by document.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamFormat {
    NQuads,
    JsonLines,
}

fn stream_format(format: Option<&str>, output: Option<&Path>) -> Result<StreamFormat> {
    let name = match format {
        Some(name) => name.to_string(),
        None => output.and_then(|p| p.extension()).and_then(|e| e.to_str()).unwrap_or("nquads").to_string(),
    };
    match name.as_str() {
        "nquads" | "nq" => Ok(StreamFormat::NQuads),
        "jsonl" | "ndjson" => Ok(StreamFormat::JsonLines),
        other => anyhow::bail!("--stream writes nquads or jsonl, not \"{other}\""),
    }
}

/// `extract --stream`: write each document as soon as it (and every
/// document before it) is extracted; nothing is merged, so memory does not
/// grow with the corpus.
fn extract_stream(args: &ExtractArgs, extractor: &Extractor) -> Result<ExitCode> {
    let format = stream_format(args.format.as_deref(), args.output.as_deref())?;
    let opts = ExportOptions::with_base(&args.base)?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    // Each document is serialized on the worker that extracted it; this
    // thread writes the bytes in input order.
    let render: newsgraph::stream::Render<std::io::Result<Vec<u8>>> = Arc::new(move |doc| {
        let mut bytes = Vec::new();
        match format {
            StreamFormat::NQuads => newsgraph::stream::write_nquads_document(doc, &opts, &mut bytes)?,
            StreamFormat::JsonLines => newsgraph::stream::write_jsonl_document(doc, &mut bytes)?,
        }
        Ok(bytes)
    });
    let failures = for_each_document(extractor, &thread_pool(&args.input)?, &args.input, &args.input.inputs, render, |_, bytes| {
        out.write_all(&bytes?)?;
        Ok(())
    })?;
    out.flush()?;
    if failures > 0 {
        eprintln!("{failures} document(s) failed");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn extract(args: ExtractArgs) -> Result<ExitCode> {
    if args.stream {
        let extractor = Extractor::new(load_rules(&args.rules)?);
        return extract_stream(&args, &extractor);
    }
    let format = output_format(args.format.as_deref(), args.output.as_deref())?;
    let mut opts = ExportOptions::with_base(&args.base)?;
    if format.is_directory() && args.output.is_none() {
        anyhow::bail!("format {} writes a folder: give one with -o DIR", format.name());
    }
    opts.view.values = ValueMode::from_name(&args.values)
        .with_context(|| format!("unknown --values \"{}\" (one of: nodes, attributes)", args.values))?;
    let rules = load_rules(&args.rules)?;
    let extractor = Extractor::new(rules);
    let run = run_extraction(&extractor, &args.input, &args.input.inputs)?;
    run.pool.install(|| -> Result<()> {
        match &args.output {
            Some(path) => export::write_to_path(&run.graph, format, path, &opts)?,
            None => {
                let stdout = std::io::stdout();
                let mut lock = std::io::BufWriter::new(stdout.lock());
                export::write_with(&run.graph, format, &opts, &mut lock)?;
                lock.flush()?;
            }
        }
        Ok(())
    })?;
    if run.failures > 0 || !args.input.quiet {
        eprintln!("{} documents, {} failed", run.graph.documents().len() + run.failures, run.failures);
    }
    let code = if run.failures > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS };
    // The process ends here: its memory goes back whole when it exits.
    // Freeing the graph a node, a mention and a string at a time first
    // cost about 0.6 M instructions per MB of input, for nothing.
    std::mem::forget(run.graph);
    Ok(code)
}


fn eval(args: EvalArgs) -> Result<ExitCode> {
    use newsgraph::eval::{render_table, score_graph, score_ner_detailed, GoldGraph, NerLine};
    let rules = load_rules(&args.rules)?;
    let extractor = Extractor::new(rules);
    let is_ner = args.gold.extension().is_some_and(|e| e == "jsonl");
    let inputs = if args.inputs.is_empty() && is_ner { vec![args.gold.clone()] } else { args.inputs.clone() };
    if inputs.is_empty() {
        anyhow::bail!("no inputs to extract (give the article(s) the gold file describes)");
    }
    let input_args = InputArgs { inputs, encoding: None, jsonl: false, jobs: args.jobs, quiet: true };
    let run = run_extraction(&extractor, &input_args, &input_args.inputs)?;
    let gold_text = std::fs::read_to_string(&args.gold).with_context(|| format!("cannot read {}", args.gold.display()))?;
    let mut tables: Vec<(String, std::collections::BTreeMap<String, newsgraph::eval::Prf>)> = Vec::new();
    let (missed, spurious, hints) = if is_ner {
        let mut lines = Vec::new();
        for (i, line) in gold_text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let parsed: NerLine = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: invalid gold line", args.gold.display(), i + 1))?;
            lines.push(parsed);
        }
        let score = score_ner_detailed(&lines, &run.graph);
        tables.push(("mentions".to_string(), score.table));
        (score.missed, score.spurious, score.hints)
    } else {
        let gold: GoldGraph = serde_json::from_str(&gold_text)
            .with_context(|| format!("{}: invalid gold graph", args.gold.display()))?;
        let score = score_graph(&gold, &run.graph);
        for (kind, table) in &score.kinds {
            tables.push((kind.to_string(), table.clone()));
        }
        (score.missed, score.spurious, score.hints)
    };
    for (kind, table) in &tables {
        println!("{kind}:");
        print!("{}", render_table(table));
    }
    if args.show_misses {
        println!("missed:");
        for m in &missed {
            match hints.get(m) {
                Some(h) => println!("  {m}  ({h})"),
                None => println!("  {m}"),
            }
        }
        println!("spurious:");
        spurious.iter().for_each(|m| println!("  {m}"));
    }
    let result = serde_json::json!({
        "scores": tables.iter().map(|(k, t)| (k.clone(), serde_json::Value::Object(t.iter().map(|(ty, p)| (ty.clone(), serde_json::json!({
            "precision": p.precision(), "recall": p.recall(), "f1": p.f1(), "gold": p.gold, "system": p.system,
        }))).collect()))).collect::<serde_json::Map<_, _>>(),
        "missed": missed,
        "spurious": spurious,
        "hints": hints,
    });
    if let Some(path) = &args.compare {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let before: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{}: not a saved eval result", path.display()))?;
        let set = |v: &serde_json::Value, k: &str| -> std::collections::BTreeSet<String> {
            v[k].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
        };
        let (m0, m1) = (set(&before, "missed"), set(&result, "missed"));
        let (s0, s1) = (set(&before, "spurious"), set(&result, "spurious"));
        println!("compared with {}:", path.display());
        for (kind, table) in &tables {
            for (ty, p) in table {
                let old = before["scores"][kind][ty]["f1"].as_f64();
                if let Some(old) = old {
                    if (old - p.f1()).abs() > 1e-9 {
                        println!("  {kind} {ty}: F1 {old:.3} -> {:.3}", p.f1());
                    }
                }
            }
        }
        m0.difference(&m1).for_each(|m| println!("  + found   {m}"));
        m1.difference(&m0).for_each(|m| println!("  - lost    {m}"));
        s0.difference(&s1).for_each(|m| println!("  + dropped spurious {m}"));
        s1.difference(&s0).for_each(|m| println!("  - new spurious     {m}"));
    }
    if let Some(path) = &args.save {
        newsgraph::atomic_write::write_atomically(path, |w| serde_json::to_writer_pretty(w, &result).map_err(std::io::Error::other))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(if run.failures > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn rules_check(dir: Option<PathBuf>, add: bool, verbose: bool) -> Result<ExitCode> {
    let compiled = match (&dir, add) {
        (None, _) => RuleSet::builtin(),
        (Some(d), false) => RuleSet::from_dir(d).map(Arc::new),
        (Some(d), true) => RuleSource::from_dir(d).and_then(|user| RuleSet::layered(&[RuleSource::builtin(), user])).map(Arc::new),
    };
    let rules = match compiled {
        Ok(rules) => rules,
        Err(errors) => {
            for e in &errors.0 {
                println!("ERROR {e}");
            }
            println!("{} error(s) in the rule files; no example was run", errors.0.len());
            return Ok(ExitCode::from(2));
        }
    };
    let report = newsgraph::check::check_examples(rules);
    // The checked directory's own rules are listed even when they pass.
    let own_layer = if add { 1 } else { 0 };
    for r in &report.results {
        if r.failed == 0 && r.examples > 0 && (verbose || (dir.is_some() && r.layer == own_layer)) {
            println!("PASS rule {} ({} example{})", r.rule, r.examples, if r.examples == 1 { "" } else { "s" });
        }
        if r.failed > 0 {
            println!("FAIL rule {}: {} of {} example{} failed", r.rule, r.failed, r.examples, if r.examples == 1 { "" } else { "s" });
            for f in report.failures.iter().filter(|f| f.rule == r.rule) {
                println!("    example:  {}", f.text);
                println!("    expected: {}", f.expected);
                println!("    found:    {}", f.found);
            }
        }
    }
    let failed_rules = report.results.iter().filter(|r| r.failed > 0).count();
    println!(
        "{} rules ({} without examples), {} examples: {} passed, {} failed{}",
        report.rules,
        report.without_examples(),
        report.examples,
        report.passed(),
        report.failed(),
        if failed_rules > 0 { format!(" (in {failed_rules} rule{})", if failed_rules == 1 { "" } else { "s" }) } else { String::new() }
    );
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn explain(args: ExplainArgs) -> Result<ExitCode> {
    use std::io::IsTerminal;
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        "auto" => std::io::stdout().is_terminal(),
        other => anyhow::bail!("unknown --color \"{other}\" (one of: auto, always, never)"),
    };
    let rules = load_rules(&args.rules)?;
    let mut failures = 0;
    let mut out = String::new();
    let docs: Vec<_> = input::documents(std::slice::from_ref(&args.file), &InputOptions::default()).collect();
    let several = docs.iter().filter(|d| d.is_ok()).count() > 1;
    for item in docs {
        let doc = match item {
            Ok(doc) => doc,
            Err(e) if e.is_warning() => {
                eprintln!("warning: {e}");
                continue;
            }
            Err(e) => {
                eprintln!("error: {e}");
                failures += 1;
                continue;
            }
        };
        let mut sentences = newsgraph::explain::explain(rules.clone(), &doc.id, &doc.text);
        if let Some(n) = args.sentence {
            if n == 0 || n > sentences.len() {
                anyhow::bail!("{}: no sentence {n} (it has {})", doc.id, sentences.len());
            }
            sentences = vec![sentences.swap_remove(n - 1)];
        }
        if several {
            out.push_str(&format!("== {}\n", doc.id));
        }
        out.push_str(&newsgraph::explain::render(&sentences, color));
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r?,
    }
    Ok(if failures > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Inputs with an RDF extension are loaded as RDF; all others are articles.
fn run_query(args: QueryArgs) -> Result<ExitCode> {
    let results = ResultsFormat::from_name(&args.results).with_context(|| {
        let names: Vec<&str> = ResultsFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown results format \"{}\" (one of: {})", args.results, names.join(", "))
    })?;
    let graph_format = ExportFormat::from_name(&args.format)
        .and_then(ExportFormat::rdf_format)
        .with_context(|| format!("unknown RDF format \"{}\" (one of: turtle, ntriples, nquads, trig, rdfxml, jsonld)", args.format))?;
    let (text, source) = match (&args.query, &args.query_file) {
        (Some(q), _) => (q.clone(), "query".to_string()),
        (None, Some(path)) => (
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
            path.display().to_string(),
        ),
        (None, None) => anyhow::bail!("give --query or --query-file"),
    };
    let opts = ExportOptions::with_base(&args.base)?;
    let (rdf_inputs, articles): (Vec<PathBuf>, Vec<PathBuf>) =
        args.input.inputs.iter().cloned().partition(|p| QueryStore::rdf_format_of(p).is_some());
    let store = QueryStore::new()?;
    let mut failures = 0;
    if !articles.is_empty() {
        let extractor = Extractor::new(load_rules(&args.rules)?);
        let run = run_extraction(&extractor, &args.input, &articles)?;
        failures = run.failures;
        store.add_graph(&run.graph, &opts)?;
    }
    for path in &rdf_inputs {
        store.load_file(path)?;
    }
    let answer = store.run(&text, &source)?;
    let stdout = std::io::stdout();
    let mut lock = std::io::BufWriter::new(stdout.lock());
    query::write_results(answer, results, graph_format, &mut lock)?;
    lock.flush()?;
    if failures > 0 {
        eprintln!("{failures} document(s) failed");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
