//! Reading CSV records for the readers of this crate: the size caps, byte order marks, UTF-8
//! and equal field counts, each row kept with its line number for error messages.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::{CsvLimits, DataError};

/// Opens the file at `path` for a capped read, returning it and its name for messages. A
/// regular file's length is known, so a too-large one is refused before reading a byte.
pub(crate) fn open_capped(path: &Path, limits: &CsvLimits) -> Result<(File, String), DataError> {
    let source = path.display().to_string();
    let io = |e: io::Error| DataError::Io {
        path: source.clone(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_file() && meta.len() > limits.max_bytes {
        return Err(DataError::TooLarge {
            source,
            what: "bytes",
            limit: limits.max_bytes,
        });
    }
    Ok((file, source))
}

/// One CSV record: its 1-based starting line and its fields as text.
pub(crate) struct Row {
    pub(crate) line: u64,
    pub(crate) cells: Vec<String>,
    /// The file's delimiter, to show the row as it was written.
    delimiter: char,
}

impl Row {
    /// The row as one line of text for messages, shortened and with control characters replaced.
    pub(crate) fn text(&self) -> String {
        excerpt(&self.cells.join(&self.delimiter.to_string()))
    }
}

/// Longest row excerpt quoted in an error message, in characters.
const EXCERPT_CHARS: usize = 80;

/// `text` for an error message: control characters replaced and cut to [`EXCERPT_CHARS`].
pub(crate) fn excerpt(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if clean.chars().count() > EXCERPT_CHARS {
        let cut: String = clean.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}...")
    } else {
        clean
    }
}

/// Reads every record, checking UTF-8 and that all rows have the first row's field count.
pub(crate) fn read_rows<R: Read>(
    reader: R,
    source: &str,
    delimiter: u8,
    limits: &CsvLimits,
) -> Result<Vec<Row>, DataError> {
    let bounded = Bounded {
        inner: reader.take(limits.max_bytes.saturating_add(1)),
        limits: *limits,
        read: 0,
        line_len: 0,
        exceeded: None,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Ragged rows are checked below, to report them with our own message.
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(SkipBoms {
            inner: bounded,
            head: Vec::new(),
            started: false,
        });
    let mut record = csv::ByteRecord::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut cells_read = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(match reader.get_ref().inner.exceeded {
                    Some((what, limit)) => DataError::TooLarge {
                        source: source.to_string(),
                        what,
                        limit,
                    },
                    None => csv_error(e, source),
                });
            }
        }
        cells_read = cells_read.saturating_add(record.len());
        if rows.len() >= limits.max_rows {
            return Err(DataError::TooLarge {
                source: source.to_string(),
                what: "rows",
                limit: limits.max_rows as u64,
            });
        }
        if cells_read > limits.max_cells {
            return Err(DataError::TooLarge {
                source: source.to_string(),
                what: "cells",
                limit: limits.max_cells as u64,
            });
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            match std::str::from_utf8(field) {
                Ok(s) => cells.push(s.to_string()),
                Err(_) => {
                    let lossy: Vec<String> = record
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    return Err(DataError::InvalidUtf8 {
                        line,
                        text: excerpt(&lossy.join(&char::from(delimiter).to_string())),
                    });
                }
            }
        }
        let row = Row {
            line,
            cells,
            delimiter: char::from(delimiter),
        };
        if let Some(first) = rows.first()
            && row.cells.len() != first.cells.len()
        {
            return Err(DataError::RaggedRow {
                line,
                expected: first.cells.len(),
                found: row.cells.len(),
                text: row.text(),
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A reader that drops every UTF-8 byte order mark at the start of the input (a BOM is not part
/// of the first header name). Why not the csv crate's own skipping: it only sees a BOM that
/// arrives whole in its first read, so the same file read from a pipe that delivers it in
/// pieces gave another first cell (and other errors). This reads the first three bytes however
/// the source splits them; the csv parser then never sees a leading BOM.
struct SkipBoms<R> {
    inner: R,
    /// The first bytes after the BOMs, read ahead and not yet passed on.
    head: Vec<u8>,
    started: bool,
}

impl<R: Read> Read for SkipBoms<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.started {
            loop {
                let mut head = Vec::with_capacity(BOM.len());
                (&mut self.inner)
                    .take(BOM.len() as u64)
                    .read_to_end(&mut head)?;
                if head != BOM {
                    self.head = head;
                    break;
                }
            }
            self.started = true;
        }
        if !self.head.is_empty() {
            let n = buf.len().min(self.head.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            self.head.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// A reader that stops with an error once more than `max_bytes` were read or a line grows
/// longer than `max_line_bytes`, recording which cap was hit (the csv parser only passes the
/// I/O error on).
struct Bounded<R> {
    inner: io::Take<R>,
    limits: CsvLimits,
    read: u64,
    line_len: usize,
    exceeded: Option<(&'static str, u64)>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limits.max_bytes {
            self.exceeded = Some(("bytes", self.limits.max_bytes));
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line_len = 0;
            } else {
                self.line_len += 1;
                if self.line_len > self.limits.max_line_bytes {
                    self.exceeded = Some(("bytes in a line", self.limits.max_line_bytes as u64));
                    break;
                }
            }
        }
        match self.exceeded {
            Some(_) => Err(io::Error::other("CSV size cap exceeded")),
            None => Ok(n),
        }
    }
}

fn csv_error(e: csv::Error, source: &str) -> DataError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => DataError::Io {
            path: source.to_string(),
            message: io.to_string(),
        },
        other => DataError::Csv {
            line,
            message: format!("{other:?}"),
        },
    }
}
