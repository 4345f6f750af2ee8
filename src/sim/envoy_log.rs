//! Envoy's access-log line in Istio's default text format (`meshConfig.accessLogFile`
//! without `accessLogFormat`):
//! `[START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS DETAILS TERMINATION "TRANSPORT_FAILURE"
//! RX TX DURATION UPSTREAM_TIME "XFF" "USER_AGENT" "REQUEST_ID" "AUTHORITY" "UPSTREAM_HOST"
//! UPSTREAM_CLUSTER UPSTREAM_LOCAL DOWNSTREAM_LOCAL DOWNSTREAM_REMOTE SNI ROUTE`.

use jiff::Timestamp;

/// One request as one proxy saw it. Empty strings print as Envoy's `-`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Envoy's response flags (`NR`, `UH`), empty when none.
    pub flags: String,
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub duration_ms: u64,
    pub user_agent: String,
    pub forwarded_for: String,
    pub request_id: String,
    pub authority: String,
    /// `ip:port` of the upstream the request went to; empty when none was reached.
    pub upstream_host: String,
    /// `outbound|9080||productpage.default.svc.cluster.local`, `inbound|9080||`.
    pub upstream_cluster: String,
    pub upstream_local: String,
    pub downstream_local: String,
    pub downstream_remote: String,
    /// `outbound_.9080_._.productpage.default.svc.cluster.local` on inbound mTLS, else empty.
    pub server_name: String,
    pub route: String,
}

impl Access {
    /// A fresh `x-request-id`, as the first proxy on the path makes one.
    pub fn new_request_id() -> String {
        let n = fastrand::u128(..);
        let hex = format!("{n:032x}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }
}

fn dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

/// The line Envoy writes for `access`, which started at `start`.
pub fn format(start: Timestamp, access: &Access) -> String {
    let time = start.strftime("%Y-%m-%dT%H:%M:%S%.3fZ");
    let reached = !access.upstream_host.is_empty();
    let details = match (reached, access.flags.as_str()) {
        (true, _) => "via_upstream",
        (false, "NR") => "route_not_found",
        (false, "UH") => "no_healthy_upstream",
        (false, _) => "-",
    };
    // Envoy's upstream service time: the duration less its own share, when an upstream answered.
    let upstream_time = if reached {
        access.duration_ms.saturating_sub(1).to_string()
    } else {
        "-".to_string()
    };
    format!(
        "[{time}] \"{} {} HTTP/1.1\" {} {} {details} - \"-\" {} {} {} {upstream_time} \"{}\" \"{}\" \"{}\" \"{}\" \"{}\" {} {} {} {} {} {}",
        access.method,
        access.path,
        access.status,
        dash(&access.flags),
        access.bytes_received,
        access.bytes_sent,
        access.duration_ms,
        dash(&access.forwarded_for),
        dash(&access.user_agent),
        dash(&access.request_id),
        dash(&access.authority),
        dash(&access.upstream_host),
        dash(&access.upstream_cluster),
        dash(&access.upstream_local),
        dash(&access.downstream_local),
        dash(&access.downstream_remote),
        dash(&access.server_name),
        dash(&access.route),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_served_request_reads_like_envoy_s_default_line() {
        let access = Access {
            method: "GET".into(),
            path: "/productpage".into(),
            status: 200,
            bytes_sent: 5293,
            duration_ms: 23,
            user_agent: "curl/8.5.0".into(),
            request_id: "8d5b1d1c-3f4e-4a5b-a6c7-d8e9f0a1b2c3".into(),
            authority: "192.168.1.1:80".into(),
            upstream_host: "10.244.0.12:9080".into(),
            upstream_cluster: "outbound|9080||productpage.default.svc.cluster.local".into(),
            ..Access::default()
        };
        let start: Timestamp = "2026-11-30T06:00:00Z".parse().unwrap();
        let line = format(start, &access);
        assert!(
            line.starts_with(
                "[2026-11-30T06:00:00.000Z] \"GET /productpage HTTP/1.1\" 200 - via_upstream - \"-\" 0 5293 23 22 \"-\" \"curl/8.5.0\" \"8d5b1d1c-3f4e-4a5b-a6c7-d8e9f0a1b2c3\" \"192.168.1.1:80\" \"10.244.0.12:9080\" outbound|9080||productpage.default.svc.cluster.local "
            ),
            "{line}"
        );
        let not_found = Access {
            status: 404,
            flags: "NR".into(),
            ..access.clone()
        };
        let not_found = Access {
            upstream_host: String::new(),
            upstream_cluster: String::new(),
            ..not_found
        };
        let line = format(start, &not_found);
        assert!(
            line.contains("404 NR route_not_found - \"-\" 0 5293 23 - "),
            "{line}"
        );
        let id = Access::new_request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
