//! `zhijian review`: score every conversation of a file, write per-conversation lines and a
//! summary, and optionally an HTML report, samples and a period comparison.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;

use zhijian::conversation::{Inspector, Scorecard};
use zhijian::review::stream::{self, InputFormat, OutputFormat, StreamError, StreamOptions};
use zhijian::review::{
    html, Period, Review, ReviewOptions, SamplingPlan, Summary, TemperamentLines,
};
use zhijian::{Language, Pack};

use super::{next_value, Failure};

struct Args {
    file: Option<String>,
    input: Option<InputFormat>,
    output: OutputFormat,
    summary: Option<String>,
    html: Option<String>,
    platform: Option<String>,
    scorecard: Option<String>,
    rules: Vec<PathBuf>,
    locale: Option<Language>,
    sample: Option<usize>,
    seed: u64,
    compare: Option<(Period, Period)>,
    strict: bool,
    threads: Option<usize>,
    progress: bool,
    stats: bool,
    temperament: TemperamentLines,
}

fn parse(args: &[String]) -> Result<Args, Failure> {
    let mut a = Args {
        file: None,
        input: None,
        output: OutputFormat::JsonLines,
        summary: None,
        html: None,
        platform: None,
        scorecard: None,
        rules: Vec::new(),
        locale: None,
        sample: None,
        seed: 1,
        compare: None,
        strict: false,
        threads: None,
        progress: true,
        stats: false,
        temperament: TemperamentLines::default(),
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let mut value = || next_value(args, &mut i);
        let number = |flag: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| Failure::Usage(format!("{flag}: not a number: {v:?}")))
        };
        match arg {
            "--input" => {
                a.input = Some(match value()?.as_str() {
                    "jsonl" | "json" => InputFormat::JsonLines,
                    "csv" => InputFormat::Csv,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--input: unknown format {other:?} (jsonl, csv)"
                        )))
                    }
                })
            }
            "--format" => {
                a.output = match value()?.as_str() {
                    "jsonl" | "json" => OutputFormat::JsonLines,
                    "csv" => OutputFormat::Csv,
                    "none" => OutputFormat::None,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--format: unknown format {other:?} (jsonl, csv, none)"
                        )))
                    }
                }
            }
            "--summary" => a.summary = Some(value()?),
            "--html" => a.html = Some(value()?),
            "--platform" => a.platform = Some(value()?),
            "--scorecard" => a.scorecard = Some(value()?),
            "--rules" => a.rules.push(PathBuf::from(value()?)),
            "--locale" => {
                let v = value()?;
                a.locale =
                    Some(Language::parse(&v).ok_or_else(|| {
                        Failure::Usage(format!("--locale: unknown language {v:?}"))
                    })?)
            }
            "--sample" => a.sample = Some(number("--sample", value()?)? as usize),
            "--seed" => a.seed = number("--seed", value()?)?,
            "--compare" => {
                let v = value()?;
                let (x, y) = v.split_once(',').ok_or_else(|| {
                    Failure::Usage("--compare: two periods, e.g. 2026-11-01..2026-11-07,2026-11-08..2026-11-14".into())
                })?;
                let p = |s: &str| {
                    Period::parse(s).map_err(|e| Failure::Usage(format!("--compare: {e}")))
                };
                a.compare = Some((p(x)?, p(y)?));
            }
            "--temperament" => {
                let v = value()?;
                let parts: Vec<f64> = v.split(',').filter_map(|x| x.trim().parse().ok()).collect();
                let [r, i, e] = parts[..] else {
                    return Err(Failure::Usage("--temperament: three numbers per 100 messages: RHETORICAL,IMPERATIVE,EXCLAMATION".into()));
                };
                a.temperament = TemperamentLines {
                    rhetorical: r,
                    imperative: i,
                    exclamation: e,
                    ..TemperamentLines::default()
                };
            }
            "--strict" => a.strict = true,
            "--threads" => a.threads = Some(number("--threads", value()?)?.max(1) as usize),
            "--no-progress" => a.progress = false,
            "--stats" => a.stats = true,
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")))
            }
            file => {
                if a.file.replace(file.to_string()).is_some() {
                    return Err(Failure::Usage("review reads one file".into()));
                }
            }
        }
        i += 1;
    }
    Ok(a)
}

fn inspector(a: &Args) -> Result<Inspector, Failure> {
    let mut inspector = Inspector::with_defaults()?;
    for path in &a.rules {
        inspector.checker_mut().add_pack(Pack::from_path(path)?);
    }
    if let Some(card) = &a.scorecard {
        let card = match Scorecard::builtin(card) {
            Some(builtin) => builtin?,
            None => {
                let text = std::fs::read_to_string(card)
                    .map_err(|e| Failure::Io(format!("cannot read scorecard {card}: {e}")))?;
                Scorecard::from_toml(card, &text)?
            }
        };
        let _default = inspector.set_scorecard(card);
    }
    if let Some(p) = &a.platform {
        inspector.set_platform(p).map_err(Failure::Usage)?;
    }
    if let Some(l) = a.locale {
        inspector.set_locale(l);
    }
    Ok(inspector)
}

