//! Protobuf bodies kubectl sent to a real apiserver, decoded into the JSON kubectl builds.

use serde_json::{Value, json};

use super::*;

fn recorded(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/k8s/kubectl/configmap-secret/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The request body's bytes and the JSON twin the recording gives for them. Go prints a
/// zero `creationTimestamp` as null; the decoded object leaves it out.
fn body_and_twin(name: &str) -> (Vec<u8>, Value) {
    let exchange = recorded(name);
    let request = &exchange["request"];
    let bytes = STANDARD
        .decode(request["body_base64"].as_str().unwrap())
        .unwrap();
    let mut twin = request["body_json_equivalent"].clone();
    if let Some(meta) = twin["metadata"].as_object_mut() {
        meta.remove("creationTimestamp");
    }
    (bytes, twin)
}

#[test]
fn recorded_configmap_and_secret_bodies_decode_to_their_json() {
    for name in [
        "01-create-configmap-istio-lab-progress.json",
        "04-create-secret-generic-s.json",
    ] {
        let (bytes, twin) = body_and_twin(name);
        assert_eq!(decode(&bytes).unwrap(), twin, "{name}");
    }
}

#[test]
fn recorded_responses_decode_with_times_and_managed_fields() {
    let exchange = recorded("01-create-configmap-istio-lab-progress.json");
    let response = &exchange["response"];
    let bytes = STANDARD
        .decode(response["body_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(decode(&bytes).unwrap(), response["body_json_equivalent"]);
}

#[test]
fn broken_bodies_are_refused_not_panicked_on() {
    let (bytes, _) = body_and_twin("04-create-secret-generic-s.json");
    assert!(
        decode(b"{\"kind\": \"Secret\"}")
            .unwrap_err()
            .contains("expected prefix")
    );
    for cut in [5, 10, 20, bytes.len() - 3] {
        assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut wrong_kind = b"k8s\0".to_vec();
    // runtime.Unknown{typeMeta{apiVersion "v1", kind "Nope"}}
    wrong_kind.extend([
        0x0a, 0x0a, 0x0a, 0x02, b'v', b'1', 0x12, 0x04, b'N', b'o', b'p', b'e',
    ]);
    assert_eq!(
        decode(&wrong_kind).unwrap_err(),
        "no kind \"Nope\" is registered for version \"v1\""
    );
}

#[test]
fn int_or_string_and_quantities_read_as_json_does() {
    // IntOrString{type: 1, strVal: "http"} and {intVal: 8080}.
    assert_eq!(
        int_or_string(&[0x08, 0x01, 0x1a, 0x04, b'h', b't', b't', b'p']).unwrap(),
        json!("http")
    );
    assert_eq!(int_or_string(&[0x10, 0x90, 0x3f]).unwrap(), json!(8080));
    assert_eq!(
        message_value(
            "apimachinery.pkg.api.resource.Quantity",
            &[0x0a, 0x03, b'1', b'0', b'0']
        )
        .unwrap(),
        json!("100")
    );
    assert_eq!(time(&[]).unwrap(), Value::Null);
    assert_eq!(
        time(&[0x08, 0x82, 0xbd, 0xb3, 0xd8, 0x06]).unwrap(),
        json!("2026-11-30T02:25:06Z")
    );
}
