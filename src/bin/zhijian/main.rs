//! The `zhijian` command line: check messages, review conversations, list and test rule packs,
//! generate synthetic conversations.
//!
//! Exit codes (stable, for scripts):
//! - 0: done; no message had a fatal hint (and, for `rules test`, every example held);
//! - 1: at least one message had a fatal hint, or a rule example failed;
//! - 2: the command line was wrong;
//! - 3: a rule pack could not be loaded;
//! - 4: reading input or writing output failed;
//! - 5: (`review`) some input lines were not conversations (reported and skipped, or the run
//!   stopped there with `--strict`).

mod generate;
mod review;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use zhijian::pack::examples;
use zhijian::{Checker, Language, Pack, PackError, Report};

const USAGE: &str = "\
zhijian — customer-service quality inspection (质检)

USAGE:
    zhijian check [OPTIONS] [TEXT]...     check messages given as arguments
    zhijian check [OPTIONS] --file FILE   check one message per line of FILE (- for stdin)
    zhijian review [OPTIONS] [FILE]       score whole conversations (JSON Lines or CSV; - or
                                          no FILE: stdin) and summarise per agent
    zhijian generate [--count N] [--seed S] [--agents K] [--start DATE] [--days D]
                                          synthetic conversations as JSON Lines
    zhijian rules list [--rules PATH]     list the rules, one per line, id first
    zhijian rules test [PATH]             run a pack's own examples (default: built-in packs)
    zhijian rules compile PATH -o FILE    compile a pack to FILE (.zjpk), which loads without
                                          parsing: for pages, where start-up counts
    zhijian --version

OPTIONS:
    --format text|json      readable text (default) or JSON Lines, one object per message
    --language auto|zh|en   the messages' language (default: detect per message)
    --locale zh|en          the language of hint messages (default: the message's)
    --rules PATH            a pack (directory or .toml file) replacing the built-in pack of its
                            language; may be repeated

REVIEW OPTIONS:
    --format jsonl|csv|none one line per conversation on stdout (default jsonl)
    --summary FILE          the summary as JSON (- : stdout, with --format none); without it a
                            readable summary goes to stderr
    --html FILE             a self-contained HTML report with charts
    --input jsonl|csv       the input format (default: csv for *.csv, else jsonl)
    --platform ID           KPI profile for every conversation: taobao, jd, pdd, generic
                            (default: each conversation's `platform`)
    --scorecard ID|FILE     default: ecommerce (rules/scorecards/)
    --sample N [--seed S]   pick N conversations per plan for human review: random, per agent,
                            lowest scores, fatal, upset customers
    --compare A..B,C..D     the summary for two date ranges side by side, with the change
    --temperament R,I,E     at-risk lines per 100 agent messages (rhetorical, imperative, !)
    --strict                stop at the first malformed line (default: report it and skip it)
    --threads N             scoring threads (default: one per core)
    --no-progress           no progress line on a terminal
    --stats                 print conversations per second and peak memory to stderr

EXIT CODES:
    0 ok · 1 a fatal hint (check) or a failing example (rules test) · 2 usage
    3 rule pack or scorecard error · 4 input/output error · 5 malformed input lines (review)
";

/// How a command ended when it ran to the end.
enum Outcome {
    Ok,
    /// A fatal hint, or a failing example.
    Failed,
    /// Input lines that were not conversations.
    Malformed,
}

impl From<bool> for Outcome {
    fn from(ok: bool) -> Outcome {
        if ok {
            Outcome::Ok
        } else {
            Outcome::Failed
        }
    }
}

enum Failure {
    Usage(String),
    Pack(PackError),
    Io(String),
}

impl From<PackError> for Failure {
    fn from(e: PackError) -> Failure {
        Failure::Pack(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e.to_string())
    }
}

#[derive(Default)]
struct Options {
    format_json: bool,
    language: Option<Language>,
    locale: Option<Language>,
    rules: Vec<PathBuf>,
    file: Option<String>,
    texts: Vec<String>,
}

fn parse_language(flag: &str, value: &str) -> Result<Option<Language>, Failure> {
    if value == "auto" && flag == "--language" {
        return Ok(None);
    }
    Language::parse(value)
        .map(Some)
        .ok_or_else(|| Failure::Usage(format!("{flag}: unknown language {value:?}")))
}

/// The value after the flag at `args[*i]`, moving `i` onto it.
fn next_value(args: &[String], i: &mut usize) -> Result<String, Failure> {
    let flag = &args[*i];
    *i += 1;
    args.get(*i)
        .cloned()
        .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
}

fn parse_options(args: &[String]) -> Result<Options, Failure> {
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let mut value = || next_value(args, &mut i);
        match arg {
            "--format" => match value()?.as_str() {
                "json" | "jsonl" => o.format_json = true,
                "text" => o.format_json = false,
                other => {
                    return Err(Failure::Usage(format!(
                        "--format: unknown format {other:?}"
                    )))
                }
            },
            "--language" | "--lang" => o.language = parse_language("--language", &value()?)?,
            "--locale" => o.locale = parse_language("--locale", &value()?)?,
            "--rules" => o.rules.push(PathBuf::from(value()?)),
            "--file" | "-f" => o.file = Some(value()?),
            "--" => {
                o.texts.extend(args[i + 1..].iter().cloned());
                break;
            }
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")))
            }
            text => o.texts.push(text.to_string()),
        }
        i += 1;
    }
    Ok(o)
}

