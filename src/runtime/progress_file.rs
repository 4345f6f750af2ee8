//! The progress file on disk: where it lives, loading it (a corrupt file is kept aside and
//! reported), and writing it atomically.

use std::path::{Path, PathBuf};

use crate::features::lesson::progress::ProgressBook;

/// `$XDG_STATE_HOME/istio-lab/progress.json` (or the platform's equivalent).
pub fn default_path() -> Option<PathBuf> {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|dir| dir.join("istio-lab").join("progress.json"))
}

/// What loading found; `warning` is shown to the learner, never fatal.
#[derive(Debug, Default)]
pub struct Loaded {
    pub book: ProgressBook,
    pub warning: Option<String>,
}

pub fn load(path: &Path) -> Loaded {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::default(),
        Err(e) => {
            return Loaded {
                book: ProgressBook::default(),
                warning: Some(format!(
                    "진행 상태 파일을 읽을 수 없어 처음부터 시작합니다: {}: {e}",
                    path.display()
                )),
            };
        }
    };
    match ProgressBook::parse(&text) {
        Ok(book) => Loaded {
            book,
            warning: None,
        },
        Err(reason) => {
            // Keep the broken file for inspection; the next save writes a fresh one.
            let backup = path.with_extension("json.corrupt");
            let kept = std::fs::rename(path, &backup).is_ok();
            let note = if kept {
                format!(" (원본은 {}에 보관)", backup.display())
            } else {
                String::new()
            };
            Loaded {
                book: ProgressBook::default(),
                warning: Some(format!(
                    "진행 상태 파일이 손상되어 새로 만듭니다: {}: {reason}{note}",
                    path.display()
                )),
            }
        }
    }
}

/// Writes atomically (temporary file, then rename) so a crash never leaves half a file.
pub fn save(path: &Path, book: &ProgressBook) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, book.to_text())?;
    std::fs::rename(&tmp, path)
}

pub fn reset(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lesson::progress::Progress;

    fn progress(source: &str, lesson: &str, scroll: usize) -> Progress {
        Progress {
            source: source.into(),
            lesson: lesson.into(),
            scroll,
        }
    }

    #[test]
    fn round_trip_through_a_file_keeps_every_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/istio-lab/progress.json");
        let mut book = ProgressBook::default();
        book.set(&progress("builtin:ko", "bookinfo", 42));
        book.set(&progress("guide:/tmp/g.md", "install", 3));
        save(&path, &book).unwrap();

        let loaded = load(&path);
        assert!(loaded.warning.is_none());
        assert_eq!(
            loaded.book.get("builtin:ko"),
            Some(progress("builtin:ko", "bookinfo", 42))
        );
        assert_eq!(
            loaded.book.get("guide:/tmp/g.md").map(|p| p.scroll),
            Some(3)
        );
        assert_eq!(loaded.book.get("missing"), None);
    }

    #[test]
    fn a_corrupt_file_is_reported_kept_aside_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        std::fs::write(&path, "{\"version\":1,\"sources\":{\"builtin:ko\":").unwrap();

        let loaded = load(&path);
        let warning = loaded.warning.expect("corruption is reported");
        assert!(warning.contains("손상"), "{warning}");
        assert!(warning.contains("progress.json"), "{warning}");
        assert_eq!(loaded.book, ProgressBook::default());
        assert!(dir.path().join("progress.json.corrupt").exists());

        let mut book = loaded.book;
        book.set(&progress("builtin:ko", "kiali", 0));
        save(&path, &book).unwrap();
        assert!(load(&path).warning.is_none());
    }

    #[test]
    fn reset_removes_the_file_and_tolerates_absence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        reset(&path).unwrap();
        std::fs::write(&path, "x").unwrap();
        reset(&path).unwrap();
        assert!(!path.exists());
    }
}
