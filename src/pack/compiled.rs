//! Compiled packs: a pack after validation and view conversion, as bytes.
//!
//! Compiling a pack from TOML parses the files, validates every rule and pattern, works out each
//! pattern's triggers and converts every phrase into the view it is matched in. In the agent's
//! page that is start-up time, spent on every page load, and it needs the TOML parser and the
//! regex parser in the WebAssembly. A compiled pack holds the result: loading it only reads the
//! bytes and builds the phrase automaton. Regexes are compiled on first use, as for TOML packs.
//!
//! `zhijian rules compile DIR -o FILE.zjpk` writes one; the built-in packs are kept compiled in
//! `rules/compiled/`, and a test fails when they fall behind their TOML.
//!
//! The format is private and versioned: little-endian LEB128 integers, length-prefixed UTF-8
//! strings, fields in a fixed order. Rule examples (`hits`, `clean`) stay in the TOML: they are
//! for tests, not for checking. Reading checks every length and index, so that bytes from
//! anywhere give an error, never a panic or a pack that panics later.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::flat::{Lists, Texts};
use super::format::{Kind, Messages, MetricSpec, Validator};
use super::{
    build_index, metric_first_bytes, Pack, PackInfo, PatternGroup, PatternMatcher, Politeness,
    Role, Rule, Target,
};
use crate::error::PackError;
use crate::text::View;
use crate::{Language, Severity};

/// The first bytes of every compiled pack: a name, and the format version.
const MAGIC: &[u8; 6] = b"ZJPK\x00\x01";

impl Pack {
    /// The pack as bytes for [`Pack::from_compiled`]: what compiling its TOML produced, without
    /// the rule examples.
    pub fn to_compiled(&self) -> Vec<u8> {
        let mut w = Writer(MAGIC.to_vec());
        let info = &self.info;
        for s in [&info.id, &info.version, &info.name] {
            w.str(s);
        }
        w.uint(language_code(info.language));
        w.uint(self.max_credit.into());
        w.f64(self.politeness.intercept);
        w.bool(self.uses_compact);
        w.list(&self.category_names, |w, c| w.str(c));
        w.list(&self.rules, write_rule);
        w.list(&self.metrics, |w, &i| w.uint(i as u64));
        match &self.phrases {
            None => w.bool(false),
            Some(index) => {
                w.bool(true);
                w.bool(index.merged);
                w.texts(&index.keys);
                w.uint(index.targets.len() as u64);
                for targets in index.targets.iter() {
                    w.list(targets, write_target);
                }
                w.texts(&index.normal_forms);
            }
        }
        for seen in self.phrase_views {
            w.bool(seen);
        }
        // Sorted, so that the same pack always gives the same bytes.
        let mut whole: Vec<(&String, &Vec<Target>)> = self.whole_message.iter().collect();
        whole.sort_by(|a, b| a.0.cmp(b.0));
        w.list(&whole, |w, (key, targets)| {
            w.str(key);
            w.list(targets, write_target);
        });
        w.list(&self.patterns, |w, group| {
            w.uint(view_code(group.view));
            w.list(&group.matchers, |w, m| {
                w.uint(m.rule as u64);
                w.str(&m.pattern);
                w.bool(m.expands);
                w.bool(m.gated);
                w.list(&m.literal_gate, |w, l| w.str(l));
                w.opt(m.hit_group, |w, g| w.uint(g as u64));
            });
        });
        w.0
    }

