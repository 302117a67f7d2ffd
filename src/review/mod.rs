//! Review over many conversations: per-agent and per-day aggregates, top deductions, temperament,
//! sampling for human review, period comparison, and the report writers.
//!
//! Everything here is updated one conversation at a time and keeps only aggregates and bounded
//! samples, so memory stays flat however long the input.

pub mod html;
#[cfg(not(target_arch = "wasm32"))]
pub mod stream;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::conversation::time::Date;
use crate::conversation::{ConversationScore, Rate};

/// Temperament lines per 100 agent messages past which an agent is flagged at risk: the early
/// warning before an incident. Hand-set (no labelled incident data): on the generator's agents,
/// model agents write under 0.2 rhetorical questions and bare imperatives per 100 messages and
/// curt ones about 2.5. A team tunes them with `--temperament`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TemperamentLines {
    pub rhetorical: f64,
    pub imperative: f64,
    pub exclamation: f64,
    /// Fewer agent messages than this tell too little: no flag.
    pub min_messages: u64,
}

impl Default for TemperamentLines {
    fn default() -> Self {
        TemperamentLines {
            rhetorical: 2.0,
            imperative: 2.0,
            exclamation: 10.0,
            min_messages: 20,
        }
    }
}

/// Running totals for a group of conversations (an agent, a day, a period, everything).
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub conversations: u64,
    pub score_sum: u64,
    pub passed: u64,
    pub fatal: u64,
    pub first_response_sum: f64,
    pub first_response_count: u64,
    pub avg_response_sum: f64,
    pub avg_response_turns: u64,
    pub response_rate: Rate64,
    pub answered_in_time: Rate64,
    pub effective_reply: Rate64,
    pub converted: Rate64,
    pub agent_messages: u64,
    pub customer_messages: u64,
    pub slow_turns: u64,
    pub unanswered_turns: u64,
    pub turns: u64,
    pub upset_customers: u64,
    pub tone: Tone64,
    /// Points and count per scorecard item.
    pub items: HashMap<String, (u64, u64)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rate64 {
    pub hits: u64,
    pub total: u64,
}

