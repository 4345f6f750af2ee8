//! Remembered progress per user: which lesson and scroll position, per lesson source, as kept
//! in memory and as the text of the file (`runtime::progress_file` reads and writes it).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Where the learner is in one lesson source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub source: String,
    pub lesson: String,
    pub scroll: usize,
    /// Steps ticked by hand, per lesson id.
    pub ticks: BTreeMap<String, BTreeSet<usize>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    version: u32,
    sources: BTreeMap<String, OwnedPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnedPosition {
    lesson: String,
    scroll: usize,
    /// Added in version 2; a version 1 file has none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    ticks: BTreeMap<String, BTreeSet<usize>>,
}

/// Version 2 added manual ticks; an older app sees a newer file and leaves it alone rather
/// than rejecting a field it does not know.
const FORMAT_VERSION: u32 = 2;
const OLDEST_READ: u32 = 1;

#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

/// Why the file's text is not a progress book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Written by a newer istio-lab: keep it as it is.
    Newer(u32),
    /// Not a progress file this or an older version wrote.
    Corrupt(String),
}

/// All remembered positions, as kept in memory between saves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressBook {
    file: FileFormat,
}

impl ProgressBook {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<ProgressBook, ParseError> {
        // The version is read first, so a newer app's file is never taken for a broken one.
        if let Ok(Versioned { version }) = serde_json::from_str::<Versioned>(text)
            && version > FORMAT_VERSION
        {
            return Err(ParseError::Newer(version));
        }
        let file: FileFormat =
            serde_json::from_str(text).map_err(|e| ParseError::Corrupt(e.to_string()))?;
        if !(OLDEST_READ..=FORMAT_VERSION).contains(&file.version) {
            return Err(ParseError::Corrupt(format!("형식 버전 {}", file.version)));
        }
        Ok(ProgressBook { file })
    }

    pub fn to_text(&self) -> String {
        let mut file = self.file.clone();
        file.version = FORMAT_VERSION;
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    pub fn get(&self, source: &str) -> Option<Progress> {
        self.file.sources.get(source).map(|p| Progress {
            source: source.to_string(),
            lesson: p.lesson.clone(),
            scroll: p.scroll,
            ticks: p.ticks.clone(),
        })
    }

    pub fn set(&mut self, progress: &Progress) {
        self.file.sources.insert(
            progress.source.clone(),
            OwnedPosition {
                lesson: progress.lesson.clone(),
                scroll: progress.scroll,
                ticks: progress.ticks.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_shapes_and_versions_are_corrupt() {
        assert!(ProgressBook::parse("[]").is_err());
        assert_eq!(
            ProgressBook::parse("{\"version\":9,\"sources\":{},\"new\":1}"),
            Err(ParseError::Newer(9)),
            "a newer version is not corrupt, even with fields this version does not know"
        );
        assert!(matches!(
            ProgressBook::parse("{\"version\":0,\"sources\":{}}"),
            Err(ParseError::Corrupt(_))
        ));
        assert!(ProgressBook::parse("{\"version\":1,\"sources\":{},\"x\":1}").is_err());
        assert!(ProgressBook::parse("{\"version\":1,\"sources\":{}}").is_ok());
    }

    #[test]
    fn manual_ticks_survive_a_round_trip_and_version_1_files_still_read() {
        let old = "{\"version\":1,\"sources\":{\"ko\":{\"lesson\":\"install\",\"scroll\":3}}}";
        let book = ProgressBook::parse(old).unwrap();
        let progress = book.get("ko").unwrap();
        assert_eq!((progress.lesson.as_str(), progress.scroll), ("install", 3));
        assert!(progress.ticks.is_empty());
        let mut ticked = progress.clone();
        ticked.ticks.insert("download".into(), [0, 2].into());
        let mut book = book;
        book.set(&ticked);
        let text = book.to_text();
        assert!(text.contains("\"version\": 2"), "{text}");
        assert_eq!(ProgressBook::parse(&text).unwrap().get("ko"), Some(ticked));
    }
}
