//! `$setElementOrder/<list>`: the order kubectl wants for a merged list, with elements only
//! the server knows (an injected sidecar) kept where they were, as apimachinery's
//! `normalizeElementOrder` and `mergeSortedSlice` place them.

use serde_json::Value;

fn same(a: &Value, b: &Value, key: Option<&str>) -> bool {
    match key {
        Some(key) => a.get(key).is_some() && a.get(key) == b.get(key),
        None => a == b,
    }
}

fn index(list: &[Value], item: &Value, key: Option<&str>) -> Option<usize> {
    list.iter().position(|x| same(x, item, key))
}

/// Reorders `items` (the merged list): the elements named in `order` come in that order;
/// the others keep their places relative to `original` (the list before the patch).
pub fn apply(items: &mut Vec<Value>, order: &[Value], original: &[Value], key: Option<&str>) {
    let mut patched: Vec<Value> = Vec::new();
    let mut server_only: Vec<Value> = Vec::new();
    for item in items.drain(..) {
        if index(order, &item, key).is_some() {
            patched.push(item);
        } else {
            server_only.push(item);
        }
    }
    patched.sort_by_key(|item| index(order, item, key).unwrap_or(usize::MAX));
    server_only.sort_by_key(|item| index(original, item, key).unwrap_or(usize::MAX));
    let (mut i, mut j) = (0, 0);
    while i < server_only.len() || j < patched.len() {
        let take_left = if i >= server_only.len() {
            false
        } else if j >= patched.len() {
            true
        } else {
            // Both known to the server: the one that came first there goes first.
            match (
                index(original, &server_only[i], key),
                index(original, &patched[j], key),
            ) {
                (Some(l), Some(r)) => l < r,
                _ => false,
            }
        };
        if take_left {
            items.push(server_only[i].clone());
            i += 1;
        } else {
            items.push(patched[j].clone());
            j += 1;
        }
    }
}
