//! The native benchmark: per-message latency and batch throughput of `Checker::check` with both
//! default packs loaded, against the floor of a bare Aho-Corasick scan of the same phrases.
//!
//! Corpus: 6,000 messages assembled deterministically from the repository's own texts (the
//! acceptable-reply corpora, the golden mixed set and every rule example), joined two to four at a
//! time so that the mean message is about 60 characters, Chinese and English mixed as in the
//! sources (about three quarters Chinese). Run: `cargo bench --bench check`.

use std::hint::black_box;

// The allocator of the `zhijian` CLI, which runs batch checks: the benchmark measures the engine
// as it ships there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use zhijian::pack::examples::example_texts;
use zhijian::Checker;

fn sources() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut texts = Vec::new();
    for file in [
        "tests/corpus/acceptable-zh.txt",
        "tests/corpus/acceptable-en.txt",
        "tests/golden/mixed.txt",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{file}")).expect("read corpus");
        texts.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(String::from),
        );
    }
    let checker = Checker::with_default_packs().expect("default packs");
    texts.extend(checker.packs().iter().flat_map(example_texts));
    texts
}

/// Joins source texts into messages of about 60 characters, same-language where possible.
fn corpus(n: usize) -> Vec<String> {
    let texts = sources();
    let mut state: u64 = 0x853C_49E6_748F_EA9B;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let mut message = String::new();
            let first = &texts[(next() % texts.len() as u64) as usize];
            let latin = first.is_ascii();
            message.push_str(first);
            let target = 38 + (next() % 30) as usize;
            while message.chars().count() < target {
                let t = &texts[(next() % texts.len() as u64) as usize];
                if t.is_ascii() == latin {
                    message.push_str(if latin { " " } else { "" });
                    message.push_str(t);
                }
            }
            message
        })
        .collect()
}

#[inline(never)]
fn counted_pass(checker: &Checker, messages: &[String]) {
    for m in messages {
        black_box(checker.check(black_box(m)));
    }
}

/// Every phrase of the default packs, read from their TOML sources.
fn all_phrases() -> Vec<String> {
    let mut phrases = Vec::new();
    for (_, files) in zhijian::defaults::sources() {
        for (_, text) in files.iter() {
            let table: toml::Table = toml::from_str(text).expect("pack parses");
            for rule in table
                .get("rule")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                let list = rule.get("phrases").and_then(|p| p.as_array());
                phrases.extend(
                    list.into_iter()
                        .flatten()
                        .filter_map(|p| p.as_str())
                        .map(String::from),
                );
                let replace = rule.get("replace").and_then(|r| r.as_table());
                phrases.extend(replace.into_iter().flat_map(|t| t.keys().cloned()));
            }
        }
    }
    phrases
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let started = Instant::now();
    let checker = Checker::with_default_packs().expect("default packs");
    let compile = started.elapsed();
    let rules: usize = checker.packs().iter().map(|p| p.rules().len()).sum();

    let messages = corpus(6000);
    // The same corpus for the WebAssembly benchmarks (benches/wasm.mjs).
    let corpus_file = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-corpus.txt");
    let lines: String = messages
        .iter()
        .map(|m| format!("{}\n", m.replace('\n', " ")))
        .collect();
    std::fs::write(corpus_file, lines).expect("write target/bench-corpus.txt");
    // `--once`: one pass over the corpus and nothing else, for instruction counting under
    // `valgrind --tool=callgrind`, which is repeatable where wall-clock time on a shared machine
    // is not.
    // A first pass compiles what is compiled on first use; the counted pass is its own function
    // so that `--toggle-collect='*counted_pass*'` counts only the steady state.
    if std::env::args().any(|a| a == "--once") {
        for m in &messages {
            black_box(checker.check(black_box(m)));
        }
        counted_pass(&checker, &messages);
        return;
    }
    let bytes: usize = messages.iter().map(String::len).sum();
    let chars: usize = messages.iter().map(|m| m.chars().count()).sum();
    let han = messages.iter().filter(|m| !m.is_ascii()).count();
    println!(
        "corpus: {} messages, mean {:.1} chars ({:.1} bytes), {} Chinese / {} English",
        messages.len(),
        chars as f64 / messages.len() as f64,
        bytes as f64 / messages.len() as f64,
        han,
        messages.len() - han
    );
    println!(
        "compile both default packs ({rules} rules): {:.2} ms",
        compile.as_secs_f64() * 1e3
    );

    // Warm up for a second (at least one pass: caches, branch predictors, and the shared host,
    // whose first tenth of a second after a pause ran this loop up to a third slower), then time
    // every message separately over several passes.
    let warm_up = Instant::now();
    while warm_up.elapsed() < Duration::from_secs(1) {
        for m in &messages {
            black_box(checker.check(m));
        }
    }
    let mut latencies = Vec::with_capacity(messages.len() * 5);
    for _ in 0..5 {
        for m in &messages {
            let t = Instant::now();
            black_box(checker.check(black_box(m)));
            latencies.push(t.elapsed());
        }
    }
    latencies.sort();
    println!(
        "check latency per message: median {:.2} µs, p90 {:.2} µs, p99 {:.2} µs, max {:.2} µs",
        percentile(&latencies, 0.5).as_secs_f64() * 1e6,
        percentile(&latencies, 0.9).as_secs_f64() * 1e6,
        percentile(&latencies, 0.99).as_secs_f64() * 1e6,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e6,
    );

    // Batch throughput on one core: the whole corpus, best of five runs.
    let batch = (0..5)
        .map(|_| {
            let t = Instant::now();
            for m in &messages {
                black_box(checker.check(black_box(m)));
            }
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    let throughput = bytes as f64 / batch.as_secs_f64() / 1e6;
    println!(
        "batch throughput (one core): {throughput:.1} MB/s ({:.0} messages/s)",
        messages.len() as f64 / batch.as_secs_f64()
    );

    // The floor: one bare leftmost-longest automaton of the same phrases, no normalisation,
    // no regexes, no report.
    let phrases = all_phrases();
    let floor_ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&phrases)
        .expect("automaton");
    let floor = (0..5)
        .map(|_| {
            let t = Instant::now();
            for m in &messages {
                black_box(floor_ac.find_iter(black_box(m.as_str())).count());
            }
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    println!(
        "floor (bare aho-corasick, {} phrases): {:.3} µs/message, {:.1} MB/s; check is {:.1}x the floor",
        phrases.len(),
        floor.as_secs_f64() * 1e6 / messages.len() as f64,
        bytes as f64 / floor.as_secs_f64() / 1e6,
        batch.as_secs_f64() / floor.as_secs_f64()
    );

    // Linearity: time per KB on long texts made of the corpus.
    let long: String = messages.concat();
    for kb in [10usize, 100, 1000] {
        let mut end = (kb * 1024).min(long.len());
        while !long.is_char_boundary(end) {
            end -= 1;
        }
        let text = &long[..end];
        let t = Instant::now();
        black_box(checker.check(text));
        let e = t.elapsed();
        println!(
            "long text {kb:>5} KB: {:.2} ms ({:.2} µs/KB)",
            e.as_secs_f64() * 1e3,
            e.as_secs_f64() * 1e6 / kb as f64
        );
    }
}