impl Rate64 {
    fn add(&mut self, r: Rate) {
        self.hits += u64::from(r.hits);
        self.total += u64::from(r.total);
    }
    fn add_flag(&mut self, flag: Option<bool>) {
        if let Some(f) = flag {
            self.total += 1;
            self.hits += u64::from(f);
        }
    }
    pub fn value(self) -> Option<f64> {
        (self.total > 0).then(|| self.hits as f64 / self.total as f64)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Tone64 {
    pub messages: u64,
    pub rhetorical: u64,
    pub imperative: u64,
    pub exclamation: u64,
}

impl Totals {
    pub fn add(&mut self, s: &ConversationScore) {
        let k = &s.kpis;
        self.conversations += 1;
        self.score_sum += u64::from(s.score);
        self.passed += u64::from(s.passed);
        self.fatal += u64::from(s.fatal);
        if let Some(f) = k.first_response_seconds {
            self.first_response_sum += f;
            self.first_response_count += 1;
        }
        self.avg_response_sum += k.avg_response_sum;
        self.avg_response_turns += u64::from(k.avg_response_turns);
        self.response_rate.add(k.response_rate);
        self.answered_in_time.add_flag(k.answered_in_time);
        self.effective_reply.add_flag(k.effective_reply);
        self.converted.add_flag(k.converted);
        self.agent_messages += u64::from(k.agent_messages);
        self.customer_messages += u64::from(k.customer_messages);
        self.slow_turns += u64::from(k.slow_turns);
        self.unanswered_turns += u64::from(k.unanswered_turns);
        self.turns += u64::from(k.turns);
        self.upset_customers += u64::from(s.emotion.trend != "calm");
        self.tone.messages += u64::from(s.tone.messages);
        self.tone.rhetorical += u64::from(s.tone.rhetorical);
        self.tone.imperative += u64::from(s.tone.imperative);
        self.tone.exclamation += u64::from(s.tone.exclamation);
        for d in &s.deductions {
            match self.items.get_mut(&d.item) {
                Some(e) => {
                    e.0 += u64::from(d.points);
                    e.1 += 1;
                }
                None => {
                    self.items.insert(d.item.clone(), (u64::from(d.points), 1));
                }
            }
        }
    }

    /// The figures a reader sees.
    pub fn view(&self, lines: &TemperamentLines, top: usize) -> TotalsView {
        let n = self.conversations.max(1) as f64;
        let per100 = |x: u64| {
            (self.tone.messages > 0).then(|| round2(x as f64 * 100.0 / self.tone.messages as f64))
        };
        let rhetorical = per100(self.tone.rhetorical);
        let imperative = per100(self.tone.imperative);
        let exclamation = per100(self.tone.exclamation);
        let mut at_risk = Vec::new();
        if self.tone.messages >= lines.min_messages {
            let crossed = |v: Option<f64>, line: f64| v.is_some_and(|v| v >= line);
            if crossed(rhetorical, lines.rhetorical) {
                at_risk.push("rhetorical");
            }
            if crossed(imperative, lines.imperative) {
                at_risk.push("imperative");
            }
            if crossed(exclamation, lines.exclamation) {
                at_risk.push("exclamation");
            }
        }
        let mut items: Vec<ItemCount> = self
            .items
            .iter()
            .map(|(item, &(points, count))| ItemCount {
                item: item.clone(),
                count,
                points,
            })
            .collect();
        items.sort_by(|a, b| {
            b.points
                .cmp(&a.points)
                .then(b.count.cmp(&a.count))
                .then(a.item.cmp(&b.item))
        });
        items.truncate(top);
        TotalsView {
            conversations: self.conversations,
            score_mean: (self.conversations > 0).then(|| round2(self.score_sum as f64 / n)),
            pass_rate: (self.conversations > 0).then(|| round3(self.passed as f64 / n)),
            fatal: self.fatal,
            kpis: KpiView {
                first_response_seconds: (self.first_response_count > 0)
                    .then(|| round2(self.first_response_sum / self.first_response_count as f64)),
                avg_response_seconds: (self.avg_response_turns > 0)
                    .then(|| round2(self.avg_response_sum / self.avg_response_turns as f64)),
                response_rate: self.response_rate.value().map(round3),
                answer_rate: self.answered_in_time.value().map(round3),
                effective_reply_rate: self.effective_reply.value().map(round3),
                answer_ratio: (self.customer_messages > 0)
                    .then(|| round3(self.agent_messages as f64 / self.customer_messages as f64)),
                slow_turns: self.slow_turns,
                unanswered_turns: self.unanswered_turns,
                turns: self.turns,
                conversion_rate: self.converted.value().map(round3),
            },
            upset_customers: self.upset_customers,
            temperament: Temperament {
                agent_messages: self.tone.messages,
                rhetorical_per_100: rhetorical,
                imperative_per_100: imperative,
                exclamation_per_100: exclamation,
                at_risk,
            },
            top_deductions: items,
        }
    }
}

/// Aggregate figures as written to the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TotalsView {
    pub conversations: u64,
    pub score_mean: Option<f64>,
    pub pass_rate: Option<f64>,
    pub fatal: u64,
    pub kpis: KpiView,
    /// Conversations whose customer showed anger or a complaint trigger.
    pub upset_customers: u64,
    pub temperament: Temperament,
    pub top_deductions: Vec<ItemCount>,
}

/// KPIs over a group: rates are pooled over turns or sessions, not averaged per conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KpiView {
    pub first_response_seconds: Option<f64>,
    pub avg_response_seconds: Option<f64>,
    /// Turns answered within the profile's N minutes.
    pub response_rate: Option<f64>,
    /// Sessions answered within the profile's N seconds.
    pub answer_rate: Option<f64>,
    pub effective_reply_rate: Option<f64>,
    pub answer_ratio: Option<f64>,
    pub slow_turns: u64,
    pub unanswered_turns: u64,
    pub turns: u64,
    pub conversion_rate: Option<f64>,
}

