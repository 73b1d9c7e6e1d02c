//! Turns the translations in `src/locales/<language>/<part>.json` into the
//! `i18n` module (leptos_i18n): one type per part with an accessor per key,
//! so that a key used in the code but missing in a language, or a value
//! whose `{{ placeholders }}` differ between the languages, fails the build.
//! The parts are the files of the English directory.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

const LOCALES: &str = "src/locales";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=src/build.rs");
    println!("cargo::rerun-if-changed={LOCALES}");
    let mut parts: Vec<String> = std::fs::read_dir(format!("{LOCALES}/en"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect();
    parts.sort();
    // `interpolate_display`: a text with placeholders can also be a
    // `String` (attributes, messages built on the server), not only a view.
    let config = Config::new("en")?
        .add_locale("de")?
        .locales_path(LOCALES)
        .add_namespaces(parts)?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    translations.generate_i18n_module(out)?;
    Ok(())
}
