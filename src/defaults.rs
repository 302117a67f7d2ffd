//! The default packs, built into the crate from `rules/` by `build.rs`.

use crate::error::PackError;
use crate::pack::Pack;

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
