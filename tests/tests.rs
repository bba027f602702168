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
