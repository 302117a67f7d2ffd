//! `zhijian review` end to end: golden scorecards for the sample conversations, malformed lines,
//! CSV input, sampling, period comparison, the HTML report, and the generator.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn zhijian(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhijian"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zhijian");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("wait for zhijian")
}

/// An empty directory of this test process's own.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zhijian-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

fn lines(o: &Output) -> Vec<Value> {
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("tests/golden/{name} is missing: run with UPDATE_GOLDEN=1"));
    for (n, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(
            a,
            e,
            "line {} of tests/golden/{name} differs (UPDATE_GOLDEN=1 refreshes it)",
            n + 1
        );
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "tests/golden/{name}: line count"
    );
}

#[test]
fn sample_conversations_match_the_snapshots() {
    let out = zhijian(
        &["review", "examples/conversations.jsonl", "--no-progress"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    golden("conversations.jsonl", &text(&out.stdout));
    let summary = zhijian(
        &[
            "review",
            "examples/conversations.jsonl",
            "--format",
            "none",
            "--summary",
            "-",
            "--sample",
            "2",
            "--seed",
            "7",
            "--compare",
            "2026-11-02..2026-11-05,2026-11-09..2026-11-11",
        ],
        None,
    );
    assert!(summary.status.success(), "{}", text(&summary.stderr));
    golden("conversations-summary.json", &text(&summary.stdout));
}

#[test]
fn every_line_has_the_documented_fields_and_explains_its_deductions() {
    let out = zhijian(&["review", "examples/conversations.jsonl"], None);
    for s in lines(&out) {
        for key in ["id", "score", "passed", "fatal", "deductions", "kpis"] {
            assert!(s.get(key).is_some(), "{key} missing in {s}");
        }
        for key in [
            "first_response_seconds",
            "avg_response_seconds",
            "answer_ratio",
            "slow_turns",
        ] {
            assert!(s["kpis"].get(key).is_some(), "kpis.{key} missing in {s}");
        }
        let deducted: u64 = s["deductions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["points"].as_u64().unwrap())
            .sum();
        let credited: u64 = s["credits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["points"].as_u64().unwrap())
            .sum();
        if s["fatal"] == true {
            assert_eq!(s["score"], 0);
            assert!(s["deductions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["fatal"] == true));
        } else {
            assert_eq!(
                s["score"].as_u64().unwrap(),
                (100 + credited.min(10)).saturating_sub(deducted).min(100),
                "{s}"
            );
        }
        for d in s["deductions"].as_array().unwrap() {
            assert!(d["item"].is_string() && d["reason"].is_string(), "{d}");
            assert!(
                d.get("rule").is_some() || d.get("check").is_some() || d.get("kpi").is_some(),
                "{d}"
            );
        }
    }
}

#[test]
fn the_spans_of_a_deduction_point_at_the_flagged_characters() {
    let out = zhijian(&["review", "examples/conversations.jsonl"], None);
    let input = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/conversations.jsonl"),
    )
    .unwrap();
    for (s, line) in lines(&out).iter().zip(input.lines()) {
        let conversation: Value = serde_json::from_str(line).unwrap();
        for d in s["deductions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d.get("span").is_some())
        {
            let message =
                &conversation["messages"][d["message"].as_u64().unwrap() as usize]["text"];
            let chars: Vec<char> = message.as_str().unwrap().chars().collect();
            let (start, end) = (
                d["span"]["start"].as_u64().unwrap() as usize,
                d["span"]["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                chars[start..end].iter().collect::<String>(),
                d["text"].as_str().unwrap()
            );
        }
    }
}

#[test]
fn malformed_lines_are_reported_with_their_number_and_skipped() {
    let good = r#"{"id":"ok1","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}"#;
    let input = format!(
        "{good}\n{{\"id\": \"x\", \"messages\": [\n\n{}\n{good}\n",
        r#"{"id":"r","messages":[{"role":"shopper","text":"hi"}]}"#
    );
    let out = zhijian(&["review", "-", "--no-progress"], Some(&input));
    assert_eq!(out.status.code(), Some(5), "exit code 5: malformed lines");
    let err = text(&out.stderr);
    assert!(err.contains("line 2:") && err.contains("EOF"), "{err}");
    assert!(
        err.contains("line 4:") && err.contains("unknown role \"shopper\""),
        "{err}"
    );
    assert_eq!(
        lines(&out).len(),
        2,
        "the good conversations are all scored"
    );

    let strict = zhijian(&["review", "--strict", "--no-progress"], Some(&input));
    assert_eq!(strict.status.code(), Some(5));
    assert!(text(&strict.stderr).contains("line 2:"));
    assert!(lines(&strict).len() <= 1, "nothing after the bad line");
}

#[test]
fn csv_exports_score_like_the_same_conversation_in_json() {
    let csv = "会话ID,平台,客服,角色,时间,内容\n\
               c9,taobao,xiaomei,买家,2026-11-02 10:00:00,在吗，什么时候发货\n\
               c9,taobao,xiaomei,客服,2026-11-02 10:00:40,\"亲，您好，今天就发货哦\"\n\
               c9,taobao,xiaomei,买家,2026-11-02 10:01:00,好的\n\
               c9,taobao,xiaomei,客服,2026-11-02 10:01:10,祝您购物愉快\n";
    let json = r#"{"id":"c9","platform":"taobao","agent":"xiaomei","messages":[{"role":"customer","at":"2026-11-02T10:00:00+08:00","text":"在吗，什么时候发货"},{"role":"agent","at":"2026-11-02T10:00:40+08:00","text":"亲，您好，今天就发货哦"},{"role":"customer","at":"2026-11-02T10:01:00+08:00","text":"好的"},{"role":"agent","at":"2026-11-02T10:01:10+08:00","text":"祝您购物愉快"}]}"#;
    let from_csv = zhijian(&["review", "--input", "csv"], Some(csv));
    let from_json = zhijian(&["review"], Some(json));
    assert!(from_csv.status.success(), "{}", text(&from_csv.stderr));
    assert_eq!(lines(&from_csv), lines(&from_json));
    assert_eq!(lines(&from_csv)[0]["kpis"]["first_response_seconds"], 40.0);
}

#[test]
fn csv_output_has_a_header_and_a_row_per_conversation() {
    let out = zhijian(
        &["review", "examples/conversations.jsonl", "--format", "csv"],
        None,
    );
    let stdout = text(&out.stdout);
    let rows: Vec<&str> = stdout.lines().collect();
    assert!(rows[0].starts_with("id,agent,platform,date,score,passed,fatal"));
    assert_eq!(rows.len(), 1 + 12);
    assert!(
        rows.iter().any(
            |r| r.starts_with("jd-001,laowang,jd,2026-11-03,0,false,true")
                && r.contains("fatal-message:fatal")
        ),
        "{stdout}"
    );
}

#[test]
fn sampling_is_deterministic_per_seed_and_says_why() {
    let generated = zhijian(&["generate", "--count", "300", "--seed", "3"], None);
    let input = text(&generated.stdout);
    let run = |seed: &str| {
        let out = zhijian(
            &[
                "review",
                "--format",
                "none",
                "--summary",
                "-",
                "--sample",
                "5",
                "--seed",
                seed,
            ],
            Some(&input),
        );
        serde_json::from_slice::<Value>(&out.stdout).expect("summary JSON")
    };
    let (a, b, c) = (run("1"), run("1"), run("2"));
    assert_eq!(a["samples"], b["samples"]);
    assert_ne!(a["samples"], c["samples"]);
    let samples = a["samples"].as_array().unwrap();
    for plan in [
        "random",
        "per-agent",
        "lowest-score",
        "fatal",
        "upset-customer",
    ] {
        assert!(
            samples.iter().any(|s| s["plan"] == plan),
            "no {plan} sample"
        );
    }
    let lowest: Vec<u64> = samples
        .iter()
        .filter(|s| s["plan"] == "lowest-score")
        .map(|s| s["score"].as_u64().unwrap())
        .collect();
    let min_all = a["score_histogram"]
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n.as_u64() != Some(0))
        .unwrap() as u64
        * 10;
    assert!(
        lowest[0] < min_all + 10,
        "the lowest sample is in the lowest decile"
    );
    assert!(samples
        .iter()
        .all(|s| !s["reason"].as_str().unwrap().is_empty()));
    assert_eq!(a["conversations"], 300);
}

#[test]
fn periods_compare_side_by_side() {
    let out = zhijian(
        &[
            "review",
            "examples/conversations.jsonl",
            "--format",
            "none",
            "--summary",
            "-",
            "--compare",
            "2026-11-02..2026-11-05,2026-11-09..2026-11-11",
        ],
        None,
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &s["comparison"];
    assert_eq!(c["overall"]["first"]["conversations"], 7);
    assert_eq!(c["overall"]["second"]["conversations"], 5);
    let dapeng = c["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"] == "dapeng")
        .unwrap();
    // tb-002 (64) in the first period; tb-004 (100) and call-001 (98) in the second.
    assert_eq!(dapeng["first"]["score_mean"], 64.0);
    assert_eq!(dapeng["second"]["score_mean"], 99.0);
    assert_eq!(dapeng["change"]["score_mean"], 35.0);
}

#[test]
fn the_html_report_stands_alone() {
    let dir = scratch_dir("html");
    let file = dir.join("report.html");
    let out = zhijian(
        &[
            "review",
            "examples/conversations.jsonl",
            "--format",
            "none",
            "--sample",
            "3",
            "--html",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(
        html.matches("<svg").count() >= 4,
        "score distribution, agents, rule hits, trend"
    );
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    for agent in ["xiaomei", "dapeng", "laowang", "ahua", "sam", "jo"] {
        assert!(html.contains(agent), "{agent}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn generated_conversations_review_cleanly() {
    let generated = zhijian(&["generate", "--count", "500", "--seed", "11"], None);
    let input = text(&generated.stdout);
    assert_eq!(input.lines().count(), 500);
    let out = zhijian(
        &[
            "review",
            "--format",
            "none",
            "--summary",
            "-",
            "--threads",
            "2",
        ],
        Some(&input),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["conversations"], 500);
    assert_eq!(s["errors"], 0);
    // The generator's habits show: model agents score above curt ones.
    let mean = |prefix: &str| {
        let agents = s["agents"].as_array().unwrap();
        let a: Vec<f64> = agents
            .iter()
            .filter(|a| a["agent"].as_str().unwrap().ends_with(prefix))
            .map(|a| a["score_mean"].as_f64().unwrap())
            .collect();
        a.iter().sum::<f64>() / a.len() as f64
    };
    assert!(mean("model") > mean("curt") + 5.0);
    // One thread or two: the same lines in the same order.
    let one = zhijian(&["review", "--threads", "1"], Some(&input));
    let two = zhijian(&["review", "--threads", "2"], Some(&input));
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn a_broken_scorecard_names_the_file_item_and_field() {
    let dir = scratch_dir("card");
    let file = dir.join("card.toml");
    std::fs::write(&file, "[scorecard]\nid = \"x\"\nname = { zh = \"x\", en = \"x\" }\npass = 80\n\n[[item]]\nid = \"late\"\nname = { zh = \"慢\", en = \"slow\" }\ncheck = \"too-slow\"\ndeduct = 2\n").unwrap();
    let out = zhijian(
        &[
            "review",
            "examples/conversations.jsonl",
            "--scorecard",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("card.toml")
            && err.contains("item late")
            && err.contains("check")
            && err.contains("too-slow"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn invalid_utf8_is_replaced_with_a_warning_and_the_line_still_scored() {
    let dir = scratch_dir("utf8");
    let file = dir.join("bad.jsonl");
    let mut bytes =
        br#"{"id":"u1","messages":[{"role":"customer","text":"hi"},{"role":"agent","text":"ok "#
            .to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"\"}]}\n");
    bytes.extend_from_slice(br#"{"id":"u2","messages":[{"role":"customer","text":"hi"}]}"#);
    std::fs::write(&file, bytes).unwrap();
    let out = zhijian(&["review", file.to_str().unwrap(), "--no-progress"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("line 1: invalid UTF-8 replaced"),
        "{}",
        text(&out.stderr)
    );
    let ids: Vec<Value> = lines(&out).iter().map(|s| s["id"].clone()).collect();
    assert_eq!(ids, vec![Value::from("u1"), Value::from("u2")]);
    std::fs::remove_dir_all(&dir).ok();
}
