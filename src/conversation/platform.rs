//! Platform profiles (`rules/platforms/*.toml`): the windows, caps and thresholds behind each KPI.
//! They change over time and differ per platform, so they are data.

use serde::Deserialize;

use super::time::{parse_clock, parse_offset};
use crate::error::PackError;

/// The KPI settings of one platform.
#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    pub id: String,
    pub name: String,
    /// Offset for timestamps given as epoch milliseconds, in minutes.
    pub utc_offset_minutes: i32,
    pub slow_reply_seconds: f64,
    pub average_response: AverageResponse,
    pub response_rate: RateRule,
    pub answer_rate: RateRule,
    pub effective_reply: EffectiveReply,
    pub phone: Phone,
}

/// A `[start, end)` time-of-day window in seconds; `start > end` wraps over midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: u32,
    pub end: u32,
}

impl Window {
    pub fn contains(self, second_of_day: u32) -> bool {
        if self.start <= self.end {
            (self.start..self.end).contains(&second_of_day)
        } else {
            second_of_day >= self.start || second_of_day < self.end
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AverageResponse {
    pub window: Window,
    pub cap_seconds: f64,
    pub unanswered_seconds: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RateRule {
    pub window: Window,
    pub within_seconds: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EffectiveReply {
    pub window: Window,
    pub max_wait_seconds: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Phone {
    pub long_silence_seconds: f64,
    pub overlap_seconds: f64,
    pub max_chars_per_minute: f64,
    pub max_words_per_minute: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    platform: RawHeader,
    average_response: RawAverage,
    response_rate: RawRate,
    answer_rate: RawRate,
    effective_reply: RawEffective,
    phone: RawPhone,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    name: String,
    utc_offset: String,
    slow_reply_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAverage {
    window: [String; 2],
    cap_seconds: f64,
    unanswered_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    window: [String; 2],
    within_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEffective {
    window: [String; 2],
    max_wait_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhone {
    long_silence_seconds: f64,
    overlap_seconds: f64,
    max_chars_per_minute: f64,
    max_words_per_minute: f64,
}

impl Platform {
    /// Reads a profile; the fields it leaves out come from `base` (the generic profile's TOML).
    pub fn from_toml(file: &str, text: &str, base: Option<&str>) -> Result<Platform, PackError> {
        let err = |field: Option<&str>, reason: String| PackError {
            file: file.to_string(),
            line: None,
            rule: None,
            field: field.map(str::to_string),
            reason,
        };
        let parse = |text: &str| -> Result<toml::Table, PackError> {
            text.parse::<toml::Table>()
                .map_err(|e| err(None, e.message().to_string()))
        };
        let mut table = match base {
            Some(base) => parse(base)?,
            None => toml::Table::new(),
        };
        for (section, value) in parse(text)? {
            match (table.get_mut(&section), value) {
                (Some(toml::Value::Table(into)), toml::Value::Table(from)) => into.extend(from),
                (_, value) => {
                    table.insert(section, value);
                }
            }
        }
        let raw: RawProfile = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| err(None, e.message().to_string()))?;
        let window = |field: &str, w: &[String; 2]| -> Result<Window, PackError> {
            Ok(Window {
                start: parse_clock(&w[0]).map_err(|e| err(Some(field), e))?,
                end: parse_clock(&w[1]).map_err(|e| err(Some(field), e))?,
            })
        };
        let p = raw.phone;
        Ok(Platform {
            utc_offset_minutes: parse_offset(&raw.platform.utc_offset)
                .map_err(|e| err(Some("platform.utc_offset"), e))?,
            id: raw.platform.id,
            name: raw.platform.name,
            slow_reply_seconds: raw.platform.slow_reply_seconds,
            average_response: AverageResponse {
                window: window("average_response.window", &raw.average_response.window)?,
                cap_seconds: raw.average_response.cap_seconds,
                unanswered_seconds: raw.average_response.unanswered_seconds,
            },
            response_rate: RateRule {
                window: window("response_rate.window", &raw.response_rate.window)?,
                within_seconds: raw.response_rate.within_seconds,
            },
            answer_rate: RateRule {
                window: window("answer_rate.window", &raw.answer_rate.window)?,
                within_seconds: raw.answer_rate.within_seconds,
            },
            effective_reply: EffectiveReply {
                window: window("effective_reply.window", &raw.effective_reply.window)?,
                max_wait_seconds: raw.effective_reply.max_wait_seconds,
            },
            phone: Phone {
                long_silence_seconds: p.long_silence_seconds,
                overlap_seconds: p.overlap_seconds,
                max_chars_per_minute: p.max_chars_per_minute,
                max_words_per_minute: p.max_words_per_minute,
            },
        })
    }

    /// The built-in profiles (`rules/platforms/`), generic first.
    pub fn builtin() -> Result<Vec<Platform>, PackError> {
        let sources = crate::defaults::platform_sources();
        let generic = sources
            .iter()
            .find(|(id, _)| *id == "generic")
            .map(|(_, text)| *text);
        let mut all = Vec::new();
        for (id, text) in sources {
            let file = format!("rules/platforms/{id}.toml");
            all.push(Platform::from_toml(&file, text, generic)?);
        }
        all.sort_by_key(|p| p.id != "generic");
        Ok(all)
    }
}
