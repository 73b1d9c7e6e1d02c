//! The browser side (wasm, JavaScript, CSS) compressed once with brotli at
//! its best quality and served as is to browsers that accept `br`: about a
//! fifth smaller than what the compression layer makes on the fly, at no
//! cost per request. Done in the background at start; until a file's `.br`
//! is written, the compression layer answers as before.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Brotli's best quality and its largest standard window.
const QUALITY: u32 = 11;
const WINDOW: u32 = 24;

fn wanted(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "css"))
}

fn br_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".br");
    PathBuf::from(name)
}

/// Whether `br` was written after `source` was (so it is of this build).
fn fresh(source: &Path, br: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(source), modified(br)), (Some(s), Some(b)) if b >= s)
}

fn compress(source: &Path, target: &Path) -> io::Result<u64> {
    let data = fs::read(source)?;
    let partial = target.with_extension("br.partial");
    {
        let file = fs::File::create(&partial)?;
        let mut writer = brotli::CompressorWriter::new(file, 64 * 1024, QUALITY, WINDOW);
        writer.write_all(&data)?;
        writer.flush()?;
    }
    // Renamed into place only when complete: never half a file served.
    fs::rename(&partial, target)?;
    Ok(fs::metadata(target)?.len())
}

/// Writes `<file>.br` next to each wasm, JavaScript and CSS file of `dir`
/// and of its directories (one per language's build) that has none of this
/// build yet. Returns (file, compressed size) of each one written.
pub fn precompress(dir: &Path) -> io::Result<Vec<(PathBuf, u64)>> {
    let mut written = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            written.extend(precompress(&path)?);
            continue;
        }
        if !path.is_file() || !wanted(&path) {
            continue;
        }
        let target = br_path(&path);
        if fresh(&path, &target) {
            continue;
        }
        let size = compress(&path, &target)?;
        written.push((path, size));
    }
    Ok(written)
}

/// Runs [`precompress`] on a blocking thread and logs what it did.
pub fn spawn(dir: PathBuf) {
    tokio::task::spawn_blocking(move || match precompress(&dir) {
        Ok(files) => {
            for (file, size) in files {
                tracing::info!(file = %file.display(), brotli_bytes = size, "precompressed");
            }
        }
        Err(e) => tracing::warn!(dir = %dir.display(), error = %e, "could not precompress the site's files"),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn writes_a_br_file_that_decodes_to_the_original_and_only_once() {
        let dir = std::env::temp_dir().join(format!("msp-precompress-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let original: Vec<u8> = (0..200_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        fs::write(dir.join("app.wasm"), &original).unwrap();
        fs::write(dir.join("notes.txt"), b"left alone").unwrap();
        fs::create_dir_all(dir.join("de")).unwrap();
        fs::write(dir.join("de/app.js"), b"console.log('de');").unwrap();

        let written = precompress(&dir).unwrap();
        assert_eq!(written.len(), 2);
        assert!(dir.join("de/app.js.br").exists(), "a language's build is compressed too");
        let mut decoded = Vec::new();
        brotli::Decompressor::new(fs::File::open(dir.join("app.wasm.br")).unwrap(), 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, original);
        assert!(!dir.join("notes.txt.br").exists());
        assert!(precompress(&dir).unwrap().is_empty(), "a fresh .br is kept");
        fs::remove_dir_all(&dir).unwrap();
    }
}