    /// Loads a pack written by [`Pack::to_compiled`]. `name` is what errors call the bytes.
    pub fn from_compiled(name: &str, bytes: &[u8]) -> Result<Pack, PackError> {
        let mut r = Reader { name, bytes, at: 0 };
        if !bytes.starts_with(MAGIC) {
            let what = if bytes.starts_with(&MAGIC[..4]) {
                "a compiled pack of another format version: compile it again with this zhijian"
            } else {
                "not a compiled pack (it does not start with ZJPK)"
            };
            return Err(PackError::in_file(name, what));
        }
        r.at = MAGIC.len();
        let (id, version, pack_name) = (r.string()?, r.string()?, r.string()?);
        let language = match r.uint()? {
            0 => Language::Zh,
            1 => Language::En,
            _ => return Err(r.bad("language")),
        };
        let max_credit = u32::try_from(r.uint()?).map_err(|_| r.bad("max_credit"))?;
        let intercept = r.f64()?;
        let uses_compact = r.bool()?;
        let category_names: Vec<Arc<str>> = r.list(|r| r.shared())?;
        let rules = r.list(|r| read_rule(r, &category_names))?;
        let metrics = r.list(|r| r.index(rules.len(), "metric rule"))?;
        let phrases = if r.bool()? {
            let merged = r.bool()?;
            let keys = r.texts()?;
            let mut targets = Lists::with_capacity(keys.len());
            for _ in 0..r.length("list length")? {
                for _ in 0..r.length("list length")? {
                    targets.push_item(read_target(&mut r, &rules)?);
                }
                targets.end_list();
            }
            let normal_forms = r.texts()?;
            let forms = normal_forms.len();
            // Sorted and distinct, as the automaton's prefix lists assume.
            let sorted = (keys.is_empty() || !keys[0].is_empty())
                && (1..keys.len()).all(|i| keys[i - 1] < keys[i]);
            if !sorted
                || targets.len() != keys.len()
                || targets.items().iter().any(|t| {
                    t.normal_form
                        .is_some_and(|f| f as usize >= forms || t.view != View::Normal)
                })
            {
                return Err(r.bad("phrase targets"));
            }
            build_index(keys, targets, merged, normal_forms, name)?
        } else {
            None
        };
        let mut phrase_views = [false; 3];
        for seen in &mut phrase_views {
            *seen = r.bool()?;
        }
        let whole_message: HashMap<String, Vec<Target>> = r
            .list(|r| Ok((r.string()?, r.list(|r| read_target(r, &rules))?)))?
            .into_iter()
            .collect();
        let patterns = r.list(|r| {
            let view = read_view(r)?;
            let matchers = r.list(|r| {
                Ok(PatternMatcher {
                    rule: r.index(rules.len(), "pattern rule")?,
                    pattern: r.string()?,
                    regex: OnceLock::new(),
                    expands: r.bool()?,
                    gated: r.bool()?,
                    literal_gate: r.list(|r| r.string())?,
                    hit_group: r.opt(|r| r.index(usize::MAX, "hit group"))?,
                })
            })?;
            Ok(PatternGroup { view, matchers })
        })?;
        if r.at != bytes.len() {
            return Err(r.bad("the end (bytes follow the pack)"));
        }
        let metric_chars = super::metric_chars(&rules);
        Ok(Pack {
            info: PackInfo {
                id,
                language,
                version,
                name: pack_name,
                rules: rules.len(),
            },
            rules,
            phrases,
            phrase_views,
            patterns,
            metrics,
            metric_first_bytes: metric_first_bytes(&metric_chars),
            metric_chars,
            category_names,
            whole_message,
            politeness: Politeness { intercept },
            max_credit,
            uses_compact,
        })
    }
}

fn write_rule(w: &mut Writer, rule: &Rule) {
    w.str(&rule.id);
    w.uint(match rule.kind {
        Kind::Phrase => 0,
        Kind::Substitution => 1,
        Kind::Pattern => 2,
        Kind::Metric => 3,
        Kind::Marker => 4,
    });
    w.uint(rule.category_index as u64);
    w.uint(match rule.severity {
        Severity::Fatal => 0,
        Severity::Major => 1,
        Severity::Minor => 2,
        Severity::Hint => 3,
    });
    w.uint(rule.points.into());
    w.str(&rule.message.zh);
    w.str(&rule.message.en);
    w.list(&rule.suggest, |w, s| w.str(s));
    w.list(&rule.replacements, |w, r| w.list(r, |w, s| w.str(s)));
    w.list(&rule.unless, |w, s| w.str(s));
    w.list(&rule.not_after, |w, s| w.str(s));
    w.bool(rule.whole_word);
    w.uint(view_code(rule.view));
    w.opt(rule.validate, |w, v| {
        w.uint(match v {
            Validator::Luhn => 0,
            Validator::CnId => 1,
        })
    });
    w.opt(rule.metric.as_ref(), |w, metric| match metric {
        MetricSpec::PunctuationRun { chars, min } => {
            w.uint(0);
            w.str(chars);
            w.uint(*min as u64);
        }
        MetricSpec::Shouting { min_letters } => {
            w.uint(1);
            w.uint(*min_letters as u64);
        }
        MetricSpec::Count { chars, min } => {
            w.uint(2);
            w.str(chars);
            w.uint(*min as u64);
        }
    });
    w.opt(rule.strategy.as_deref(), |w, s| w.str(s));
    w.f64(rule.strategy_weight);
    w.bool(rule.enabled);
    w.str(&rule.file);
    w.opt(rule.line, |w, l| w.uint(l as u64));
}

