//! Golden snapshots: the full JSON output for a mixed set of messages, so that every rule change
//! shows its effect as a diff. Refresh with `UPDATE_GOLDEN=1 cargo test --test golden` and review
//! the diff before committing it.

use std::path::Path;

use zhijian::Checker;

#[test]
fn mixed_messages_match_the_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let input = std::fs::read_to_string(dir.join("mixed.txt")).expect("read mixed.txt");
    let checker = Checker::with_default_packs().expect("default packs load");
    let mut actual = String::new();
    for (i, text) in input.lines().enumerate() {
        let report = checker.check(text);
        let line = serde_json::json!({ "line": i + 1, "text": text, "report": report });
        actual.push_str(&serde_json::to_string(&line).expect("serialise"));
        actual.push('\n');
    }
    let snapshot = dir.join("mixed.jsonl");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&snapshot, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&snapshot)
        .expect("tests/golden/mixed.jsonl is missing: run with UPDATE_GOLDEN=1 to create it");
    for (n, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(
            a,
            e,
            "line {} of tests/golden/mixed.jsonl differs (UPDATE_GOLDEN=1 refreshes it)",
            n + 1
        );
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "the snapshot has a different number of lines"
    );
}
