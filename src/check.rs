//! The message check: scan every view once, confirm matches, map them back, score.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::PackError;
use crate::pack::format::{Kind, MetricSpec, Validator};
use crate::pack::{view_slot, Pack, PatternGroup, PhraseIndex, Role, Rule, Target};
use crate::text::{self, Normalized, View};
use crate::{Language, Severity};

/// Characters before a match that `not_after` looks at.
const NOT_AFTER_WINDOW: usize = 12;
/// Whole-message rules only look at short messages (in characters, separators removed).
const WHOLE_MESSAGE_MAX_CHARS: usize = 12;

/// Checks messages with one pack per language.
#[derive(Debug)]
pub struct Checker {
    packs: Vec<Pack>,
    language: Option<Language>,
    locale: Option<Language>,
}

impl Checker {
    /// A checker with the given packs; messages go to the pack of their language.
    pub fn new(packs: Vec<Pack>) -> Checker {
        Checker {
            packs,
            language: None,
            locale: None,
        }
    }

    /// A checker with the default packs built into the crate (`rules/zh-CN`, `rules/en`).
    pub fn with_default_packs() -> Result<Checker, PackError> {
        Ok(Checker::new(crate::defaults::packs()?))
    }

    /// Checks every message in `language` instead of detecting it (`None`: detect per message).
    pub fn set_language(&mut self, language: Option<Language>) {
        self.language = language;
    }

    /// The language of hint messages (`None`: the language of the message checked).
    pub fn set_locale(&mut self, locale: Option<Language>) {
        self.locale = locale;
    }

    /// The language of hint messages, when set.
    pub fn locale(&self) -> Option<Language> {
        self.locale
    }

    /// Switches a rule of any pack on or off. Returns false when no pack has that rule.
    pub fn set_rule_enabled(&mut self, id: &str, enabled: bool) -> bool {
        self.packs.iter_mut().any(|p| p.set_enabled(id, enabled))
    }

    /// Changes the severity of a rule of any pack. Returns false when no pack has that rule.
    pub fn set_rule_severity(&mut self, id: &str, severity: Severity) -> bool {
        self.packs.iter_mut().any(|p| p.set_severity(id, severity))
    }

    /// Adds a pack; a pack of a language already present replaces it.
    pub fn add_pack(&mut self, pack: Pack) {
        self.packs.retain(|p| p.language() != pack.language());
        self.packs.push(pack);
    }

    /// The language `text` is checked in: the one set with [`Checker::set_language`], or the
    /// detected one (Chinese when nothing tells).
    pub fn language_of(&self, text: &str) -> Language {
        self.language
            .or_else(|| Language::detect(text))
            .unwrap_or(Language::Zh)
    }

    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    pub fn packs_mut(&mut self) -> &mut [Pack] {
        &mut self.packs
    }

    /// The pack for `language`, or the first pack when none is for that language.
    pub fn pack_for(&self, language: Language) -> Option<&Pack> {
        self.packs
            .iter()
            .find(|p| p.language() == language)
            .or_else(|| self.packs.first())
    }

    /// Compiles every pattern now instead of on first use, and returns how many were compiled.
    /// A page calls it when idle, so that the first message that needs a pattern (a phone number,
    /// say) does not wait for the regex compiler. Checking gives the same reports either way.
    pub fn prepare(&self) -> usize {
        let matchers = self
            .packs
            .iter()
            .flat_map(|p| &p.patterns)
            .flat_map(|g| &g.matchers);
        matchers
            .filter(|m| m.regex.get().is_none() && m.compiled().is_some())
            .count()
    }