/// Rates per 100 agent messages, and the lines crossed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Temperament {
    pub agent_messages: u64,
    pub rhetorical_per_100: Option<f64>,
    pub imperative_per_100: Option<f64>,
    pub exclamation_per_100: Option<f64>,
    /// The temperament lines this agent crossed: an early warning.
    pub at_risk: Vec<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemCount {
    pub item: String,
    pub count: u64,
    pub points: u64,
}

/// How conversations are picked for a human look.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplingPlan {
    /// Conversations per plan (and per agent for the stratified plan).
    pub size: usize,
    pub seed: u64,
}

/// A conversation picked for review, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub id: String,
    pub agent: String,
    pub score: u32,
    pub date: Option<String>,
    /// `random`, `per-agent`, `lowest-score`, `fatal` or `upset-customer`.
    pub plan: &'static str,
    pub reason: String,
}

/// A small deterministic generator (SplitMix64), so that a seed gives the same sample anywhere.
#[derive(Clone, Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Keeps `size` items uniformly at random from a stream (reservoir sampling).
#[derive(Clone, Debug)]
struct Reservoir {
    seen: u64,
    kept: Vec<Sample>,
}

impl Reservoir {
    fn offer(&mut self, size: usize, rng: &mut SplitMix, make: impl FnOnce() -> Sample) {
        self.seen += 1;
        if self.kept.len() < size {
            self.kept.push(make());
        } else {
            let j = rng.below(self.seen) as usize;
            if j < size {
                self.kept[j] = make();
            }
        }
    }
}

/// Picks conversations for review from a stream.
#[derive(Clone, Debug)]
pub struct Sampler {
    plan: SamplingPlan,
    rng: SplitMix,
    random: Reservoir,
    per_agent: BTreeMap<String, Reservoir>,
    /// The lowest scores so far (unsorted, at most `size`).
    lowest: Vec<Sample>,
    fatal: Vec<Sample>,
    upset: Reservoir,
}

impl Sampler {
    pub fn new(plan: SamplingPlan) -> Sampler {
        let empty = Reservoir {
            seen: 0,
            kept: Vec::new(),
        };
        Sampler {
            rng: SplitMix(plan.seed),
            plan,
            random: empty.clone(),
            per_agent: BTreeMap::new(),
            lowest: Vec::new(),
            fatal: Vec::new(),
            upset: empty,
        }
    }

    pub fn offer(&mut self, s: &ConversationScore) {
        let size = self.plan.size;
        let sample = |plan: &'static str, reason: String| Sample {
            id: s.id.clone(),
            agent: s.agent.clone(),
            score: s.score,
            date: s.date.clone(),
            plan,
            reason,
        };
        self.random.offer(size, &mut self.rng, || {
            sample(
                "random",
                format!("uniform random sample (seed {})", self.plan.seed),
            )
        });
        if !self.per_agent.contains_key(&s.agent) {
            let empty = Reservoir {
                seen: 0,
                kept: Vec::new(),
            };
            self.per_agent.insert(s.agent.clone(), empty);
        }
        let Some(agent) = self.per_agent.get_mut(&s.agent) else {
            return;
        };
        agent.offer(size, &mut self.rng, || {
            sample("per-agent", format!("random sample of agent {}", s.agent))
        });
        if s.fatal && self.fatal.len() < size {
            let items: Vec<&str> = s
                .deductions
                .iter()
                .filter(|d| d.fatal)
                .map(|d| d.item.as_str())
                .collect();
            self.fatal
                .push(sample("fatal", format!("fatal item: {}", items.join(", "))));
        }
        if s.emotion.trend != "calm" {
            self.upset.offer(size, &mut self.rng, || {
                sample(
                    "upset-customer",
                    format!(
                        "upset customer ({}): anger in {} messages, complaint triggers in {}",
                        s.emotion.trend, s.emotion.anger, s.emotion.complaint
                    ),
                )
            });
        }
        // Lowest scores: replace the highest kept when this one is lower (ties: first seen).
        if size > 0 {
            let reason = || format!("among the {size} lowest scores ({} / 100)", s.score);
            if self.lowest.len() < size {
                self.lowest.push(sample("lowest-score", reason()));
            } else if let Some((i, worst)) =
                self.lowest.iter().enumerate().max_by_key(|(_, x)| x.score)
            {
                if s.score < worst.score {
                    self.lowest[i] = sample("lowest-score", reason());
                }
            }
        }
    }

    /// Every pick, plan by plan.
    pub fn finish(self) -> Vec<Sample> {
        let mut out = self.random.kept;
        for (_, r) in self.per_agent {
            out.extend(r.kept);
        }
        let mut lowest = self.lowest;
        lowest.sort_by_key(|x| x.score);
        out.extend(lowest);
        out.extend(self.fatal);
        out.extend(self.upset.kept);
        out
    }
}

