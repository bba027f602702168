//! The input layer: turns command-line inputs into a lazy stream of decoded
//! documents.
//!
//! An input argument is a file, a folder or `-` (stdin):
//!
//! * a file is one document whose id is its file name — unless its name ends
//!   in `.jsonl` or `.ndjson`, in which case it is a corpus with one
//!   `{"id": ..., "text": ...}` document per line;
//! * a folder contributes every `*.txt` file (documents) and every
//!   `*.jsonl`/`*.ndjson` file (corpora) below it, recursively, in path
//!   order; ids are paths relative to the folder with `/` separators;
//! * `-` is one document with id `-`, or a JSON Lines stream when
//!   [`InputOptions::stdin_is_jsonl`] is set.
//!
//! Text is returned exactly as stored, minus a byte-order mark: line endings
//! and whitespace are not touched, because the extraction core reports
//! character offsets into [`SourceDocument::text`] and those must point into
//! the document a user can open. Bytes that are not UTF-8 are decoded with
//! the encoding the caller names, or with a legacy Chinese (or other
//! multi-byte) encoding that `chardetng` detects and that decodes without a
//! single error; the encoding used is recorded in
//! [`SourceDocument::encoding`].
//!
//! Every fault — unreadable file, binary file, undecodable bytes, a broken
//! JSON line, an oversized document, an empty document — is one
//! [`InputError`] item in the stream, and the stream goes on with the next
//! document or line. Corpora are read line by line, so their size is not
//! limited by memory; a single document is limited to
//! [`InputOptions::max_document_bytes`].
//!
//! Left to the caller: parsing flags (e.g. turning `--encoding gbk` into an
//! [`Encoding`] with [`Encoding::for_label`]), deciding which errors are
//! fatal and how to print them (see [`InputError::is_warning`] and
//! [`SourceDocument::encoding`] for the "decoded as GBK" note), duplicate
//! ids (the same file named twice is read twice), and Unicode normalisation.

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use encoding_rs::{DecoderResult, Encoding};
use serde::Deserialize;
use thiserror::Error;

mod plain_record;

/// Default for [`InputOptions::max_document_bytes`]: 64 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// How many leading bytes the binary-file heuristic looks at.
const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// One document, decoded, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDocument {
    pub id: String,
    /// The full text, BOM removed, otherwise as stored (CRLF kept).
    pub text: String,
    pub origin: Origin,
    /// `None` for UTF-8; otherwise the encoding_rs name of the encoding the
    /// bytes were decoded from (`"GBK"`, `"Big5"`, `"UTF-16LE"`, ...).
    pub encoding: Option<&'static str>,
}

/// Where a document (or an error) comes from. Displays as `path` or
/// `path:line`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The path as derived from the argument; `-` for stdin.
    pub path: PathBuf,
    /// 1-based line number inside a JSON Lines corpus.
    pub line: Option<usize>,
}

impl Origin {
    fn file(path: impl Into<PathBuf>) -> Origin {
        Origin {
            path: path.into(),
            line: None,
        }
    }

    fn at_line(path: impl Into<PathBuf>, line: usize) -> Origin {
        Origin {
            path: path.into(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct InputOptions {
    /// Encoding named by the user (`--encoding`); `None` means UTF-8 with
    /// detection of legacy encodings as a fallback.
    pub encoding: Option<&'static Encoding>,
    /// Largest document (file, or JSON line) read; larger ones are skipped
    /// with [`InputError::TooLarge`].
    pub max_document_bytes: usize,
    /// Read `-` as JSON Lines rather than as one document.
    pub stdin_is_jsonl: bool,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            encoding: None,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            stdin_is_jsonl: false,
        }
    }
}

/// What a command-line argument denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// A file: a document, or a corpus if named `*.jsonl` / `*.ndjson`.
    File(PathBuf),
    Folder(PathBuf),
    Stdin,
}

impl InputSpec {
    /// Classifies an argument by looking at the file system (following
    /// symlinks). `-` is stdin.
    pub fn from_arg(arg: &Path) -> Result<InputSpec, InputError> {
        if arg.as_os_str() == "-" {
            return Ok(InputSpec::Stdin);
        }
        match fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => Ok(InputSpec::Folder(arg.to_path_buf())),
            Ok(_) => Ok(InputSpec::File(arg.to_path_buf())),
            Err(source) => Err(InputError::Io {
                at: Origin::file(arg),
                source,
            }),
        }
    }
}

/// Why bytes could not be turned into text. Offsets are byte offsets into
/// the bytes given to [`decode`] (a BOM counts).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// No encoding was named, the bytes are not UTF-8 and no legacy
    /// encoding decodes them cleanly.
    #[error("invalid UTF-8 at byte {offset} (no --encoding given and no legacy encoding detected{})",
        .guess.map(|g| format!("; {g} was the best guess but does not decode it either")).unwrap_or_default())]
    InvalidUtf8 {
        offset: usize,
        /// The detector's guess, when there was one that failed to decode.
        guess: Option<&'static str>,
    },
    /// The bytes are malformed in the encoding that was named (or that a
    /// byte-order mark announced).
    #[error("malformed {encoding} at byte {offset}")]
    Malformed {
        encoding: &'static str,
        offset: usize,
    },
}

/// Why a document could not be produced. `Display` starts with the origin
/// (`path`, or `path:line` inside a corpus).
#[derive(Debug, Error)]
pub enum InputError {
    /// The operating system refused to read something: a missing or
    /// unreadable file, a folder entry that cannot be listed, stdin failing.
    /// The only variant about I/O rather than content.
    #[error("{at}: cannot read: {source}")]
    Io {
        at: Origin,
        #[source]
        source: io::Error,
    },
    #[error("{at}: {source}")]
    Decode {
        at: Origin,
        #[source]
        source: DecodeError,
    },
    #[error("{at}: binary file, skipped ({reason} at byte {offset})")]
    Binary {
        at: Origin,
        offset: usize,
        reason: BinaryReason,
    },
    /// Zero bytes, or only whitespace after decoding. Warning-level: nothing
    /// is lost by skipping it.
    #[error("{at}: empty document")]
    Empty { at: Origin },
    #[error("{at}: document of {size} bytes or more exceeds the limit of {limit} bytes, skipped")]
    TooLarge { at: Origin, size: u64, limit: usize },
    /// A JSON line that is not JSON.
    #[error("{at}: invalid JSON: {message} at column {column}")]
    Json {
        at: Origin,
        message: String,
        column: usize,
    },
    /// A JSON object whose `text` is missing or not a string.
    #[error("{at}: no string \"text\" field ({found})")]
    MissingText { at: Origin, found: &'static str },
    /// Valid JSON that is not a document record (not an object, or an `id`
    /// that is neither string nor number).
    #[error("{at}: not a document record: {message}")]
    BadRecord { at: Origin, message: String },
}

/// What made [`InputError::Binary`] judge a file binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryReason {
    NulByte,
    ControlCharacters,
}

impl fmt::Display for BinaryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinaryReason::NulByte => "NUL byte",
            BinaryReason::ControlCharacters => "mostly control characters, first",
        })
    }
}