    /// Checks one message.
    pub fn check(&self, text: &str) -> Report<'_> {
        self.check_in(text, self.language_of(text))
    }

    /// Which categories fire in `text`, and how often: a report with only `language` and
    /// `categories` filled in — no hints, markers, spans or scores. Cheaper than [`Checker::check`]
    /// for readers that need no more (conversation scoring reads customer messages this way).
    pub fn check_categories(&self, text: &str) -> Report<'_> {
        let language = self.language_of(text);
        let mut report = Report::empty(language);
        if let Some(pack) = self.pack_for(language) {
            for c in candidates(pack, text) {
                let rule = &pack.rules[c.rule];
                let name: &str = &pack.category_names[rule.category_index];
                match report.categories.get_mut(name) {
                    Some(score) => score.hits += 1,
                    None => {
                        let score = CategoryScore {
                            hits: 1,
                            ..CategoryScore::default()
                        };
                        report.categories.insert(name, score);
                    }
                }
            }
        }
        report
    }

    /// Checks one message as `language`, for callers that already know it (no detection pass).
    pub fn check_in(&self, text: &str, language: Language) -> Report<'_> {
        match self.pack_for(language) {
            Some(pack) => check_with(pack, text, self.locale.unwrap_or(language)),
            None => Report::empty(language),
        }
    }
}

/// The result of checking one message. Names and messages borrow from the checker's packs, so
/// that a report costs no copies of them.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report<'p> {
    /// The language the message was checked as.
    pub language: Language,
    /// 0–100: 100 minus the points of every rule that fired (once per rule), plus courtesy
    /// credit up to the pack's `max_credit`; 0 when a fatal rule fired.
    pub score: u32,
    /// 0–100, higher is more polite: the pack's politeness model over the strategies found.
    pub politeness: f64,
    /// Whether a fatal rule fired (insults, off-platform diversion, personal data…).
    pub fatal: bool,
    /// Problems, most severe first, then by position.
    pub hints: Vec<Hint<'p>>,
    /// Courtesy and politeness-strategy markers found: they add credit (their `points`), never deduct.
    pub markers: Vec<Marker<'p>>,
    /// Per category: hits and points.
    pub categories: BTreeMap<&'p str, CategoryScore>,
    /// The politeness strategies found, the features behind `politeness`.
    pub strategies: Vec<&'p str>,
}

/// Where a hint or credit lies in the original text.
///
/// `start`/`end` count Unicode scalar values (chars); `start_utf16`/`end_utf16` count UTF-16 code
/// units, as JavaScript's `String.prototype.slice` does. Byte offsets are kept for Rust callers.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub start_utf16: usize,
    pub end_utf16: usize,
    #[serde(skip)]
    pub start_byte: usize,
    #[serde(skip)]
    pub end_byte: usize,
}

/// One problem found in a message.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Hint<'p> {
    pub rule: &'p str,
    pub category: &'p str,
    pub severity: Severity,
    pub message: &'p str,
    /// Better wordings for the flagged characters, best first.
    pub suggestions: Vec<Cow<'p, str>>,
    #[serde(flatten)]
    pub span: Span,
    /// The flagged characters, as typed.
    pub text: String,
    pub points: u32,
}

/// One courtesy or politeness marker found in a message.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Marker<'p> {
    pub rule: &'p str,
    pub category: &'p str,
    pub strategy: Option<&'p str>,
    pub points: u32,
    #[serde(flatten)]
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct CategoryScore {
    pub hits: u32,
    pub deducted: u32,
    pub credited: u32,
}

impl Hint<'_> {
    /// The text with this hint's characters replaced by `suggestion`.
    pub fn apply(&self, text: &str, suggestion: &str) -> String {
        let (start, end) = (self.span.start_byte, self.span.end_byte);
        match (text.get(..start), text.get(end..)) {
            (Some(before), Some(after)) => [before, suggestion, after].concat(),
            _ => text.to_string(),
        }
    }
}

impl<'p> Report<'p> {
    fn empty(language: Language) -> Report<'p> {
        Report {
            language,
            score: 100,
            politeness: 50.0,
            fatal: false,
            hints: Vec::new(),
            markers: Vec::new(),
            categories: BTreeMap::new(),
            strategies: Vec::new(),
        }
    }
}

/// How a candidate's suggestions are found.
enum Suggestions {
    /// The rule's `suggest` list.
    Rule,
    /// A substitution phrase's own list.
    Replacement(usize),
    Computed(Vec<String>),
}

/// A match before it is confirmed and turned into a hint or credit.
struct Candidate {
    rule: usize,
    /// Byte range in the original text.
    start: usize,
    end: usize,
    suggestions: Suggestions,
}

