//! Rule packs: reading the files, validating them with precise errors, compiling the matchers.
//!
//! A pack is one or more TOML files (see `rules/README.md`); exactly one holds the `[pack]` header.
//! Compiling builds **one** leftmost-longest Aho-Corasick automaton for all phrases of the pack
//! (scanned over each text view) and validates every regular expression; each is compiled once,
//! the first time a message contains one of its triggers. Checking a message compiles nothing.

#[cfg(any(target_arch = "wasm32", test))]
mod automaton;
pub mod compiled;
pub mod examples;
mod flat;
pub mod format;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use regex::Regex;
use serde::Serialize;

use crate::error::PackError;
use crate::text::{self, Normalized, View};
use crate::{Language, Severity};
use flat::{Lists, Texts};
use format::{HitExample, Kind, Messages, MetricSpec, PackFile, RuleSpec, Validator};

/// What a pack is: shown by `rules list`, `version()` and reports.
#[derive(Clone, Debug, Serialize)]
pub struct PackInfo {
    pub id: String,
    pub language: Language,
    pub version: String,
    pub name: String,
    pub rules: usize,
}

/// One compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: Arc<str>,
    pub kind: Kind,
    pub category: Arc<str>,
    /// The category's index within the pack, for per-category bookkeeping without string keys.
    pub(crate) category_index: usize,
    pub severity: Severity,
    pub points: u32,
    pub message: Messages,
    pub suggest: Vec<String>,
    /// Per phrase of a substitution rule: its own suggestions.
    pub(crate) replacements: Vec<Vec<String>>,
    /// `unless` phrases, in the normal view.
    pub(crate) unless: Vec<String>,
    /// `not_after` phrases, in the rule's view.
    pub(crate) not_after: Vec<String>,
    pub(crate) whole_word: bool,
    pub view: View,
    pub(crate) validate: Option<Validator>,
    pub(crate) metric: Option<MetricSpec>,
    pub strategy: Option<Arc<str>>,
    /// The weight of `strategy` in the pack's politeness model (0 when it has none).
    pub(crate) strategy_weight: f64,
    pub enabled: bool,
    pub hits: Vec<HitExample>,
    pub clean: Vec<String>,
    pub file: String,
    pub line: Option<usize>,
}

impl Rule {
    pub fn is_marker(&self) -> bool {
        self.kind == Kind::Marker
    }

    /// The rule's message in the interface language.
    pub fn message_in(&self, locale: Language) -> &Arc<str> {
        match locale {
            Language::Zh => &self.message.zh,
            Language::En => &self.message.en,
        }
    }
}

/// What a phrase of an automaton stands for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Role {
    /// A match of the rule; `Some(i)` selects the rule's `replacements[i]` as suggestions.
    Hit(Option<usize>),
    /// An exception of the rule: matches overlapping it are dropped.
    Exception,
    /// A trigger of the rule's pattern: the pattern is only tried when one is present.
    Trigger,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Target {
    pub rule: usize,
    pub role: Role,
    /// The view in which the phrase counts.
    pub view: View,
    /// For a normal-view phrase found by the compact scan: the index of its normal form in
    /// [`PhraseIndex::normal_forms`], which the normal text under the match must equal.
    pub normal_form: Option<u32>,
}

/// The bytes of separators a normal-view phrase begins with (`www.`, `http://`), which the
/// compact scan does not see: where the compact scan finds the phrase, the normal text must hold
/// it from that many bytes before the match's first character.
fn normal_form_lead(text: &str) -> usize {
    text.len() - text.trim_start_matches(text::compact_drops).len()
}

/// All phrases of the pack in one automaton, whatever their view. One phrase may serve several
/// rules.
///
/// When the pack has compact-view phrases, normal-view phrases are stored in their compact form
/// too and one scan of the compact view finds both: a normal-view match is kept when the normal
/// text it comes from is exactly the phrase (`不，知道` holds the compact `不知道` but not the
/// normal one). Scanning one view instead of two is a third of a message's check.
#[derive(Debug)]
pub(crate) struct PhraseIndex {
    pub automaton: PhraseSearch,
    /// The automaton's phrases, sorted: pattern id `i` is `keys[i]`.
    pub keys: Texts,
    /// Per automaton pattern id: the rules (and roles) it stands for.
    pub targets: Lists<Target>,
    /// Whether normal-view phrases are found by the compact scan (see above).
    pub merged: bool,
    /// The normal forms that [`Target::normal_form`] points to, and the bytes of separators
    /// each begins with ([`normal_form_lead`]).
    pub normal_forms: Texts,
    pub normal_form_leads: Vec<u32>,
    /// Per pattern id: the shorter phrases that are prefixes of it (您 of 您好), longest first,
    /// as (length in bytes, pattern id). A leftmost-longest match hides them; they are found
    /// here instead of by more searches. Most phrases have none.
    pub shorter_prefixes: Lists<(u32, u32)>,
}

