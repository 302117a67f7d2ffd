//! The JavaScript binding: a `Checker` class for browsers, workers and Node.
//!
//! This layer only translates. Offsets become UTF-16 code units (`start`/`end`), so that
//! `text.slice(hint.start, hint.end)` is exactly the flagged characters, emoji included; char
//! offsets stay available as `start_char`/`end_char`. Errors become JavaScript `Error`s carrying
//! the native message (file, rule and field for packs). See `www/zhijian.d.ts` for the types.

use std::cell::RefCell;
use std::sync::Once;

use js_sys::{Array, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{Language, Pack, Report, Severity, Span};

// The types of what crosses the boundary. tests/js/api.test.mjs checks real results against
// these declarations, key by key, so they stay true to the runtime shape.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
export type Language = "zh" | "en";
export type Severity = "fatal" | "major" | "minor" | "hint";

export interface Report {
  language: Language;
  score: number;
  politeness: number;
  fatal: boolean;
  hints: Hint[];
  markers: Marker[];
  categories: Record<string, CategoryScore>;
  strategies: string[];
}

export interface Hint {
  rule: string;
  category: string;
  severity: Severity;
  message: string;
  suggestions: string[];
  start: number;
  end: number;
  start_char: number;
  end_char: number;
  text: string;
  points: number;
}

export interface Marker {
  rule: string;
  category: string;
  strategy: string | null;
  points: number;
  start: number;
  end: number;
  start_char: number;
  end_char: number;
  text: string;
}

export interface CategoryScore {
  hits: number;
  deducted: number;
  credited: number;
}

export interface RuleInfo {
  id: string;
  pack: string;
  language: Language;
  kind: "phrase" | "substitution" | "pattern" | "metric" | "marker";
  category: string;
  severity: Severity;
  points: number;
  strategy: string | null;
  message_zh: string;
  message_en: string;
  enabled: boolean;
}

export interface PackInfo {
  id: string;
  language: Language;
  version: string;
  name: string;
  rules: number;
}

export interface VersionInfo {
  engine: string;
  packs: PackInfo[];
}

/** A compiled pack (the bytes of a .zjpk file, from `zhijian rules compile`), or, in the full
 * package (pkg/web, pkg/node), TOML text, `{ files: { name: text } }` or a parsed object. */
export type PackSource = Uint8Array | string | { files: Record<string, string> } | object;

export type CustomerSignal = "anger" | "complaint" | "question" | "acceptance";

export interface PlatformInfo {
  id: string;
  name: string;
  slow_reply_seconds: number;
  utc_offset_minutes: number;
}

export interface ConversationOptions {
  /** A platform profile for this conversation, whatever its `platform` field says. */
  platform?: "taobao" | "jd" | "pdd" | "generic" | string;
  /** A built-in scorecard id (`ecommerce`) or a scorecard's TOML text. */
  scorecard?: string;
  /** The language of item names (default zh). */
  locale?: Language;
}

/** A conversation in the format of docs/conversations.md: an object or one JSON line. */
export type ConversationInput = string | object;

export interface ConversationScore {
  id: string;
  agent: string;
  platform: string;
  shop?: string;
  channel?: string;
  date: string | null;
  scorecard: string;
  score: number;
  passed: boolean;
  fatal: boolean;
  pass_line: number;
  deductions: Deduction[];
  credits: Deduction[];
  kpis: Kpis;
  emotion: Emotion;
  findings: Finding[];
  tone: Tone;
  call?: CallMetrics;
  messages: number;
}

export interface Deduction {
  item: string;
  name: string;
  points: number;
  fatal: boolean;
  message?: number;
  rule?: string;
  check?: string;
  kpi?: string;
  span?: Span;
  text?: string;
  reason: string;
}

/** Offsets in the message: `start`/`end` in characters, as the CLI gives them, and UTF-16. */
export interface Span {
  start: number;
  end: number;
  start_utf16: number;
  end_utf16: number;
}

export interface Kpis {
  first_response_seconds: number | null;
  avg_response_seconds: number | null;
  response_rate: Rate;
  answered_in_time: boolean | null;
  effective_reply: boolean | null;
  answer_ratio: number | null;
  slow_turns: number;
  turns: number;
  unanswered_turns: number;
  max_response_seconds: number | null;
  customer_messages: number;
  agent_messages: number;
  bot_messages: number;
  converted: boolean | null;
}

export interface Rate {
  hits: number;
  total: number;
}

export interface Emotion {
  anger: number;
  complaint: number;
  trend: "calm" | "upset" | "escalated" | "calmed";
  first_upset: number | null;
}

export interface Finding {
  check: string;
  message: number | null;
  detail: string;
}

export interface Tone {
  messages: number;
  rhetorical: number;
  imperative: number;
  exclamation: number;
}

export interface CallMetrics {
  agent_rate_per_minute: number | null;
  rate_unit: string;
  long_silences: number;
  overlaps: number;
  agent_talk_share: number | null;
}

export interface CheckerOptions {
  packs?: PackSource[];
  defaults?: boolean;
  language?: "auto" | Language;
  locale?: Language;
  disable?: string[];
  severity?: Record<string, Severity>;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Nothing here should panic on any input; if a bug does, say so readably before the module dies.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error(&format!("zhijian: internal error (please report): {info}"));
        }));
    });
}