fn read_rule(r: &mut Reader, categories: &[Arc<str>]) -> Result<Rule, PackError> {
    let id = r.shared()?;
    let kind = match r.uint()? {
        0 => Kind::Phrase,
        1 => Kind::Substitution,
        2 => Kind::Pattern,
        3 => Kind::Metric,
        4 => Kind::Marker,
        _ => return Err(r.bad("rule kind")),
    };
    let category_index = r.index(categories.len(), "category")?;
    let severity = match r.uint()? {
        0 => Severity::Fatal,
        1 => Severity::Major,
        2 => Severity::Minor,
        3 => Severity::Hint,
        _ => return Err(r.bad("severity")),
    };
    let points = u32::try_from(r.uint()?).map_err(|_| r.bad("points"))?;
    let message = Messages {
        zh: r.shared()?,
        en: r.shared()?,
    };
    let suggest = r.list(|r| r.string())?;
    let replacements = r.list(|r| r.list(|r| r.string()))?;
    let unless = r.list(|r| r.string())?;
    let not_after = r.list(|r| r.string())?;
    let whole_word = r.bool()?;
    let view = read_view(r)?;
    let validate = r.opt(|r| match r.uint()? {
        0 => Ok(Validator::Luhn),
        1 => Ok(Validator::CnId),
        _ => Err(r.bad("validator")),
    })?;
    let metric = r.opt(|r| match r.uint()? {
        0 => Ok(MetricSpec::PunctuationRun {
            chars: r.string()?,
            min: r.index(usize::MAX, "metric minimum")?,
        }),
        1 => Ok(MetricSpec::Shouting {
            min_letters: r.index(usize::MAX, "metric minimum")?,
        }),
        2 => Ok(MetricSpec::Count {
            chars: r.string()?,
            min: r.index(usize::MAX, "metric minimum")?,
        }),
        _ => Err(r.bad("metric type")),
    })?;
    let strategy = r.opt(|r| r.shared())?;
    let strategy_weight = r.f64()?;
    let enabled = r.bool()?;
    let file = r.string()?;
    let line = r.opt(|r| r.index(usize::MAX, "line"))?;
    Ok(Rule {
        id,
        kind,
        category: categories[category_index].clone(),
        category_index,
        severity,
        points,
        message,
        suggest,
        replacements,
        unless,
        not_after,
        whole_word,
        view,
        validate,
        metric,
        strategy,
        strategy_weight,
        enabled,
        hits: Vec::new(),
        clean: Vec::new(),
        file,
        line,
    })
}

fn write_target(w: &mut Writer, t: &Target) {
    w.uint(t.rule as u64);
    match t.role {
        Role::Hit(None) => w.uint(0),
        Role::Hit(Some(i)) => w.uint(3 + i as u64),
        Role::Exception => w.uint(1),
        Role::Trigger => w.uint(2),
    }
    w.uint(view_code(t.view));
    w.opt(t.normal_form, |w, f| w.uint(f.into()));
}

fn read_target(r: &mut Reader, rules: &[Rule]) -> Result<Target, PackError> {
    let rule = r.index(rules.len(), "target rule")?;
    let role = match r.uint()? {
        0 => Role::Hit(None),
        1 => Role::Exception,
        2 => Role::Trigger,
        n => {
            let slot = usize::try_from(n - 3).map_err(|_| r.bad("replacement"))?;
            if slot >= rules[rule].replacements.len() {
                return Err(r.bad("replacement"));
            }
            Role::Hit(Some(slot))
        }
    };
    Ok(Target {
        rule,
        role,
        view: read_view(r)?,
        normal_form: r.opt(|r| u32::try_from(r.uint()?).map_err(|_| r.bad("normal form")))?,
    })
}

fn view_code(view: View) -> u64 {
    match view {
        View::Raw => 0,
        View::Normal => 1,
        View::Compact => 2,
    }
}

