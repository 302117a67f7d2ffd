//! The HTML report: one self-contained file (inline CSS and SVG, no script, no network) that a
//! lead opens from disk.

use std::fmt::Write as _;

use super::{Summary, TotalsView};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn opt(x: Option<f64>, suffix: &str) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v}{suffix}"))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{:.1} %", v * 100.0))
}

/// Horizontal bars: (label, value, text shown).
fn bars(rows: &[(String, f64, String)], max: f64, color: &str) -> String {
    let row_h = 22;
    let height = rows.len() * row_h + 4;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 760 {height}" width="760" height="{height}" role="img">"#
    );
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = i * row_h + 2;
        let w = if max > 0.0 {
            (value / max * 380.0).max(0.0)
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r#"<text x="250" y="{ty}" text-anchor="end">{label}</text><rect x="258" y="{y}" width="{w:.1}" height="16" fill="{color}"/><text x="{tx:.1}" y="{ty}">{text}</text>"#,
            ty = y + 13,
            label = esc(label),
            tx = 264.0 + w,
            text = esc(text),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical columns: (label, value).
fn columns(cols: &[(String, f64)], color: &str) -> String {
    let max = cols.iter().map(|c| c.1).fold(0.0, f64::max);
    let n = cols.len().max(1);
    let width = 640.0;
    let slot = (width - 40.0) / n as f64;
    let mut svg = String::from(
        r#"<svg class="chart" viewBox="0 0 640 200" width="640" height="200" role="img">"#,
    );
    for (i, (label, value)) in cols.iter().enumerate() {
        let h = if max > 0.0 { value / max * 150.0 } else { 0.0 };
        let x = 30.0 + i as f64 * slot;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{color}"><title>{label}: {value}</title></rect><text x="{cx:.1}" y="{vy:.1}" text-anchor="middle">{value}</text>"#,
            y = 170.0 - h,
            w = (slot * 0.8).max(1.0),
            cx = x + slot * 0.4,
            vy = 166.0 - h,
            label = esc(label),
        );
        if n <= 16 || i % (n / 8).max(1) == 0 {
            let _ = write!(
                svg,
                r#"<text x="{cx:.1}" y="188" text-anchor="middle" class="axis">{label}</text>"#,
                cx = x + slot * 0.4,
                label = esc(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn kpi_cells(t: &TotalsView) -> String {
    let k = &t.kpis;
    format!(
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        opt(k.first_response_seconds, " s"),
        opt(k.avg_response_seconds, " s"),
        pct(k.response_rate),
        opt(k.answer_ratio, ""),
        k.slow_turns
    )
}

/// Renders the summary as a standalone HTML page.
pub fn render(summary: &Summary, title: &str) -> String {
    let mut h = String::new();
    let o = &summary.overall;
    let _ = write!(
        h,
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style>
body{{font:14px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:1000px;color:#1f2328;padding:0 1rem}}
h1{{font-size:1.5rem}}h2{{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}}
table{{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}}th,td{{padding:.3rem .5rem;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap}}th:first-child,td:first-child,td.text{{text-align:left;white-space:normal}}
.cards{{display:flex;gap:1rem;flex-wrap:wrap}}.card{{border:1px solid #d0d7de;border-radius:8px;padding:.6rem 1rem;min-width:120px}}.card b{{display:block;font-size:1.4rem}}
.chart text{{font-size:12px;fill:#1f2328}}.chart .axis{{font-size:10px;fill:#57606a}}.risk{{color:#cf222e;font-weight:600}}.muted{{color:#57606a}}
</style></head><body><h1>{title}</h1>"#,
        title = esc(title)
    );
    let _ = write!(
        h,
        r#"<div class="cards"><div class="card">会话 Conversations<b>{}</b></div><div class="card">平均分 Mean score<b>{}</b></div><div class="card">合格率 Pass rate<b>{}</b></div><div class="card">致命 Fatal<b>{}</b></div><div class="card">平均响应 Avg response<b>{}</b></div><div class="card">答问比 Answer ratio<b>{}</b></div></div>"#,
        summary.conversations,
        opt(o.score_mean, ""),
        pct(o.pass_rate),
        o.fatal,
        opt(o.kpis.avg_response_seconds, " s"),
        opt(o.kpis.answer_ratio, ""),
    );
    if summary.errors > 0 {
        let _ = write!(
            h,
            r#"<p class="risk">{} input lines were not conversations and were skipped (see the run's log).</p>"#,
            summary.errors
        );
    }

    h.push_str("<h2>分数分布 Score distribution</h2>");
    let cols: Vec<(String, f64)> = summary
        .score_histogram
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            (
                if i == 9 {
                    "90–100".to_string()
                } else {
                    format!("{}–{}", i * 10, i * 10 + 9)
                },
                n as f64,
            )
        })
        .collect();
    h.push_str(&columns(&cols, "#0969da"));

    h.push_str("<h2>客服对比 Agents</h2>");
    let rows: Vec<(String, f64, String)> = summary
        .agents
        .iter()
        .map(|a| {
            let mean = a.totals.score_mean.unwrap_or(0.0);
            (
                a.agent.clone(),
                mean,
                format!("{mean} · pass {}", pct(a.totals.pass_rate)),
            )
        })
        .collect();
    h.push_str(&bars(&rows, 100.0, "#1a7f37"));
    h.push_str("<table><tr><th>客服 Agent</th><th>会话</th><th>平均分</th><th>合格率</th><th>致命</th><th>首响</th><th>平响</th><th>3分钟响应率</th><th>答问比</th><th>慢响应</th><th>反问/100</th><th>命令/100</th><th>感叹号/100</th></tr>");
    for a in &summary.agents {
        let t = &a.totals;
        let tm = &t.temperament;
        let risk = if tm.at_risk.is_empty() {
            String::new()
        } else {
            format!(
                r#" <span class="risk" title="temperament lines crossed">⚠ {}</span>"#,
                tm.at_risk.join(", ")
            )
        };
        let _ = write!(
            h,
            "<tr><td>{}{risk}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.agent),
            t.conversations,
            opt(t.score_mean, ""),
            pct(t.pass_rate),
            t.fatal,
            kpi_cells(t),
            opt(tm.rhetorical_per_100, ""),
            opt(tm.imperative_per_100, ""),
            opt(tm.exclamation_per_100, ""),
        );
    }
    h.push_str("</table>");

    h.push_str("<h2>规则命中 Rule hits</h2>");
    let top: Vec<(String, f64, String)> = summary
        .rule_hits
        .iter()
        .take(15)
        .map(|r| (r.rule.clone(), r.count as f64, r.count.to_string()))
        .collect();
    let max = top.first().map_or(0.0, |r| r.1);
    h.push_str(&bars(&top, max, "#bf3989"));

    h.push_str("<h2>每日趋势 Trend by day</h2>");
    let days: Vec<(String, f64)> = summary
        .days
        .iter()
        .map(|d| (d.date.get(5..).unwrap_or(&d.date).to_string(), d.score_mean))
        .collect();
    h.push_str(&columns(&days, "#8250df"));
    h.push_str(r#"<p class="muted">Mean score per day (local date the conversation started).</p>"#);

    if let Some(c) = &summary.comparison {
        let _ = write!(h, "<h2>周期对比 {} → {}</h2><table><tr><th>客服 Agent</th><th>会话</th><th>平均分</th><th>Δ</th><th>合格率</th><th>Δ</th><th>平响 Δ</th></tr>", esc(&c.periods[0]), esc(&c.periods[1]));
        for a in std::iter::once(&c.overall).chain(&c.agents) {
            let score = |t: &Option<TotalsView>| t.as_ref().and_then(|t| t.score_mean);
            let pass = |t: &Option<TotalsView>| t.as_ref().and_then(|t| t.pass_rate);
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{} → {}</td><td>{} → {}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
                esc(&a.agent),
                a.first.as_ref().map_or(0, |t| t.conversations),
                a.second.as_ref().map_or(0, |t| t.conversations),
                opt(score(&a.first), ""),
                opt(score(&a.second), ""),
                opt(a.change.score_mean, ""),
                pct(pass(&a.first)),
                pct(pass(&a.second)),
                a.change.pass_rate.map_or("–".into(), |v| format!("{:+.1} pt", v * 100.0)),
                opt(a.change.avg_response_seconds, " s"),
            );
        }
        h.push_str("</table>");
    }

    if let Some(samples) = &summary.samples {
        h.push_str("<h2>抽检 Sampled for review</h2><table><tr><th>会话 ID</th><th>客服</th><th>分数</th><th>日期</th><th>抽检方式 Plan</th><th>原因 Reason</th></tr>");
        for s in samples {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                esc(&s.id),
                esc(&s.agent),
                s.score,
                esc(s.date.as_deref().unwrap_or("")),
                s.plan,
                esc(&s.reason)
            );
        }
        h.push_str("</table>");
    }
    h.push_str(r#"<p class="muted">Generated by zhijian review. KPI definitions: rules/platforms/; scorecard: rules/scorecards/.</p></body></html>"#);
    h
}
