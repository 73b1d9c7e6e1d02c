//! Turns the translations in `src/locales/<language>/<part>.json` into the
//! `i18n` module (leptos_i18n): one type per part with an accessor per key,
//! so that a key used in the code but missing in a language, or a value
//! whose `{{ placeholders }}` differ between the languages, fails the build.
//! The parts are the files of the English directory.
//!
//! The browser's WebAssembly is built once per language
//! (`MSP_BUNDLE_LANGUAGE=en|de`, `.ci/lib.sh`): each build reads that
//! language's words for every language, so the download carries one
//! language's words only (the linker keeps one copy of equal strings) and
//! the server sends each reader the build of their language. The server
//! itself always has both.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

const LOCALES: &str = "src/locales";

const LANGUAGES: [&str; 2] = ["en", "de"];

/// For a browser build of one language: a copy of the translations in
/// `OUT_DIR` whose every language holds that language's words.
fn one_language(language: &str, out: &std::path::Path) -> Result<String, Box<dyn Error>> {
    if !LANGUAGES.contains(&language) {
        return Err(format!("MSP_BUNDLE_LANGUAGE must be one of {LANGUAGES:?}, not {language:?}").into());
    }
    let copy = out.join("locales");
    for target in LANGUAGES {
        let dir = copy.join(target);
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(format!("{LOCALES}/{language}"))? {
            let path = entry?.path();
            std::fs::copy(&path, dir.join(path.file_name().ok_or("a file without a name")?))?;
        }
    }
    Ok(copy.to_str().ok_or("OUT_DIR is not UTF-8")?.to_owned())
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=src/build.rs");
    println!("cargo::rerun-if-changed={LOCALES}");
    println!("cargo::rerun-if-env-changed=MSP_BUNDLE_LANGUAGE");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let browser = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    let locales = match std::env::var("MSP_BUNDLE_LANGUAGE") {
        Ok(language) if browser => one_language(&language, &out_dir)?,
        _ => LOCALES.to_owned(),
    };
    let mut parts: Vec<String> = std::fs::read_dir(format!("{LOCALES}/en"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect();
    parts.sort();
    // `interpolate_display`: a text with placeholders can also be a
    // `String` (attributes, messages built on the server), not only a view.
    let config = Config::new("en")?
        .add_locale("de")?
        .locales_path(locales)
        .add_namespaces(parts)?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    let out = out_dir.join("i18n");
    translations.generate_i18n_module(out)?;
    Ok(())
}
