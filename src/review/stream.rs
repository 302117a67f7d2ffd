//! The review pipeline: a reader, one scoring worker per core, and a writer that puts results
//! back in input order. Channels are bounded, so memory stays flat however large the input.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{csv_row, Review, Summary, CSV_HEADER};
use crate::conversation::csv::CsvConversations;
use crate::conversation::{Conversation, ConversationScore, FormatError, Inspector};

/// Conversations per batch handed to a worker: large enough that channel traffic is noise.
const BATCH: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    JsonLines,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    JsonLines,
    Csv,
    /// Only the summary.
    None,
}

#[derive(Clone, Debug)]
pub struct StreamOptions {
    pub input: InputFormat,
    pub output: OutputFormat,
    /// Stop at the first malformed line instead of reporting and skipping it.
    pub strict: bool,
    /// Scoring threads (default: one per core).
    pub threads: usize,
    /// Show a progress line on standard error when it is a terminal.
    pub progress: bool,
    /// The input's size in bytes, when known, for the progress line.
    pub total_bytes: Option<u64>,
}

/// Why a run stopped.
#[derive(Debug)]
pub enum StreamError {
    /// `strict` and a malformed line.
    Malformed(FormatError),
    Io(std::io::Error),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Malformed(e) => write!(f, "{e}"),
            StreamError::Io(e) => write!(f, "{e}"),
        }
    }
}

enum Work {
    Lines(Vec<(usize, String)>),
    Parsed(Vec<Result<(usize, Conversation), FormatError>>),
}

type Scored = Vec<Result<(String, ConversationScore), FormatError>>;

/// Scores every conversation of `input`, writes one line per conversation to `out` in input
/// order, reports malformed lines to `log`, and returns the summary.
pub fn run(
    inspector: &Inspector,
    input: Box<dyn BufRead + Send + '_>,
    out: &mut dyn Write,
    log: &mut dyn Write,
    mut review: Review,
    options: &StreamOptions,
) -> Result<Summary, StreamError> {
    let threads = options.threads.max(1);
    let bytes_read = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = sync_channel::<(u64, Work)>(threads * 2);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = sync_channel::<(u64, Scored)>(threads * 2);
    let show_progress = options.progress && std::io::stderr().is_terminal();

    std::thread::scope(|scope| {
        let (bytes_read, stop) = (&bytes_read, &stop);
        let reader = scope.spawn(move || {
            read_batches(input, options.input, inspector, &work_tx, bytes_read, stop)
        });
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || score_batches(inspector, work_rx, &done_tx, options.output));
        }
        drop(done_tx);
        let written = write_in_order(
            done_rx,
            out,
            log,
            &mut review,
            options,
            show_progress.then_some(bytes_read),
        );
        // If the writer stopped early, stop the reader and empty the queue it may be blocked on.
        stop.store(true, Ordering::Relaxed);
        if let Ok(rx) = work_rx.lock() {
            while rx.recv().is_ok() {}
        }
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the input reader stopped")));
        written?;
        read.map_err(StreamError::Io)
    })?;
    Ok(review.finish())
}

fn read_batches(
    input: Box<dyn BufRead + Send + '_>,
    format: InputFormat,
    inspector: &Inspector,
    tx: &SyncSender<(u64, Work)>,
    bytes_read: &AtomicU64,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let input = Counted {
        inner: input,
        count: bytes_read,
    };
    match format {
        InputFormat::JsonLines => {
            let mut input = input;
            let mut line_no = 0usize;
            let lines = std::iter::from_fn(|| loop {
                let mut bytes = Vec::new();
                match input.read_until(b'\n', &mut bytes) {
                    Err(e) => return Some(Err(e)),
                    Ok(0) => return None,
                    Ok(_) => {}
                }
                line_no += 1;
                // Invalid UTF-8 is replaced, with a warning naming the line: nothing is lost.
                let line = match String::from_utf8(bytes) {
                    Ok(line) => line,
                    Err(e) => {
                        eprintln!("zhijian: line {line_no}: invalid UTF-8 replaced with U+FFFD");
                        String::from_utf8_lossy(e.as_bytes()).into_owned()
                    }
                };
                if !line.trim().is_empty() {
                    return Some(Ok((line_no, line)));
                }
            });
            send_in_batches(lines, Work::Lines, tx, stop)
        }
        InputFormat::Csv => {
            match CsvConversations::new(input, |p| inspector.platform_for(p).utc_offset_minutes) {
                Ok(rows) => send_in_batches(rows.map(Ok), Work::Parsed, tx, stop),
                Err(e) => {
                    let _ = tx.send((0, Work::Parsed(vec![Err(e)])));
                    Ok(())
                }
            }
        }
    }
}