#[derive(Debug)]
pub(crate) struct PatternMatcher {
    pub rule: usize,
    /// The pattern as compiled (`\b` made ASCII), validated at load.
    pub pattern: String,
    /// Compiled on first use: a pattern whose triggers never appear costs nothing at start-up,
    /// which is what the agent's page waits for. `None` if compiling failed after validation
    /// (the regex crate's size limits), in which case the pattern never matches.
    pub regex: OnceLock<Option<Regex>>,
    /// Whether suggestions refer to capture groups (`$1`), which needs the slower captures search.
    pub expands: bool,
    /// Whether the pattern is only tried when one of its triggers was found by the phrase scan.
    pub gated: bool,
    /// Triggers the compact view drops (`@`, `?!`), looked up in the normal text instead of by
    /// the phrase scan: when not empty, the pattern is tried only if the text contains one.
    pub literal_gate: Vec<String>,
    /// The group named `hit`, when the pattern has one: only its characters are flagged, so a
    /// pattern can require context (a preceding comma, the start) without flagging it.
    pub hit_group: Option<usize>,
}

impl PatternMatcher {
    /// The regex, compiled on the first call.
    pub fn compiled(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
    }
}

/// The regexes of one view.
#[derive(Debug)]
pub(crate) struct PatternGroup {
    pub view: View,
    pub matchers: Vec<PatternMatcher>,
}

/// The politeness model: `100 · σ(intercept + Σ weight[strategy])` over the distinct strategies
/// found; each rule carries its strategy's weight (`Rule::strategy_weight`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Politeness {
    pub intercept: f64,
}

/// A compiled rule pack, ready to check messages.
#[derive(Debug)]
pub struct Pack {
    pub(crate) info: PackInfo,
    pub(crate) rules: Vec<Rule>,
    pub(crate) phrases: Option<PhraseIndex>,
    /// Which views have phrases to scan for, indexed by [`view_slot`].
    pub(crate) phrase_views: [bool; 3],
    pub(crate) patterns: Vec<PatternGroup>,
    pub(crate) metrics: Vec<usize>,
    /// Every character a punctuation metric counts, so one pass finds them for all metrics.
    pub(crate) metric_chars: Vec<char>,
    /// Per byte value: whether a char of `metric_chars` starts with it in UTF-8.
    pub(crate) metric_first_bytes: [bool; 256],
    /// The distinct categories of the rules (`Rule::category_index` points into it).
    pub(crate) category_names: Vec<Arc<str>>,
    /// Whole-message phrases (normal view, separators removed) → rule and suggestion slot.
    pub(crate) whole_message: HashMap<String, Vec<Target>>,
    pub(crate) politeness: Politeness,
    pub(crate) max_credit: u32,
    pub(crate) uses_compact: bool,
}

pub(crate) fn view_slot(view: View) -> usize {
    match view {
        View::Raw => 0,
        View::Normal => 1,
        View::Compact => 2,
    }
}

/// Puts text into the form a view gives it, so that rule phrases and messages compare alike.
pub(crate) fn in_view(text: &str, view: View) -> String {
    match view {
        View::Raw => text.to_string(),
        View::Normal => Normalized::new(text, false).as_str().to_string(),
        View::Compact => Normalized::new(text, true).as_str().to_string(),
    }
}

impl Pack {
    /// Compiles a pack from `(file name, TOML text)` pairs.
    pub fn from_sources<N: AsRef<str>, T: AsRef<str>>(
        sources: &[(N, T)],
    ) -> Result<Pack, PackError> {
        let mut parsed = Vec::with_capacity(sources.len());
        for (name, text) in sources {
            let (name, text) = (name.as_ref(), text.as_ref());
            let file: PackFile = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
            parsed.push((name, text, file));
        }
        compile(parsed.iter().map(|(n, t, f)| (*n, *t, f)).collect())
    }

    /// Compiles a pack from files already parsed (from JavaScript objects, say). Errors name the
    /// file, rule and field, but no line.
    pub fn from_parsed(files: Vec<(String, PackFile)>) -> Result<Pack, PackError> {
        compile(
            files
                .iter()
                .map(|(name, file)| (name.as_str(), "", file))
                .collect(),
        )
    }

