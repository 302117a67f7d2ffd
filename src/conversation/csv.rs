//! An importer for flat CSV chat exports: one message per row, rows of a conversation together.
//!
//! The header names the columns; common names in English and Chinese are understood
//! (`conversation_id`/`会话ID`, `role`/`角色`, `time`/`时间`, `content`/`内容`…, see
//! [`COLUMNS`]). Quoted fields may hold commas, quotes (`""`) and line breaks (RFC 4180).

use std::io::BufRead;

use super::format::{Conversation, FormatError, Message, Role};
use super::time::Timestamp;

/// The columns understood, each with the header names that mean it (compared case-insensitively).
pub const COLUMNS: &[(&str, &[&str])] = &[
    (
        "id",
        &[
            "conversation_id",
            "conversation",
            "session_id",
            "session",
            "chat_id",
            "id",
            "会话id",
            "会话",
            "会话编号",
        ],
    ),
    ("platform", &["platform", "平台"]),
    ("shop", &["shop", "store", "店铺"]),
    ("channel", &["channel", "渠道"]),
    ("agent", &["agent", "agent_id", "staff", "客服", "客服账号"]),
    (
        "customer",
        &[
            "customer",
            "customer_id",
            "buyer",
            "buyer_id",
            "买家",
            "客户",
        ],
    ),
    ("role", &["role", "sender_type", "from", "角色", "发送方"]),
    ("sender", &["sender", "sender_id", "发送者", "发送人"]),
    (
        "at",
        &[
            "at",
            "time",
            "timestamp",
            "sent_at",
            "created_at",
            "时间",
            "发送时间",
        ],
    ),
    (
        "text",
        &[
            "text",
            "content",
            "message",
            "body",
            "内容",
            "消息",
            "消息内容",
        ],
    ),
];

const REQUIRED: &[&str] = &["id", "role", "text"];

/// Reads conversations from CSV rows.
pub struct CsvConversations<R, F> {
    input: R,
    offset_for: F,
    /// Column index of each of [`COLUMNS`].
    columns: [Option<usize>; 10],
    line: usize,
    pending: Option<(usize, Conversation)>,
    done: bool,
    seen: std::collections::HashSet<String>,
}

impl<R: BufRead, F: Fn(Option<&str>) -> i32> CsvConversations<R, F> {
    /// Reads the header. `offset_for(platform)` gives the UTC offset (minutes) for times without one.
    pub fn new(mut input: R, offset_for: F) -> Result<Self, FormatError> {
        let mut line = 0;
        let header = read_record(&mut input, &mut line)?.ok_or(FormatError {
            line: Some(1),
            reason: "empty CSV: no header".into(),
        })?;
        let mut columns = [None; 10];
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
            if let Some(c) = COLUMNS
                .iter()
                .position(|(_, names)| names.contains(&name.as_str()))
            {
                columns[c].get_or_insert(i);
            }
        }
        for required in REQUIRED {
            let c = COLUMNS.iter().position(|(k, _)| k == required).unwrap_or(0);
            if columns[c].is_none() {
                return Err(FormatError {
                    line: Some(1),
                    reason: format!(
                        "the header has no `{required}` column (any of: {})",
                        COLUMNS[c].1.join(", ")
                    ),
                });
            }
        }
        Ok(CsvConversations {
            input,
            offset_for,
            columns,
            line,
            pending: None,
            done: false,
            seen: Default::default(),
        })
    }

    fn field<'a>(&self, row: &'a [String], key: &str) -> Option<&'a str> {
        let c = COLUMNS.iter().position(|(k, _)| *k == key)?;
        self.columns[c]
            .and_then(|i| row.get(i))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// One row as a message of conversation `id`, or why not.
    fn message(&self, row: &[String]) -> Result<Message, String> {
        let role_text = self.field(row, "role").unwrap_or("");
        let role = Role::parse(role_text).ok_or_else(|| {
            format!("unknown role {role_text:?} (customer, agent, bot or system)")
        })?;
        let offset = (self.offset_for)(self.field(row, "platform"));
        let at = match self.field(row, "at") {
            None => None,
            Some(t) if t.bytes().all(|b| b.is_ascii_digit()) => Some(Timestamp::from_millis(
                t.parse().map_err(|_| format!("bad time {t:?}"))?,
                offset,
            )),
            Some(t) => Some(Timestamp::parse(t, offset)?),
        };
        Ok(Message {
            role,
            sender: self.field(row, "sender").map(str::to_string),
            at,
            segment: None,
            text: self.field(row, "text").unwrap_or("").to_string(),
        })
    }
}