/// A view of the message being scanned.
enum ViewText<'a> {
    Raw(&'a str),
    Mapped(&'a Normalized<'a>),
}

impl ViewText<'_> {
    fn as_str(&self) -> &str {
        match self {
            ViewText::Raw(s) => s,
            ViewText::Mapped(n) => n.as_str(),
        }
    }

    fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        match self {
            ViewText::Raw(_) => (start, end),
            ViewText::Mapped(n) => n.to_original(start, end),
        }
    }
}

/// Checks `text` with `pack`, writing messages in `locale`.
pub fn check_with<'p>(pack: &'p Pack, text: &str, locale: Language) -> Report<'p> {
    build_report(pack, text, locale, candidates(pack, text))
}

/// The matches of `pack` in `text` that survive overlap resolution: everything a report is
/// built from.
fn candidates(pack: &Pack, text: &str) -> Vec<Candidate> {
    let normal = Normalized::normal(text);
    let compact = pack.uses_compact.then(|| normal.compact());
    let view = |v: View| match v {
        View::Raw => ViewText::Raw(text),
        View::Normal => ViewText::Mapped(&normal),
        View::Compact => ViewText::Mapped(compact.as_ref().unwrap_or(&normal)),
    };

    let mut scan = Scan {
        pack,
        original: text,
        normal: normal.as_str(),
        unless_absent: Vec::new(),
        triggered: Vec::new(),
        out: Vec::with_capacity(16),
    };
    if let Some(index) = &pack.phrases {
        for v in [View::Raw, View::Normal, View::Compact] {
            if pack.phrase_views[view_slot(v)] {
                // The compact scan of a merged index also finds the normal-view phrases.
                let normal_too = (index.merged && v == View::Compact).then_some(&normal);
                scan.phrases(index, v, &view(v), normal_too);
            }
        }
    }
    for group in &pack.patterns {
        scan.patterns(group, &view(group.view));
    }
    let mut candidates = scan.out;
    let marks = punctuation_marks(pack, text);
    for &rule in &pack.metrics {
        if pack.rules[rule].enabled {
            measure(&pack.rules[rule], rule, text, &marks, &mut candidates);
        }
    }
    whole_message(pack, &normal, &mut candidates);
    resolve_overlaps(pack, candidates)
}

/// Exception matches of one scan in one coordinate system, in order of start.
#[derive(Default)]
struct Exceptions {
    /// (start, end, rule).
    spans: Vec<(usize, usize, usize)>,
    /// The longest span: how far before a match an overlapping exception can start.
    longest: usize,
}

impl Exceptions {
    fn add(&mut self, start: usize, end: usize, rule: usize) {
        self.spans.push((start, end, rule));
        self.longest = self.longest.max(end - start);
    }

    /// Whether an exception of `rule` overlaps `start..end`. Linear in the exceptions near the
    /// match, not in all of them, so that a long text stays linear.
    fn overlap(&self, rule: usize, start: usize, end: usize) -> bool {
        let first = self.spans.partition_point(|x| x.0 + self.longest < start);
        self.spans[first..]
            .iter()
            .take_while(|x| x.0 < end)
            .any(|&(xs, xe, r)| r == rule && xs < end && start < xe)
    }
}

/// The state of one message's scan. Everything that depends on the whole message is computed at
/// most once, so that a long text with many matches stays linear.
struct Scan<'a> {
    pack: &'a Pack,
    original: &'a str,
    normal: &'a str,
    /// Rules whose `unless` phrases were looked up, and whether none is in the message. Few
    /// rules have them, so a short list beats a table per rule.
    unless_absent: Vec<(usize, bool)>,
    /// Pattern rules whose triggers the phrase scan found.
    triggered: Vec<usize>,
    out: Vec<Candidate>,
}