impl InputError {
    pub fn origin(&self) -> &Origin {
        match self {
            InputError::Io { at, .. }
            | InputError::Decode { at, .. }
            | InputError::Binary { at, .. }
            | InputError::Empty { at }
            | InputError::TooLarge { at, .. }
            | InputError::Json { at, .. }
            | InputError::MissingText { at, .. }
            | InputError::BadRecord { at, .. } => at,
        }
    }

    /// True for I/O failures, false for problems with the content.
    pub fn is_io(&self) -> bool {
        matches!(self, InputError::Io { .. })
    }

    /// True for faults a CLI may reasonably just mention (an empty
    /// document); everything else means a document was lost.
    pub fn is_warning(&self) -> bool {
        matches!(self, InputError::Empty { .. })
    }
}

// ---------------------------------------------------------------------------
// Decoding

/// Decodes one document's bytes.
///
/// A byte-order mark (UTF-8, UTF-16LE/BE) wins over everything, as in
/// browsers, and is removed. Otherwise a named `encoding` is used strictly
/// (the first malformed sequence is an error, not a U+FFFD). Without one,
/// valid UTF-8 is taken as is; other bytes are handed to `chardetng`, and
/// its guess is accepted only if it is a multi-byte legacy encoding (GBK,
/// Big5, Shift_JIS, EUC-JP, EUC-KR) that decodes every byte. The second
/// value is the encoding's name when it was not UTF-8.
pub fn decode(
    bytes: &[u8],
    encoding: Option<&'static Encoding>,
) -> Result<(String, Option<&'static str>), DecodeError> {
    decode_vec(bytes.to_vec(), encoding)
}

/// [`decode`] taking ownership, so valid UTF-8 — the common case, and a
/// possibly huge one — becomes a `String` without being copied.
fn decode_vec(
    mut bytes: Vec<u8>,
    encoding: Option<&'static Encoding>,
) -> Result<(String, Option<&'static str>), DecodeError> {
    if let Some((bom_encoding, bom_len)) = Encoding::for_bom(&bytes) {
        if bom_encoding == encoding_rs::UTF_8 {
            bytes.drain(..bom_len);
            return String::from_utf8(bytes).map(|s| (s, None)).map_err(|e| {
                DecodeError::Malformed {
                    encoding: "UTF-8",
                    offset: bom_len + e.utf8_error().valid_up_to(),
                }
            });
        }
        return decode_strict(bom_encoding, &bytes[bom_len..])
            .map(|s| (s, Some(bom_encoding.name())))
            .map_err(|offset| DecodeError::Malformed {
                encoding: bom_encoding.name(),
                offset: bom_len + offset,
            });
    }

    match encoding {
        Some(named) if named == encoding_rs::UTF_8 => String::from_utf8(bytes)
            .map(|s| (s, None))
            .map_err(|e| DecodeError::Malformed {
                encoding: "UTF-8",
                offset: e.utf8_error().valid_up_to(),
            }),
        Some(named) => decode_strict(named, &bytes)
            .map(|s| (s, Some(named.name())))
            .map_err(|offset| DecodeError::Malformed {
                encoding: named.name(),
                offset,
            }),
        None => match String::from_utf8(bytes) {
            Ok(text) => Ok((text, None)),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                detect_legacy(e.as_bytes())
                    .map(|(text, enc)| (text, Some(enc.name())))
                    .map_err(|guess| DecodeError::InvalidUtf8 { offset, guess })
            }
        },
    }
}

/// [`decode`] of one line of a corpus, borrowing the line when it is UTF-8
/// without a BOM (nearly always): the reader then keeps its line buffer for
/// the next line instead of handing it over and growing a new one by
/// reallocation, line after line.
fn decode_line<'a>(
    bytes: &'a [u8],
    encoding: Option<&'static Encoding>,
) -> Result<(Cow<'a, str>, Option<&'static str>), DecodeError> {
    let utf8_expected = encoding.is_none_or(|named| named == encoding_rs::UTF_8);
    if utf8_expected && Encoding::for_bom(bytes).is_none() {
        // Validated with SIMD: the standard library's validation takes
        // about ten instructions per byte of Chinese text, more than the
        // JSON parsing that follows. On an error, `decode` finds where.
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            return Ok((Cow::Borrowed(text), None));
        }
    }
    decode(bytes, encoding).map(|(text, named)| (Cow::Owned(text), named))
}

/// Detects and decodes a legacy encoding; on failure returns the guess that
/// did not work out, if there was a plausible one.
fn detect_legacy(bytes: &[u8]) -> Result<(String, &'static Encoding), Option<&'static str>> {
    // A UTF-8 file with a damaged byte (truncated download, bad copy) still
    // has mostly valid multi-byte sequences, and UTF-8 Chinese happens to be
    // largely valid GBK too: "detecting" GBK there would silently turn the
    // whole document into mojibake. Report the broken byte instead.
    if looks_like_damaged_utf8(bytes) {
        return Err(None);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(None, false);
    // Single-byte encodings map (nearly) every byte to some character, so
    // "decodes without errors" would prove nothing for them.
    let multi_byte = [
        encoding_rs::GBK,
        encoding_rs::GB18030,
        encoding_rs::BIG5,
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_JP,
        encoding_rs::EUC_KR,
    ];
    if !multi_byte.contains(&guess) {
        return Err(None);
    }
    decode_strict(guess, bytes)
        .map(|text| (text, guess))
        .map_err(|_| Some(guess.name()))
}

/// True when valid non-ASCII UTF-8 characters outnumber invalid sequences
/// four to one. Legacy CJK text forms valid UTF-8 sequences only by
/// accident, far less often than invalid ones.
fn looks_like_damaged_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid >= 4 * invalid
}

/// Decodes without replacement; `Err` is the byte offset of the first
/// malformed sequence.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut text = String::with_capacity(capacity);
    let mut consumed = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[consumed..], &mut text, true);
        consumed += read;
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            // `read` counts the malformed sequence and `after` bytes past it.
            DecoderResult::Malformed(len, after) => {
                return Err(consumed - usize::from(after) - usize::from(len))
            }
            // Only if the capacity estimate overflowed; grow and go on.
            DecoderResult::OutputFull => text.reserve(bytes.len() - consumed + 16),
        }
    }
}

/// The binary-file heuristic on the first 8 KiB: any NUL byte, or more than
/// 10% C0 control characters other than the whitespace ones and ESC.
fn sniff_binary(bytes: &[u8]) -> Option<(usize, BinaryReason)> {
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    if let Some(pos) = head.iter().position(|&b| b == 0) {
        return Some((pos, BinaryReason::NulByte));
    }
    let is_odd_control = |b: &u8| {
        (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b)) || *b == 0x7f
    };
    let count = head.iter().filter(|b| is_odd_control(b)).count();
    if count * 10 > head.len() {
        let first = head.iter().position(is_odd_control).unwrap_or(0);
        return Some((first, BinaryReason::ControlCharacters));
    }
    None
}

