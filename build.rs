//! Embeds `lessons/<lang>/*.md` into the binary so it runs from any directory.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=lessons");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let lessons_dir = Path::new(&manifest_dir).join("lessons");
    let mut entries = Vec::new();
    if let Ok(langs) = std::fs::read_dir(&lessons_dir) {
        for lang in langs.flatten() {
            let lang_path = lang.path();
            let Some(lang_name) = lang_path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let Ok(files) = std::fs::read_dir(&lang_path) else {
                continue;
            };
            for file in files.flatten() {
                let path = file.path();
                // Hidden files are editor backups and lock files, not lessons.
                let hidden = file.file_name().to_string_lossy().starts_with('.');
                let is_lesson =
                    !hidden && path.extension().is_some_and(|ext| ext == "md") && path.is_file();
                if let (true, Some(name)) = (is_lesson, path.file_name().and_then(|n| n.to_str())) {
                    // Changes to each file must rebuild too, not only additions to the folder.
                    println!("cargo:rerun-if-changed={}", path.display());
                    entries.push((
                        lang_name.clone(),
                        name.to_string(),
                        path.display().to_string(),
                    ));
                }
            }
        }
    }
    entries.sort();
    let mut code = String::from("pub(crate) static BUILTIN_LESSONS: &[(&str, &str, &str)] = &[\n");
    for (lang, name, path) in &entries {
        let display_name = format!("lessons/{lang}/{name}");
        let _ = writeln!(
            code,
            "    ({lang:?}, {display_name:?}, include_str!({path:?})),"
        );
    }
    code.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string());
    let out_file = Path::new(&out_dir).join("builtin_lessons.rs");
    let unchanged = std::fs::read_to_string(&out_file).ok().as_deref() == Some(code.as_str());
    if !unchanged && let Err(error) = std::fs::write(&out_file, code) {
        println!("cargo:warning=cannot write {}: {error}", out_file.display());
    }
}
