//! `istio-lab check`: the lessons' step checks evaluated once against a cluster, as lines
//! (✔/✗ and the reason) or as a stable JSON document, and the exit code (0 only when every
//! automatic check passes). Pure: the facts come in, the report goes out.

use serde::Serialize;

use super::Lesson;
use super::check::Check;
use super::steps::{Facts, evaluate};

/// The JSON document's schema name; a change that breaks readers gets a new version.
pub const SCHEMA: &str = "istio-lab.check/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepResult {
    /// The automatic check holds.
    Pass,
    /// The automatic check does not hold (yet); `reason` says why.
    Fail,
    /// No check the command can run: ticked by hand in the app (or the app's own Kiali
    /// forward, which only the running app knows about).
    Manual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// 1-based, as the lesson pane numbers steps.
    pub step: usize,
    pub title: String,
    pub result: StepResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonReport {
    pub lesson: usize,
    pub id: String,
    pub title: String,
    pub steps: Vec<StepReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub namespace: String,
    /// Every automatic check passed.
    pub passed: bool,
    pub lessons: Vec<LessonReport>,
}

/// Evaluates `lessons` against `facts`.
pub fn report(lessons: &[&Lesson], facts: &Facts) -> Report {
    let lessons: Vec<LessonReport> = lessons
        .iter()
        .map(|lesson| LessonReport {
            lesson: lesson.number,
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            steps: lesson
                .steps
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    let (result, reason) = match &step.check {
                        None | Some(Check::PortForward {}) => (StepResult::Manual, None),
                        Some(check) => match evaluate(check, facts) {
                            Ok(()) => (StepResult::Pass, None),
                            Err(why) => (StepResult::Fail, Some(why)),
                        },
                    };
                    StepReport {
                        step: i + 1,
                        title: step.title.clone(),
                        result,
                        reason,
                    }
                })
                .collect(),
        })
        .collect();
    let passed = lessons
        .iter()
        .flat_map(|l| &l.steps)
        .all(|s| s.result != StepResult::Fail);
    Report {
        schema: SCHEMA,
        namespace: facts.lab_namespace.to_string(),
        passed,
        lessons,
    }
}

impl Report {
    /// One line per step: `✔ 3.1 Bookinfo 배포`, `✗ 3.3 … — reason`, `· 1.1 … (직접 확인)`.
    pub fn lines(&self) -> String {
        let mut out = String::new();
        for lesson in &self.lessons {
            out.push_str(&format!("{}. {}\n", lesson.lesson, lesson.title));
            for step in &lesson.steps {
                let head = format!("{}.{} {}", lesson.lesson, step.step, step.title);
                out.push_str(&match (&step.result, &step.reason) {
                    (StepResult::Pass, _) => format!("  ✔ {head}\n"),
                    (StepResult::Fail, Some(why)) => format!("  ✗ {head} — {why}\n"),
                    (StepResult::Fail, None) => format!("  ✗ {head}\n"),
                    (StepResult::Manual, _) => format!("  · {head} (직접 확인하는 단계)\n"),
                });
            }
        }
        let (pass, fail) = self
            .lessons
            .iter()
            .flat_map(|l| &l.steps)
            .fold((0, 0), |(p, f), s| match s.result {
                StepResult::Pass => (p + 1, f),
                StepResult::Fail => (p, f + 1),
                StepResult::Manual => (p, f),
            });
        out.push_str(&format!(
            "네임스페이스 {}: 자동 확인 {}개 중 {pass}개 통과{}\n",
            self.namespace,
            pass + fail,
            if fail == 0 {
                String::new()
            } else {
                format!(", {fail}개 실패")
            }
        ));
        out
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// 0 when every automatic check passes, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.passed)
    }
}
