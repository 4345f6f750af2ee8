//! The progress file on disk: where it lives, loading it (a corrupt file is kept aside and
//! reported), and writing it atomically.

use std::path::{Path, PathBuf};

use super::files;
use crate::features::lesson::progress::{ParseError, ProgressBook};

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
    /// The file belongs to a newer istio-lab: it is left as it is, and nothing is saved.
    pub read_only: bool,
}

pub fn load(path: &Path) -> Loaded {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::default(),
        Err(e) => {
            return Loaded {
                warning: Some(format!(
                    "진행 상태 파일을 읽을 수 없어 처음부터 시작합니다: {}: {e}",
                    path.display()
                )),
                ..Loaded::default()
            };
        }
    };
    match ProgressBook::parse(&text) {
        Ok(book) => Loaded {
            book,
            ..Loaded::default()
        },
        Err(ParseError::Newer(version)) => Loaded {
            warning: Some(format!(
                "진행 상태 파일 {}은(는) 더 새 istio-lab(형식 {version})이 쓴 것이라 그대로 두고, \
                 이번 실행의 진행 상태는 저장하지 않습니다",
                path.display()
            )),
            read_only: true,
            ..Loaded::default()
        },
        Err(ParseError::Corrupt(reason)) => {
            // Keep the broken file for inspection under a name of its own; the next save
            // writes a fresh one.
            let note = match keep_aside(path) {
                Some(backup) => format!(" (원본은 {}에 보관)", backup.display()),
                None => String::new(),
            };
            Loaded {
                warning: Some(format!(
                    "진행 상태 파일이 손상되어 새로 만듭니다: {}: {reason}{note}",
                    path.display()
                )),
                ..Loaded::default()
            }
        }
    }
}

/// Renames a corrupt file to `progress.json.corrupt-<time>`, never over an earlier copy.
fn keep_aside(path: &Path) -> Option<PathBuf> {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    let name = path.file_name()?.to_string_lossy().into_owned();
    (0..100)
        .map(|n| match n {
            0 => path.with_file_name(format!("{name}.corrupt-{stamp}")),
            n => path.with_file_name(format!("{name}.corrupt-{stamp}-{n}")),
        })
        .find(|candidate| !candidate.exists())
        .filter(|backup| std::fs::rename(path, backup).is_ok())
}

/// Writes atomically (temporary file, then rename) so a crash never leaves half a file; the
/// folder and the file are the user's alone.
pub fn save(path: &Path, book: &ProgressBook) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        files::private_dir(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    files::write_private(&tmp, book.to_text().as_bytes())?;
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
            ticks: Default::default(),
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
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("progress.json.corrupt-")
            })
            .collect();
        assert_eq!(kept.len(), 1, "the broken file is kept aside");

        let mut book = loaded.book;
        book.set(&progress("builtin:ko", "kiali", 0));
        save(&path, &book).unwrap();
        assert!(load(&path).warning.is_none());
    }

    #[test]
    fn every_corruption_keeps_its_own_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        for broken in ["{", "[", "x"] {
            std::fs::write(&path, broken).unwrap();
            assert!(load(&path).warning.is_some());
        }
        let mut kept: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        kept.sort();
        assert_eq!(kept, ["[", "x", "{"], "no copy overwrote another");
    }

    #[test]
    fn a_newer_version_s_file_is_left_untouched_and_not_saved_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        let newer = "{\"version\":3,\"sources\":{},\"bookmarks\":[]}";
        std::fs::write(&path, newer).unwrap();
        let loaded = load(&path);
        assert!(loaded.read_only);
        let warning = loaded.warning.expect("it says so");
        assert!(warning.contains("더 새"), "{warning}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), newer);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no copy made"
        );
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
