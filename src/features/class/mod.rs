//! The workshop: learners' progress published into their lab namespaces, and the instructor's
//! class view (`istio-lab class`) fed by one watch on those ConfigMaps, with the lead lesson.

pub mod doc;
pub mod effects;
pub mod learner;
pub mod learner_effects;
pub mod learner_state;
pub mod model;
pub mod publish;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

pub use doc::{LeadDoc, ProgressDoc, StepState};
pub use model::{ClassModel, Learner, Sort, Watching};
pub use update::{ClassEffect, ClassMsg, update};