/// Runs the review; returns whether every line was a conversation.
pub fn run(args: &[String]) -> Result<bool, Failure> {
    let a = parse(args)?;
    let inspector = inspector(&a)?;
    let path = a.file.clone().unwrap_or_else(|| "-".into());
    let (input, total_bytes): (Box<dyn BufRead + Send>, Option<u64>) = if path == "-" {
        (
            Box::new(io::BufReader::with_capacity(1 << 16, io::stdin())),
            None,
        )
    } else {
        let file = std::fs::File::open(&path)
            .map_err(|e| Failure::Io(format!("cannot open {path}: {e}")))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(io::BufReader::with_capacity(1 << 16, file)), size)
    };
    let input_format = a
        .input
        .unwrap_or(if path.to_ascii_lowercase().ends_with(".csv") {
            InputFormat::Csv
        } else {
            InputFormat::JsonLines
        });
    let summary_to_stdout = a.summary.as_deref() == Some("-");
    if summary_to_stdout && a.output != OutputFormat::None {
        return Err(Failure::Usage(
            "--summary -: also give --format none (stdout carries one or the other)".into(),
        ));
    }
    let options = StreamOptions {
        input: input_format,
        output: a.output,
        strict: a.strict,
        threads: a
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        progress: a.progress,
        total_bytes,
    };
    let review = Review::new(ReviewOptions {
        sampling: a.sample.map(|size| SamplingPlan { size, seed: a.seed }),
        compare: a.compare,
        temperament: a.temperament,
    });
    let started = std::time::Instant::now();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut log = io::stderr();
    let summary = match stream::run(&inspector, input, &mut out, &mut log, review, &options) {
        Ok(s) => s,
        Err(StreamError::Malformed(e)) => {
            eprintln!("zhijian: {path}: {e} (stopped: --strict)");
            return Ok(false);
        }
        Err(StreamError::Io(e)) => return Err(Failure::Io(e.to_string())),
    };
    let seconds = started.elapsed().as_secs_f64();
    out.flush()?;
    drop(out);

    let json = serde_json::to_string_pretty(&summary).map_err(io::Error::other)?;
    match a.summary.as_deref() {
        Some("-") => println!("{json}"),
        Some(file) => std::fs::write(file, json + "\n")
            .map_err(|e| Failure::Io(format!("cannot write {file}: {e}")))?,
        None => print_summary(&summary, &mut io::stderr())?,
    }
    if let Some(file) = &a.html {
        let title = format!(
            "zhijian review · {}",
            if path == "-" { "stdin" } else { &path }
        );
        std::fs::write(file, html::render(&summary, &title))
            .map_err(|e| Failure::Io(format!("cannot write {file}: {e}")))?;
        eprintln!("zhijian: HTML report written to {file}");
    }
    if a.stats {
        let peak = peak_memory_mb().map_or("unknown".into(), |m| format!("{m:.1} MB"));
        eprintln!(
            "zhijian: {} conversations in {seconds:.2} s = {:.0} conversations/s on {} threads; peak memory (VmHWM) {peak}",
            summary.conversations,
            summary.conversations as f64 / seconds.max(1e-9),
            options.threads
        );
    }
    Ok(summary.errors == 0)
}

/// Peak resident memory of this process (Linux), in MB.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The readable summary, on standard error so that standard output stays machine-readable.
fn print_summary(s: &Summary, out: &mut impl Write) -> io::Result<()> {
    let o = &s.overall;
    let f = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v}"));
    let pct = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0));
    writeln!(
        out,
        "\n{} conversations · mean score {} · pass rate {} · fatal {}{}",
        s.conversations,
        f(o.score_mean),
        pct(o.pass_rate),
        o.fatal,
        if s.errors > 0 {
            format!(" · {} malformed lines skipped", s.errors)
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "{:<20} {:>5} {:>6} {:>6} {:>5} {:>8} {:>8} {:>6} {:>5}  temperament",
        "agent", "conv", "score", "pass", "fatal", "first s", "avg s", "ratio", "slow"
    )?;
    for a in &s.agents {
        let t = &a.totals;
        writeln!(
            out,
            "{:<20} {:>5} {:>6} {:>6} {:>5} {:>8} {:>8} {:>6} {:>5}  {}",
            a.agent,
            t.conversations,
            f(t.score_mean),
            pct(t.pass_rate),
            t.fatal,
            f(t.kpis.first_response_seconds),
            f(t.kpis.avg_response_seconds),
            f(t.kpis.answer_ratio),
            t.kpis.slow_turns,
            if t.temperament.at_risk.is_empty() {
                "ok".to_string()
            } else {
                format!("AT RISK: {}", t.temperament.at_risk.join(", "))
            }
        )?;
    }
    if !o.top_deductions.is_empty() {
        let top: Vec<String> = o
            .top_deductions
            .iter()
            .take(5)
            .map(|d| format!("{} ×{} (−{})", d.item, d.count, d.points))
            .collect();
        writeln!(out, "top deductions: {}", top.join(" · "))?;
    }
    Ok(())
}