/// UTF-16 text is full of NUL bytes; it must not be mistaken for binary
/// when a BOM or the user says what it is.
fn is_utf16(bytes: &[u8], named: Option<&'static Encoding>) -> bool {
    let by_bom = matches!(Encoding::for_bom(bytes), Some((e, _)) if e != encoding_rs::UTF_8);
    let by_name =
        matches!(named, Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE);
    by_bom || by_name
}

// ---------------------------------------------------------------------------
// Documents from whole files

/// Reads one whole-file document from `reader`, at most `opts.max_document_bytes`.
fn read_text_document(
    mut reader: impl Read,
    at: Origin,
    id: String,
    size_hint: Option<u64>,
    opts: &InputOptions,
) -> Result<SourceDocument, InputError> {
    let limit = opts.max_document_bytes;
    if let Some(size) = size_hint {
        if size > limit as u64 {
            // Known from metadata: skip without reading a byte.
            return Err(InputError::TooLarge { at, size, limit });
        }
    }
    let capacity = size_hint.map_or(0, |s| s as usize);
    let mut bytes = Vec::with_capacity(capacity);
    // One byte past the limit tells "exactly at the limit" from "over it",
    // also for pipes and files that grew since `metadata`.
    if let Err(source) = (&mut reader).take(limit as u64 + 1).read_to_end(&mut bytes) {
        return Err(InputError::Io { at, source });
    }
    if bytes.len() > limit {
        return Err(InputError::TooLarge {
            at,
            size: bytes.len() as u64,
            limit,
        });
    }
    document_from_bytes(bytes, at, id, opts)
}

fn document_from_bytes(
    bytes: Vec<u8>,
    at: Origin,
    id: String,
    opts: &InputOptions,
) -> Result<SourceDocument, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty { at });
    }
    if !is_utf16(&bytes, opts.encoding) {
        if let Some((offset, reason)) = sniff_binary(&bytes) {
            return Err(InputError::Binary { at, offset, reason });
        }
    }
    let (text, encoding) = match decode_vec(bytes, opts.encoding) {
        Ok(decoded) => decoded,
        Err(source) => return Err(InputError::Decode { at, source }),
    };
    document(id, text, at, encoding)
}

fn read_file_document(
    path: PathBuf,
    id: String,
    opts: &InputOptions,
) -> Result<SourceDocument, InputError> {
    let at = Origin::file(path);
    let file = match File::open(&at.path) {
        Ok(file) => file,
        Err(source) => return Err(InputError::Io { at, source }),
    };
    let size = file.metadata().ok().map(|m| m.len());
    read_text_document(file, at, id, size, opts)
}

// ---------------------------------------------------------------------------
// Documents from JSON Lines

/// One corpus being read line by line.
struct JsonlReader {
    path: PathBuf,
    /// Prefix of generated ids (`<name>:<line>`), named like a plain
    /// document id would be.
    name: String,
    reader: Box<dyn BufRead>,
    line: usize,
    buf: Vec<u8>,
    sniffed: bool,
    /// Set after a fault that ends the corpus (binary content, I/O error).
    finished: bool,
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    text: Option<serde_json::Value>,
}

enum LineRead {
    Eof,
    Line,
    /// The line had more than the limit; it was skipped, not stored.
    TooLong(u64),
}

/// Reads up to and excluding the next `\n` into `buf`, storing at most
/// `limit` bytes: an over-long line is consumed to its end (or the end of
/// the stream) but never held in memory.
fn read_line_bounded(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<LineRead> {
    buf.clear();
    let mut total: u64 = 0;
    let mut seen_any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        seen_any = true;
        let (chunk, found_newline) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        total += chunk.len() as u64;
        if total <= limit as u64 {
            buf.extend_from_slice(chunk);
        } else if !buf.is_empty() {
            // Over the limit: drop what was kept, just count from now on.
            buf.clear();
            buf.shrink_to(limit.min(64 * 1024));
        }
        let used = chunk.len() + usize::from(found_newline);
        reader.consume(used);
        if found_newline {
            break;
        }
    }
    if !seen_any {
        Ok(LineRead::Eof)
    } else if total > limit as u64 {
        Ok(LineRead::TooLong(total))
    } else {
        Ok(LineRead::Line)
    }
}

impl JsonlReader {
    fn new(path: PathBuf, name: String, reader: Box<dyn BufRead>) -> JsonlReader {
        JsonlReader {
            path,
            name,
            reader,
            line: 0,
            buf: Vec::new(),
            sniffed: false,
            finished: false,
        }
    }

    /// The next document or error; `None` at the end of the corpus (or after
    /// an I/O error, which would likely repeat forever).
    fn next_item(&mut self, opts: &InputOptions) -> Option<Result<SourceDocument, InputError>> {
        if self.finished {
            return None;
        }
        if !self.sniffed {
            self.sniffed = true;
            // A binary file named *.jsonl would otherwise yield one JSON
            // error per "line"; one error for the file is more useful.
            if let Ok(head) = self.reader.fill_buf() {
                if !is_utf16(head, opts.encoding) {
                    if let Some((offset, reason)) = sniff_binary(head) {
                        if reason == BinaryReason::NulByte {
                            self.finished = true;
                            return Some(Err(InputError::Binary {
                                at: Origin::file(&self.path),
                                offset,
                                reason,
                            }));
                        }
                    }
                }
            }
        }
        loop {
            let read = read_line_bounded(&mut *self.reader, &mut self.buf, opts.max_document_bytes);
            let at = Origin::at_line(&self.path, self.line + 1);
            match read {
                Err(source) => {
                    self.finished = true;
                    return Some(Err(InputError::Io { at, source }));
                }
                Ok(LineRead::Eof) => return None,
                Ok(LineRead::TooLong(size)) => {
                    self.line += 1;
                    return Some(Err(InputError::TooLarge {
                        at,
                        size,
                        limit: opts.max_document_bytes,
                    }));
                }
                Ok(LineRead::Line) => {
                    self.line += 1;
                    // Blank lines (typically a trailing one) are not documents.
                    if self.buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(self.parse_line(at, opts));
                }
            }
        }
    }

    /// The document on the line just read into `self.buf`.
    fn parse_line(&self, at: Origin, opts: &InputOptions) -> Result<SourceDocument, InputError> {
        // Lines are decoded one by one: the legacy encodings worth supporting
        // never use the byte 0x0A inside a character, so splitting first is
        // safe.
        let (json, encoding) = match decode_line(&self.buf, opts.encoding) {
            Ok(decoded) => decoded,
            Err(source) => return Err(InputError::Decode { at, source }),
        };
        // A plain record has no backslash at all, so no surrogate escape to
        // replace: read first, it is spared that scan.
        if let Some(record) = plain_record::parse(&json) {
            return document(record.id.to_string(), record.text.to_string(), at, encoding);
        }
        let json = replace_lone_surrogates(&json);
        // serde's derived struct would also accept `[id, text]` arrays;
        // only objects are records.
        if !json.trim_start().starts_with('{') {
            return Err(match serde_json::from_str::<serde_json::Value>(&json) {
                Ok(value) => InputError::BadRecord {
                    at,
                    message: format!("expected a JSON object, found {}", json_kind(&value)),
                },
                Err(e) => InputError::Json {
                    at,
                    message: strip_position(&e),
                    column: e.column(),
                },
            });
        }
        let record: Record = match serde_json::from_str(&json) {
            Ok(record) => record,
            Err(e) if e.is_data() => {
                return Err(InputError::BadRecord {
                    at,
                    message: strip_position(&e),
                });
            }
            Err(e) => {
                return Err(InputError::Json {
                    at,
                    message: strip_position(&e),
                    column: e.column(),
                });
            }
        };
        let line = at.line.unwrap_or(0);
        let id = match record.id {
            None | Some(serde_json::Value::Null) => format!("{}:{line}", self.name),
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(other) => {
                return Err(InputError::BadRecord {
                    at,
                    message: format!(
                        "\"id\" must be a string or a number, found {}",
                        json_kind(&other)
                    ),
                });
            }
        };
        let text = match record.text {
            Some(serde_json::Value::String(s)) => s,
            None => {
                return Err(InputError::MissingText {
                    at,
                    found: "missing",
                })
            }
            Some(other) => {
                return Err(InputError::MissingText {
                    at,
                    found: json_kind(&other),
                })
            }
        };
        document(id, text, at, encoding)
    }
}

