//! The command line end to end: output formats, files and stdin, custom packs, exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn zhijian(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhijian"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zhijian");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("wait for zhijian")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn json_output_has_one_object_per_message_with_char_offsets() {
    let o = zhijian(
        &["check", "--format", "json", "😀这个我不知道", "亲，您好"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 2);
    let hint = &lines[0]["hints"][0];
    assert_eq!(hint["rule"], "zh/forbidden/dont-know");
    assert_eq!(
        (hint["start"].as_u64(), hint["end"].as_u64()),
        (Some(4), Some(7))
    );
    assert_eq!(hint["start_utf16"].as_u64(), Some(5));
    assert_eq!(hint["severity"], "major");
    assert!(hint["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(hint["suggestions"][0], "我帮您确认一下");
    for key in ["score", "politeness", "fatal", "hints", "language"] {
        assert!(lines[1].get(key).is_some(), "missing {key}");
    }
    assert_eq!(lines[1]["score"], 100);
}

#[test]
fn files_and_stdin_give_one_line_per_input_line_and_fatal_exits_1() {
    let input = "亲，在的\r\n\n加我微信吧\n你好";
    let mut bytes = input.as_bytes().to_vec();
    bytes.push(0xFF); // invalid UTF-8: replaced, with a warning naming the line
    let dir = std::env::temp_dir().join(format!("zhijian-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("messages.txt");
    std::fs::write(&file, &bytes).expect("write");
    let from_file = zhijian(
        &[
            "check",
            "--format",
            "json",
            "--file",
            file.to_str().expect("path"),
        ],
        None,
    );
    let from_stdin = zhijian(&["check", "--format", "json", "--file", "-"], Some(input));
    assert!(String::from_utf8_lossy(&from_file.stderr).contains(":4: invalid UTF-8"));
    for o in [&from_file, &from_stdin] {
        assert_eq!(o.status.code(), Some(1), "a fatal hint exits 1");
        let lines = json_lines(o);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2]["fatal"], true);
        assert_eq!(lines[1]["text"], "");
        assert_eq!(lines[3]["line"], 4);
    }
}

#[test]
fn readable_output_underlines_the_span() {
    let o = zhijian(&["check", "你自己看"], None);
    let text = stdout(&o);
    // 你自己看 is four wide characters: eight columns of carets.
    assert!(
        text.contains("^^^^^^^^ major zh/forbidden/look-yourself"),
        "{text}"
    );
    assert!(text.contains("→ 我帮您查一下"), "{text}");
}

#[test]
fn language_can_be_forced() {
    let o = zhijian(
        &["check", "--format", "json", "--language", "en", "calm down"],
        None,
    );
    assert_eq!(json_lines(&o)[0]["language"], "en");
    let o = zhijian(
        &["check", "--format", "json", "--locale", "en", "不知道呀"],
        None,
    );
    assert!(json_lines(&o)[0]["hints"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("don't know")));
}

#[test]
fn rules_list_starts_each_line_with_the_id() {
    let o = zhijian(&["rules", "list"], None);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let ids: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert!(ids.len() >= 200, "{} rules", ids.len());
    assert!(ids
        .iter()
        .all(|id| id.starts_with("zh/") || id.starts_with("en/")));
    assert!(ids.contains(&"zh/diversion/wechat"));
}

#[test]
fn rules_test_passes_on_the_built_in_packs() {
    let o = zhijian(&["rules", "test"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(" passed, 0 failed"));
}

fn custom_pack(name: &str, rule_tail: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zhijian-pack-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nid = \"shop\"\nlanguage = \"zh\"\nversion = \"1\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("rules.toml"),
        format!(
            "[[rule]]\nid = \"shop/words/no-discount\"\nkind = \"phrase\"\ncategory = \"shop\"\n\
             severity = \"minor\"\npoints = 2\nmessage = {{ zh = \"别说打折\", en = \"No discounts\" }}\n\
             phrases = [\"打折\"]\n{rule_tail}"
        ),
    )
    .expect("write");
    dir
}

#[test]
fn a_custom_pack_replaces_the_built_in_pack_of_its_language() {
    let dir = custom_pack(
        "ok",
        "hits = [{ text = \"今天[[打折]]\" }]\nclean = [\"今天有活动\"]\n",
    );
    let path = dir.to_str().expect("path");
    let o = zhijian(
        &["check", "--format", "json", "--rules", path, "不知道，打折"],
        None,
    );
    let hints = &json_lines(&o)[0]["hints"];
    assert_eq!(hints.as_array().map(Vec::len), Some(1), "{hints}");
    assert_eq!(hints[0]["rule"], "shop/words/no-discount");
    let o = zhijian(&["rules", "test", path], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("1 passed, 0 failed"));
}

#[test]
fn failing_examples_and_broken_packs_have_their_own_exit_codes() {
    let dir = custom_pack(
        "failing",
        "hits = [{ text = \"今天[[有活动]]\" }]\nclean = [\"打折\"]\n",
    );
    let o = zhijian(&["rules", "test", dir.to_str().expect("path")], None);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("FAIL") && text.contains("shop/words/no-discount"),
        "{text}"
    );

    let broken = custom_pack("broken", "pattern = \"(\"\n");
    let o = zhijian(
        &["check", "--rules", broken.to_str().expect("path"), "hi"],
        None,
    );
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rules.toml") && err.contains("shop/words/no-discount"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(zhijian(&[], None).status.code(), Some(2));
    assert_eq!(zhijian(&["check"], None).status.code(), Some(2));
    assert_eq!(
        zhijian(&["check", "--format", "xml", "x"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(zhijian(&["check", "--bogus"], None).status.code(), Some(2));
    let missing = zhijian(&["check", "--file", "/nonexistent/file.txt"], None);
    assert_eq!(missing.status.code(), Some(4));
}

#[test]
fn a_compiled_pack_checks_as_its_toml_does() {
    let out = std::env::temp_dir().join(format!("zhijian-zh-{}.zjpk", std::process::id()));
    let out_path = out.to_str().expect("path");
    let o = zhijian(&["rules", "compile", "rules/zh-CN", "-o", out_path], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("154 rules"));
    let messages = "这个我不知道，你自己看详情页！！\n加我微信wx123456，私下便宜\n亲，您好，请问有什么可以帮您？\n";
    let from_toml = zhijian(
        &[
            "check",
            "--format",
            "json",
            "--rules",
            "rules/zh-CN",
            "--file",
            "-",
        ],
        Some(messages),
    );
    let compiled = zhijian(
        &[
            "check", "--format", "json", "--rules", out_path, "--file", "-",
        ],
        Some(messages),
    );
    assert_eq!(stdout(&compiled), stdout(&from_toml));
    assert_eq!(json_lines(&compiled).len(), 3);

    // Damaged bytes: a pack error (exit 3) naming the file.
    let bytes = std::fs::read(&out).expect("read the compiled pack");
    std::fs::write(&out, &bytes[..bytes.len() / 3]).expect("write");
    let o = zhijian(&["check", "--rules", out_path, "好的"], None);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(out_path) && err.contains("damaged"), "{err}");
    std::fs::remove_file(&out).ok();

    let o = zhijian(&["rules", "compile", "rules/zh-CN"], None);
    assert_eq!(o.status.code(), Some(2), "no -o: a usage error");
}
