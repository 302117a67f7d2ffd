//! Embeds the built-in data of `rules/` and generates one test per rule file, so that adding a
//! rule file, a platform profile or a scorecard needs no Rust change and a failing test names the
//! file and rule.
//!
//! - `rules/zh-CN`, `rules/en`: the packs that check agent messages;
//! - `rules/customer/zh-CN`, `rules/customer/en`: the packs that read customer messages (anger,
//!   complaint triggers, questions, acceptance) for conversation scoring;
//! - `rules/compiled/*.zjpk`: the agent and customer packs compiled, which the WebAssembly loads;
//! - `rules/platforms/*.toml`, `rules/scorecards/*.toml`: KPI profiles and scorecards.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

const AGENT_PACKS: &[&str] = &["zh-CN", "en"];
const CUSTOMER_PACKS: &[&str] = &["customer/zh-CN", "customer/en"];
const DATA_DIRS: &[(&str, &str)] = &[("PLATFORMS", "platforms"), ("SCORECARDS", "scorecards")];

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().to_string()
}

/// `static NAME: &[(dir, &[(file, text)])]` for packs, and one test per rule file.
fn embed_packs(root: &Path, name: &str, packs: &[&str], out: &mut String, tests: &mut String) {
    writeln!(out, "static {name}: &[(&str, &[(&str, &str)])] = &[").unwrap();
    for pack in packs {
        let dir = root.join("rules").join(pack);
        println!("cargo:rerun-if-changed={}", dir.display());
        writeln!(out, "    (\"rules/{pack}\", &[").unwrap();
        for file in toml_files(&dir) {
            println!("cargo:rerun-if-changed={}", file.display());
            let name = file_name(&file);
            writeln!(
                out,
                "        (\"rules/{pack}/{name}\", include_str!({:?})),",
                file.display().to_string()
            )
            .unwrap();
            let test_name = format!("{pack}_{}", name.trim_end_matches(".toml"))
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
            writeln!(
                tests,
                "#[test]\nfn {test_name}() {{ check_rule_file(\"rules/{pack}\", \"rules/{pack}/{name}\"); }}\n"
            )
            .unwrap();
        }
        writeln!(out, "    ]),").unwrap();
    }
    out.push_str("];\n");
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=rules");

    let mut packs = String::new();
    let mut tests = String::new();
    embed_packs(&root, "DEFAULT_PACKS", AGENT_PACKS, &mut packs, &mut tests);
    embed_packs(
        &root,
        "CUSTOMER_PACKS",
        CUSTOMER_PACKS,
        &mut packs,
        &mut tests,
    );
    // The packs compiled (`zhijian rules compile`), for start-up in the page; a test in
    // src/defaults.rs keeps them equal to their TOML.
    for (name, list) in [
        ("COMPILED_PACKS", AGENT_PACKS),
        ("COMPILED_CUSTOMER_PACKS", CUSTOMER_PACKS),
    ] {
        writeln!(packs, "static {name}: &[(&str, &str, &[u8])] = &[").unwrap();
        for pack in list {
            let file = format!("rules/compiled/{}.zjpk", pack.replace('/', "-"));
            let path = root.join(&file);
            println!("cargo:rerun-if-changed={}", path.display());
            // A pack not compiled yet embeds nothing, so that the crate (and the CLI that
            // compiles it) still builds; the test names the command that writes it.
            let bytes = if path.exists() {
                format!("include_bytes!({:?})", path.display().to_string())
            } else {
                println!(
                    "cargo:warning={file} is missing: UPDATE_GOLDEN=1 cargo test --lib defaults"
                );
                "&[]".to_string()
            };
            writeln!(packs, "    (\"rules/{pack}\", {file:?}, {bytes}),").unwrap();
        }
        packs.push_str("];\n");
    }
    for (name, dir) in DATA_DIRS {
        let dir = root.join("rules").join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        writeln!(packs, "static {name}: &[(&str, &str)] = &[").unwrap();
        for file in toml_files(&dir) {
            println!("cargo:rerun-if-changed={}", file.display());
            writeln!(
                packs,
                "    (\"{}\", include_str!({:?})),",
                file.file_stem().unwrap().to_string_lossy(),
                file.display().to_string()
            )
            .unwrap();
        }
        packs.push_str("];\n");
    }
    fs::write(out.join("default_packs.rs"), packs).expect("write default_packs.rs");
    fs::write(out.join("rule_file_tests.rs"), tests).expect("write rule_file_tests.rs");
}