/// The document of a file or a record, unless its text is blank.
fn document(id: String, text: String, at: Origin, encoding: Option<&'static str>) -> Result<SourceDocument, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::Empty { at });
    }
    Ok(SourceDocument {
        id,
        text,
        origin: at,
        encoding,
    })
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// serde_json's message without its " at line L column C" tail: the line is
/// always 1 within a JSON line, and the column is reported separately.
fn strip_position(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let tail = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&tail).unwrap_or(&full).to_string()
}

/// Replaces `\uD800`-style escapes of unpaired UTF-16 surrogates with
/// `\uFFFD`. Producers written in JavaScript or Java emit them when they cut
/// a string between the two halves of an emoji or a rare CJK character;
/// serde_json rejects them, which would lose the whole document for one
/// character. The replacement has the same length, so serde_json's column
/// numbers stay valid for the original line.
fn replace_lone_surrogates(json: &str) -> Cow<'_, str> {
    fn escape_at(bytes: &[u8], i: usize) -> Option<u16> {
        let hex = bytes.get(i..i + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    }
    let is_high = |u: u16| (0xD800..0xDC00).contains(&u);
    let is_low = |u: u16| (0xDC00..0xE000).contains(&u);

    let bytes = json.as_bytes();
    let mut lone = Vec::new();
    let mut i = 0;
    // From backslash to backslash (found a vector at a time: most lines
    // have none, or a few `\n` and `\"`): every escape starts with one.
    while let Some(skipped) = memchr::memchr(b'\\', &bytes[i.min(bytes.len())..]) {
        i += skipped;
        match escape_at(bytes, i) {
            Some(u) if is_high(u) => match escape_at(bytes, i + 6) {
                Some(next) if is_low(next) => i += 12,
                _ => {
                    lone.push(i);
                    i += 6;
                }
            },
            Some(u) if is_low(u) => {
                lone.push(i);
                i += 6;
            }
            Some(_) => i += 6,
            // Any other escape (`\\`, `\"`, ...) is two bytes; skipping both
            // keeps `\\u` from being read as a `\u` escape.
            None => i += 2,
        }
    }
    if lone.is_empty() {
        return Cow::Borrowed(json);
    }
    let mut out = json.to_string();
    for pos in lone {
        out.replace_range(pos..pos + 6, "\\uFFFD");
    }
    Cow::Owned(out)
}

// ---------------------------------------------------------------------------
// Arguments, folders and the iterator

/// Work queued by expanding an argument.
enum Pending {
    Text { path: PathBuf, id: String },
    Jsonl { path: PathBuf, name: String },
    Error(InputError),
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn is_jsonl(path: &Path) -> bool {
    has_extension(path, &["jsonl", "ndjson"])
}

/// The id of a file found in a folder: its path relative to the folder,
/// `/`-separated on every platform so ids are portable.
fn relative_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Lists the documents and corpora below `root` in path order. Only names
/// are collected here; contents are read lazily by the iterator.
fn walk_folder(root: &Path) -> Vec<Pending> {
    let mut found: Vec<(PathBuf, Pending)> = Vec::new();
    let mut visited = HashSet::new();
    walk_into(root, root, &mut found, &mut visited);
    // `Path` orders component by component, so `a/z.txt` comes before
    // `a-b.txt`: a folder's files stay together.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.into_iter().map(|(_, p)| p).collect()
}

fn walk_into(
    root: &Path,
    dir: &Path,
    found: &mut Vec<(PathBuf, Pending)>,
    visited: &mut HashSet<PathBuf>,
) {
    // Symlinked folders are followed, but each real folder only once, so a
    // link pointing upwards cannot loop forever.
    if let Ok(real) = fs::canonicalize(dir) {
        if !visited.insert(real) {
            return;
        }
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            let error = InputError::Io {
                at: Origin::file(dir),
                source,
            };
            found.push((dir.to_path_buf(), Pending::Error(error)));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(source) => {
                let error = InputError::Io {
                    at: Origin::file(dir),
                    source,
                };
                found.push((dir.to_path_buf(), Pending::Error(error)));
                continue;
            }
        };
        let path = entry.path();
        let wanted_file = has_extension(&path, &["txt"]) || is_jsonl(&path);
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk_into(root, &path, found, visited),
            Ok(_) if wanted_file => {
                let id = relative_id(root, &path);
                let pending = if is_jsonl(&path) {
                    Pending::Jsonl {
                        path: path.clone(),
                        name: id,
                    }
                } else {
                    Pending::Text {
                        path: path.clone(),
                        id,
                    }
                };
                found.push((path, pending));
            }
            Ok(_) => {}
            // A dangling symlink or an entry we may not stat: only worth
            // reporting if it looks like one of our inputs.
            Err(source) if wanted_file => {
                let error = InputError::Io {
                    at: Origin::file(&path),
                    source,
                };
                found.push((path, Pending::Error(error)));
            }
            Err(_) => {}
        }
    }
}

/// The lazy document stream returned by [`documents`].
pub struct Documents {
    opts: InputOptions,
    args: VecDeque<PathBuf>,
    pending: VecDeque<Pending>,
    corpus: Option<JsonlReader>,
}

/// All documents named by `args`, in argument order and, within a folder,
/// in path order. Nothing is read before the iterator is advanced, and each
/// fault is an `Err` item after which the stream continues.
pub fn documents(args: &[PathBuf], opts: &InputOptions) -> Documents {
    Documents {
        opts: opts.clone(),
        args: args.iter().cloned().collect(),
        pending: VecDeque::new(),
        corpus: None,
    }
}

impl Documents {
    /// Reads a JSON Lines stream from any reader (for callers and tests that
    /// have one at hand); `path` is what origins and generated ids show.
    pub fn from_jsonl_reader(
        path: PathBuf,
        reader: Box<dyn BufRead>,
        opts: &InputOptions,
    ) -> Documents {
        let name = path.to_string_lossy().into_owned();
        Documents {
            opts: opts.clone(),
            args: VecDeque::new(),
            pending: VecDeque::new(),
            corpus: Some(JsonlReader::new(path, name, reader)),
        }
    }

