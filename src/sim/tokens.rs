//! The demo cluster's bearer tokens: new random ones for every run, so a token that leaked
//! from an earlier run (or from this source code) opens nothing.

use std::io::Read;

/// The demo user the generated kubeconfig carries: may do everything.
pub const ADMIN_USER: &str = "istio-lab-demo";
/// A second user that may read but not write, for exercising RBAC refusals with the
/// recorded wording.
pub const VIEWER_USER: &str = "demo-viewer";

/// Random bytes per token: 256 bits, as much as a service account token's signature.
const TOKEN_BYTES: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub admin: String,
    pub viewer: String,
    /// A workshop room's users (`--learners`): token and user name, the instructor first.
    pub room: Vec<(String, &'static str)>,
}

impl std::fmt::Debug for Tokens {
    /// Tokens are credentials: they never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(<redacted>)")
    }
}

impl Tokens {
    /// Two fresh tokens from the operating system's random source.
    pub fn generate() -> std::io::Result<Tokens> {
        Ok(Tokens {
            admin: random_token()?,
            viewer: random_token()?,
            room: Vec::new(),
        })
    }

    /// Adds the instructor and `learners` learners (`learner-01`…), each with a token of
    /// their own. User names are `&'static str` all along the request path; a room's are
    /// made once per run (at most 100), so they are leaked rather than counted.
    pub fn add_room(&mut self, learners: u16) -> std::io::Result<()> {
        let names = std::iter::once(super::room::INSTRUCTOR_USER.to_string())
            .chain((1..=learners).map(super::room::learner_name));
        for name in names {
            let name: &'static str = Box::leak(name.into_boxed_str());
            self.room.push((random_token()?, name));
        }
        Ok(())
    }

    /// The token of a room user.
    pub fn room_token(&self, user: &str) -> Option<&str> {
        self.room
            .iter()
            .find(|(_, name)| *name == user)
            .map(|(token, _)| token.as_str())
    }

    /// The user a bearer token belongs to, compared in constant time so the answer's
    /// timing says nothing about how much of a guess was right.
    pub fn user(&self, presented: &str) -> Option<&'static str> {
        if same(presented, &self.admin) {
            Some(ADMIN_USER)
        } else if same(presented, &self.viewer) {
            Some(VIEWER_USER)
        } else {
            // Every token is compared, so the time taken says nothing about which matched.
            self.room.iter().fold(None, |found, (token, name)| {
                if same(presented, token) {
                    Some(*name)
                } else {
                    found
                }
            })
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 32 bytes from `/dev/urandom`, in hex. A credential needs the OS's cryptographic
/// generator; the crates that wrap it (`getrandom`, `rand`'s `OsRng`) are compiled into
/// this program only as other crates' dependencies, and `/dev/urandom` is that same
/// generator on every Unix the demo runs on. Where it cannot be read, the demo cluster
/// does not start rather than serve with a guessable token.
fn random_token() -> std::io::Result<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_gets_its_own_tokens() {
        let first = Tokens::generate().unwrap();
        let second = Tokens::generate().unwrap();
        assert_eq!(first.admin.len(), 64);
        assert_ne!(first.admin, first.viewer);
        assert_ne!(first.admin, second.admin);
        assert_eq!(first.user(&first.admin), Some(ADMIN_USER));
        assert_eq!(first.user(&first.viewer), Some(VIEWER_USER));
        assert_eq!(first.user(&second.admin), None);
        assert_eq!(first.user(""), None);
        assert_eq!(format!("{first:?}"), "Tokens(<redacted>)");
    }

    #[test]
    fn a_room_has_an_instructor_and_numbered_learners_each_with_a_token() {
        let mut tokens = Tokens::generate().unwrap();
        tokens.add_room(3).unwrap();
        assert_eq!(tokens.room.len(), 4);
        let learner = tokens.room_token("learner-03").unwrap().to_string();
        assert_eq!(tokens.user(&learner), Some("learner-03"));
        let instructor = tokens.room_token("instructor").unwrap().to_string();
        assert_eq!(tokens.user(&instructor), Some("instructor"));
        assert_ne!(learner, instructor);
        assert_eq!(tokens.room_token("learner-04"), None);
    }
}