    /// Loads a pack from a directory of `.toml` files, a single `.toml` file, or a compiled
    /// pack (`.zjpk`, see [`compiled`]).
    pub fn from_path(path: &Path) -> Result<Pack, PackError> {
        let shown = path.display().to_string();
        if path.extension().is_some_and(|x| x == "zjpk") {
            let bytes = std::fs::read(path)
                .map_err(|e| PackError::in_file(&shown, format!("cannot read: {e}")))?;
            return Pack::from_compiled(&shown, &bytes);
        }
        let mut files = Vec::new();
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| PackError::in_file(&shown, format!("cannot read directory: {e}")))?;
            for entry in entries {
                let entry =
                    entry.map_err(|e| PackError::in_file(&shown, format!("cannot list: {e}")))?;
                let p = entry.path();
                if p.extension().is_some_and(|x| x == "toml") {
                    files.push(p);
                }
            }
            files.sort();
            if files.is_empty() {
                return Err(PackError::in_file(
                    &shown,
                    "no .toml files in this directory",
                ));
            }
        } else {
            files.push(path.to_path_buf());
        }
        let mut sources = Vec::with_capacity(files.len());
        for file in files {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file)
                .map_err(|e| PackError::in_file(&name, format!("cannot read: {e}")))?;
            sources.push((name, text));
        }
        Pack::from_sources(&sources)
    }

    pub fn info(&self) -> &PackInfo {
        &self.info
    }

    pub fn language(&self) -> Language {
        self.info.language
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }

    /// Switches a rule on or off. Returns false when the pack has no such rule.
    pub fn set_enabled(&mut self, id: &str, enabled: bool) -> bool {
        self.rule_mut(id).map(|r| r.enabled = enabled).is_some()
    }

    /// Changes a rule's severity. Returns false when the pack has no such rule.
    pub fn set_severity(&mut self, id: &str, severity: Severity) -> bool {
        self.rule_mut(id).map(|r| r.severity = severity).is_some()
    }

    fn rule_mut(&mut self, id: &str) -> Option<&mut Rule> {
        self.rules.iter_mut().find(|r| &*r.id == id)
    }
}

/// A TOML syntax or shape error, with the line and, where it falls inside a rule, the rule id.
fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> PackError {
    let line = e.span().map(|s| line_of(text, s.start));
    let rule = line.and_then(|l| rule_around_line(text, l));
    let reason = e.message().trim().to_string();
    let field = line
        .and_then(|l| key_on_line(text, l))
        .or_else(|| field_in(&reason));
    PackError {
        file: file.to_string(),
        line,
        rule,
        field,
        reason,
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    let byte = byte.min(text.len());
    text.as_bytes()[..byte]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The id of the `[[rule]]` block that holds `line` (1-based), if it can be read off the text.
fn rule_around_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let upto = line.min(lines.len());
    let start = (0..upto).rev().find(|&i| lines[i].trim() == "[[rule]]")?;
    lines[start + 1..]
        .iter()
        .take_while(|l| l.trim() != "[[rule]]")
        .find_map(|l| {
            let rest = l
                .trim()
                .strip_prefix("id")?
                .trim_start()
                .strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_string())
        })
}

/// The key a `key = value` line sets, which is the field an error on that line is about.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let (key, _) = text.lines().nth(line.checked_sub(1)?)?.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    simple.then(|| key.to_string())
}

/// Serde names the offending field in backticks: "unknown field `phrase`, expected …".
fn field_in(reason: &str) -> Option<String> {
    let start = reason.find('`')? + 1;
    let len = reason[start..].find('`')?;
    Some(reason[start..start + len].to_string())
}

/// The line of the first `id = "<id>"` of every rule of a file, read in one pass: rules report
/// their line, and errors found after parsing name it.
fn rule_lines(text: &str) -> HashMap<&str, usize> {
    let mut lines = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let id = line
            .trim_start()
            .strip_prefix("id")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .and_then(|rest| rest.trim().strip_prefix('"'))
            .and_then(|rest| rest.split('"').next());
        if let Some(id) = id {
            lines.entry(id).or_insert(i + 1);
        }
    }
    lines
}

struct Builder {
    phrases: BTreeMap<String, Vec<Target>>,
    whole_message: HashMap<String, Vec<Target>>,
    patterns: Vec<(View, PatternMatcher)>,
}