impl<R: BufRead, F: Fn(Option<&str>) -> i32> Iterator for CsvConversations<R, F> {
    /// A conversation with the line its first row is on, or a row that was skipped.
    type Item = Result<(usize, Conversation), FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return self.pending.take().map(Ok);
            }
            let start_line = self.line + 1;
            let row = match read_record(&mut self.input, &mut self.line) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(None) => {
                    self.done = true;
                    continue;
                }
                Ok(Some(row)) => row,
            };
            if row.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let fail = |reason: String| FormatError {
                line: Some(start_line),
                reason,
            };
            let Some(id) = self.field(&row, "id").map(str::to_string) else {
                return Some(Err(fail("no conversation id".into())));
            };
            let message = match self.message(&row) {
                Ok(m) => m,
                Err(reason) => return Some(Err(fail(reason))),
            };
            if let Some((_, current)) = &mut self.pending {
                if current.id == id {
                    current.messages.push(message);
                    continue;
                }
            }
            if !self.seen.insert(id.clone()) {
                return Some(Err(fail(format!(
                    "conversation {id:?} continues after other conversations: rows of a conversation must be together (sort the export by conversation)"
                ))));
            }
            let agent = self.field(&row, "agent").map(str::to_string);
            let next = Conversation {
                id,
                platform: self.field(&row, "platform").map(str::to_string),
                shop: self.field(&row, "shop").map(str::to_string),
                channel: self.field(&row, "channel").map(str::to_string),
                agents: agent.into_iter().collect(),
                customer: self.field(&row, "customer").map(str::to_string),
                messages: vec![message],
                orders: None,
                is_call: false,
            };
            if let Some(done) = self.pending.replace((start_line, next)) {
                return Some(Ok(done));
            }
        }
    }
}

/// Reads one CSV record (which may span lines); `None` at the end of the input.
fn read_record<R: BufRead>(
    input: &mut R,
    line: &mut usize,
) -> Result<Option<Vec<String>>, FormatError> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut buf = String::new();
    let first_line = *line + 1;
    loop {
        buf.clear();
        let n = input.read_line(&mut buf).map_err(|e| FormatError {
            line: Some(*line + 1),
            reason: format!("cannot read: {e}"),
        })?;
        if n == 0 {
            if in_quotes {
                return Err(FormatError {
                    line: Some(first_line),
                    reason: "a quoted field is never closed".into(),
                });
            }
            if fields.is_empty() && field.is_empty() {
                return Ok(None);
            }
            fields.push(field);
            return Ok(Some(fields));
        }
        *line += 1;
        let mut chars = buf.chars().peekable();
        while let Some(c) = chars.next() {
            match (in_quotes, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => in_quotes = false,
                (true, c) => field.push(c),
                (false, '"') if field.is_empty() => in_quotes = true,
                (false, ',') => fields.push(std::mem::take(&mut field)),
                (false, '\r' | '\n') => {}
                (false, c) => field.push(c),
            }
        }
        if !in_quotes {
            fields.push(field);
            return Ok(Some(fields));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_rows_and_reports_bad_ones() {
        let csv = "会话ID,角色,时间,内容,客服\n\
                   c1,买家,2026-11-02 10:00:00,\"在吗,\"\"老板\"\"\",\n\
                   c1,客服,2026-11-02 10:00:30,\"亲，在的\n有什么可以帮您\",a7\n\
                   c2,shopper,2026-11-02 11:00:00,hi,\n\
                   c2,customer,1793588400000,hi,\n";
        let rows: Vec<_> = CsvConversations::new(csv.as_bytes(), |_| 480)
            .unwrap()
            .collect();
        // A bad row is reported as soon as it is read, before the conversation around it ends.
        assert_eq!(rows.len(), 3, "{rows:?}");
        let err = rows[0].as_ref().unwrap_err();
        assert_eq!(err.line, Some(5));
        assert!(err.reason.contains("unknown role \"shopper\""));
        let (line, c1) = rows[1].as_ref().unwrap();
        assert_eq!(*line, 2);
        assert_eq!(c1.messages[0].text, "在吗,\"老板\"");
        assert_eq!(c1.messages[1].text, "亲，在的\n有什么可以帮您");
        assert_eq!(
            c1.messages[0]
                .at
                .unwrap()
                .seconds_until(c1.messages[1].at.unwrap()),
            30.0
        );
        assert_eq!(rows[2].as_ref().unwrap().1.messages.len(), 1);
    }

    #[test]
    fn needs_the_core_columns() {
        let e = CsvConversations::new("id,text\n".as_bytes(), |_| 0)
            .err()
            .unwrap();
        assert!(e.reason.contains("`role`"), "{e}");
    }
}