/// Checks chat messages in the page, a worker or Node; nothing leaves the machine.
#[wasm_bindgen]
pub struct Checker {
    inner: RefCell<crate::Checker>,
    /// Conversation scoring's own data (customer packs, platform profiles, scorecard), built
    /// on the first `scoreConversation`.
    #[cfg(feature = "conversations")]
    inspector: RefCell<Option<crate::conversation::Inspector>>,
    /// The customer packs, for `customerSignals`, loaded on its first call.
    customer: RefCell<Option<crate::Checker>>,
    /// Built-in packs not compiled yet: each is compiled when the first message of its language
    /// arrives (or `rules()`/`version()` asks), which halves the work before the first check.
    deferred: RefCell<Vec<DeferredPack>>,
}

/// A built-in pack not loaded yet: its language, file name and compiled bytes.
type DeferredPack = (Language, &'static str, &'static [u8]);

fn get(object: &JsValue, key: &str) -> Result<JsValue, JsError> {
    if object.is_undefined() || object.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(object, &JsValue::from_str(key))
        .map_err(|_| JsError::new("options must be an object"))
}

fn language_option(value: &JsValue, name: &str, auto: bool) -> Result<Option<Language>, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let text = value
        .as_string()
        .ok_or_else(|| JsError::new(&format!("{name} must be a string")))?;
    if auto && text == "auto" {
        return Ok(None);
    }
    Language::parse(&text)
        .map(Some)
        .ok_or_else(|| JsError::new(&format!("{name}: unknown language {text:?} (zh or en)")))
}

/// A pack given from JavaScript: compiled bytes (a `Uint8Array` of a `.zjpk` file), TOML text,
/// `{ files: { name: text } }`, or a parsed object. The last three need the `toml-packs` feature.
fn pack_from_js(value: &JsValue, index: usize) -> Result<Pack, JsError> {
    if value.is_instance_of::<js_sys::Uint8Array>() {
        let bytes = js_sys::Uint8Array::from(value.clone()).to_vec();
        return Pack::from_compiled(&format!("packs[{index}]"), &bytes)
            .map_err(|e| JsError::new(&e.to_string()));
    }
    toml_pack_from_js(value, index)
}

#[cfg(not(feature = "toml-packs"))]
fn toml_pack_from_js(_: &JsValue, index: usize) -> Result<Pack, JsError> {
    Err(JsError::new(&format!(
        "packs[{index}]: this build of zhijian reads compiled packs only (a Uint8Array of a .zjpk file, from \
         `zhijian rules compile`); the full build also reads TOML text and objects"
    )))
}