impl Scan<'_> {
    /// Finds, at every position, the longest phrase starting there and the shorter ones of other
    /// rules; applies exceptions and context. With `normal` (a merged index scanning the compact
    /// view), normal-view phrases count where the normal text under the match is the phrase.
    fn phrases(
        &mut self,
        index: &PhraseIndex,
        view_kind: View,
        view: &ViewText,
        normal: Option<&Normalized>,
    ) {
        let hay = view.as_str();
        // (start, end, pattern) of every phrase at every position.
        let mut found: Vec<(usize, usize, usize)> = Vec::with_capacity(16);
        let mut at = 0;
        while at < hay.len() {
            let Some((start, end, pattern)) = index.automaton.find_at(hay, at) else {
                break;
            };
            // Leftmost-longest gives the longest phrase at this start (我的世界, not 我的); the
            // shorter phrases starting here are its prefixes that are phrases too, known from
            // the pack.
            found.push((start, end, pattern));
            for &(len, shorter) in &index.shorter_prefixes[pattern] {
                found.push((start, start + len as usize, shorter as usize));
            }
            at = start + text::char_len_at(hay, start);
        }

        // Every match of a target, in the coordinates of the target's view: (start, end,
        // target). Normal-view targets of a merged scan are mapped to the normal view and kept
        // only where the normal text is the phrase.
        let mut matches: Vec<(usize, usize, &Target)> = Vec::with_capacity(found.len());
        for &(m_start, m_end, pattern) in &found {
            for t in &index.targets[pattern] {
                if t.view == view_kind {
                    matches.push((m_start, m_end, t));
                    continue;
                }
                let (Some(normal), Some(form), View::Normal, ViewText::Mapped(compact)) =
                    (normal, t.normal_form, t.view, view)
                else {
                    continue;
                };
                // The normal text from the match's first character on must be the phrase (with
                // its leading separators before it); then it also ends where the match does.
                let lead = index.normal_form_leads[form as usize] as usize;
                let form = index.normal_forms.bytes(form as usize);
                let s = normal.view_start_of(compact, m_start).wrapping_sub(lead);
                let holds_phrase = normal
                    .as_str()
                    .as_bytes()
                    .get(s..)
                    .is_some_and(|rest| rest.starts_with(form));
                if holds_phrase {
                    matches.push((s, s + form.len(), t));
                }
            }
        }

        // Exception matches, per coordinate system (this view's, the normal view's), in order of
        // start (as found); `longest` bounds how far back one can start and still overlap.
        let mut exceptions = [Exceptions::default(), Exceptions::default()];
        for &(s, e, t) in &matches {
            match t.role {
                Role::Exception => exceptions[usize::from(t.view != view_kind)].add(s, e, t.rule),
                Role::Trigger if !self.triggered.contains(&t.rule) => self.triggered.push(t.rule),
                _ => {}
            }
        }
        for &(s, e, target) in &matches {
            let Role::Hit(replacement) = target.role else {
                continue;
            };
            let rule = &self.pack.rules[target.rule];
            let (in_view, target_hay) = match normal {
                Some(normal) if target.view != view_kind => (false, normal.as_str()),
                _ => (true, hay),
            };
            let (start, end) = match (in_view, normal) {
                (false, Some(normal)) => normal.to_original(s, e),
                _ => view.to_original(s, e),
            };
            if !rule.enabled
                || exceptions[usize::from(!in_view)].overlap(target.rule, s, e)
                || (rule.whole_word && !is_whole_word(self.original, start, end))
                || !self.allows(target.rule, target_hay, s)
            {
                continue;
            }
            self.out.push(Candidate {
                rule: target.rule,
                start,
                end,
                suggestions: replacement.map_or(Suggestions::Rule, Suggestions::Replacement),
            });
        }
    }

    /// `unless` (anywhere in the message, looked up once per rule) and `not_after` (in the few
    /// characters before the match).
    fn allows(&mut self, rule_index: usize, hay: &str, start: usize) -> bool {
        let rule = &self.pack.rules[rule_index];
        let normal = self.normal;
        if !rule.unless.is_empty() {
            let absent = match self.unless_absent.iter().find(|u| u.0 == rule_index) {
                Some(&(_, absent)) => absent,
                None => {
                    let absent = !rule.unless.iter().any(|u| normal.contains(u.as_str()));
                    self.unless_absent.push((rule_index, absent));
                    absent
                }
            };
            if !absent {
                return false;
            }
        }
        if rule.not_after.is_empty() {
            return true;
        }
        let window_start = hay[..start]
            .char_indices()
            .rev()
            .take(NOT_AFTER_WINDOW)
            .last()
            .map_or(start, |(i, _)| i);
        let before = &hay[window_start..start];
        !rule.not_after.iter().any(|p| before.contains(p.as_str()))
    }

    fn patterns(&mut self, group: &PatternGroup, view: &ViewText) {
        let hay = view.as_str();
        for matcher in &group.matchers {
            let rule = &self.pack.rules[matcher.rule];
            if !rule.enabled
                || (matcher.gated && !self.triggered.contains(&matcher.rule))
                || (!matcher.literal_gate.is_empty()
                    && !matcher
                        .literal_gate
                        .iter()
                        .any(|l| self.normal.contains(l.as_str())))
            {
                continue;
            }
            let Some(regex) = matcher.compiled() else {
                continue;
            };
            let mut accept = |s: usize, e: usize, suggestions: Suggestions| {
                if s == e
                    || !rule.validate.is_none_or(|v| validate(v, &hay[s..e]))
                    || !self.allows(matcher.rule, hay, s)
                {
                    return;
                }
                let (start, end) = view.to_original(s, e);
                self.out.push(Candidate {
                    rule: matcher.rule,
                    start,
                    end,
                    suggestions,
                });
            };
            if matcher.expands || matcher.hit_group.is_some() {
                for caps in regex.captures_iter(hay) {
                    let Some(m) = matcher.hit_group.map_or(caps.get(0), |g| caps.get(g)) else {
                        continue;
                    };
                    let suggestions = if matcher.expands {
                        let expand = |template: &String| {
                            let mut s = String::new();
                            caps.expand(template, &mut s);
                            s
                        };
                        Suggestions::Computed(rule.suggest.iter().map(expand).collect())
                    } else {
                        Suggestions::Rule
                    };
                    accept(m.start(), m.end(), suggestions);
                }
            } else {
                for m in regex.find_iter(hay) {
                    accept(m.start(), m.end(), Suggestions::Rule);
                }
            }
        }
    }
}