fn compile(files: Vec<(&str, &str, &PackFile)>) -> Result<Pack, PackError> {
    let mut header = None;
    for (name, _, file) in &files {
        if let Some(h) = &file.pack {
            if header.is_some() {
                return Err(PackError::in_file(
                    name,
                    "a second [pack] header: exactly one file of a pack has one",
                ));
            }
            header = Some((*name, h));
        }
    }
    let first = files.first().map(|f| f.0).unwrap_or("(no files)");
    let (header_file, header) = header.ok_or_else(|| {
        PackError::in_file(first, "no [pack] header: one file of a pack must have one")
    })?;
    let language = Language::parse(&header.language).ok_or_else(|| PackError {
        field: Some("language".into()),
        ..PackError::in_file(
            header_file,
            format!("unknown language {:?}: use zh or en", header.language),
        )
    })?;

    let mut rules = Vec::new();
    let mut seen = HashSet::new();
    let mut b = Builder {
        phrases: Default::default(),
        whole_message: HashMap::new(),
        patterns: Vec::new(),
    };
    let mut metrics = Vec::new();
    for (name, text, file) in &files {
        let lines = rule_lines(text);
        for spec in &file.rules {
            let line = lines.get(spec.id.as_str()).copied();
            let err = |field: &str, reason: String| PackError {
                file: name.to_string(),
                line,
                rule: Some(spec.id.clone()),
                field: Some(field.to_string()),
                reason,
            };
            if !valid_id(&spec.id) {
                return Err(err(
                    "id",
                    "ids are lower-case segments separated by '/', e.g. zh/forbidden/dont-know"
                        .into(),
                ));
            }
            if !seen.insert(spec.id.clone()) {
                return Err(err(
                    "id",
                    "this id is used by another rule of the pack".into(),
                ));
            }
            let index = rules.len();
            let rule = build_rule(spec, &file.defaults, name, line, index, &mut b, &err)?;
            if rule.metric.is_some() {
                metrics.push(index);
            }
            rules.push(rule);
        }
    }

    let mut categories: Vec<Arc<str>> = Vec::new();
    for rule in &mut rules {
        rule.strategy_weight = rule
            .strategy
            .as_deref()
            .and_then(|s| header.politeness.weights.get(s))
            .copied()
            .unwrap_or(0.0);
        rule.category_index = match categories.iter().position(|c| *c == rule.category) {
            Some(i) => i,
            None => {
                categories.push(rule.category.clone());
                categories.len() - 1
            }
        };
    }
    let politeness = Politeness {
        intercept: header.politeness.intercept,
    };
    let metric_chars = metric_chars(&rules);
    let metric_first_bytes = metric_first_bytes(&metric_chars);
    let mut phrase_views = [false; 3];
    for target in b.phrases.values().flatten() {
        phrase_views[view_slot(target.view)] = true;
    }
    let uses_compact =
        phrase_views[view_slot(View::Compact)] || b.patterns.iter().any(|p| p.0 == View::Compact);
    let merged = merge_views(std::mem::take(&mut b.phrases));
    if merged.merged {
        phrase_views[view_slot(View::Normal)] = false;
    }
    for (_, matcher) in &mut b.patterns {
        if let Some((_, literals)) = merged.ungated.iter().find(|u| u.0 == matcher.rule) {
            matcher.gated = false;
            // A literal holding another (`?!` holds `!`) adds nothing to the gate.
            matcher.literal_gate = literals
                .iter()
                .filter(|l| !literals.iter().any(|o| o != *l && l.contains(o.as_str())))
                .cloned()
                .collect();
        }
    }
    let keys = merged.phrases.keys().collect();
    let targets = merged.phrases.into_values().collect();
    let phrases = build_index(
        keys,
        targets,
        merged.merged,
        merged.normal_forms,
        header_file,
    )?;
    let patterns = group_patterns(b.patterns);
    Ok(Pack {
        info: PackInfo {
            id: header.id.clone(),
            language,
            version: header.version.clone(),
            name: header.name.clone(),
            rules: rules.len(),
        },
        rules,
        phrases,
        phrase_views,
        patterns,
        metric_chars,
        metric_first_bytes,
        metrics,
        category_names: categories,
        whole_message: b.whole_message,
        politeness,
        max_credit: header.max_credit,
        uses_compact,
    })
}

/// Every character a punctuation metric of `rules` counts, sorted.
fn metric_chars(rules: &[Rule]) -> Vec<char> {
    let mut chars: Vec<char> = rules
        .iter()
        .filter_map(|r| match &r.metric {
            Some(MetricSpec::PunctuationRun { chars, .. } | MetricSpec::Count { chars, .. }) => {
                Some(chars.chars())
            }
            _ => None,
        })
        .flatten()
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
}