#[cfg(feature = "toml-packs")]
fn toml_pack_from_js(value: &JsValue, index: usize) -> Result<Pack, JsError> {
    let error = |e: crate::PackError| JsError::new(&e.to_string());
    if let Some(text) = value.as_string() {
        return Pack::from_sources(&[(format!("packs[{index}]"), text)]).map_err(error);
    }
    let files = get(value, "files")?;
    if files.is_object() {
        let mut sources = Vec::new();
        for entry in Object::entries(&Object::from(files)).iter() {
            let pair = Array::from(&entry);
            let name = pair.get(0).as_string().unwrap_or_default();
            let text = pair.get(1).as_string().ok_or_else(|| {
                JsError::new(&format!("packs[{index}].files[{name:?}] must be TOML text"))
            })?;
            sources.push((name, text));
        }
        return Pack::from_sources(&sources).map_err(error);
    }
    let parsed: crate::pack::format::PackFile = serde_wasm_bindgen::from_value(value.clone())
        .map_err(|e| JsError::new(&format!("packs[{index}]: {e}")))?;
    Pack::from_parsed(vec![(format!("packs[{index}]"), parsed)]).map_err(error)
}

#[wasm_bindgen]
impl Checker {
    /// `new Checker(options?)`: the built-in packs, or custom packs (each replacing the built-in
    /// pack of its language), with rules switched off or re-graded.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "CheckerOptions")] options: Option<JsValue>,
    ) -> Result<Checker, JsError> {
        install_panic_hook();
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let with_defaults = get(&options, "defaults")?.as_bool().unwrap_or(true);
        let mut packs = Vec::new();
        let custom = get(&options, "packs")?;
        if !custom.is_undefined() && !custom.is_null() {
            if !Array::is_array(&custom) {
                return Err(JsError::new("packs must be an array"));
            }
            for (i, value) in Array::from(&custom).iter().enumerate() {
                let pack = pack_from_js(&value, i)?;
                packs.retain(|p: &Pack| p.language() != pack.language());
                packs.push(pack);
            }
        }
        // Built-in packs for the languages no custom pack covers, loaded on first use.
        let mut deferred: Vec<DeferredPack> = Vec::new();
        if with_defaults {
            for (dir, file, bytes) in crate::defaults::compiled() {
                let language = crate::defaults::language_of(dir)
                    .ok_or_else(|| JsError::new(&format!("no language for built-in pack {dir}")))?;
                if !packs.iter().any(|p| p.language() == language) {
                    deferred.push((language, file, bytes));
                }
            }
        }
        if packs.is_empty() && deferred.is_empty() {
            return Err(JsError::new(
                "no rule packs: give packs, or leave defaults on",
            ));
        }
        let mut inner = crate::Checker::new(packs);
        inner.set_language(language_option(
            &get(&options, "language")?,
            "language",
            true,
        )?);
        inner.set_locale(language_option(&get(&options, "locale")?, "locale", false)?);
        let disable = get(&options, "disable")?;
        let severity = get(&options, "severity")?;
        let checker = Checker {
            inner: RefCell::new(inner),
            #[cfg(feature = "conversations")]
            inspector: RefCell::new(None),
            customer: RefCell::new(None),
            deferred: RefCell::new(deferred),
        };
        // Overrides name rules of any pack: compile them all first.
        if Array::is_array(&disable) || severity.is_object() {
            checker.compile_deferred(None)?;
        }
        let mut inner = checker.inner.borrow_mut();
        if Array::is_array(&disable) {
            for id in Array::from(&disable).iter() {
                let id = id.as_string().unwrap_or_default();
                if !inner.set_rule_enabled(&id, false) {
                    return Err(JsError::new(&format!("disable: no rule {id:?}")));
                }
            }
        }
        if severity.is_object() {
            for entry in Object::entries(&Object::from(severity)).iter() {
                let pair = Array::from(&entry);
                let id = pair.get(0).as_string().unwrap_or_default();
                let level = pair.get(1).as_string().unwrap_or_default();
                let level = Severity::parse(&level).ok_or_else(|| {
                    JsError::new(&format!(
                        "severity[{id:?}]: {level:?} is not fatal, major, minor or hint"
                    ))
                })?;
                if !inner.set_rule_severity(&id, level) {
                    return Err(JsError::new(&format!("severity: no rule {id:?}")));
                }
            }
        }
        drop(inner);
        Ok(checker)
    }

    /// Checks one message. Lone surrogates in `text` arrive as U+FFFD, one code unit each, so
    /// offsets still match the string the caller holds.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn check(&self, text: &str) -> Result<JsValue, JsError> {
        let language = self.inner.borrow().language_of(text);
        self.compile_deferred(Some(language))?;
        let inner = self.inner.borrow();
        let report = inner.check_in(text, language);
        from_json(report_json(&report))
    }

    #[cfg(feature = "conversations")]
    /// Scores a whole conversation (an object or one JSON line of the conversation format)
    /// exactly as `zhijian review` does: the same JSON, KPIs, deductions and spans.
    #[wasm_bindgen(js_name = scoreConversation, unchecked_return_type = "ConversationScore")]
    pub fn score_conversation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConversationInput")] conversation: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ConversationOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsError> {
        use crate::conversation::Scorecard;
        let error = |e: &dyn std::fmt::Display| JsError::new(&e.to_string());
        let options = options.unwrap_or(JsValue::UNDEFINED);
        // A conversation may mix languages: every built-in pack is needed.
        self.compile_deferred(None)?;
        self.ensure_inspector()?;
        let line = match conversation.as_string() {
            Some(text) => text,
            None => js_sys::JSON::stringify(&conversation)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| {
                    JsError::new("the conversation must be an object or a JSON string")
                })?,
        };
        // Options apply to this call only: set on the cached inspector, then put back.
        let platform = get(&options, "platform")?.as_string();
        let scorecard = match get(&options, "scorecard")?.as_string() {
            None => None,
            Some(text) => Some(match Scorecard::builtin(&text) {
                Some(card) => card.map_err(|e| error(&e))?,
                None => Scorecard::from_toml("scorecard", &text).map_err(|e| error(&e))?,
            }),
        };
        let locale = language_option(&get(&options, "locale")?, "locale", false)?;
        let mut slot = self.inspector.borrow_mut();
        let Some(inspector) = slot.as_mut() else {
            return Err(JsError::new("conversation scoring is not available"));
        };
        if let Some(p) = &platform {
            inspector.set_platform(p).map_err(|e| JsError::new(&e))?;
        }
        let saved_card = scorecard.map(|card| inspector.set_scorecard(card));
        let saved_locale = inspector.locale();
        let mut agent = self.inner.borrow_mut();
        let saved_agent_locale = agent.locale();
        if let Some(l) = locale {
            inspector.set_locale(l);
            // A per-call locale applies to hint messages too, as `review --locale` does.
            agent.set_locale(Some(l));
        }
        let score = inspector
            .parse(&line)
            .map(|parsed| inspector.score_with(&agent, &parsed));
        agent.set_locale(saved_agent_locale);
        inspector.set_locale(saved_locale);
        if let Some(card) = saved_card {
            inspector.set_scorecard(card);
        }
        inspector.clear_platform();
        drop(agent);
        let score = score.map_err(|e| error(&e))?;
        let json = serde_json::to_string(&score).map_err(|e| error(&e))?;
        js_sys::JSON::parse(&json).map_err(|_| JsError::new("the score is not valid JSON"))
    }

    /// What a customer's message shows, as conversation scoring reads it: any of `anger`,
    /// `complaint`, `question`, `acceptance`. Cheap enough to call on every customer message.
    #[wasm_bindgen(js_name = customerSignals, unchecked_return_type = "CustomerSignal[]")]
    pub fn customer_signals(&self, text: &str) -> Result<JsValue, JsError> {
        let mut slot = self.customer.borrow_mut();
        let customer = match &mut *slot {
            Some(customer) => customer,
            empty => empty.insert(crate::Checker::new(compiled_customer_packs()?)),
        };
        let report = customer.check_categories(text);
        let mut out = b"[".to_vec();
        json_list(&mut out, report.categories.keys(), |out, k| {
            json_str(out, k)
        });
        out.push(b']');
        from_json(out)
    }

    #[cfg(feature = "conversations")]
    /// The built-in platform profiles, for clocks and settings screens (slow-reply line, KPI
    /// windows in seconds of the day).
    #[wasm_bindgen(unchecked_return_type = "PlatformInfo[]")]
    pub fn platforms(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Info<'a> {
            id: &'a str,
            name: &'a str,
            slow_reply_seconds: f64,
            utc_offset_minutes: i32,
        }
        let platforms =
            crate::conversation::Platform::builtin().map_err(|e| JsError::new(&e.to_string()))?;
        let infos: Vec<Info> = platforms
            .iter()
            .map(|p| Info {
                id: &p.id,
                name: &p.name,
                slow_reply_seconds: p.slow_reply_seconds,
                utc_offset_minutes: p.utc_offset_minutes,
            })
            .collect();
        to_js(&infos)
    }

    /// Loads every built-in pack and compiles every pattern now instead of on first use; returns
    /// how many patterns it compiled. Call it when the page is idle (`requestIdleCallback`): the
    /// first message that needs a pattern (a phone number, say) then does not wait for the regex
    /// compiler, which takes about 15 ms the first time. Reports are the same either way.
    pub fn prepare(&self) -> Result<u32, JsError> {
        self.compile_deferred(None)?;
        Ok(self.inner.borrow().prepare() as u32)
    }

    /// The loaded rules, for settings screens.
    #[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
    pub fn rules(&self) -> Result<JsValue, JsError> {
        self.compile_deferred(None)?;
        let inner = self.inner.borrow();
        let rules: Vec<JsRule> = inner
            .packs()
            .iter()
            .flat_map(|p| p.rules().iter().map(move |r| JsRule::new(p, r)))
            .collect();
        to_js(&rules)
    }

    /// The engine's and the packs' versions.
    #[wasm_bindgen(unchecked_return_type = "VersionInfo")]
    pub fn version(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Version<'a> {
            engine: &'a str,
            packs: Vec<&'a crate::PackInfo>,
        }
        self.compile_deferred(None)?;
        let inner = self.inner.borrow();
        to_js(&Version {
            engine: env!("CARGO_PKG_VERSION"),
            packs: inner.packs().iter().map(Pack::info).collect(),
        })
    }
}