/// Latin phrases must not continue into neighbouring letters or digits of the same kind. Judged
/// on the original text, so that in the compact view `V-X：abc` is a whole word and `new xbox`
/// holds no `wx`.
fn is_whole_word(original: &str, start: usize, end: usize) -> bool {
    let kind = |c: char| {
        let c = text::fold_width(c);
        if c.is_ascii_alphabetic() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            0
        }
    };
    let matched = &original[start..end];
    // Only ASCII and full-width forms (lead byte EF) can be letters or digits here: a match
    // that begins and ends with anything else (Han characters, mostly) needs no decoding.
    let may_join = |lead: u8| lead < 0x80 || lead == 0xEF;
    let bytes = matched.as_bytes();
    let last_lead = bytes.iter().rev().find(|&&b| (b as i8) >= -0x40);
    if !bytes.first().is_some_and(|&b| may_join(b)) && !last_lead.is_some_and(|&b| may_join(b)) {
        return true;
    }
    let (Some(first), Some(last)) = (matched.chars().next(), matched.chars().next_back()) else {
        return true;
    };
    let joins = |edge: char, neighbour: Option<char>| {
        neighbour.is_some_and(|n| kind(edge) != 0 && kind(edge) == kind(n))
    };
    !joins(first, original[..start].chars().next_back())
        && !joins(last, original[end..].chars().next())
}

fn validate(validator: Validator, digits: &str) -> bool {
    match validator {
        Validator::Luhn => luhn(digits),
        Validator::CnId => cn_id_checksum(digits),
    }
}

