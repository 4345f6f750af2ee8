//! Where the presenter is, as one JSON line on the notes socket.

use serde::{Deserialize, Serialize};

/// The presenter's lesson (0-based index into the lessons) and step (0-based, `None` before
/// the first step is reached), and when the presentation started (Unix seconds), so the
/// follower's clock counts from the presenter's start even if it joins later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub lesson: usize,
    pub step: Option<usize>,
    pub started: i64,
}

impl Position {
    pub fn to_line(self) -> String {
        let mut line = serde_json::to_string(&self).unwrap_or_default();
        line.push('\n');
        line
    }

    /// `None` for a line that is not a position (a newer or broken presenter): the follower
    /// keeps what it had rather than jumping.
    pub fn from_line(line: &str) -> Option<Position> {
        serde_json::from_str(line.trim()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_survives_its_line() {
        let p = Position {
            lesson: 6,
            step: Some(2),
            started: 1_790_000_000,
        };
        assert!(p.to_line().ends_with('\n'));
        assert_eq!(Position::from_line(&p.to_line()), Some(p));
        assert_eq!(Position::from_line("{\"lesson\":\"x\"}"), None);
        assert_eq!(Position::from_line(""), None);
    }
}