impl Checker {
    #[cfg(feature = "conversations")]
    /// Builds conversation scoring's data (customer packs, profiles, scorecard) on first use.
    fn ensure_inspector(&self) -> Result<(), JsError> {
        use crate::conversation::{Inspector, Platform, Scorecard};
        let error = |e: crate::PackError| JsError::new(&e.to_string());
        let mut slot = self.inspector.borrow_mut();
        if slot.is_none() {
            let customer = compiled_customer_packs()?;
            let card = Scorecard::builtin("ecommerce")
                .ok_or_else(|| JsError::new("no built-in scorecard"))?
                .map_err(error)?;
            *slot = Some(Inspector::new(
                crate::Checker::new(Vec::new()),
                crate::Checker::new(customer),
                Platform::builtin().map_err(error)?,
                card,
            ));
        }
        Ok(())
    }

    /// Compiles the deferred built-in pack of `language`, or all of them (`None`).
    fn compile_deferred(&self, language: Option<Language>) -> Result<(), JsError> {
        let mut deferred = self.deferred.borrow_mut();
        while let Some(i) = deferred
            .iter()
            .position(|(l, _, _)| language.is_none_or(|want| *l == want))
        {
            let (_, file, bytes) = deferred.remove(i);
            let pack =
                Pack::from_compiled(file, bytes).map_err(|e| JsError::new(&e.to_string()))?;
            self.inner.borrow_mut().add_pack(pack);
        }
        Ok(())
    }
}