/// The Luhn checksum over the ASCII digits of `s` (other characters are ignored).
fn luhn(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < 12 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// GB 11643-1999: weights 2^(17-i) mod 11 over the first 17 digits; check character
/// `10X98765432`[sum mod 11].
fn cn_id_checksum(s: &str) -> bool {
    let chars: Vec<char> = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if chars.len() != 18 {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'x', '9', '8', '7', '6', '5', '4', '3', '2'];
    let mut sum = 0;
    for (c, w) in chars[..17].iter().zip(WEIGHTS) {
        match c.to_digit(10) {
            Some(d) => sum += d * w,
            None => return false,
        }
    }
    chars[17].to_ascii_lowercase() == CHECK[(sum % 11) as usize]
}

/// The characters of `text` that punctuation metrics count, with their byte offsets: found in
/// one pass for all metric rules, and usually none or a few.
fn punctuation_marks(pack: &Pack, text: &str) -> Vec<(usize, char)> {
    let metric_chars = &pack.metric_chars;
    if metric_chars.is_empty() {
        return Vec::new();
    }
    // Only bytes that begin one of the counted characters are looked at (a table lookup per
    // byte; most bytes of a message begin none).
    let first_bytes = &pack.metric_first_bytes;
    let mut marks = Vec::new();
    for (at, &b) in text.as_bytes().iter().enumerate() {
        if !first_bytes[usize::from(b)] {
            continue;
        }
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            continue;
        };
        if metric_chars.contains(&c) {
            marks.push((at, c));
        }
    }
    marks
}

/// Metric rules measure the text as typed (`marks`: its punctuation, from [`punctuation_marks`]).
fn measure(
    rule: &Rule,
    index: usize,
    text: &str,
    marks: &[(usize, char)],
    out: &mut Vec<Candidate>,
) {
    let Some(metric) = &rule.metric else { return };
    match metric {
        MetricSpec::PunctuationRun { chars, min } => {
            // Runs of adjacent marks from `chars`: (start, end, length).
            let mut runs: Vec<(usize, usize, usize)> = Vec::new();
            for &(at, c) in marks.iter().filter(|m| chars.contains(m.1)) {
                match runs.last_mut() {
                    Some(run) if run.1 == at => {
                        run.1 = at + c.len_utf8();
                        run.2 += 1;
                    }
                    _ => runs.push((at, at + c.len_utf8(), 1)),
                }
            }
            for (s, e, _) in runs.into_iter().filter(|r| r.2 >= *min) {
                let suggestions = if rule.suggest.is_empty() {
                    Suggestions::Computed(vec![text[s..e].chars().take(1).collect()])
                } else {
                    Suggestions::Rule
                };
                out.push(Candidate {
                    rule: index,
                    start: s,
                    end: e,
                    suggestions,
                });
            }
        }
        MetricSpec::Count { chars, min } => {
            let mut found = marks.iter().filter(|m| chars.contains(m.1));
            let Some(&first) = found.next() else { return };
            let (count, last) = found.fold((1, first), |(n, _), &p| (n + 1, p));
            if count >= *min {
                out.push(Candidate {
                    rule: index,
                    start: first.0,
                    end: last.0 + last.1.len_utf8(),
                    suggestions: Suggestions::Rule,
                });
            }
        }
        MetricSpec::Shouting { min_letters } => {
            for (s, e) in shouting_runs(text, *min_letters) {
                let lowered = text[s..e].to_lowercase();
                let suggestion = if text[..s].trim().is_empty() {
                    let mut chars = lowered.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().chain(chars).collect())
                        .unwrap_or_default()
                } else {
                    lowered
                };
                out.push(Candidate {
                    rule: index,
                    start: s,
                    end: e,
                    suggestions: Suggestions::Computed(vec![suggestion]),
                });
            }
        }
    }
}

/// Byte ranges of consecutive capitalised words (two or more letters each, single-letter words
/// allowed inside) holding at least `min_letters` capitals.
fn shouting_runs(text: &str, min_letters: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut current: Option<(usize, usize, usize, usize)> = None; // start, end, letters, words
    let mut words = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() {
            let s = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            words.push((s, i));
        } else {
            i += 1;
        }
    }
    let mut close = |current: &mut Option<(usize, usize, usize, usize)>| {
        if let Some((s, e, letters, n)) = current.take() {
            if letters >= min_letters && n >= 2 {
                runs.push((s, e));
            }
        }
    };
    for (s, e) in words {
        let word = &text[s..e];
        let upper = word.bytes().all(|b| b.is_ascii_uppercase());
        let joined = current.is_some_and(|c| {
            text[c.1..s]
                .chars()
                .all(|ch| !ch.is_alphanumeric() && ch != '\n')
        });
        if upper && (e - s >= 2 || current.is_some()) {
            if !joined {
                close(&mut current);
            }
            current = Some(match current {
                Some((cs, _, letters, n)) => (cs, e, letters + (e - s), n + 1),
                None => (s, e, e - s, 1),
            });
        } else {
            close(&mut current);
        }
    }
    close(&mut current);
    runs
}

