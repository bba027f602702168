//! The integration test suite: one binary, one module per topic.

// Shared helpers: fixture paths, running the binary, extracting a text.
mod util;
// The command line: exit codes, stdout, stderr messages.
mod cli;
// Score floors on the seed article and the People's Daily dev set.
mod gold;
// The pipeline end to end: offsets, script folding, determinism, aliases.
mod pipeline;
// Every built-in rule's examples, and rule errors with their positions.
mod rules;
// Value normalizers against other projects' test cases.
mod values_peer_cases;
// RDF export: every format parses back to the same quads; hostile names; ontology coverage; rdflib.
mod rdf;
// SPARQL: example queries in fixtures/queries return their expected rows; error locations.
mod query;
// CSV and Neo4j folder exports: round trip through the csv reader, headers.
mod csv_export;
// GraphML, GEXF, DOT, Cytoscape, node-link and HTML views; NetworkX, dot and Chromium checks.
mod viz;
// Input faults through the binary: bad bytes, huge files, broken lines, unreadable paths, output paths.
mod robust_input;
// GBK and Big5 copies of the seed: detected and --encoding, same graph as UTF-8.
mod robust_encoding;
// Rule faults through the binary (--rules, --add-rules): positions, rule ids, exit 2, all at once.
mod robust_rules;
// Hostile text (proptest): every export format parses back; hostile JSONL through the binary.
mod robust_hostile;
// Resource bounds: sentence cap, chunked extraction of long documents with consistent offsets.
mod robust_limits;
// Corpus scale: --jobs byte-identity, --stream output, summary line.
mod scale;
// The rule author's loop: user gazetteers win, explain, rules check, eval --compare.
mod authoring;