fn metric_first_bytes(chars: &[char]) -> [bool; 256] {
    let mut first = [false; 256];
    for c in chars {
        let mut buf = [0; 4];
        first[usize::from(c.encode_utf8(&mut buf).as_bytes()[0])] = true;
    }
    first
}

fn valid_id(id: &str) -> bool {
    let segments: Vec<&str> = id.split('/').collect();
    segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
}

fn build_rule(
    spec: &RuleSpec,
    defaults: &format::RuleDefaults,
    file: &str,
    line: Option<usize>,
    index: usize,
    b: &mut Builder,
    err: &dyn Fn(&str, String) -> PackError,
) -> Result<Rule, PackError> {
    let kind = spec.kind.or(defaults.kind).ok_or_else(|| {
        err(
            "kind",
            "missing: phrase, substitution, pattern, metric or marker".into(),
        )
    })?;
    let category = spec
        .category
        .clone()
        .or_else(|| defaults.category.clone())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| err("category", "missing".into()))?;
    let severity = match kind {
        Kind::Marker => spec
            .severity
            .or(defaults.severity)
            .unwrap_or(Severity::Hint),
        _ => spec
            .severity
            .or(defaults.severity)
            .ok_or_else(|| err("severity", "missing: fatal, major, minor or hint".into()))?,
    };
    let points = spec.points.or(defaults.points).ok_or_else(|| {
        err(
            "points",
            "missing: the points deducted (credited, for markers)".into(),
        )
    })?;
    let message = spec.message.clone().ok_or_else(|| {
        err(
            "message",
            "missing: message = { zh = \"…\", en = \"…\" }".into(),
        )
    })?;
    if message.zh.trim().is_empty() || message.en.trim().is_empty() {
        return Err(err("message", "both zh and en must be non-empty".into()));
    }
    let view = spec.view.or(defaults.view).unwrap_or(View::Normal);

    let has_phrases = !spec.phrases.is_empty();
    let has_replace = !spec.replace.is_empty();
    let has_pattern = spec.pattern.is_some();
    let has_metric = spec.metric.is_some();
    let (needed, forbidden): (&str, &[(&str, bool)]) = match kind {
        Kind::Phrase => (
            "phrases",
            &[
                ("replace", has_replace),
                ("pattern", has_pattern),
                ("metric", has_metric),
            ],
        ),
        Kind::Substitution => (
            "replace",
            &[
                ("phrases", has_phrases),
                ("pattern", has_pattern),
                ("metric", has_metric),
                ("suggest", !spec.suggest.is_empty()),
            ],
        ),
        Kind::Pattern => (
            "pattern",
            &[
                ("phrases", has_phrases),
                ("replace", has_replace),
                ("metric", has_metric),
            ],
        ),
        Kind::Metric => (
            "metric",
            &[
                ("phrases", has_phrases),
                ("replace", has_replace),
                ("pattern", has_pattern),
            ],
        ),
        Kind::Marker => (
            if has_pattern { "pattern" } else { "phrases" },
            &[
                ("replace", has_replace),
                ("metric", has_metric),
                ("phrases", has_phrases && has_pattern),
            ],
        ),
    };
    let present = match needed {
        "phrases" => has_phrases,
        "replace" => has_replace,
        "pattern" => has_pattern,
        _ => has_metric,
    };
    if !present {
        return Err(err(
            needed,
            format!("a {kind:?} rule needs `{needed}`").to_lowercase(),
        ));
    }
    if let Some((field, _)) = forbidden.iter().find(|(_, set)| *set) {
        return Err(err(
            field,
            format!(
                "not allowed in a {} rule",
                format!("{kind:?}").to_lowercase()
            ),
        ));
    }
    if spec.validate.is_some() && kind != Kind::Pattern {
        return Err(err(
            "validate",
            "only pattern rules take a validator".into(),
        ));
    }
    let whole_message = spec
        .whole_message
        .or(defaults.whole_message)
        .unwrap_or(false);
    if whole_message && !matches!(kind, Kind::Phrase | Kind::Substitution | Kind::Marker) {
        return Err(err(
            "whole_message",
            "only phrase, substitution and marker rules".into(),
        ));
    }
    if let Some(MetricSpec::PunctuationRun { chars, min } | MetricSpec::Count { chars, min }) =
        &spec.metric
    {
        if chars.is_empty() || *min == 0 {
            return Err(err(
                "metric",
                "`chars` must be non-empty and `min` at least 1".into(),
            ));
        }
    }

    // Phrases, with the suggestions they carry.
    let mut replacements = Vec::new();
    let mut entries: Vec<(&str, Role)> = Vec::new();
    for phrase in &spec.phrases {
        entries.push((phrase, Role::Hit(None)));
    }
    for (phrase, suggestions) in &spec.replace {
        if suggestions.is_empty() {
            return Err(err("replace", format!("{phrase:?} has no suggestions")));
        }
        entries.push((phrase, Role::Hit(Some(replacements.len()))));
        replacements.push(suggestions.clone());
    }
    for phrase in &spec.exceptions {
        entries.push((phrase, Role::Exception));
    }
    for (phrase, role) in entries {
        let key = in_view(phrase, view);
        if key.is_empty() {
            let field = if matches!(role, Role::Exception) {
                "exceptions"
            } else {
                "phrases"
            };
            return Err(err(
                field,
                format!("{phrase:?} is empty in the {view:?} view"),
            ));
        }
        let target = Target {
            rule: index,
            role,
            view,
            normal_form: None,
        };
        let whole_message = spec
            .whole_message
            .or(defaults.whole_message)
            .unwrap_or(false);
        if whole_message && !matches!(role, Role::Exception) {
            let key: String = in_view(phrase, View::Normal)
                .chars()
                .filter(|c| !text::is_separator(*c))
                .collect();
            b.whole_message.entry(key).or_default().push(target);
        } else {
            b.phrases.entry(key).or_default().push(target);
        }
    }

    if let Some(pattern) = &spec.pattern {
        let pattern = ascii_word_boundaries(pattern);
        // Validate now with the regex crate's own parser; compile on first use.
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(&pattern)
            .map_err(|e| err("pattern", regex_error(&e)))?;
        if hir.properties().minimum_len() == Some(0) {
            return Err(err("pattern", "matches the empty string".into()));
        }
        let expands = spec.suggest.iter().any(|s| s.contains('$'));
        let hit_group = capture_index(&hir, "hit");
        let triggers = if spec.triggers.is_empty() {
            literal_prefixes(&hir).unwrap_or_default()
        } else {
            spec.triggers.clone()
        };
        // Raw-view patterns have no phrase scan to find their triggers in.
        let gated = !triggers.is_empty() && view != View::Raw;
        if gated {
            for trigger in &triggers {
                let key = in_view(trigger, view);
                if key.is_empty() {
                    return Err(err(
                        "triggers",
                        format!("{trigger:?} is empty in the {view:?} view"),
                    ));
                }
                let target = Target {
                    rule: index,
                    role: Role::Trigger,
                    view,
                    normal_form: None,
                };
                b.phrases.entry(key).or_default().push(target);
            }
        }
        b.patterns.push((
            view,
            PatternMatcher {
                rule: index,
                pattern,
                regex: OnceLock::new(),
                expands,
                gated,
                literal_gate: Vec::new(),
                hit_group,
            },
        ));
    }

    Ok(Rule {
        id: spec.id.as_str().into(),
        kind,
        category: category.as_str().into(),
        category_index: 0,
        severity,
        points,
        message,
        suggest: spec.suggest.clone(),
        replacements,
        unless: spec
            .unless
            .iter()
            .map(|p| in_view(p, View::Normal))
            .collect(),
        not_after: spec.not_after.iter().map(|p| in_view(p, view)).collect(),
        whole_word: spec.whole_word.unwrap_or(true),
        view,
        validate: spec.validate,
        metric: spec.metric.clone(),
        strategy: spec.strategy.as_deref().map(Arc::from),
        strategy_weight: 0.0,
        enabled: true,
        hits: spec.hits.clone(),
        clean: spec.clean.clone(),
        file: file.to_string(),
        line,
    })
}