/// `applySuggestion(text, hint, index = 0)`: the text with the hint's characters replaced by its
/// suggestion `index`, using the hint's UTF-16 offsets.
#[wasm_bindgen(js_name = applySuggestion)]
pub fn apply_suggestion(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "Hint")] hint: JsValue,
    index: Option<u32>,
) -> Result<String, JsError> {
    let number = |key: &str| -> Result<usize, JsError> {
        get(&hint, key)?
            .as_f64()
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as usize)
            .ok_or_else(|| JsError::new(&format!("hint.{key} must be a whole number")))
    };
    let (start, end) = (number("start")?, number("end")?);
    let suggestions = get(&hint, "suggestions")?;
    let index = index.unwrap_or(0);
    let replacement = Array::is_array(&suggestions)
        .then(|| Array::from(&suggestions).get(index).as_string())
        .flatten()
        .ok_or_else(|| JsError::new(&format!("the hint has no suggestion {index}")))?;
    // UTF-16 offsets to byte offsets.
    let (mut units, mut byte_start, mut byte_end) = (0, None, None);
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '\0')))
    {
        if units == start {
            byte_start = Some(i);
        }
        if units == end {
            byte_end = Some(i);
            break;
        }
        units += c.len_utf16();
    }
    match (byte_start, byte_end) {
        (Some(s), Some(e)) if s <= e => Ok([&text[..s], &replacement, &text[e..]].concat()),
        _ => Err(JsError::new("the hint's offsets do not fit this text")),
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(
            &serde_wasm_bindgen::Serializer::new()
                .serialize_maps_as_objects(true)
                .serialize_missing_as_null(true),
        )
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The report as JavaScript sees it (the `Report` declaration above: offsets in UTF-16 code
/// units, char offsets as `start_char`/`end_char`), as JSON for one `JSON.parse`.
///
/// Written by hand rather than by serde: this runs for every message in the agent's page, and
/// the report is mostly constant keys and ASCII names, which serde_json would escape byte by
/// byte. Every character outside ASCII is written as a `\u` escape, so the JSON crosses to
/// JavaScript as one-byte text, which decodes several times faster than UTF-8 holding Chinese.
/// tests/js/api.test.mjs holds the result to the declarations, and the wasm parity test to the
/// native report.
fn report_json(r: &Report) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + 160 * (r.hints.len() + r.markers.len()));
    out.extend_from_slice(b"{\"language\":");
    json_str(&mut out, r.language.as_str());
    out.extend_from_slice(b",\"score\":");
    json_uint(&mut out, r.score as usize);
    out.extend_from_slice(b",\"politeness\":");
    // Politeness is rounded to tenths (0–100), so it is written from integers: JSON.parse reads
    // `57.3` as the same f64 as 573.0 / 10.0, and float formatting stays out of the module.
    let tenths = (r.politeness * 10.0).round().clamp(0.0, 1000.0) as usize;
    json_uint(&mut out, tenths / 10);
    if tenths % 10 != 0 {
        out.push(b'.');
        out.push(b'0' + (tenths % 10) as u8);
    }
    out.extend_from_slice(b",\"fatal\":");
    out.extend_from_slice(if r.fatal {
        b"true".as_slice()
    } else {
        b"false"
    });
    out.extend_from_slice(b",\"hints\":[");
    json_list(&mut out, &r.hints, |out, h| {
        json_names(out, h.rule, h.category);
        out.extend_from_slice(b",\"severity\":");
        json_str(out, h.severity.as_str());
        out.extend_from_slice(b",\"message\":");
        json_str(out, h.message);
        out.extend_from_slice(b",\"suggestions\":[");
        json_list(out, &h.suggestions, |out, suggestion| {
            json_str(out, suggestion)
        });
        out.push(b']');
        json_span(out, &h.span);
        out.extend_from_slice(b",\"text\":");
        json_str(out, &h.text);
        out.extend_from_slice(b",\"points\":");
        json_uint(out, h.points as usize);
        out.push(b'}');
    });
    out.extend_from_slice(b"],\"markers\":[");
    json_list(&mut out, &r.markers, |out, m| {
        json_names(out, m.rule, m.category);
        out.extend_from_slice(b",\"strategy\":");
        match m.strategy {
            Some(strategy) => json_str(out, strategy),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"points\":");
        json_uint(out, m.points as usize);
        json_span(out, &m.span);
        out.extend_from_slice(b",\"text\":");
        json_str(out, &m.text);
        out.push(b'}');
    });
    out.extend_from_slice(b"],\"categories\":{");
    json_list(&mut out, &r.categories, |out, (name, score)| {
        json_str(out, name);
        out.extend_from_slice(b":{\"hits\":");
        json_uint(out, score.hits as usize);
        out.extend_from_slice(b",\"deducted\":");
        json_uint(out, score.deducted as usize);
        out.extend_from_slice(b",\"credited\":");
        json_uint(out, score.credited as usize);
        out.push(b'}');
    });
    out.extend_from_slice(b"},\"strategies\":[");
    json_list(&mut out, &r.strategies, |out, strategy| {
        json_str(out, strategy)
    });
    out.extend_from_slice(b"]}");
    // Only ASCII was written.
    out
}

