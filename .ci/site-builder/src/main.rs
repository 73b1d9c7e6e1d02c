//! `msp-site-builder <app.wasm> <pkg dir> <output name>`
//!
//! Splits the browser side's WebAssembly at the lazy routes (the parts the
//! browser loads on a module's first visit), writes the prefetch manifest
//! that the server's hydration scripts read, runs wasm-bindgen on the main
//! part, and prints every `.wasm` file it wrote, one per line, for
//! `wasm-opt`. What `cargo leptos build --release --split` does, without
//! compiling cargo-leptos.

use anyhow::{bail, Context, Result};
use std::{fs, path::Path};
use wasm_bindgen_cli_support::Bindgen;

/// The module the split parts import their loader from; the server's
/// hydration scripts preload it under this name.
const LINK_NAME: &str = "./__wasm_split.______________________.js";
const MANIFEST: &str = "__wasm_split_manifest.json";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, name] = args.as_slice() else {
        bail!("usage: msp-site-builder <app.wasm> <pkg dir> <output name>");
    };
    let input = Path::new(input);
    let pkg_dir = Path::new(pkg_dir);
    fs::create_dir_all(pkg_dir).with_context(|| format!("cannot create {}", pkg_dir.display()))?;
    let wasm = fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;

    let main_part = input.with_file_name(format!("{name}_split.wasm"));
    let main_module = format!("./{name}.js");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&wasm);
        options.output_dir = pkg_dir;
        options.main_out_path = &main_part;
        options.main_module = &main_module;
        options.link_name = LINK_NAME;
        options
    })
    .map_err(|e| anyhow::anyhow!("cannot split {}: {e:?}", input.display()))?;
    drop(wasm);
    fs::write(pkg_dir.join(MANIFEST), serde_json::to_string_pretty(&split.prefetch_map)?)?;

    Bindgen::new()
        .input_path(&main_part)
        .out_name(name)
        .web(true)?
        .keep_lld_exports(true)
        .demangle(false)
        .typescript(false)
        .generate(pkg_dir)
        .context("wasm-bindgen failed")?;
    // The hydration scripts ask for `<name>.wasm`.
    let main_wasm = pkg_dir.join(format!("{name}.wasm"));
    fs::rename(pkg_dir.join(format!("{name}_bg.wasm")), &main_wasm)?;

    println!("{}", main_wasm.display());
    for part in &split.split_modules {
        println!("{}", part.display());
    }
    Ok(())
}