/// `\b` and `\B` become ASCII word boundaries: the engine is built without Unicode word tables
/// (they would double the WebAssembly), and Han text has no word boundaries anyway.
fn ascii_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(b @ ('b' | 'B')) => {
                out.push_str("(?-u:\\");
                out.push(b);
                out.push(')');
            }
            Some(next) => {
                out.push(c);
                out.push(next);
            }
            None => out.push(c),
        }
    }
    out
}

/// The literals every match of `pattern` starts with, when there are few and they are whole
/// characters: the pattern cannot match a message without one of them.
fn literal_prefixes(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::Extractor;
    let seq = Extractor::new().extract(hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.len() > 64 {
        return None;
    }
    literals
        .iter()
        .map(|l| {
            let text = std::str::from_utf8(l.as_bytes()).ok()?;
            (!text.is_empty()).then(|| text.to_string())
        })
        .collect()
}

/// The index of the capture group called `name`, as the compiled regex will number it.
fn capture_index(hir: &regex_syntax::hir::Hir, name: &str) -> Option<usize> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some(name) => Some(c.index as usize),
        HirKind::Capture(c) => capture_index(&c.sub, name),
        HirKind::Repetition(r) => capture_index(&r.sub, name),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().find_map(|h| capture_index(h, name))
        }
        _ => None,
    }
}

