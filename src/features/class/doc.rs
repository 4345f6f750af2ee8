//! What travels between learners and the instructor: a learner's progress, kept by their app
//! in the ConfigMap `istio-lab-progress` of their lab namespace, and the instructor's lesson in
//! the ConfigMap `istio-lab-class`. Plain keys are there for `kubectl get cm -o yaml`; the
//! whole document is the JSON under `progress.json`, versioned so an older class view can
//! tell a newer learner's document apart from a broken one.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub const PROGRESS_CONFIGMAP: &str = "istio-lab-progress";
pub const CLASS_CONFIGMAP: &str = "istio-lab-class";
pub const PART_OF_LABEL: (&str, &str) = ("app.kubernetes.io/part-of", "istio-lab");
pub const FIELD_MANAGER: &str = "istio-lab";
pub const DOC_KEY: &str = "progress.json";
pub const DOC_VERSION: u32 = 1;

/// One step's state as the learner's app sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum StepState {
    /// Not done, and nothing says why (no check, or not reached).
    Todo,
    /// ✔ The cluster confirmed it.
    Auto,
    /// ☑ Ticked by hand.
    Manual,
    /// ✗ Its check fails, since `since`, for `reason`.
    Failing { reason: String, since: Timestamp },
}

impl StepState {
    pub fn done(&self) -> bool {
        matches!(self, StepState::Auto | StepState::Manual)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonProgress {
    pub number: usize,
    pub title: String,
    pub steps: Vec<StepTitleState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTitleState {
    pub title: String,
    #[serde(flatten)]
    pub state: StepState,
}

/// A learner's whole progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressDoc {
    pub version: u32,
    pub learner: String,
    /// The lesson on screen (its number, 1-based) and the step the learner is at (0-based,
    /// the first not done), if any.
    pub lesson: usize,
    pub step: Option<usize>,
    pub lessons: Vec<LessonProgress>,
    /// The `reviews` VirtualService's weights per subset as the learner's app reads them.
    #[serde(default)]
    pub weights: BTreeMap<String, u32>,
    /// The last key or change in the learner's app.
    pub active: Timestamp,
    /// The last time a step got done or the learner moved to a later lesson.
    pub progressed: Timestamp,
}

impl ProgressDoc {
    pub fn done_total(&self) -> (usize, usize) {
        self.lessons.iter().fold((0, 0), |(d, t), l| {
            (
                d + l.steps.iter().filter(|s| s.state.done()).count(),
                t + l.steps.len(),
            )
        })
    }

    /// The failing steps: lesson number, step title, reason, since.
    pub fn failing(&self) -> Vec<(usize, &str, &str, Timestamp)> {
        self.lessons
            .iter()
            .flat_map(|l| {
                l.steps.iter().filter_map(move |s| match &s.state {
                    StepState::Failing { reason, since } => {
                        Some((l.number, s.title.as_str(), reason.as_str(), *since))
                    }
                    _ => None,
                })
            })
            .collect()
    }

    /// The ConfigMap's `data`: the document, and a few plain keys for people reading it.
    pub fn to_data(&self) -> BTreeMap<String, String> {
        let mut data = BTreeMap::new();
        data.insert("learner".into(), self.learner.clone());
        data.insert("lesson".into(), self.lesson.to_string());
        let (done, total) = self.done_total();
        data.insert("done".into(), format!("{done}/{total}"));
        data.insert("active".into(), self.active.to_string());
        data.insert(
            DOC_KEY.into(),
            serde_json::to_string(self).unwrap_or_default(),
        );
        data
    }

    pub fn from_data(data: &BTreeMap<String, String>) -> Result<ProgressDoc, DocError> {
        let text = data.get(DOC_KEY).ok_or(DocError::Missing)?;
        let version = serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| DocError::Broken(e.to_string()))?
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if version > u64::from(DOC_VERSION) {
            return Err(DocError::Newer(version));
        }
        serde_json::from_str(text).map_err(|e| DocError::Broken(e.to_string()))
    }
}

/// Why a progress ConfigMap could not be read; the class view shows the row with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocError {
    Missing,
    Newer(u64),
    Broken(String),
}

impl DocError {
    pub fn korean(&self) -> String {
        match self {
            DocError::Missing => format!("{DOC_KEY} 키가 없습니다"),
            DocError::Newer(v) => format!("더 새 버전(형식 {v})의 istio-lab이 썼습니다"),
            DocError::Broken(e) => format!("읽을 수 없는 진행 기록: {e}"),
        }
    }
}

/// The instructor's lesson, as `istio-lab class --lead` publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadDoc {
    pub lesson: usize,
    pub title: String,
}

impl LeadDoc {
    pub fn to_data(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("lesson".to_string(), self.lesson.to_string()),
            ("title".to_string(), self.title.clone()),
        ])
    }

    pub fn from_data(data: &BTreeMap<String, String>) -> Option<LeadDoc> {
        Some(LeadDoc {
            lesson: data.get("lesson")?.parse().ok()?,
            title: data.get("title")?.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> ProgressDoc {
        let t = Timestamp::from_second(1_000).unwrap_or(Timestamp::UNIX_EPOCH);
        ProgressDoc {
            version: DOC_VERSION,
            learner: "kim".into(),
            lesson: 3,
            step: Some(2),
            lessons: vec![LessonProgress {
                number: 3,
                title: "Bookinfo".into(),
                steps: vec![
                    StepTitleState {
                        title: "배포".into(),
                        state: StepState::Auto,
                    },
                    StepTitleState {
                        title: "확인".into(),
                        state: StepState::Manual,
                    },
                    StepTitleState {
                        title: "2/2".into(),
                        state: StepState::Failing {
                            reason: "사이드카 없음".into(),
                            since: t,
                        },
                    },
                    StepTitleState {
                        title: "exec".into(),
                        state: StepState::Todo,
                    },
                ],
            }],
            weights: BTreeMap::from([("v1".into(), 80), ("v2".into(), 20)]),
            active: t,
            progressed: t,
        }
    }

    #[test]
    fn the_document_survives_the_configmap() {
        let doc = sample();
        let data = doc.to_data();
        assert_eq!(data["done"], "2/4");
        assert_eq!(data["learner"], "kim");
        assert_eq!(ProgressDoc::from_data(&data), Ok(doc.clone()));
        assert_eq!(doc.failing().len(), 1);
    }

    #[test]
    fn a_newer_or_broken_document_is_told_apart() {
        let mut data = sample().to_data();
        data.insert(DOC_KEY.into(), "{\"version\": 9}".into());
        assert_eq!(ProgressDoc::from_data(&data), Err(DocError::Newer(9)));
        data.insert(DOC_KEY.into(), "{".into());
        assert!(matches!(
            ProgressDoc::from_data(&data),
            Err(DocError::Broken(_))
        ));
        data.remove(DOC_KEY);
        assert_eq!(ProgressDoc::from_data(&data), Err(DocError::Missing));
    }

    #[test]
    fn the_step_state_reads_as_written() {
        let text = serde_json::to_string(&sample().lessons[0].steps[2]).unwrap_or_default();
        assert!(text.contains("\"state\":\"failing\""), "{text}");
        assert!(text.contains("\"reason\":\"사이드카 없음\""), "{text}");
    }
}
