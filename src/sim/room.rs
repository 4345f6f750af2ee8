//! One demo cluster for a workshop room (`istio-lab sim --learners N`): a namespace and a
//! user per learner, an instructor, and what each may do, as the RBAC a real cluster would
//! be given for a workshop (`assets/workshop/learner-rbac.yaml`) allows it.

/// The instructor's user: may do everything, like the demo's own user.
pub const INSTRUCTOR_USER: &str = "instructor";
/// The most learners one demo cluster serves (two digits in their names).
pub const MAX_LEARNERS: u16 = 99;

/// Writes one kubeconfig per room user into `dir/room/` (0600 files in a 0700 folder):
/// `instructor.kubeconfig`, `learner-01.kubeconfig`… Returns the folder.
pub fn write_kubeconfigs(
    handle: &super::SimHandle,
    dir: &std::path::Path,
    force: bool,
) -> Result<std::path::PathBuf, super::SimError> {
    let folder = dir.join("room");
    std::fs::create_dir_all(&folder).map_err(|source| super::SimError::Kubeconfig {
        path: folder.display().to_string(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700));
    }
    for user in handle.room_users() {
        if let Some(text) = handle.room_kubeconfig(user) {
            super::kubeconfig::write(&folder.join(format!("{user}.kubeconfig")), &text, force)?;
        }
    }
    Ok(folder)
}

/// `learner-07` for 7: the user's name and their namespace's.
pub fn learner_name(n: u16) -> String {
    format!("learner-{n:02}")
}

/// The lab namespace of a learner user, `None` for anyone else.
pub fn learner_namespace(user: &str) -> Option<&str> {
    let number = user.strip_prefix("learner-")?;
    (number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit())).then_some(user)
}

/// Whether `user` may `verb` the `resource` (plural) named `name` in `namespace` (empty for
/// cluster-scoped resources). Users that are not learners are not limited here (the admin,
/// the instructor; the read-only viewer is checked elsewhere).
///
/// A learner, like the workshop Role and ClusterRole allow:
/// - everything in their own namespace;
/// - reading istio-system (the gateway's Service and pods, kiali);
/// - reading their own Namespace object (its injection label), by name;
/// - nothing else: other learners' namespaces and cluster-wide lists are refused.
pub fn may(user: &str, verb: &str, resource: &str, name: Option<&str>, namespace: &str) -> bool {
    let Some(own) = learner_namespace(user) else {
        return true;
    };
    let reads = matches!(verb, "get" | "list" | "watch");
    match namespace {
        ns if ns == own => true,
        "istio-system" => reads,
        "" => resource == "namespaces" && verb == "get" && name == Some(own),
        _ => false,
    }
}

/// The namespace of a service-proxy or log path that `user` may not reach, if any.
pub fn refused_path<'a>(user: &str, path: &'a str) -> Option<&'a str> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let (namespace, rest) = rest.split_once('/')?;
    let reaching = rest.starts_with("services/") && rest.contains("/proxy")
        || rest.starts_with("pods/") && rest.ends_with("/log");
    (reaching && !may(user, "get", "services", None, namespace)).then_some(namespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learners_are_numbered_with_two_digits() {
        assert_eq!(learner_name(7), "learner-07");
        assert_eq!(learner_namespace("learner-07"), Some("learner-07"));
        assert_eq!(learner_namespace("learner-7"), None);
        assert_eq!(learner_namespace("instructor"), None);
        assert_eq!(learner_namespace("learner-0x"), None);
    }

    #[test]
    fn a_learner_writes_only_in_their_namespace_and_reads_istio_system() {
        let me = "learner-07";
        assert!(may(me, "create", "pods", None, "learner-07"));
        assert!(may(
            me,
            "delete",
            "virtualservices",
            Some("reviews"),
            "learner-07"
        ));
        assert!(may(me, "list", "pods", None, "istio-system"));
        assert!(!may(me, "delete", "pods", Some("istiod-1"), "istio-system"));
        assert!(!may(me, "list", "pods", None, "learner-08"));
        assert!(!may(me, "get", "pods", Some("x"), "default"));
        assert!(!may(me, "list", "pods", None, ""), "no cluster-wide lists");
        assert!(may(me, "get", "namespaces", Some("learner-07"), ""));
        assert!(!may(me, "get", "namespaces", Some("learner-08"), ""));
        assert!(!may(me, "delete", "namespaces", Some("learner-07"), ""));
    }

    #[test]
    fn a_learner_reaches_services_and_logs_of_their_own_namespace_only() {
        let me = "learner-07";
        let proxy = "/api/v1/namespaces/learner-08/services/productpage:9080/proxy/productpage";
        assert_eq!(refused_path(me, proxy), Some("learner-08"));
        assert_eq!(
            refused_path(me, &proxy.replace("learner-08", "learner-07")),
            None
        );
        assert_eq!(
            refused_path(me, "/api/v1/namespaces/default/pods/p/log"),
            Some("default")
        );
        assert_eq!(
            refused_path(
                me,
                "/api/v1/namespaces/istio-system/services/kiali:20001/proxy/"
            ),
            None
        );
        assert_eq!(refused_path("instructor", proxy), None);
        assert_eq!(
            refused_path(me, "/api/v1/namespaces/learner-08/pods"),
            None,
            "not a proxy"
        );
    }

    #[test]
    fn the_instructor_and_the_demo_user_may_do_everything() {
        for user in [INSTRUCTOR_USER, "istio-lab-demo"] {
            assert!(may(user, "delete", "namespaces", Some("learner-08"), ""));
            assert!(may(user, "list", "configmaps", None, ""));
        }
    }
}
