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
// Corpus scale: --jobs byte-identity, --stream output, summary line.
mod scale;
// The rule author's loop: user gazetteers win, explain, rules check, eval --compare.
mod authoring;