/// Sends `items` to the workers in numbered batches, until the input ends, the writer stops, or
/// reading fails.
fn send_in_batches<T>(
    items: impl Iterator<Item = std::io::Result<T>>,
    wrap: fn(Vec<T>) -> Work,
    tx: &SyncSender<(u64, Work)>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let mut seq = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    for item in items {
        batch.push(item?);
        if batch.len() == BATCH {
            if stop.load(Ordering::Relaxed)
                || tx.send((seq, wrap(std::mem::take(&mut batch)))).is_err()
            {
                return Ok(());
            }
            seq += 1;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send((seq, wrap(batch)));
    }
    Ok(())
}

/// A reader that counts the bytes consumed, for the progress line.
struct Counted<'a, R> {
    inner: R,
    count: &'a AtomicU64,
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amount: usize) {
        self.count.fetch_add(amount as u64, Ordering::Relaxed);
        self.inner.consume(amount);
    }
}

fn score_batches(
    inspector: &Inspector,
    rx: &Mutex<Receiver<(u64, Work)>>,
    tx: &SyncSender<(u64, Scored)>,
    output: OutputFormat,
) {
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, work)) = next else { return };
        let score = |conversation: &Conversation| {
            let s = inspector.score(conversation);
            let line = match output {
                OutputFormat::JsonLines => serde_json::to_string(&s).unwrap_or_default(),
                OutputFormat::Csv => csv_row(&s),
                OutputFormat::None => String::new(),
            };
            (line, s)
        };
        let results: Scored = match work {
            Work::Lines(lines) => lines
                .into_iter()
                .map(|(line_no, line)| {
                    inspector
                        .parse(&line)
                        .map(|c| score(&c))
                        .map_err(|e| FormatError {
                            line: Some(line_no),
                            reason: e.reason,
                        })
                })
                .collect(),
            Work::Parsed(rows) => rows
                .into_iter()
                .map(|r| r.map(|(_, c)| score(&c)))
                .collect(),
        };
        if tx.send((seq, results)).is_err() {
            return;
        }
    }
}

fn write_in_order(
    rx: Receiver<(u64, Scored)>,
    out: &mut dyn Write,
    log: &mut dyn Write,
    review: &mut Review,
    options: &StreamOptions,
    progress: Option<&AtomicU64>,
) -> Result<(), StreamError> {
    let mut waiting: BTreeMap<u64, Scored> = BTreeMap::new();
    let mut next = 0u64;
    let mut count = 0u64;
    let started = Instant::now();
    let mut last_progress = started;
    if options.output == OutputFormat::Csv {
        writeln!(out, "{CSV_HEADER}").map_err(StreamError::Io)?;
    }
    for (seq, batch) in rx {
        waiting.insert(seq, batch);
        while let Some(batch) = waiting.remove(&next) {
            next += 1;
            for result in batch {
                match result {
                    Ok((line, score)) => {
                        if options.output != OutputFormat::None {
                            out.write_all(line.as_bytes()).map_err(StreamError::Io)?;
                            out.write_all(b"\n").map_err(StreamError::Io)?;
                        }
                        review.add(&score);
                        count += 1;
                    }
                    Err(e) if options.strict => return Err(StreamError::Malformed(e)),
                    Err(e) => {
                        review.errors += 1;
                        let _ = writeln!(log, "zhijian: skipped {e}");
                    }
                }
            }
        }
        if let Some(bytes) = progress {
            if last_progress.elapsed() > Duration::from_millis(250) {
                last_progress = Instant::now();
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                let read = bytes.load(Ordering::Relaxed) as f64 / 1e6;
                let of = options
                    .total_bytes
                    .map(|t| {
                        let done = (read * 1e6 / t.max(1) as f64).clamp(0.0, 1.0);
                        let filled = (done * 20.0).round() as usize;
                        format!(
                            "[{}{}] {:.0} % of {:.0} MB, ",
                            "█".repeat(filled),
                            "░".repeat(20 - filled),
                            done * 100.0,
                            t as f64 / 1e6
                        )
                    })
                    .unwrap_or_else(|| format!("{read:.0} MB read, "));
                let _ = write!(
                    log,
                    "\r{of}{count} conversations, {:.0}/s   ",
                    count as f64 / secs
                );
            }
        }
    }
    if progress.is_some() {
        let _ = writeln!(log);
    }
    out.flush().map_err(StreamError::Io)
}