fn whole_message(pack: &Pack, normal: &Normalized, out: &mut Vec<Candidate>) {
    if pack.whole_message.is_empty() {
        return;
    }
    let hay = normal.as_str();
    // Most messages are far longer than a whole-message phrase: counting the characters that
    // are surely kept (ASCII letters and digits, Han) tells without decoding.
    if surely_kept_exceed(hay, WHOLE_MESSAGE_MAX_CHARS) {
        return;
    }
    let mut key = String::with_capacity(4 * WHOLE_MESSAGE_MAX_CHARS);
    let mut range: Option<(usize, usize)> = None;
    let mut kept = 0;
    for (i, c) in hay.char_indices() {
        if text::is_separator(c) || c == '~' {
            continue;
        }
        key.push(c);
        kept += 1;
        if kept > WHOLE_MESSAGE_MAX_CHARS {
            return;
        }
        let end = i + c.len_utf8();
        range = Some((range.map_or(i, |r| r.0), end));
    }
    let (Some(targets), Some((s, e))) = (pack.whole_message.get(&key), range) else {
        return;
    };
    for target in targets {
        let Role::Hit(replacement) = target.role else {
            continue;
        };
        if !pack.rules[target.rule].enabled {
            continue;
        }
        let (start, end) = normal.to_original(s, e);
        out.push(Candidate {
            rule: target.rule,
            start,
            end,
            suggestions: replacement.map_or(Suggestions::Rule, Suggestions::Replacement),
        });
    }
}

/// Whether `text` holds more than `limit` ASCII letters and digits and characters of
/// U+4000–U+9FFF (lead bytes E4–E9): those are never separators, so a whole-message key would
/// be longer than `limit`. Stops as soon as it knows.
fn surely_kept_exceed(text: &str, limit: usize) -> bool {
    let mut kept = 0;
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || text::starts_han_block(b) {
            kept += 1;
            if kept > limit {
                return true;
            }
        }
    }
    false
}

/// Resolves overlaps: a match lying inside another match of the same category is dropped
/// (不知道 inside 我也不知道), and overlapping matches of one rule merge into one span (加薇 and
/// 薇❤信 become 加薇❤信). Linear after sorting: candidates come by start, longest first.
fn resolve_overlaps(pack: &Pack, mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    #[derive(PartialEq)]
    enum Key {
        Category(usize),
        Marker(usize),
    }
    candidates.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    // Per category (per rule, for markers, so that 您 inside 麻烦您 still counts): the kept
    // candidate reaching furthest right. A message has few keys: a small vector beats a map.
    let mut reach: Vec<(Key, usize)> = Vec::with_capacity(8);
    // Kept candidates are moved to the front, in order: `candidates[..kept]`.
    let mut kept = 0;
    for next in 0..candidates.len() {
        let c = &candidates[next];
        let (rule_index, start, end) = (c.rule, c.start, c.end);
        let rule = &pack.rules[rule_index];
        let key = if rule.is_marker() {
            Key::Marker(rule_index)
        } else {
            Key::Category(rule.category_index)
        };
        let slot = reach.iter().position(|r| r.0 == key);
        if let Some(i) = slot {
            let furthest = reach[i].1;
            if candidates[furthest].end >= end {
                continue;
            }
            if candidates[furthest].rule == rule_index && start < candidates[furthest].end {
                // A substitution's wording replaces its own phrase only: keep the first match.
                let own_wording =
                    |c: &Candidate| matches!(c.suggestions, Suggestions::Replacement(_));
                if !own_wording(&candidates[furthest]) && !own_wording(&candidates[next]) {
                    candidates[furthest].end = end;
                }
                continue;
            }
            reach[i].1 = kept;
        } else {
            reach.push((key, kept));
        }
        candidates.swap(kept, next);
        kept += 1;
    }
    candidates.truncate(kept);
    candidates
}

