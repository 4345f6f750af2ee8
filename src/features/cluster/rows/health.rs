//! The colour class of a table row, derived from the kubectl STATUS text.

/// How a row should be coloured in the cluster tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    /// Running with every container ready, or a service with an address.
    Good,
    /// On its way: scheduling, pulling, initialising, not yet ready, or an address pending.
    Progressing,
    /// Failing: back-offs, errors, evictions, lost nodes.
    Bad,
    /// Finished successfully (kubectl's `Completed`).
    Done,
    /// Being deleted.
    Terminating,
}

/// Reasons that mean "wait a little": they resolve by themselves on a healthy cluster.
const PROGRESSING_REASONS: &[&str] = &[
    "Pending",
    "ContainerCreating",
    "PodInitializing",
    "SchedulingGated",
    "NotReady",
];

/// Classifies a pod from its kubectl STATUS text and READY counts.
pub fn pod_health(status: &str, ready: (u32, u32), deleting: bool) -> Health {
    if status == "Terminating" || (deleting && status != "Unknown") {
        return Health::Terminating;
    }
    match status {
        "Running" if ready.0 == ready.1 => Health::Good,
        "Running" => Health::Progressing,
        "Completed" | "Succeeded" => Health::Done,
        _ if PROGRESSING_REASONS.contains(&status) => Health::Progressing,
        _ => match status.strip_prefix("Init:") {
            Some(rest) if is_init_progress(rest) || PROGRESSING_REASONS.contains(&rest) => {
                Health::Progressing
            }
            _ => Health::Bad,
        },
    }
}

/// `Init:0/1` style progress counters.
fn is_init_progress(rest: &str) -> bool {
    rest.split_once('/').is_some_and(|(done, total)| {
        !done.is_empty()
            && !total.is_empty()
            && done.bytes().all(|b| b.is_ascii_digit())
            && total.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_kubectl_statuses() {
        let cases: &[(&str, (u32, u32), bool, Health)] = &[
            ("Running", (2, 2), false, Health::Good),
            ("Running", (1, 2), false, Health::Progressing),
            ("Completed", (0, 1), false, Health::Done),
            ("Pending", (0, 1), false, Health::Progressing),
            ("ContainerCreating", (0, 2), false, Health::Progressing),
            ("PodInitializing", (0, 2), false, Health::Progressing),
            ("Init:0/1", (0, 2), false, Health::Progressing),
            ("Init:12/30", (0, 2), false, Health::Progressing),
            ("Init:CrashLoopBackOff", (0, 2), false, Health::Bad),
            ("Init:Error", (0, 2), false, Health::Bad),
            ("Init:/1", (0, 2), false, Health::Bad),
            ("CrashLoopBackOff", (1, 2), false, Health::Bad),
            ("ImagePullBackOff", (0, 1), false, Health::Bad),
            ("ErrImagePull", (0, 1), false, Health::Bad),
            ("OOMKilled", (0, 1), false, Health::Bad),
            ("Error", (0, 1), false, Health::Bad),
            ("ExitCode:3", (0, 1), false, Health::Bad),
            ("Evicted", (0, 1), false, Health::Bad),
            ("Terminating", (2, 2), true, Health::Terminating),
            ("Completed", (0, 1), true, Health::Terminating),
            ("Unknown", (2, 2), true, Health::Bad),
        ];
        for (status, ready, deleting, want) in cases {
            assert_eq!(
                pod_health(status, *ready, *deleting),
                *want,
                "status {status} ready {ready:?} deleting {deleting}"
            );
        }
    }
}