/// A date range `FROM..TO`, both days included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// Parses `2026-11-01..2026-11-07`.
    pub fn parse(s: &str) -> Result<Period, String> {
        let (a, b) = s.split_once("..").ok_or_else(|| {
            format!("not a period (FROM..TO, e.g. 2026-11-01..2026-11-07): {s:?}")
        })?;
        let period = Period {
            from: Date::parse(a)?,
            to: Date::parse(b)?,
        };
        if period.from > period.to {
            return Err(format!("the period {s:?} ends before it starts"));
        }
        Ok(period)
    }

    fn contains(&self, date: &str) -> bool {
        Date::parse(date).is_ok_and(|d| self.from <= d && d <= self.to)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// What a review run is asked for besides the per-conversation lines.
#[derive(Clone, Debug, Default)]
pub struct ReviewOptions {
    pub sampling: Option<SamplingPlan>,
    pub compare: Option<(Period, Period)>,
    pub temperament: TemperamentLines,
}

/// Everything a review accumulates.
#[derive(Debug)]
pub struct Review {
    options: ReviewOptions,
    overall: Totals,
    agents: BTreeMap<String, Totals>,
    days: BTreeMap<String, Totals>,
    rules: HashMap<String, u64>,
    histogram: [u64; 10],
    sampler: Option<Sampler>,
    periods: [BTreeMap<String, Totals>; 2],
    /// Lines that were not conversations.
    pub errors: u64,
}

impl Review {
    pub fn new(options: ReviewOptions) -> Review {
        Review {
            sampler: options.sampling.clone().map(Sampler::new),
            options,
            overall: Totals::default(),
            agents: BTreeMap::new(),
            days: BTreeMap::new(),
            rules: HashMap::new(),
            histogram: [0; 10],
            periods: Default::default(),
            errors: 0,
        }
    }

    pub fn add(&mut self, s: &ConversationScore) {
        self.overall.add(s);
        match self.agents.get_mut(&s.agent) {
            Some(t) => t.add(s),
            None => {
                let mut t = Totals::default();
                t.add(s);
                self.agents.insert(s.agent.clone(), t);
            }
        }
        // Look up before inserting: no key is allocated for the groups already there.
        if let Some(date) = &s.date {
            match self.days.get_mut(date) {
                Some(t) => t.add(s),
                None => self.days.entry(date.clone()).or_default().add(s),
            }
        }
        for d in &s.deductions {
            let key = d.rule.as_deref().or(d.check).unwrap_or(&d.item);
            match self.rules.get_mut(key) {
                Some(n) => *n += 1,
                None => {
                    self.rules.insert(key.to_string(), 1);
                }
            }
        }
        self.histogram[(s.score as usize / 10).min(9)] += 1;
        if let Some(sampler) = &mut self.sampler {
            sampler.offer(s);
        }
        if let (Some((a, b)), Some(date)) = (&self.options.compare, &s.date) {
            for (i, p) in [a, b].into_iter().enumerate() {
                if p.contains(date) {
                    self.periods[i].entry(s.agent.clone()).or_default().add(s);
                }
            }
        }
    }

    /// The summary: overall, per agent, per day, rule hit counts, samples, comparison.
    pub fn finish(self) -> Summary {
        let lines = &self.options.temperament;
        let mut rules: Vec<(String, u64)> = self.rules.into_iter().collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let comparison = self.options.compare.map(|(a, b)| {
            let [pa, pb] = self.periods;
            let names: std::collections::BTreeSet<&String> = pa.keys().chain(pb.keys()).collect();
            let mut agents = Vec::new();
            let mut all = [Totals::default(), Totals::default()];
            for name in names {
                let va = pa.get(name).map(|t| t.view(lines, 5));
                let vb = pb.get(name).map(|t| t.view(lines, 5));
                agents.push(ComparedAgent {
                    agent: name.clone(),
                    change: Change::between(va.as_ref(), vb.as_ref()),
                    first: va,
                    second: vb,
                });
            }
            for (i, p) in [&pa, &pb].into_iter().enumerate() {
                for t in p.values() {
                    merge(&mut all[i], t);
                }
            }
            let (fa, fb) = (all[0].view(lines, 5), all[1].view(lines, 5));
            Comparison {
                periods: [a.to_string(), b.to_string()],
                overall: ComparedAgent {
                    agent: "*".into(),
                    change: Change::between(Some(&fa), Some(&fb)),
                    first: Some(fa),
                    second: Some(fb),
                },
                agents,
            }
        });
        Summary {
            conversations: self.overall.conversations,
            errors: self.errors,
            overall: self.overall.view(lines, 10),
            agents: self
                .agents
                .iter()
                .map(|(name, t)| AgentSummary {
                    agent: name.clone(),
                    totals: t.view(lines, 5),
                })
                .collect(),
            days: self
                .days
                .iter()
                .map(|(date, t)| DaySummary {
                    date: date.clone(),
                    conversations: t.conversations,
                    score_mean: round2(t.score_sum as f64 / t.conversations.max(1) as f64),
                    pass_rate: round3(t.passed as f64 / t.conversations.max(1) as f64),
                    fatal: t.fatal,
                })
                .collect(),
            rule_hits: rules
                .into_iter()
                .map(|(rule, count)| RuleCount { rule, count })
                .collect(),
            score_histogram: self.histogram,
            temperament_lines: *lines,
            samples: self.sampler.map(Sampler::finish),
            comparison,
        }
    }
}

fn merge(into: &mut Totals, t: &Totals) {
    into.conversations += t.conversations;
    into.score_sum += t.score_sum;
    into.passed += t.passed;
    into.fatal += t.fatal;
    into.first_response_sum += t.first_response_sum;
    into.first_response_count += t.first_response_count;
    into.avg_response_sum += t.avg_response_sum;
    into.avg_response_turns += t.avg_response_turns;
    for (a, b) in [
        (&mut into.response_rate, t.response_rate),
        (&mut into.answered_in_time, t.answered_in_time),
        (&mut into.effective_reply, t.effective_reply),
        (&mut into.converted, t.converted),
    ] {
        a.hits += b.hits;
        a.total += b.total;
    }
    into.agent_messages += t.agent_messages;
    into.customer_messages += t.customer_messages;
    into.slow_turns += t.slow_turns;
    into.unanswered_turns += t.unanswered_turns;
    into.turns += t.turns;
    into.upset_customers += t.upset_customers;
    into.tone.messages += t.tone.messages;
    into.tone.rhetorical += t.tone.rhetorical;
    into.tone.imperative += t.tone.imperative;
    into.tone.exclamation += t.tone.exclamation;
    for (k, v) in &t.items {
        let e = into.items.entry(k.clone()).or_default();
        e.0 += v.0;
        e.1 += v.1;
    }
}

/// The summary of a review run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub conversations: u64,
    /// Input lines that were not conversations (reported with their line numbers).
    pub errors: u64,
    pub overall: TotalsView,
    pub agents: Vec<AgentSummary>,
    /// Trend by day (local date the conversation started).
    pub days: Vec<DaySummary>,
    /// How often each rule or check took points, most frequent first.
    pub rule_hits: Vec<RuleCount>,
    /// Conversations per score decile: 0–9, 10–19 … 90–100.
    pub score_histogram: [u64; 10],
    pub temperament_lines: TemperamentLines,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<Vec<Sample>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentSummary {
    pub agent: String,
    #[serde(flatten)]
    pub totals: TotalsView,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DaySummary {
    pub date: String,
    pub conversations: u64,
    pub score_mean: f64,
    pub pass_rate: f64,
    pub fatal: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub count: u64,
}

/// Two periods side by side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub periods: [String; 2],
    pub overall: ComparedAgent,
    pub agents: Vec<ComparedAgent>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparedAgent {
    pub agent: String,
    pub first: Option<TotalsView>,
    pub second: Option<TotalsView>,
    pub change: Change,
}

/// Second period minus first, where both are known.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub conversations: i64,
    pub score_mean: Option<f64>,
    pub pass_rate: Option<f64>,
    pub fatal: i64,
    pub avg_response_seconds: Option<f64>,
    pub first_response_seconds: Option<f64>,
}

impl Change {
    fn between(a: Option<&TotalsView>, b: Option<&TotalsView>) -> Change {
        let diff = |f: fn(&TotalsView) -> Option<f64>| match (a.and_then(f), b.and_then(f)) {
            (Some(x), Some(y)) => Some(round3(y - x)),
            _ => None,
        };
        let count = |f: fn(&TotalsView) -> u64| b.map_or(0, f) as i64 - a.map_or(0, f) as i64;
        Change {
            conversations: count(|t| t.conversations),
            score_mean: diff(|t| t.score_mean),
            pass_rate: diff(|t| t.pass_rate),
            fatal: count(|t| t.fatal),
            avg_response_seconds: diff(|t| t.kpis.avg_response_seconds),
            first_response_seconds: diff(|t| t.kpis.first_response_seconds),
        }
    }
}

/// The per-conversation line as CSV: the header.
pub const CSV_HEADER: &str = "id,agent,platform,date,score,passed,fatal,first_response_seconds,avg_response_seconds,answer_ratio,slow_turns,unanswered_turns,emotion,deductions";

/// The per-conversation line as CSV: one row.
pub fn csv_row(s: &ConversationScore) -> String {
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let deductions: Vec<String> = s
        .deductions
        .iter()
        .filter(|d| d.points > 0 || d.fatal)
        .map(|d| {
            if d.fatal {
                format!("{}:fatal", d.item)
            } else {
                format!("{}:{}", d.item, d.points)
            }
        })
        .collect();
    [
        csv_field(&s.id),
        csv_field(&s.agent),
        csv_field(&s.platform),
        s.date.clone().unwrap_or_default(),
        s.score.to_string(),
        s.passed.to_string(),
        s.fatal.to_string(),
        opt(s.kpis.first_response_seconds),
        opt(s.kpis.avg_response_seconds),
        opt(s.kpis.answer_ratio),
        s.kpis.slow_turns.to_string(),
        s.kpis.unanswered_turns.to_string(),
        s.emotion.trend.to_string(),
        csv_field(&deductions.join(" ")),
    ]
    .join(",")
}

/// Quotes a CSV field when it needs it (RFC 4180); a leading `=`, `+`, `-` or `@` is prefixed
/// with `'` so that spreadsheets do not run it as a formula.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