/// The items separated by commas.
fn json_list<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Vec<u8>, T),
) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
}

/// JSON written by the helpers below, as a JavaScript value.
fn from_json(json: Vec<u8>) -> Result<JsValue, JsError> {
    let text = String::from_utf8(json).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("zhijian wrote invalid JSON"))
}

/// The built-in customer packs, compiled: what `customerSignals` and conversation scoring read.
fn compiled_customer_packs() -> Result<Vec<Pack>, JsError> {
    crate::defaults::compiled_customer()
        .iter()
        .map(|(_, file, bytes)| Pack::from_compiled(file, bytes))
        .collect::<Result<_, _>>()
        .map_err(|e| JsError::new(&e.to_string()))
}

/// `{"rule":…,"category":…`: how hints and markers begin.
fn json_names(out: &mut Vec<u8>, rule: &str, category: &str) {
    out.extend_from_slice(b"{\"rule\":");
    json_str(out, rule);
    out.extend_from_slice(b",\"category\":");
    json_str(out, category);
}

/// `,"start":…,"end":…,"start_char":…,"end_char":…`: UTF-16 offsets first, as JavaScript
/// slices strings.
fn json_span(out: &mut Vec<u8>, span: &Span) {
    out.extend_from_slice(b",\"start\":");
    json_uint(out, span.start_utf16);
    out.extend_from_slice(b",\"end\":");
    json_uint(out, span.end_utf16);
    out.extend_from_slice(b",\"start_char\":");
    json_uint(out, span.start);
    out.extend_from_slice(b",\"end_char\":");
    json_uint(out, span.end);
}