/// The regex crate's message, with a hint for the Unicode classes this build leaves out.
fn regex_error(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    if text.contains("unicode") || text.contains("Unicode") {
        format!(
            "{text}\n(zhijian's patterns have no Unicode classes: write [0-9] for \\d and a class \
             such as [a-z] for \\w; messages are matched lower-cased, so (?i) is not needed)"
        )
    } else {
        text
    }
}

/// What [`merge_views`] made of a pack's phrases.
struct Merged {
    phrases: BTreeMap<String, Vec<Target>>,
    merged: bool,
    normal_forms: Texts,
    /// Pattern rules with a trigger that the compact view cannot hold (`@`, `?!`), and all
    /// their triggers (normal view): such a pattern is tried when the normal text contains one.
    ungated: Vec<(usize, Vec<String>)>,
}

/// Stores normal-view phrases in their compact form, so that one scan of the compact view finds
/// them (see [`PhraseIndex`]), when the pack has compact-view phrases to scan for anyway and every
/// normal-view phrase keeps a character in the compact view.
fn merge_views(phrases: BTreeMap<String, Vec<Target>>) -> Merged {
    let has_compact = phrases.values().flatten().any(|t| t.view == View::Compact);
    // The compact form of every normal-view phrase, computed once.
    let compact_forms: HashMap<String, String> = phrases
        .iter()
        .filter(|(_, targets)| targets.iter().any(|t| t.view == View::Normal))
        .map(|(key, _)| (key.clone(), in_view(key, View::Compact)))
        .collect();
    let vanishes = |key: &String| compact_forms.get(key).is_some_and(String::is_empty);
    let some_phrase_vanishes = phrases.iter().any(|(key, targets)| {
        targets
            .iter()
            .any(|t| t.view == View::Normal && !matches!(t.role, Role::Trigger))
            && vanishes(key)
    });
    if !has_compact || some_phrase_vanishes {
        return Merged {
            phrases,
            merged: false,
            normal_forms: Texts::default(),
            ungated: Vec::new(),
        };
    }
    let mut ungated: Vec<(usize, Vec<String>)> = Vec::new();
    for (key, targets) in &phrases {
        for t in targets {
            if t.view == View::Normal && vanishes(key) && !ungated.iter().any(|u| u.0 == t.rule) {
                ungated.push((t.rule, Vec::new()));
            }
        }
    }
    for (key, targets) in &phrases {
        for t in targets {
            if let Some(u) = ungated.iter_mut().find(|u| u.0 == t.rule) {
                u.1.push(key.clone());
            }
        }
    }
    let mut merged: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    let mut normal_forms = Texts::default();
    for (key, targets) in phrases {
        let (normal, other): (Vec<Target>, Vec<Target>) =
            targets.into_iter().partition(|t| t.view == View::Normal);
        if !normal.is_empty() {
            // An empty compact form is an ungated trigger (see above): dropped here.
            let compact = compact_forms.get(&key).cloned().unwrap_or_default();
            if !compact.is_empty() {
                let form = normal_forms.len() as u32;
                normal_forms.push(&key);
                merged
                    .entry(compact)
                    .or_default()
                    .extend(normal.into_iter().map(|t| Target {
                        normal_form: Some(form),
                        ..t
                    }));
            }
        }
        if !other.is_empty() {
            merged.entry(key).or_default().extend(other);
        }
    }
    // An ungated rule's other triggers are looked up by the literal gate instead.
    for targets in merged.values_mut() {
        targets.retain(|t| {
            !(matches!(t.role, Role::Trigger) && ungated.iter().any(|u| u.0 == t.rule))
        });
    }
    merged.retain(|_, targets| !targets.is_empty());
    Merged {
        phrases: merged,
        merged: true,
        normal_forms,
        ungated,
    }
}