/// The built-in packs, with each `--rules` pack replacing the built-in one of its language.
fn load_checker(o: &Options) -> Result<Checker, Failure> {
    let mut packs = zhijian::defaults::packs()?;
    for path in &o.rules {
        let custom = Pack::from_path(path)?;
        packs.retain(|p| p.language() != custom.language());
        packs.insert(0, custom);
    }
    let mut checker = Checker::new(packs);
    checker.set_language(o.language);
    checker.set_locale(o.locale);
    Ok(checker)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => parse_options(&args[1..])
            .and_then(|o| check(&o))
            .map(Outcome::from),
        Some("rules") => rules(&args[1..]).map(Outcome::from),
        Some("review") => {
            review::run(&args[1..]).map(|ok| if ok { Outcome::Ok } else { Outcome::Malformed })
        }
        Some("generate") => generate(&args[1..]).map(Outcome::from),
        Some("--version" | "-V" | "version") => {
            println!("zhijian {}", env!("CARGO_PKG_VERSION"));
            Ok(Outcome::Ok)
        }
        Some("--help" | "-h" | "help") => {
            print!("{USAGE}");
            Ok(Outcome::Ok)
        }
        _ => Err(Failure::Usage("expected a command".into())),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Ok(Outcome::Malformed) => ExitCode::from(5),
        Err(Failure::Usage(m)) => {
            eprintln!("zhijian: {m}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Pack(e)) => {
            eprintln!("zhijian: rule pack error: {e}");
            ExitCode::from(3)
        }
        Err(Failure::Io(m)) if m.contains("Broken pipe") => ExitCode::SUCCESS,
        Err(Failure::Io(m)) => {
            eprintln!("zhijian: {m}");
            ExitCode::from(4)
        }
    }
}

/// Checks every message; returns whether none had a fatal hint.
fn check(o: &Options) -> Result<bool, Failure> {
    let checker = load_checker(o)?;
    let stdout = io::stdout();
    let color = !o.format_json && stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = BufWriter::new(stdout.lock());
    let mut clean = true;
    let mut emit = |line: usize, text: &str, out: &mut BufWriter<io::StdoutLock>| {
        let report = checker.check(text);
        clean &= !report.fatal;
        if o.format_json {
            write_json(out, line, text, &report)
        } else {
            write_text(out, line, text, &report, color)
        }
    };
    match (&o.file, o.texts.is_empty()) {
        (Some(_), false) => {
            return Err(Failure::Usage(
                "give messages as arguments or --file, not both".into(),
            ))
        }
        (None, true) => return Err(Failure::Usage("nothing to check".into())),
        (None, false) => {
            for (i, text) in o.texts.iter().enumerate() {
                emit(i + 1, text, &mut out)?;
            }
        }
        (Some(path), true) => {
            let reader: Box<dyn BufRead> = if path == "-" {
                Box::new(io::stdin().lock())
            } else {
                let file = std::fs::File::open(path)
                    .map_err(|e| Failure::Io(format!("cannot open {path}: {e}")))?;
                Box::new(io::BufReader::new(file))
            };
            for_each_line(reader, path, |n, text| emit(n, text, &mut out))?;
        }
    }
    out.flush()?;
    Ok(clean)
}

/// Calls `f` with each line (1-based number, text without the line ending). Invalid UTF-8 is
/// replaced (U+FFFD) with a warning naming the line, so no message is lost.
fn for_each_line(
    mut reader: impl BufRead,
    name: &str,
    mut f: impl FnMut(usize, &str) -> io::Result<()>,
) -> Result<(), Failure> {
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Failure::Io(format!("cannot read {name}: {e}")))?
            == 0
        {
            return Ok(());
        }
        n += 1;
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        let text = String::from_utf8_lossy(&buf);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            eprintln!("zhijian: {name}:{n}: invalid UTF-8 replaced with U+FFFD");
        }
        f(n, &text)?;
    }
}

fn write_json(out: &mut impl Write, line: usize, text: &str, report: &Report) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        line: usize,
        text: &'a str,
        #[serde(flatten)]
        report: &'a Report<'a>,
    }
    serde_json::to_writer(&mut *out, &Line { line, text, report }).map_err(io::Error::other)?;
    writeln!(out)
}

/// Terminal columns a character takes: East Asian wide and full-width characters take two.
fn columns(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD => 2,
        0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F => 0,
        _ => 1,
    }
}

