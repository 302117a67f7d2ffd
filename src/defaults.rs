//! The default packs, built into the crate from `rules/` by `build.rs`.

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

/// The language of a built-in pack, known without compiling it, so that a checker can compile
/// each built-in pack only when a message of its language arrives.
pub fn language_of(dir: &str) -> Option<Language> {
    match dir {
        "rules/zh-CN" => Some(Language::Zh),
        "rules/en" => Some(Language::En),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_of_matches_each_pack_header() {
        for (dir, files) in super::sources() {
            let pack = super::Pack::from_sources(files).expect("built-in pack compiles");
            assert_eq!(super::language_of(dir), Some(pack.language()), "{dir}");
        }
    }
}
