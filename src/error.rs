//! Errors, as types. Each boundary (CLI, WebAssembly) turns them into its own form once.

use std::fmt;

/// A rule pack that could not be read, parsed or validated.
///
/// It names the file, and where known the line, the rule id and the field, so that a rule author
/// can go straight to the mistake:
///
/// ```text
/// rules/zh-CN/forbidden.toml:42: rule zh/forbidden/dont-know: field `pattern`: regex parse error: …
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    pub file: String,
    pub line: Option<usize>,
    pub rule: Option<String>,
    pub field: Option<String>,
    pub reason: String,
}

impl PackError {
    pub(crate) fn in_file(file: &str, reason: impl Into<String>) -> PackError {
        PackError {
            file: file.to_string(),
            line: None,
            rule: None,
            field: None,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ":")?;
        if let Some(rule) = &self.rule {
            write!(f, " rule {rule}:")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field `{field}`:")?;
        }
        write!(f, " {}", self.reason)
    }
}

impl std::error::Error for PackError {}