fn write_text(
    out: &mut impl Write,
    line: usize,
    text: &str,
    report: &Report,
    color: bool,
) -> io::Result<()> {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    // Control characters would move the cursor: show them as spaces.
    let shown: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let verdict = if report.fatal {
        paint("1;31", "FATAL")
    } else if report.hints.is_empty() {
        paint("32", "ok")
    } else {
        paint("33", "review")
    };
    writeln!(
        out,
        "{line:>4} │ {shown}\n     │ {verdict} · score {} · politeness {:.1} · {}",
        report.score,
        report.politeness,
        report.language.as_str()
    )?;
    let widths: Vec<usize> = text.chars().map(columns).collect();
    for hint in &report.hints {
        let pad: usize = widths[..hint.span.start.min(widths.len())].iter().sum();
        let width: usize = widths
            [hint.span.start.min(widths.len())..hint.span.end.min(widths.len())]
            .iter()
            .sum();
        let code = match hint.severity {
            zhijian::Severity::Fatal => "1;31",
            zhijian::Severity::Major => "31",
            zhijian::Severity::Minor => "33",
            zhijian::Severity::Hint => "36",
        };
        let underline = paint(code, &"^".repeat(width.max(1)));
        writeln!(
            out,
            "     │ {}{} {} {}",
            " ".repeat(pad),
            underline,
            paint(code, hint.severity.as_str()),
            hint.rule
        )?;
        writeln!(out, "     │ {}  {}", " ".repeat(pad), hint.message)?;
        if let Some(best) = hint.suggestions.first() {
            writeln!(out, "     │ {}  → {}", " ".repeat(pad), paint("32", best))?;
        }
    }
    writeln!(out)
}

fn rules(args: &[String]) -> Result<bool, Failure> {
    match args.first().map(String::as_str) {
        Some("list") => {
            let o = parse_options(&args[1..])?;
            let checker = load_checker(&o)?;
            let mut out = BufWriter::new(io::stdout().lock());
            for pack in checker.packs() {
                for r in pack.rules() {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}",
                        r.id,
                        r.category,
                        if r.is_marker() {
                            "marker"
                        } else {
                            r.severity.as_str()
                        },
                        r.points,
                        r.message.en
                    )?;
                }
            }
            out.flush()?;
            Ok(true)
        }
        Some("test") => {
            let packs = match args.get(1) {
                Some(path) => vec![Pack::from_path(&PathBuf::from(path))?],
                None => {
                    let mut packs = zhijian::defaults::packs()?;
                    packs.extend(zhijian::defaults::customer_packs()?);
                    packs
                }
            };
            let mut failed = 0;
            let mut total = 0;
            for pack in &packs {
                total += pack.rules().len();
                let failures = examples::test_pack(pack);
                for f in &failures {
                    println!("FAIL {f}");
                }
                let failing: std::collections::BTreeSet<&str> =
                    failures.iter().map(|f| f.rule.as_str()).collect();
                failed += failing.len();
            }
            println!("{} passed, {} failed", total - failed, failed);
            Ok(failed == 0)
        }
        Some("compile") => {
            let (Some(path), Some("-o" | "--output"), Some(out), None) = (
                args.get(1),
                args.get(2).map(String::as_str),
                args.get(3),
                args.get(4),
            ) else {
                return Err(Failure::Usage(
                    "expected `rules compile PATH -o FILE`".into(),
                ));
            };
            let pack = Pack::from_path(&PathBuf::from(path))?;
            let bytes = pack.to_compiled();
            std::fs::write(out, &bytes)?;
            eprintln!(
                "{out}: pack {} {}, {} rules, {} bytes",
                pack.info().id,
                pack.info().version,
                pack.rules().len(),
                bytes.len()
            );
            Ok(true)
        }
        _ => Err(Failure::Usage(
            "expected `rules list`, `rules test` or `rules compile`".into(),
        )),
    }
}

fn generate(args: &[String]) -> Result<bool, Failure> {
    let mut plan = generate::Plan {
        count: 1000,
        seed: 1,
        agents: 8,
        start: zhijian::conversation::time::Date::parse("2026-11-02").map_err(Failure::Usage)?,
        days: 14,
    };
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let value = args
            .get(i + 1)
            .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| Failure::Usage(format!("{flag}: not a number: {value:?}")))
        };
        match flag {
            "--count" => plan.count = number()?,
            "--seed" => plan.seed = number()?,
            "--agents" => plan.agents = number()?.clamp(1, 10_000) as usize,
            "--days" => plan.days = number()?.clamp(1, 3650) as u32,
            "--start" => {
                plan.start =
                    zhijian::conversation::time::Date::parse(value).map_err(Failure::Usage)?
            }
            other => return Err(Failure::Usage(format!("generate: unknown option {other}"))),
        }
        i += 2;
    }
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    generate::generate(&plan, &mut out)?;
    out.flush()?;
    Ok(true)
}
