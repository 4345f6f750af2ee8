//! `curl` inside a Bookinfo container: the flags the guide and its readers use (`-s`, `-S`, `-o`,
//! `-w`, `-v`, `-I`, `-X`, `-H`), the request sent to the mesh, and curl's own output and exit
//! codes (6 no such host, 7 refused, 2 bad usage).

use super::Output;
use super::bookinfo::{Cluster, Reached, call};

#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    silent: bool,
    show_error: bool,
    verbose: bool,
    head: bool,
    discard: bool,
    write_out: Option<String>,
    method: Option<String>,
    url: Option<String>,
}

const TRY_HELP: &str = "curl: try 'curl --help' or 'curl --manual' for more information\n";

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("curl: option {name}: requires parameter\n"))
        };
        match arg.as_str() {
            "--silent" => o.silent = true,
            "--show-error" => o.show_error = true,
            "--verbose" => o.verbose = true,
            "--head" => o.head = true,
            "--output" => {
                value(arg)?;
                o.discard = true;
            }
            "--write-out" => o.write_out = Some(value(arg)?),
            "--request" => o.method = Some(value(arg)?),
            "--header" | "--user-agent" | "--max-time" | "--connect-timeout" => {
                value(arg)?;
            }
            "--location" | "--fail" | "--insecure" => {}
            long if long.starts_with("--") => {
                return Err(format!("curl: option {long}: is unknown\n{TRY_HELP}"));
            }
            short if short.starts_with('-') && short.len() > 1 => {
                let letters: Vec<char> = short[1..].chars().collect();
                for (i, letter) in letters.iter().enumerate() {
                    let rest: String = letters[i + 1..].iter().collect();
                    let takes = matches!(letter, 'o' | 'w' | 'X' | 'H' | 'm' | 'A');
                    if takes {
                        let v = if rest.is_empty() {
                            value(&format!("-{letter}"))?
                        } else {
                            rest
                        };
                        match letter {
                            'o' => o.discard = true,
                            'w' => o.write_out = Some(v),
                            'X' => o.method = Some(v),
                            _ => {}
                        }
                        break;
                    }
                    match letter {
                        's' => o.silent = true,
                        'S' => o.show_error = true,
                        'v' => o.verbose = true,
                        'I' => o.head = true,
                        'L' | 'f' | 'k' => {}
                        other => {
                            return Err(format!("curl: option -{other}: is unknown\n{TRY_HELP}"));
                        }
                    }
                }
            }
            url => o.url = Some(url.to_string()),
        }
    }
    Ok(o)
}

/// Splits `http://host:port/path` (scheme and port optional) into host, port and path.
fn split_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (authority, 80),
    };
    (!host.is_empty()).then(|| (host.to_string(), port, path))
}

/// Runs `curl args…` from a pod in `namespace`.
pub fn run(cluster: &Cluster, namespace: &str, args: &[String]) -> Output {
    let options = match parse(args) {
        Ok(options) => options,
        Err(text) => return Output::fail(2, text),
    };
    let Some(url) = &options.url else {
        return Output::fail(2, format!("curl: no URL specified!\n{TRY_HELP}"));
    };
    let show_errors = !options.silent || options.show_error;
    let error = |code: i32, text: String| {
        Output::fail(code, if show_errors { text } else { String::new() })
    };
    if url.starts_with("https://") {
        let host = url.trim_start_matches("https://");
        return error(35, format!("curl: (35) TLS connect error for {host}\n"));
    }
    let Some((host, port, path)) = split_url(url) else {
        return error(3, "curl: (3) URL rejected: Bad hostname\n".to_string());
    };
    let method = options
        .method
        .clone()
        .unwrap_or_else(|| if options.head { "HEAD" } else { "GET" }.to_string());
    let answer = match call(cluster, namespace, &host, port, &method, &path) {
        Reached::Answer(answer) => answer,
        Reached::UnknownHost => {
            return error(6, format!("curl: (6) Could not resolve host: {host}\n"));
        }
        Reached::Refused => {
            return error(
                7,
                format!(
                    "curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server\n"
                ),
            );
        }
    };
    let reason = http::StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let headers = [
        format!("HTTP/1.1 {} {reason}", answer.status),
        format!("content-type: {}", answer.content_type),
        format!("content-length: {}", answer.body.len()),
        "server: envoy".to_string(),
    ];
    let mut out = Output::default();
    if options.verbose {
        let mut text = format!(
            "* Connected to {host} port {port}\n> {method} {path} HTTP/1.1\n> Host: {host}:{port}\n\
             > User-Agent: curl/8.5.0\n> Accept: */*\n> \n"
        );
        for line in &headers {
            text.push_str(&format!("< {line}\n"));
        }
        text.push_str(&format!("< \n* Connection #0 to host {host} left intact\n"));
        out.stderr.extend_from_slice(text.as_bytes());
    } else if !options.silent {
        let n = answer.body.len();
        out.stderr.extend_from_slice(
            format!(
                "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n\
                 {:>33}Dload  Upload   Total   Spent    Left  Speed\n\
                 100 {n:>5}  100 {n:>5}    0     0   {n:>5}      0 --:--:-- --:--:-- --:--:-- {n:>5}\n",
                ""
            )
            .as_bytes(),
        );
    }
    if !options.discard {
        if options.head {
            for line in &headers {
                out.stdout
                    .extend_from_slice(format!("{line}\r\n").as_bytes());
            }
            out.stdout.extend_from_slice(b"\r\n");
        } else {
            out.stdout.extend_from_slice(&answer.body);
        }
    }
    if let Some(format) = &options.write_out {
        let text = format
            .replace("%{http_code}", &format!("{:03}", answer.status))
            .replace("%{response_code}", &format!("{:03}", answer.status))
            .replace("%{size_download}", &answer.body.len().to_string())
            .replace("\\n", "\n");
        out.stdout.extend_from_slice(text.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split(' ').map(String::from).collect()
    }

    #[test]
    fn flags_combine_as_curl_reads_them() {
        let o = parse(&args(
            "-sS -o /dev/null -w %{http_code} productpage:9080/productpage",
        ))
        .unwrap();
        assert!(o.silent && o.show_error && o.discard);
        assert_eq!(o.write_out.as_deref(), Some("%{http_code}"));
        assert_eq!(o.url.as_deref(), Some("productpage:9080/productpage"));
        let o = parse(&args("-sIXPOST x")).unwrap();
        assert!(o.silent && o.head);
        assert_eq!(o.method.as_deref(), Some("POST"));
        assert!(
            parse(&args("--bogus x"))
                .unwrap_err()
                .contains("is unknown")
        );
        assert!(parse(&args("-Z x")).unwrap_err().contains("-Z: is unknown"));
    }

    #[test]
    fn urls_split_with_or_without_scheme_and_port() {
        assert_eq!(
            split_url("http://reviews.default.svc.cluster.local:9080/reviews/0"),
            Some((
                "reviews.default.svc.cluster.local".into(),
                9080,
                "/reviews/0".into()
            ))
        );
        assert_eq!(
            split_url("details"),
            Some(("details".into(), 80, "/".into()))
        );
        assert_eq!(split_url("details:x/"), None);
    }
}
