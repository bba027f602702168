//! Scoring against gold files (in progress).
