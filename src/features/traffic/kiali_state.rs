//! The Kiali forward's state, on its own so the traffic pane's model holds it without
//! depending on the app (the steps that change it are in `kiali`).

/// Where the offered local port is looked for, as `istioctl dashboard` users expect a 80xx.
pub const FIRST_PORT: u16 = 8080;
pub const LAST_PORT: u16 = 8089;

/// The prompt for the local port.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortPrompt {
    /// Digits typed so far.
    pub input: String,
    /// The first free port of 8080–8089, once known; Enter on an empty input takes it.
    pub suggested: Option<u16>,
    /// The runner is still looking for a free port.
    pub looking: bool,
    /// Why the last Enter was not taken.
    pub error: Option<String>,
}

/// The forward itself, kept up while the app runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ForwardState {
    #[default]
    Off,
    Starting {
        port: u16,
    },
    Up {
        port: u16,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KialiView {
    pub prompt: Option<PortPrompt>,
    pub forward: ForwardState,
}

/// The address the learner opens.
pub fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/kiali")
}
