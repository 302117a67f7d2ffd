//! The built-in data, embedded into the crate from `rules/` by `build.rs`: the agent packs, the
//! customer packs, the platform profiles and the scorecards.

use crate::error::PackError;
use crate::pack::Pack;
use crate::Language;

include!(concat!(env!("OUT_DIR"), "/default_packs.rs"));

/// Compiles the built-in packs (`rules/zh-CN`, `rules/en`).
pub fn packs() -> Result<Vec<Pack>, PackError> {
    DEFAULT_PACKS
        .iter()
        .map(|(_, files)| Pack::from_sources(files))
        .collect()
}

/// The built-in packs as `(directory, [(file, TOML text)])`, for tools that want the sources.
pub fn sources() -> &'static [(&'static str, &'static [(&'static str, &'static str)])] {
    DEFAULT_PACKS
}

/// The built-in agent packs compiled, as `(directory, file, bytes)`: `rules/compiled/*.zjpk`,
/// written by `zhijian rules compile`. They load without parsing or validating, which is what the
/// agent's page waits for at start-up; they check exactly as the TOML does, and a test fails when
/// they fall behind it.
pub fn compiled() -> &'static [(&'static str, &'static str, &'static [u8])] {
    COMPILED_PACKS
}

/// The built-in customer packs compiled (`rules/compiled/customer-*.zjpk`), as for [`compiled`].
pub fn compiled_customer() -> &'static [(&'static str, &'static str, &'static [u8])] {
    COMPILED_CUSTOMER_PACKS
}

/// The built-in customer packs (`rules/customer/…`): anger, complaint triggers, questions and
/// acceptance in customer messages, read by conversation scoring.
pub fn customer_packs() -> Result<Vec<Pack>, PackError> {
    CUSTOMER_PACKS
        .iter()
        .map(|(_, files)| Pack::from_sources(files))
        .collect()
}

/// The customer packs as `(directory, [(file, TOML text)])`.
pub fn customer_sources() -> &'static [(&'static str, &'static [(&'static str, &'static str)])] {
    CUSTOMER_PACKS
}

/// The built-in platform profiles as `(id, TOML text)` (`rules/platforms/*.toml`).
pub fn platform_sources() -> &'static [(&'static str, &'static str)] {
    PLATFORMS
}

/// The built-in scorecards as `(id, TOML text)` (`rules/scorecards/*.toml`).
pub fn scorecard_sources() -> &'static [(&'static str, &'static str)] {
    SCORECARDS
}

/// The language of a built-in pack, known without compiling it, so that a checker can compile
/// each built-in pack only when a message of its language arrives.
pub fn language_of(dir: &str) -> Option<Language> {
    match dir {
        "rules/zh-CN" | "rules/customer/zh-CN" => Some(Language::Zh),
        "rules/en" | "rules/customer/en" => Some(Language::En),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn compiled_packs_are_those_of_the_toml() {
        let sources = super::sources().iter().chain(super::customer_sources());
        let compiled: Vec<_> = super::compiled()
            .iter()
            .chain(super::compiled_customer())
            .collect();
        assert_eq!(compiled.len(), sources.clone().count());
        for ((dir, files), (compiled_dir, file, bytes)) in sources.zip(compiled) {
            assert_eq!(dir, compiled_dir);
            let fresh = super::Pack::from_sources(files)
                .expect("built-in pack compiles")
                .to_compiled();
            if fresh == *bytes {
                continue;
            }
            if std::env::var_os("UPDATE_GOLDEN").is_some() {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
                std::fs::write(&path, &fresh).expect("write the compiled pack");
                continue;
            }
            panic!(
                "{file} is out of date with {dir}: run `cargo run --release -- rules compile \
                 {dir} -o {file}` (or UPDATE_GOLDEN=1 cargo test --lib defaults)"
            );
        }
    }

    #[test]
    fn compiled_packs_load() {
        for (_, file, bytes) in super::compiled().iter().chain(super::compiled_customer()) {
            let pack = super::Pack::from_compiled(file, bytes).expect("compiled pack loads");
            assert_eq!(
                pack.to_compiled(),
                *bytes,
                "{file} reads back to the same bytes"
            );
        }
    }

    #[test]
    fn language_of_matches_each_pack_header() {
        for (dir, files) in super::sources().iter().chain(super::customer_sources()) {
            let pack = super::Pack::from_sources(files).expect("built-in pack compiles");
            assert_eq!(super::language_of(dir), Some(pack.language()), "{dir}");
        }
    }
}