/// The automaton over `keys` (sorted, distinct), which stand for `targets`.
fn build_index(
    keys: Texts,
    targets: Lists<Target>,
    merged: bool,
    normal_forms: Texts,
    file: &str,
) -> Result<Option<PhraseIndex>, PackError> {
    if keys.is_empty() {
        return Ok(None);
    }
    let shorter_prefixes = shorter_prefixes(&keys);
    let automaton = PhraseSearch::new(&keys)
        .map_err(|e| PackError::in_file(file, format!("cannot build the phrase automaton: {e}")))?;
    let normal_form_leads = normal_forms
        .iter()
        .map(|f| normal_form_lead(f) as u32)
        .collect();
    Ok(Some(PhraseIndex {
        automaton,
        keys,
        targets,
        merged,
        normal_forms,
        normal_form_leads,
        shorter_prefixes,
    }))
}

/// Per key, the shorter keys it starts with, longest first, as (length, id).
///
/// Keys are sorted, so the keys that are prefixes of a key come before it, and every key between
/// such a prefix and the key starts with the prefix: a stack of the keys that are prefixes of the
/// current one finds them all in one pass, with no search and no map (the agent's page loads
/// packs at start-up).
#[inline(never)]
fn shorter_prefixes(keys: &Texts) -> Lists<(u32, u32)> {
    let mut shorter_prefixes = Lists::with_capacity(keys.len());
    let mut stack: Vec<usize> = Vec::new();
    for (id, key) in keys.iter().enumerate() {
        while stack.last().is_some_and(|&p| !key.starts_with(&keys[p])) {
            stack.pop();
        }
        for &p in stack.iter().rev() {
            shorter_prefixes.push_item((keys[p].len() as u32, p as u32));
        }
        shorter_prefixes.end_list();
        stack.push(id);
    }
    shorter_prefixes
}

/// Leftmost-longest search for a pack's phrases. Native builds (CLI, batch review) use the
/// `aho-corasick` crate's DFA, which scans fastest and takes longest to build; the WebAssembly
/// builds its own automaton from the sorted phrases, in a fraction of the start-up the crate's
/// builder takes in the page ([`automaton`]). Both give the same matches: a unit test compares
/// them, and tests/wasm_parity.rs runs every rule example through both. Figures: BENCHMARKS.md.
#[cfg(target_arch = "wasm32")]
type PhraseSearch = automaton::PhraseAutomaton;

#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub(crate) struct PhraseSearch(aho_corasick::AhoCorasick);

#[cfg(not(target_arch = "wasm32"))]
impl PhraseSearch {
    fn new(keys: &Texts) -> Result<PhraseSearch, aho_corasick::BuildError> {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(keys.iter())
            .map(PhraseSearch)
    }

    /// The leftmost-longest phrase starting at or after byte `at`: `(start, end, pattern)`.
    #[inline]
    pub fn find_at(&self, hay: &str, at: usize) -> Option<(usize, usize, usize)> {
        let found = self.0.find(aho_corasick::Input::new(hay).range(at..))?;
        Some((found.start(), found.end(), found.pattern().as_usize()))
    }
}

fn group_patterns(patterns: Vec<(View, PatternMatcher)>) -> Vec<PatternGroup> {
    let mut groups: Vec<PatternGroup> = Vec::new();
    for (view, matcher) in patterns {
        match groups.iter_mut().find(|g| g.view == view) {
            Some(group) => group.matchers.push(matcher),
            None => groups.push(PatternGroup {
                view,
                matchers: vec![matcher],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    /// The one-pass prefix lists against their definition: every shorter key that the key
    /// starts with, longest first.
    #[test]
    fn prefix_lists_hold_every_shorter_phrase_a_phrase_starts_with() {
        for pack in crate::defaults::packs().unwrap() {
            let Some(index) = &pack.phrases else { continue };
            let keys = &index.keys;
            let mut with_prefixes = 0;
            for (id, key) in keys.iter().enumerate() {
                let mut expected: Vec<(u32, u32)> = (0..keys.len())
                    .filter(|&p| p != id && key.starts_with(&keys[p]))
                    .map(|p| (keys[p].len() as u32, p as u32))
                    .collect();
                expected.sort_by(|a, b| b.cmp(a));
                assert_eq!(index.shorter_prefixes[id], expected[..], "{key}");
                with_prefixes += usize::from(!expected.is_empty());
            }
            assert!(
                with_prefixes > 0,
                "{}: no phrase has a shorter one",
                pack.info.id
            );
        }
    }
}
