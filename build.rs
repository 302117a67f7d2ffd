//! Embeds the default rule packs (`rules/zh-CN`, `rules/en`) and generates one test per rule file,
//! so that adding a rule file needs no Rust change and a failing test names the file and rule.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

const DEFAULT_PACKS: &[&str] = &["zh-CN", "en"];

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=rules");

    let mut packs = String::from("static DEFAULT_PACKS: &[(&str, &[(&str, &str)])] = &[\n");
    let mut tests = String::new();
    for pack in DEFAULT_PACKS {
        let dir = root.join("rules").join(pack);
        println!("cargo:rerun-if-changed={}", dir.display());
        writeln!(packs, "    (\"rules/{pack}\", &[").unwrap();
        for file in toml_files(&dir) {
            println!("cargo:rerun-if-changed={}", file.display());
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            writeln!(
                packs,
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
        writeln!(packs, "    ]),").unwrap();
    }
    packs.push_str("];\n");
    fs::write(out.join("default_packs.rs"), packs).expect("write default_packs.rs");
    fs::write(out.join("rule_file_tests.rs"), tests).expect("write rule_file_tests.rs");
}