fn json_uint(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A JSON string literal of `s` in ASCII: quotes, backslashes and control characters escaped
/// as JSON requires, everything beyond ASCII as `\u` escapes of its UTF-16 units.
fn json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.push(b'"');
    let (mut plain_from, mut at) = (0, 0);
    while at < bytes.len() {
        let b = bytes[at];
        if (b' '..0x7F).contains(&b) && b != b'"' && b != b'\\' {
            at += 1;
            continue;
        }
        out.extend_from_slice(&bytes[plain_from..at]);
        let c = s[at..]
            .chars()
            .next()
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        at += c.len_utf8();
        plain_from = at;
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            _ => {
                let mut units = [0; 2];
                for &unit in c.encode_utf16(&mut units).iter() {
                    let hex = |shift: u16| HEX[usize::from((unit >> shift) & 0xF)];
                    out.extend_from_slice(&[b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]);
                }
            }
        }
    }
    out.extend_from_slice(&bytes[plain_from..]);
    out.push(b'"');
}

#[derive(Serialize)]
struct JsRule<'a> {
    id: &'a str,
    pack: &'a str,
    language: Language,
    kind: &'static str,
    category: &'a str,
    severity: Severity,
    points: u32,
    strategy: Option<&'a str>,
    message_zh: &'a str,
    message_en: &'a str,
    enabled: bool,
}

impl<'a> JsRule<'a> {
    fn new(pack: &'a Pack, r: &'a crate::Rule) -> JsRule<'a> {
        use crate::pack::format::Kind;
        JsRule {
            id: &r.id,
            pack: &pack.info().id,
            language: pack.language(),
            kind: match r.kind {
                Kind::Phrase => "phrase",
                Kind::Substitution => "substitution",
                Kind::Pattern => "pattern",
                Kind::Metric => "metric",
                Kind::Marker => "marker",
            },
            category: &r.category,
            severity: r.severity,
            points: r.points,
            strategy: r.strategy.as_deref(),
            message_zh: &r.message.zh,
            message_en: &r.message.en,
            enabled: r.enabled,
        }
    }
}
