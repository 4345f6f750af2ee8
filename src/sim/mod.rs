//! The embedded demo cluster: a Kubernetes API subset served on loopback.
// TEMPORARY STUB: replaced by the sim branch.
pub async fn run_standalone(
    _port: u16,
    _out: &std::path::Path,
    _speed: f64,
) -> Result<(), std::io::Error> {
    Ok(())
}
