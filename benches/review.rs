//! Conversations per second and peak memory of `zhijian review` over 1,000,000 generated
//! conversations (about 12.7 messages each), with the per-conversation JSON Lines written (to
//! /dev/null), on every core.
//!
//! `cargo bench --bench review` (set ZHIJIAN_BENCH_CONVERSATIONS for another count). The input is
//! generated once into target/bench-conversations-N.jsonl by `zhijian generate --seed 1`; each
//! of three runs is a fresh process, whose peak resident memory (VmHWM) it reports itself.

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn main() {
    let count: u64 = std::env::var("ZHIJIAN_BENCH_CONVERSATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let bin = env!("CARGO_BIN_EXE_zhijian");
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let input = target.join(format!("bench-conversations-{count}.jsonl"));
    if !input.exists() {
        eprintln!("generating {count} conversations into {}", input.display());
        let file = std::fs::File::create(&input).expect("create the input");
        let status = Command::new(bin)
            .args(["generate", "--count", &count.to_string(), "--seed", "1"])
            .stdout(file)
            .status()
            .expect("run zhijian generate");
        assert!(status.success());
    }
    let bytes = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
    println!(
        "input: {count} conversations, {:.0} MB ({})",
        bytes as f64 / 1e6,
        input.display()
    );
    let mut rates = Vec::new();
    let mut peaks = Vec::new();
    for run in 1..=3 {
        let out = Command::new(bin)
            .args([
                "review",
                input.to_str().unwrap_or_default(),
                "--stats",
                "--no-progress",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("run zhijian review");
        assert!(out.status.success(), "review failed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stats = stderr
            .lines()
            .find(|l| l.contains("conversations/s"))
            .expect("the --stats line");
        // "… = 52894 conversations/s on 2 threads; peak memory (VmHWM) 51.0 MB"
        let rate: f64 = stats
            .split(" = ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .expect("a rate");
        let peak: f64 = stats
            .rsplit("(VmHWM) ")
            .next()
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .expect("a peak");
        println!("run {run}: {stats}");
        rates.push(rate);
        peaks.push(peak);
    }
    rates.sort_by(f64::total_cmp);
    let peak = peaks.iter().cloned().fold(0.0, f64::max);
    println!(
        "review: median {:.0} conversations/s (budget ≥ 50000), peak memory {peak:.1} MB (budget < 200)",
        rates[1]
    );
}