    /// Expands one argument; may yield an item directly (stdin, an error).
    fn expand(&mut self, arg: PathBuf) -> Option<Result<SourceDocument, InputError>> {
        match InputSpec::from_arg(&arg) {
            Err(error) => Some(Err(error)),
            Ok(InputSpec::Stdin) => {
                let stdin: Box<dyn BufRead> = Box::new(io::stdin().lock());
                if self.opts.stdin_is_jsonl {
                    self.corpus = Some(JsonlReader::new(arg, "-".to_string(), stdin));
                    None
                } else {
                    Some(read_text_document(
                        stdin,
                        Origin::file("-"),
                        "-".to_string(),
                        None,
                        &self.opts,
                    ))
                }
            }
            Ok(InputSpec::Folder(dir)) => {
                self.pending.extend(walk_folder(&dir));
                None
            }
            Ok(InputSpec::File(path)) => {
                let name = path
                    .file_name()
                    .map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy())
                    .into_owned();
                self.pending.push_back(if is_jsonl(&path) {
                    Pending::Jsonl { path, name }
                } else {
                    Pending::Text { path, id: name }
                });
                None
            }
        }
    }
}

impl Iterator for Documents {
    type Item = Result<SourceDocument, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(corpus) = &mut self.corpus {
                match corpus.next_item(&self.opts) {
                    Some(item) => return Some(item),
                    None => self.corpus = None,
                }
            }
            if let Some(pending) = self.pending.pop_front() {
                match pending {
                    Pending::Text { path, id } => {
                        return Some(read_file_document(path, id, &self.opts))
                    }
                    Pending::Error(error) => return Some(Err(error)),
                    Pending::Jsonl { path, name } => match File::open(&path) {
                        Ok(file) => {
                            let reader = Box::new(BufReader::with_capacity(64 * 1024, file));
                            self.corpus = Some(JsonlReader::new(path, name, reader));
                        }
                        Err(source) => {
                            return Some(Err(InputError::Io {
                                at: Origin::file(path),
                                source,
                            }))
                        }
                    },
                }
                continue;
            }
            let arg = self.args.pop_front()?;
            if let Some(item) = self.expand(arg) {
                return Some(item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A news paragraph in simplified script (~300 characters), the
    /// reference text for the GBK tests.
    const SIMPLIFIED: &str = "本报杭州十月二十日电（记者王丽）云栖大会今天在杭州云栖小镇开幕，来自全球四十多个国家和地区的三万余名开发者、企业代表和学者参加了会议。阿里巴巴集团董事会主席在开幕式上发表演讲，他表示，人工智能正在深刻改变各行各业，云计算将成为数字经济的重要基础设施。浙江省副省长在致辞中介绍，近年来杭州大力发展数字经济，去年全市数字经济核心产业增加值突破五千亿元，同比增长百分之八点九。本届大会为期三天，设置了一场主论坛和一百多场分论坛，内容涵盖大模型、芯片、自动驾驶、智慧城市等领域。大会期间还将发布多项新技术和新产品。与会专家认为，开放合作是推动科技创新的关键，各方应加强交流，共同应对安全与治理方面的挑战。";

    /// The same paragraph in traditional script, for the Big5 tests.
    const TRADITIONAL: &str = "本報杭州十月二十日電（記者王麗）雲棲大會今天在杭州雲棲小鎮開幕，來自全球四十多個國家和地區的三萬餘名開發者、企業代表和學者參加了會議。阿里巴巴集團董事會主席在開幕式上發表演講，他表示，人工智慧正在深刻改變各行各業，雲計算將成為數位經濟的重要基礎設施。浙江省副省長在致詞中介紹，近年來杭州大力發展數位經濟，去年全市數位經濟核心產業增加值突破五千億元，同比增長百分之八點九。本屆大會為期三天，設置了一場主論壇和一百多場分論壇，內容涵蓋大模型、晶片、自動駕駛、智慧城市等領域。大會期間還將發布多項新技術和新產品。與會專家認為，開放合作是推動科技創新的關鍵，各方應加強交流，共同應對安全與治理方面的挑戰。";

    fn opts() -> InputOptions {
        InputOptions::default()
    }

    fn run(args: &[&Path], opts: &InputOptions) -> Vec<Result<SourceDocument, InputError>> {
        let args: Vec<PathBuf> = args.iter().map(|a| a.to_path_buf()).collect();
        documents(&args, opts).collect()
    }

    /// Each item as `id` for documents and `ERR <message>` for errors, so a
    /// test states the whole stream, order included, in one assertion.
    fn outline(items: &[Result<SourceDocument, InputError>]) -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Ok(doc) => doc.id.clone(),
                Err(e) => format!("ERR {e}"),
            })
            .collect()
    }

    fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap();
        path
    }

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, used, unmappable) = encoding.encode(text);
        assert_eq!(used, encoding, "encoder switched encodings");
        assert!(
            !unmappable,
            "test text has characters outside {}",
            encoding.name()
        );
        bytes.into_owned()
    }

    #[test]
    fn the_reference_paragraphs_are_about_300_characters() {
        assert!((280..=320).contains(&SIMPLIFIED.chars().count()));
        assert_eq!(SIMPLIFIED.chars().count(), TRADITIONAL.chars().count());
    }

    // -- Text as stored -----------------------------------------------------

    #[test]
    fn a_utf8_bom_is_stripped_and_nothing_else_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "bom.txt",
            [b"\xEF\xBB\xBF".as_slice(), " 新华社北京电 \n".as_bytes()].concat(),
        );

        let items = run(&[&path], &opts());

        let doc = items[0].as_ref().unwrap();
        assert_eq!(doc.text, " 新华社北京电 \n");
        assert_eq!(doc.id, "bom.txt");
        assert_eq!(doc.origin, Origin { path, line: None });
        assert_eq!(doc.encoding, None);
    }

    #[test]
    fn crlf_line_endings_are_preserved_so_offsets_match_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let original = "第一段。\r\n第二段。\r\n";
        let path = write(dir.path(), "crlf.txt", original);

        let doc = run(&[&path], &opts()).remove(0).unwrap();

        assert_eq!(doc.text, original);
        assert_eq!(
            doc.text.as_bytes(),
            fs::read(dir.path().join("crlf.txt")).unwrap()
        );
    }

    // -- Encodings ----------------------------------------------------------

    #[test]
    fn invalid_utf8_is_an_error_with_the_byte_offset_and_the_next_file_still_comes() {
        let dir = tempfile::tempdir().unwrap();
        // "abc" then a lone continuation byte: offset 3. Too little text for
        // any legacy encoding to be detected.
        let bad = write(dir.path(), "bad.txt", b"abc\x80def");
        let good = write(dir.path(), "good.txt", "正常");

        let items = run(&[&bad, &good], &opts());

        assert_eq!(
            outline(&items),
            [
                format!(
                    "ERR {}: invalid UTF-8 at byte 3 (no --encoding given and no legacy encoding detected)",
                    dir.path().join("bad.txt").display()
                ),
                "good.txt".to_string(),
            ]
        );
        assert!(!items[0].as_ref().unwrap_err().is_io());
    }

    #[test]
    fn a_damaged_utf8_file_is_reported_rather_than_detected_as_gbk() {
        // UTF-8 Chinese is largely valid GBK, so a detector could "succeed"
        // and return mojibake; one broken byte must stay an error.
        let mut bytes = SIMPLIFIED.as_bytes().to_vec();
        bytes[301] = 0xFF;

        let err = decode(&bytes, None).unwrap_err();

        assert_eq!(
            err,
            DecodeError::InvalidUtf8 {
                offset: 300,
                guess: None
            }
        );
    }

    #[test]
    fn a_gbk_file_decodes_to_the_utf8_original_detected_or_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "yunqi-gbk.txt",
            encode(encoding_rs::GBK, SIMPLIFIED),
        );

        let detected = run(&[&path], &opts()).remove(0).unwrap();
        assert_eq!(detected.text, SIMPLIFIED);
        assert_eq!(detected.encoding, Some("GBK"));

        let named_opts = InputOptions {
            encoding: Encoding::for_label(b"gbk"),
            ..opts()
        };
        let named = run(&[&path], &named_opts).remove(0).unwrap();
        assert_eq!(named.text, SIMPLIFIED);
        assert_eq!(named.encoding, Some("GBK"));

        // gb18030 is a superset of GBK and decodes the same bytes.
        let gb18030 = InputOptions {
            encoding: Encoding::for_label(b"gb18030"),
            ..opts()
        };
        assert_eq!(run(&[&path], &gb18030).remove(0).unwrap().text, SIMPLIFIED);
    }

    #[test]
    fn a_big5_file_decodes_to_the_utf8_original_detected_or_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "yunqi-big5.txt",
            encode(encoding_rs::BIG5, TRADITIONAL),
        );

        let detected = run(&[&path], &opts()).remove(0).unwrap();
        assert_eq!(detected.text, TRADITIONAL);
        assert_eq!(detected.encoding, Some("Big5"));

        let named_opts = InputOptions {
            encoding: Encoding::for_label(b"big5"),
            ..opts()
        };
        let named = run(&[&path], &named_opts).remove(0).unwrap();
        assert_eq!(named.text, TRADITIONAL);
        assert_eq!(named.encoding, Some("Big5"));
    }

    #[test]
    fn a_corpus_line_decodes_as_decode_would_borrowed_or_not() {
        let gbk = encode(encoding_rs::GBK, "新闻联播");
        let lines: [&[u8]; 5] = ["{\"text\": \"新闻\"}".as_bytes(), b"\xEF\xBB\xBF{}", &gbk, b"ok\xC3", b""];
        for line in lines {
            for named in [None, Some(encoding_rs::UTF_8), Some(encoding_rs::GBK)] {
                let plain = decode(line, named).map_err(|e| e.to_string());
                let by_line = decode_line(line, named).map(|(text, enc)| (text.into_owned(), enc)).map_err(|e| e.to_string());
                assert_eq!(by_line, plain, "{line:?} as {named:?}");
            }
        }
        assert!(matches!(decode_line("新闻".as_bytes(), None), Ok((Cow::Borrowed(_), None))));
    }

    #[test]
    fn a_named_encoding_is_strict_and_reports_the_first_malformed_byte() {
        let mut bytes = encode(encoding_rs::GBK, "新闻");
        bytes.extend_from_slice(b"\x81\x20"); // lead byte followed by a space

        assert_eq!(
            decode(&bytes, Some(encoding_rs::GBK)),
            Err(DecodeError::Malformed {
                encoding: "GBK",
                offset: 4
            })
        );
        let utf8 = Some(encoding_rs::UTF_8);
        assert_eq!(
            decode(b"ok\xC3", utf8).unwrap_err().to_string(),
            "malformed UTF-8 at byte 2"
        );
    }

    #[test]
    fn utf8_named_or_valid_is_not_marked_as_an_encoding() {
        assert_eq!(
            decode("新闻".as_bytes(), None),
            Ok(("新闻".to_string(), None))
        );
        assert_eq!(
            decode("新闻".as_bytes(), Some(encoding_rs::UTF_8)),
            Ok(("新闻".to_string(), None))
        );
    }

    #[test]
    fn utf16_with_a_bom_is_decoded_not_rejected_as_binary() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "新闻 news".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let path = write(dir.path(), "utf16.txt", bytes);

        let doc = run(&[&path], &opts()).remove(0).unwrap();

        assert_eq!(doc.text, "新闻 news");
        assert_eq!(doc.encoding, Some("UTF-16LE"));
    }

    // -- Files that are not documents -----------------------------------------

    #[test]
    fn a_file_with_a_nul_byte_is_skipped_as_binary_with_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let bin = write(dir.path(), "image.txt", b"GIF89a\x01\x00\x01\x00");
        let good = write(dir.path(), "good.txt", "正常");

        let items = run(&[&bin, &good], &opts());

        assert_eq!(
            outline(&items),
            [
                format!(
                    "ERR {}: binary file, skipped (NUL byte at byte 7)",
                    bin.display()
                ),
                "good.txt".into()
            ]
        );
    }

    #[test]
    fn a_file_of_mostly_control_characters_is_skipped_as_binary() {
        let dir = tempfile::tempdir().unwrap();
        let bin = write(dir.path(), "ctl.txt", b"ab\x01\x02\x03\x04\x05\x06\x07\x08");

        let items = run(&[&bin], &opts());

        assert_eq!(
            outline(&items),
            [format!(
                "ERR {}: binary file, skipped (mostly control characters, first at byte 2)",
                bin.display()
            )]
        );
    }

    #[test]
    fn an_empty_file_is_a_warning_level_error_of_its_own_kind() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write(dir.path(), "empty.txt", "");
        let blank = write(dir.path(), "blank.txt", "\u{FEFF} \r\n");
        let good = write(dir.path(), "good.txt", "正常");

        let items = run(&[&empty, &blank, &good], &opts());

        assert_eq!(
            outline(&items),
            [
                format!("ERR {}: empty document", empty.display()),
                format!("ERR {}: empty document", blank.display()),
                "good.txt".into()
            ]
        );
        let err = items[0].as_ref().unwrap_err();
        assert!(matches!(err, InputError::Empty { .. }));
        assert!(err.is_warning());
    }

    #[test]
    fn a_file_over_the_size_limit_is_skipped_without_being_read() {
        let dir = tempfile::tempdir().unwrap();
        let big = write(dir.path(), "big.txt", "字".repeat(100));
        let good = write(dir.path(), "good.txt", "正常");
        let small = InputOptions {
            max_document_bytes: 200,
            ..opts()
        };

        let items = run(&[&big, &good], &small);

        assert_eq!(
            outline(&items),
            [
                format!(
                    "ERR {}: document of 300 bytes or more exceeds the limit of 200 bytes, skipped",
                    big.display()
                ),
                "good.txt".into()
            ]
        );
    }

    #[test]
    fn a_stream_over_the_size_limit_is_cut_off_one_byte_past_the_limit() {
        // stdin has no size to look at beforehand.
        let small = InputOptions {
            max_document_bytes: 10,
            ..opts()
        };
        let err = read_text_document(
            Cursor::new(vec![b'a'; 1000]),
            Origin::file("-"),
            "-".into(),
            None,
            &small,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "-: document of 11 bytes or more exceeds the limit of 10 bytes, skipped"
        );
    }

    /// Counts the bytes pulled through a reader.
    struct Counting<R> {
        inner: R,
        bytes: std::rc::Rc<std::cell::Cell<u64>>,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.bytes.set(self.bytes.get() + n as u64);
            Ok(n)
        }
    }

    impl<R: BufRead> BufRead for Counting<R> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            self.inner.fill_buf()
        }
        fn consume(&mut self, amount: usize) {
            self.bytes.set(self.bytes.get() + amount as u64);
            self.inner.consume(amount)
        }
    }

    #[test]
    fn a_20_mb_single_line_file_is_read_once_without_error() {
        let dir = tempfile::tempdir().unwrap();
        let line = "新闻".repeat(20 * 1024 * 1024 / 6); // 6 bytes per repetition
        let path = write(dir.path(), "huge.txt", &line);
        let size = line.len() as u64;

        let counter = std::rc::Rc::new(std::cell::Cell::new(0));
        let reader = Counting {
            inner: File::open(&path).unwrap(),
            bytes: counter.clone(),
        };
        let doc = read_text_document(
            reader,
            Origin::file(&path),
            "huge.txt".into(),
            Some(size),
            &opts(),
        )
        .unwrap();
        assert_eq!(counter.get(), size, "every byte is read exactly once");
        assert_eq!(doc.text.len(), line.len());
        assert!(doc.text == line);

        // And through the public entry point.
        let doc = run(&[&path], &opts()).remove(0).unwrap();
        assert_eq!(doc.text.len(), line.len());
    }

    // -- Unreadable inputs ----------------------------------------------------

    #[test]
    fn a_missing_argument_is_an_io_error_and_the_others_still_come() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.txt");
        let good = write(dir.path(), "good.txt", "正常");

        let items = run(&[&missing, &good], &opts());

        assert_eq!(
            outline(&items),
            [
                format!(
                    "ERR {}: cannot read: No such file or directory (os error 2)",
                    missing.display()
                ),
                "good.txt".into()
            ]
        );
        assert!(items[0].as_ref().unwrap_err().is_io());
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_file_names_the_path_and_the_os_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let secret = write(dir.path(), "secret.txt", "机密");
        let good = write(dir.path(), "good.txt", "正常");
        fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();

        if File::open(&secret).is_ok() {
            // Running as root (as CI does): permissions are not enforced, so
            // there is no read error to observe. The dangling-symlink test
            // below covers the same code path.
            eprintln!("skipped: permissions not enforced for this user");
            return;
        }
        let items = run(&[&secret, &good], &opts());
        assert_eq!(
            outline(&items),
            [
                format!(
                    "ERR {}: cannot read: Permission denied (os error 13)",
                    secret.display()
                ),
                "good.txt".into()
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_with_an_unreadable_entry_reports_it_and_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "甲");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("b.txt")).unwrap();
        // A dangling link not named like an input is none of our business.
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("b.png")).unwrap();
        write(dir.path(), "c.txt", "丙");

        let items = run(&[dir.path()], &opts());

        assert_eq!(
            outline(&items),
            [
                "a.txt".to_string(),
                format!(
                    "ERR {}: cannot read: No such file or directory (os error 2)",
                    dir.path().join("b.txt").display()
                ),
                "c.txt".into()
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_with_an_unlistable_subfolder_reports_it_and_goes_on() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "甲");
        write(dir.path(), "locked/b.txt", "乙");
        write(dir.path(), "z.txt", "丙");
        let locked = dir.path().join("locked");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let enforced = fs::read_dir(&locked).is_err();

        let items = run(&[dir.path()], &opts());
        // Let the temp dir clean up after itself.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();

        if !enforced {
            // Running as root (as CI does): the folder is listed as usual.
            assert_eq!(outline(&items), ["a.txt", "locked/b.txt", "z.txt"]);
            return;
        }
        assert_eq!(
            outline(&items),
            [
                "a.txt".to_string(),
                format!(
                    "ERR {}: cannot read: Permission denied (os error 13)",
                    locked.display()
                ),
                "z.txt".into()
            ]
        );
    }

    #[test]
    fn a_folder_where_a_file_was_expected_is_a_read_error() {
        // What `read_file_document` meets if a folder replaces a file between
        // listing and reading: EISDIR from read, reported as I/O.
        let dir = tempfile::tempdir().unwrap();
        let err = read_file_document(dir.path().to_path_buf(), "x".into(), &opts()).unwrap_err();
        assert!(err.is_io(), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: cannot read: ", dir.path().display())),
            "{err}"
        );
    }

    // -- Folders --------------------------------------------------------------

    #[test]
    fn a_folder_yields_nested_txt_and_jsonl_files_sorted_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("news");
        write(&root, "b.txt", "乙");
        write(&root, "a/z.txt", "甲乙");
        write(&root, "a/y/deep.TXT", "深");
        write(&root, "a-b.txt", "连字符");
        write(&root, "notes.md", "不是输入");
        write(
            &root,
            "m/corpus.jsonl",
            "{\"text\": \"一\"}\n{\"id\": \"k\", \"text\": \"二\"}\n",
        );

        let items = run(&[&root], &opts());

        assert_eq!(
            outline(&items),
            [
                "a/y/deep.TXT",
                "a/z.txt",
                "a-b.txt",
                "b.txt",
                "m/corpus.jsonl:1",
                "k"
            ]
        );
        let doc = items[1].as_ref().unwrap();
        assert_eq!(doc.origin.path, root.join("a/z.txt"));
        assert_eq!(doc.text, "甲乙");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_in_a_folder_does_not_hang() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "sub/a.txt", "甲");
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/up")).unwrap();

        let items = run(&[dir.path()], &opts());

        assert_eq!(outline(&items), ["sub/a.txt"]);
    }

    #[test]
    fn arguments_are_classified_and_nothing_is_read_before_iteration() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "a.txt", "甲");
        assert_eq!(
            InputSpec::from_arg(Path::new("-")).unwrap(),
            InputSpec::Stdin
        );
        assert_eq!(
            InputSpec::from_arg(&file).unwrap(),
            InputSpec::File(file.clone())
        );
        assert_eq!(
            InputSpec::from_arg(dir.path()).unwrap(),
            InputSpec::Folder(dir.path().to_path_buf())
        );

        let mut stream = documents(std::slice::from_ref(&file), &opts());
        fs::write(&file, "后来写的").unwrap();
        assert_eq!(stream.next().unwrap().unwrap().text, "后来写的");
        assert!(stream.next().is_none());
    }

    // -- JSON Lines -------------------------------------------------------------

    fn jsonl(text: &str, opts: &InputOptions) -> Vec<Result<SourceDocument, InputError>> {
        Documents::from_jsonl_reader(
            PathBuf::from("corpus.jsonl"),
            Box::new(Cursor::new(text.to_string())),
            opts,
        )
        .collect()
    }

    #[test]
    fn a_broken_json_line_is_reported_by_line_and_column_and_later_lines_still_come() {
        let items = jsonl(
            "{\"id\": \"a\", \"text\": \"甲\"}\n{\"id\": \"b\" \"text\": \"乙\"}\n{\"id\": \"c\", \"text\": \"丙\"}\n",
            &opts(),
        );

        assert_eq!(
            outline(&items),
            [
                "a",
                "ERR corpus.jsonl:2: invalid JSON: expected `,` or `}` at column 12",
                "c"
            ]
        );
        assert_eq!(
            items[2].as_ref().unwrap().origin,
            Origin::at_line("corpus.jsonl", 3)
        );
    }

    #[test]
    fn a_corpus_file_on_disk_is_read_with_the_same_rules() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "feed.ndjson",
            "{\"text\": \"甲\"}\n\n{\"text\": 3}\r\n{\"id\": 7, \"text\": \"乙\"}",
        );

        let items = run(&[&path], &opts());

        assert_eq!(
            outline(&items),
            [
                "feed.ndjson:1".to_string(),
                format!(
                    "ERR {}:3: no string \"text\" field (a number)",
                    path.display()
                ),
                "7".into()
            ]
        );
    }

    #[test]
    fn ids_may_be_strings_or_numbers_and_default_to_file_and_line() {
        let items = jsonl(
            concat!(
                "{\"id\": 42, \"text\": \"甲\"}\n",
                "{\"id\": \"x-1\", \"text\": \"乙\"}\n",
                "{\"text\": \"丙\"}\n",
                "{\"id\": null, \"text\": \"丁\"}\n",
                "{\"id\": true, \"text\": \"戊\"}\n",
            ),
            &opts(),
        );

        assert_eq!(
            outline(&items),
            [
                "42",
                "x-1",
                "corpus.jsonl:3",
                "corpus.jsonl:4",
                "ERR corpus.jsonl:5: not a document record: \"id\" must be a string or a number, found a boolean"
            ]
        );
    }

    #[test]
    fn a_json_line_without_a_string_text_field_is_an_error() {
        let items = jsonl(
            "{\"id\": 1, \"body\": \"甲\"}\n{\"id\": 2, \"text\": [\"乙\"]}\n[1, 2]\n{\"id\": 4, \"text\": \"  \"}\n",
            &opts(),
        );

        assert_eq!(
            outline(&items),
            [
                "ERR corpus.jsonl:1: no string \"text\" field (missing)",
                "ERR corpus.jsonl:2: no string \"text\" field (an array)",
                "ERR corpus.jsonl:3: not a document record: expected a JSON object, found an array",
                "ERR corpus.jsonl:4: empty document",
            ]
        );
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        // serde_json alone rejects this line.
        let line =
            r#"{"id": "s", "text": "半个\ud83d表情，孤\udc00尾，完整\ud83d\ude00，转义\\ud800"}"#;
        assert!(serde_json::from_str::<serde_json::Value>(line).is_err());

        let items = jsonl(line, &opts());

        let doc = items[0].as_ref().unwrap();
        assert_eq!(
            doc.text,
            "半个\u{FFFD}表情，孤\u{FFFD}尾，完整😀，转义\\ud800"
        );
    }

    #[test]
    fn lone_surrogates_are_replaced_at_the_edges_of_a_line_and_nothing_else() {
        assert_eq!(replace_lone_surrogates(r#"\ud800"#), r#"\uFFFD"#);
        assert_eq!(replace_lone_surrogates(r#"x\ud83d\ude00\udc00\"#), r#"x\ud83d\ude00\uFFFD\"#);
        assert_eq!(replace_lone_surrogates(r#"\\ud800\\\ud800"#), r#"\\ud800\\\uFFFD"#);
        for unchanged in ["", "a\\", r#"a\"b\nc"#, r#"\u12"#, r#"\u0041\ud83d\ude00"#] {
            assert_eq!(replace_lone_surrogates(unchanged), unchanged);
        }
    }

    #[test]
    fn an_over_long_json_line_is_skipped_without_being_kept_and_the_next_line_comes() {
        let small = InputOptions {
            max_document_bytes: 100,
            ..opts()
        };
        let long = format!("{{\"text\": \"{}\"}}", "x".repeat(5000));
        let items = jsonl(
            &format!("{{\"text\": \"甲\"}}\n{long}\n{{\"text\": \"乙\"}}\n"),
            &small,
        );

        assert_eq!(
            outline(&items),
            [
                "corpus.jsonl:1",
                "ERR corpus.jsonl:2: document of 5012 bytes or more exceeds the limit of 100 bytes, skipped",
                "corpus.jsonl:3"
            ]
        );
    }

    #[test]
    fn a_huge_corpus_line_without_line_break_is_streamed_through_once() {
        let small = InputOptions {
            max_document_bytes: 1024,
            ..opts()
        };
        let data = vec![b'x'; 3 * 1024 * 1024];
        let counter = std::rc::Rc::new(std::cell::Cell::new(0));
        let reader = Counting {
            inner: BufReader::new(Cursor::new(data)),
            bytes: counter.clone(),
        };

        let items: Vec<_> =
            Documents::from_jsonl_reader(PathBuf::from("big.jsonl"), Box::new(reader), &small)
                .collect();

        assert_eq!(
            outline(&items),
            ["ERR big.jsonl:1: document of 3145728 bytes or more exceeds the limit of 1024 bytes, skipped"]
        );
        assert_eq!(counter.get(), 3 * 1024 * 1024);
    }

    #[test]
    fn a_gbk_corpus_line_is_detected_like_a_gbk_file() {
        let mut bytes = b"{\"id\": 1, \"text\": \"".to_vec();
        bytes.extend(encode(encoding_rs::GBK, SIMPLIFIED));
        bytes.extend_from_slice(b"\"}\n");
        let items: Vec<_> = Documents::from_jsonl_reader(
            PathBuf::from("gbk.jsonl"),
            Box::new(Cursor::new(bytes)),
            &opts(),
        )
        .collect();

        let doc = items[0].as_ref().unwrap();
        assert_eq!(doc.text, SIMPLIFIED);
        assert_eq!(doc.encoding, Some("GBK"));
    }

    #[test]
    fn a_binary_file_named_jsonl_is_one_error_not_one_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "dump.jsonl", b"\x00\x01\x02\n\x00\n\x00\n");

        let items = run(&[&path], &opts());

        assert_eq!(
            outline(&items),
            [format!(
                "ERR {}: binary file, skipped (NUL byte at byte 0)",
                path.display()
            )]
        );
    }

    #[test]
    fn errors_display_their_origin_first() {
        let err = InputError::Json {
            at: Origin::at_line("corpus.jsonl", 17),
            message: "expected `,` or `}`".into(),
            column: 42,
        };
        assert_eq!(
            err.to_string(),
            "corpus.jsonl:17: invalid JSON: expected `,` or `}` at column 42"
        );
        assert_eq!(err.origin().line, Some(17));
        assert!(!err.is_io() && !err.is_warning());
    }
}