fn build_report<'p>(
    pack: &'p Pack,
    text: &str,
    locale: Language,
    kept: Vec<Candidate>,
) -> Report<'p> {
    // Candidates come in order of start: char and UTF-16 offsets are counted forward from the
    // previous start, and each end from its start, so the text is read about once.
    let mut at = text::Offset::default();
    let mut span = |c: &Candidate| {
        at = text::advance(text, at, c.start);
        let end = text::advance(text, at, c.end);
        Span {
            start: at.char,
            end: end.char,
            start_utf16: at.utf16,
            end_utf16: end.utf16,
            start_byte: c.start,
            end_byte: c.end,
        }
    };

    // Points count once per rule and message, so repeating a word does not multiply the penalty.
    // Bookkeeping by rule and category index: a message has few matches, so small vectors beat
    // maps keyed by strings.
    let marker_count = kept
        .iter()
        .filter(|c| pack.rules[c.rule].is_marker())
        .count();
    let mut hints = Vec::with_capacity(kept.len() - marker_count);
    let mut markers = Vec::with_capacity(marker_count);
    let mut counted: Vec<usize> = Vec::with_capacity(kept.len());
    let mut per_category: Vec<(usize, CategoryScore)> = Vec::with_capacity(8);
    let mut strategies: Vec<&str> = Vec::new();
    let (mut deducted, mut credited, mut z) = (0u32, 0u32, pack.politeness.intercept);
    for c in kept {
        let rule = &pack.rules[c.rule];
        if let Some(strategy) = rule.strategy.as_deref() {
            if !strategies.contains(&strategy) {
                strategies.push(strategy);
                z += rule.strategy_weight;
            }
        }
        let first_time = !counted.contains(&c.rule);
        if first_time {
            counted.push(c.rule);
        }
        let category = match per_category.iter().position(|e| e.0 == rule.category_index) {
            Some(i) => &mut per_category[i].1,
            None => {
                per_category.push((rule.category_index, CategoryScore::default()));
                &mut per_category.last_mut().expect("just pushed").1
            }
        };
        category.hits += 1;
        let matched = text[c.start..c.end].to_string();
        if rule.kind == Kind::Marker {
            if first_time {
                category.credited = category.credited.saturating_add(rule.points);
                credited = credited.saturating_add(rule.points);
            }
            markers.push(Marker {
                rule: &rule.id,
                category: &rule.category,
                strategy: rule.strategy.as_deref(),
                points: rule.points,
                span: span(&c),
                text: matched,
            });
            continue;
        }
        if first_time {
            category.deducted = category.deducted.saturating_add(rule.points);
            deducted = deducted.saturating_add(rule.points);
        }
        let at = span(&c);
        let suggestions = match c.suggestions {
            Suggestions::Rule => borrowed(&rule.suggest),
            Suggestions::Replacement(i) => borrowed(&rule.replacements[i]),
            Suggestions::Computed(list) => list.into_iter().map(Cow::Owned).collect(),
        };
        hints.push(Hint {
            rule: &rule.id,
            category: &rule.category,
            severity: rule.severity,
            message: rule.message_in(locale),
            suggestions,
            span: at,
            text: matched,
            points: rule.points,
        });
    }
    hints.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(a.span.start.cmp(&b.span.start))
    });
    let fatal = hints.iter().any(|h| h.severity == Severity::Fatal);
    let score = if fatal {
        0
    } else {
        100u32
            .saturating_add(credited.min(pack.max_credit))
            .saturating_sub(deducted)
            .min(100)
    };
    let politeness = (1000.0 / (1.0 + (-z).exp())).round() / 10.0;
    // Inserted one by one: a map of a few entries is one node, where collecting would also
    // allocate a vector to sort.
    let mut categories = BTreeMap::new();
    for (i, score) in per_category {
        categories.insert(&*pack.category_names[i], score);
    }
    strategies.sort_unstable();

    Report {
        language: pack.language(),
        score,
        politeness,
        fatal,
        hints,
        markers,
        categories,
        strategies,
    }
}

/// A rule's own wordings, borrowed into a hint.
fn borrowed(list: &[String]) -> Vec<Cow<'_, str>> {
    list.iter().map(|s| Cow::Borrowed(s.as_str())).collect()
}
