//! Running a pack's own examples, the way LanguageTool enforces its `<example>` sentences.
//!
//! For every rule:
//! - each `hits` example fires the rule exactly once, at the characters marked `[[` `]]`;
//! - when the hint carries suggestions, the example names the expected one (`fix`), it is among
//!   them, and the text with it applied no longer fires the rule;
//! - each `clean` example does not fire the rule;
//! - a rule has at least one example of each kind.

use std::fmt;

use crate::check::check_with;
use crate::pack::{Pack, Rule};

/// One example that did not behave as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub file: String,
    pub line: Option<usize>,
    pub example: String,
    pub problem: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": rule {}: {}", self.rule, self.problem)?;
        if !self.example.is_empty() {
            write!(f, "\n    example: {}", self.example)?;
        }
        Ok(())
    }
}

/// Splits `a[[b]]c` into `abc` and the char range of `b`.
pub fn parse_marked(example: &str) -> Option<(String, usize, usize)> {
    let open = example.find("[[")?;
    let close = example[open + 2..].find("]]")? + open + 2;
    let (before, inner, after) = (
        &example[..open],
        &example[open + 2..close],
        &example[close + 2..],
    );
    if inner.is_empty() || after.contains("[[") || after.contains("]]") || before.contains("]]") {
        return None;
    }
    let start = before.chars().count();
    let end = start + inner.chars().count();
    Some(([before, inner, after].concat(), start, end))
}

/// Every example text of the pack's rules (`hits` with the markers removed, and `clean`), for
/// benchmarks and cross-build comparisons.
pub fn example_texts(pack: &Pack) -> Vec<String> {
    pack.rules()
        .iter()
        .flat_map(|rule| {
            let hits = rule
                .hits
                .iter()
                .filter_map(|h| parse_marked(&h.text))
                .map(|p| p.0);
            hits.chain(rule.clean.iter().cloned())
        })
        .collect()
}

/// Runs the examples of every rule of `pack`.
pub fn test_pack(pack: &Pack) -> Vec<ExampleFailure> {
    pack.rules()
        .iter()
        .flat_map(|r| test_rule(pack, r))
        .collect()
}

/// The spans (char offsets) and suggestions of `rule`'s hits or markers in `text`.
fn fired(pack: &Pack, rule: &Rule, text: &str) -> Vec<(usize, usize, Vec<String>)> {
    let report = check_with(pack, text, pack.language());
    let hints = report
        .hints
        .into_iter()
        .filter(|h| h.rule == &*rule.id)
        .map(|h| {
            let suggestions = h.suggestions.into_iter().map(String::from).collect();
            (h.span.start, h.span.end, suggestions)
        });
    let markers = report
        .markers
        .into_iter()
        .filter(|c| c.rule == &*rule.id)
        .map(|c| (c.span.start, c.span.end, Vec::new()));
    hints.chain(markers).collect()
}

/// Runs one rule's examples.
pub fn test_rule(pack: &Pack, rule: &Rule) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let mut fail = |example: &str, problem: String| {
        failures.push(ExampleFailure {
            rule: rule.id.to_string(),
            file: rule.file.clone(),
            line: rule.line,
            example: example.to_string(),
            problem,
        })
    };
    if rule.hits.is_empty() {
        fail("", "has no `hits` example".into());
    }
    if rule.clean.is_empty() {
        fail("", "has no `clean` example".into());
    }
    for example in &rule.hits {
        let Some((text, start, end)) = parse_marked(&example.text) else {
            fail(
                &example.text,
                "a hits example marks exactly one span with [[ ]]".into(),
            );
            continue;
        };
        let found = fired(pack, rule, &text);
        let spans: Vec<(usize, usize)> = found.iter().map(|f| (f.0, f.1)).collect();
        if spans != [(start, end)] {
            let shown: Vec<String> = spans
                .iter()
                .map(|&(s, e)| text.chars().skip(s).take(e - s).collect())
                .collect();
            let marked: String = text.chars().skip(start).take(end - start).collect();
            fail(
                &example.text,
                format!("expected one hit at {marked:?} ({start}..{end}), got {spans:?} {shown:?}"),
            );
            continue;
        }
        let suggestions = &found[0].2;
        match &example.fix {
            None if !suggestions.is_empty() => fail(
                &example.text,
                format!("the hint suggests {suggestions:?}: name the expected one as `fix`"),
            ),
            None => {}
            Some(fix) if !suggestions.contains(fix) => fail(
                &example.text,
                format!("expected the suggestion {fix:?}, got {suggestions:?}"),
            ),
            Some(fix) => {
                let fixed: String = text
                    .chars()
                    .take(start)
                    .chain(fix.chars())
                    .chain(text.chars().skip(end))
                    .collect();
                if !fired(pack, rule, &fixed).is_empty() {
                    fail(
                        &example.text,
                        format!("still fires after applying the fix: {fixed:?}"),
                    );
                }
            }
        }
    }
    for text in &rule.clean {
        let found = fired(pack, rule, text);
        if !found.is_empty() {
            let shown: Vec<String> = found
                .iter()
                .map(|f| text.chars().skip(f.0).take(f.1 - f.0).collect())
                .collect();
            fail(text, format!("a clean example fires at {shown:?}"));
        }
    }
    failures
}
