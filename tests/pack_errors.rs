//! A pack that does not parse or validate names the file, the line, the rule and the field.

use zhijian::{Pack, PackError};

const HEADER: &str = "[pack]\nid = \"t\"\nlanguage = \"zh\"\nversion = \"1\"\n";

fn load(rules: &str) -> Result<Pack, PackError> {
    Pack::from_sources(&[("pack.toml", HEADER), ("rules.toml", rules)])
}

fn error(rules: &str) -> PackError {
    load(rules).expect_err("the pack should not load")
}

const GOOD_RULE: &str = r#"
[[rule]]
id = "t/x/good"
kind = "phrase"
category = "x"
severity = "minor"
points = 1
message = { zh = "甲", en = "a" }
phrases = ["不知道"]
"#;

#[test]
fn a_valid_rule_loads() {
    let pack = load(GOOD_RULE).expect("loads");
    assert_eq!(pack.rules().len(), 1);
}

#[test]
fn toml_syntax_errors_name_file_and_line() {
    let e = error("[[rule]]\nid = \"t/x/a\"\nphrases = [\"a\"\n");
    assert_eq!(e.file, "rules.toml");
    assert!(e.line.is_some(), "{e}");
}

#[test]
fn unknown_fields_name_the_rule_and_field() {
    let e = error(&GOOD_RULE.replace("phrases =", "phrase ="));
    assert_eq!(e.rule.as_deref(), Some("t/x/good"), "{e}");
    assert_eq!(e.field.as_deref(), Some("phrase"), "{e}");
    assert_eq!(e.line, Some(9), "{e}");
}

#[test]
fn a_bad_regex_names_rule_field_and_line() {
    let rule = GOOD_RULE
        .replace("kind = \"phrase\"", "kind = \"pattern\"")
        .replace("phrases = [\"不知道\"]", "pattern = \"(unclosed\"");
    let e = error(&rule);
    assert_eq!(
        (e.rule.as_deref(), e.field.as_deref()),
        (Some("t/x/good"), Some("pattern"))
    );
    assert_eq!(e.line, Some(3));
    assert!(
        e.to_string()
            .starts_with("rules.toml:3: rule t/x/good: field `pattern`:"),
        "{e}"
    );
}

#[test]
fn unicode_classes_are_refused_with_advice() {
    let rule = GOOD_RULE
        .replace("kind = \"phrase\"", "kind = \"pattern\"")
        .replace("phrases = [\"不知道\"]", "pattern = \"\\\\d+\"");
    let e = error(&rule);
    assert!(e.reason.contains("[0-9]"), "{e}");
}

#[test]
fn missing_fields_are_named() {
    for (field, rule) in [
        ("severity", GOOD_RULE.replace("severity = \"minor\"\n", "")),
        ("category", GOOD_RULE.replace("category = \"x\"\n", "")),
        (
            "message",
            GOOD_RULE.replace("message = { zh = \"甲\", en = \"a\" }\n", ""),
        ),
        ("phrases", GOOD_RULE.replace("phrases = [\"不知道\"]\n", "")),
        ("kind", GOOD_RULE.replace("kind = \"phrase\"\n", "")),
    ] {
        let e = error(&rule);
        assert_eq!(e.field.as_deref(), Some(field), "{e}");
        assert_eq!(e.rule.as_deref(), Some("t/x/good"), "{e}");
    }
}

#[test]
fn duplicate_ids_are_refused() {
    let e = error(&format!("{GOOD_RULE}{GOOD_RULE}"));
    assert_eq!(e.field.as_deref(), Some("id"));
    assert!(e.reason.contains("another rule"), "{e}");
}

#[test]
fn malformed_ids_and_values_are_refused() {
    assert_eq!(
        error(&GOOD_RULE.replace("t/x/good", "Bad Id"))
            .field
            .as_deref(),
        Some("id")
    );
    let e = error(&GOOD_RULE.replace("severity = \"minor\"", "severity = \"huge\""));
    assert_eq!(e.field.as_deref(), Some("severity"), "{e}");
    let e = error(&GOOD_RULE.replace("kind = \"phrase\"", "kind = \"phrase\"\npattern = \"x\""));
    assert_eq!(e.field.as_deref(), Some("pattern"), "{e}");
}

#[test]
fn a_pattern_matching_nothing_is_refused() {
    let rule = GOOD_RULE
        .replace("kind = \"phrase\"", "kind = \"pattern\"")
        .replace("phrases = [\"不知道\"]", "pattern = \"a*\"");
    assert!(error(&rule).reason.contains("empty string"));
}

#[test]
fn a_pack_needs_exactly_one_header() {
    let e = Pack::from_sources(&[("a.toml", GOOD_RULE)]).expect_err("no header");
    assert!(e.reason.contains("[pack]"), "{e}");
    let e = Pack::from_sources(&[("a.toml", HEADER), ("b.toml", HEADER)]).expect_err("two headers");
    assert_eq!(e.file, "b.toml");
    let bad_language = HEADER.replace("\"zh\"", "\"fr\"");
    let e = Pack::from_sources(&[("a.toml", bad_language.as_str())]).expect_err("language");
    assert_eq!(e.field.as_deref(), Some("language"));
}

#[test]
fn missing_paths_are_reported_not_panicked() {
    let e = Pack::from_path(std::path::Path::new("/nonexistent/pack")).expect_err("missing");
    assert!(e.to_string().contains("/nonexistent/pack"), "{e}");
}
