// Integration tests: index.

// Shared helpers: the seed article's graph, built once.
mod util;
// RDF export: every format parses back to the same quads; hostile names; ontology coverage; rdflib.
mod rdf;
// SPARQL: example queries in fixtures/queries return their expected rows; error locations.
mod query;
// CSV and Neo4j folder exports: round trip through the csv reader, headers.
mod csv_export;
