//! The browser's code is built once per language (`.ci/lib.sh`,
//! `src/build.rs`): `site/pkg/<language>/` holds the WebAssembly with that
//! language's words only. A page names the build of its reader's language
//! in its scripts and in the preloads of its lazy parts. A site built
//! without language builds (`site/pkg/` itself) serves every reader.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use leptos::config::LeptosOptions;
use leptos::prelude::ArcStoredValue;
use leptos::WasmSplitManifest;

use crate::domain::locale::Language;

/// The name the site builder gives the lazy parts' loader (no file hashes).
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

/// One language's build: its directory under the site and the lazy parts
/// each module preloads.
#[derive(Clone)]
pub struct Bundle {
    pub pkg_dir: Arc<str>,
    preloads: Option<HashMap<String, Vec<String>>>,
}

impl Bundle {
    /// The preloads for `leptos` to write into the page, pointing at this
    /// build (`HydrationScripts` knows only the first page's).
    pub fn split_manifest(&self) -> Option<WasmSplitManifest> {
        let preloads = self.preloads.clone()?;
        Some(WasmSplitManifest(ArcStoredValue::new((format!("/{}", self.pkg_dir), preloads, SPLIT_LOADER.to_owned()))))
    }

    /// The options with this build's directory, for `HydrationScripts`.
    pub fn options(&self, options: &LeptosOptions) -> LeptosOptions {
        let mut options = options.clone();
        options.site_pkg_dir = self.pkg_dir.clone();
        options
    }
}

fn find(options: &LeptosOptions, language: Language) -> Bundle {
    let own: Arc<str> = format!("{}/{}", options.site_pkg_dir, language.code()).into();
    let pkg_dir = if Path::new(&*options.site_root).join(&*own).is_dir() { own } else { options.site_pkg_dir.clone() };
    let manifest = Path::new(&*options.site_root).join(&*pkg_dir).join(SPLIT_MANIFEST);
    let preloads = std::fs::read_to_string(manifest).ok().and_then(|text| serde_json::from_str(&text).ok());
    Bundle { pkg_dir, preloads }
}

/// The build for readers of `language`, looked up once per language.
pub fn for_language(options: &LeptosOptions, language: Language) -> Bundle {
    static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
    let bundles = BUNDLES.get_or_init(|| [find(options, Language::English), find(options, Language::German)]);
    match language {
        Language::English => bundles[0].clone(),
        Language::German => bundles[1].clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::prelude::GetValue;

    #[test]
    fn each_language_has_its_build_and_a_site_without_them_serves_all() {
        let site = std::env::temp_dir().join(format!("msp-bundles-{}", std::process::id()));
        std::fs::create_dir_all(site.join("pkg/de")).unwrap();
        std::fs::write(site.join("pkg/de").join(SPLIT_MANIFEST), r#"{"costs":["chunk_1","chunk_2"]}"#).unwrap();
        let options = LeptosOptions::builder()
            .output_name("msp-manager")
            .site_root(site.to_str().unwrap())
            .site_pkg_dir("pkg")
            .build();
        let german = find(&options, Language::German);
        assert_eq!(&*german.pkg_dir, "pkg/de");
        assert_eq!(&*german.options(&options).site_pkg_dir, "pkg/de");
        let manifest = german.split_manifest().unwrap();
        let (root, preloads, _) = manifest.0.get_value();
        assert_eq!(root, "/pkg/de");
        assert_eq!(preloads["costs"], ["chunk_1", "chunk_2"]);
        // No English build in this site: English readers get `pkg/` itself.
        let english = find(&options, Language::English);
        assert_eq!(&*english.pkg_dir, "pkg");
        assert!(english.split_manifest().is_none());
        std::fs::remove_dir_all(site).unwrap();
    }
}