fn read_view(r: &mut Reader) -> Result<View, PackError> {
    match r.uint()? {
        0 => Ok(View::Raw),
        1 => Ok(View::Normal),
        2 => Ok(View::Compact),
        _ => Err(r.bad("view")),
    }
}

fn language_code(language: Language) -> u64 {
    match language {
        Language::Zh => 0,
        Language::En => 1,
    }
}

struct Writer(Vec<u8>);

impl Writer {
    /// LEB128: seven bits a byte, low bits first; most values here take one byte.
    fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn bool(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }

    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    /// Strings as a list of strings.
    fn texts(&mut self, texts: &Texts) {
        self.uint(texts.len() as u64);
        for text in texts.iter() {
            self.str(text);
        }
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Writer, &T)) {
        self.uint(items.len() as u64);
        for item in items {
            each(self, item);
        }
    }

    fn opt<T>(&mut self, value: Option<T>, each: impl FnOnce(&mut Writer, T)) {
        match value {
            None => self.bool(false),
            Some(v) => {
                self.bool(true);
                each(self, v);
            }
        }
    }
}

struct Reader<'a> {
    name: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bad(&self, what: &str) -> PackError {
        PackError::in_file(
            self.name,
            format!("compiled pack is damaged: bad {what} at byte {}", self.at),
        )
    }

    fn byte(&mut self) -> Result<u8, PackError> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| self.bad("length (the bytes end early)"))?;
        self.at += 1;
        Ok(b)
    }

    fn uint(&mut self) -> Result<u64, PackError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(self.bad("number"))
    }

    /// A number that must be below `limit`: an index into something already read.
    fn index(&mut self, limit: usize, what: &str) -> Result<usize, PackError> {
        usize::try_from(self.uint()?)
            .ok()
            .filter(|&i| i < limit)
            .ok_or_else(|| self.bad(what))
    }

    /// A length that the bytes after it can hold (a list's items take a byte each at least).
    fn length(&mut self, what: &str) -> Result<usize, PackError> {
        let len = self.uint()?;
        usize::try_from(len)
            .ok()
            .filter(|&len| len <= self.bytes.len() - self.at)
            .ok_or_else(|| self.bad(what))
    }

    fn bool(&mut self) -> Result<bool, PackError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.bad("flag")),
        }
    }

    fn f64(&mut self) -> Result<f64, PackError> {
        let end = self.at.checked_add(8).filter(|&e| e <= self.bytes.len());
        let bytes = end
            .and_then(|e| self.bytes[self.at..e].try_into().ok())
            .ok_or_else(|| self.bad("number (the bytes end early)"))?;
        self.at += 8;
        Ok(f64::from_le_bytes(bytes))
    }

    fn str(&mut self) -> Result<&'a str, PackError> {
        let len = self.length("string length")?;
        let bytes: &'a [u8] = self.bytes;
        let text = std::str::from_utf8(&bytes[self.at..self.at + len])
            .map_err(|_| self.bad("text (not UTF-8)"))?;
        self.at += len;
        Ok(text)
    }

    /// A list of strings, kept end to end.
    fn texts(&mut self) -> Result<Texts, PackError> {
        let len = self.length("list length")?;
        let mut texts = Texts::with_capacity(len);
        for _ in 0..len {
            texts.push(self.str()?);
        }
        Ok(texts)
    }

    fn string(&mut self) -> Result<String, PackError> {
        self.str().map(str::to_string)
    }

    /// A shared string, allocated once (not as a `String` first).
    fn shared(&mut self) -> Result<Arc<str>, PackError> {
        self.str().map(Arc::from)
    }

    fn list<T>(
        &mut self,
        mut each: impl FnMut(&mut Self) -> Result<T, PackError>,
    ) -> Result<Vec<T>, PackError> {
        // Every item takes at least one byte: a longer list is damage, not a reason to allocate.
        let len = self.length("list length")?;
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(each(self)?);
        }
        Ok(items)
    }

    fn opt<T>(
        &mut self,
        each: impl FnOnce(&mut Self) -> Result<T, PackError>,
    ) -> Result<Option<T>, PackError> {
        if self.bool()? {
            each(self).map(Some)
        } else {
            Ok(None)
        }
    }
}
