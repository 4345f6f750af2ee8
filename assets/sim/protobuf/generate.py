#!/usr/bin/env python3
"""Writes messages.json: the protobuf field numbers of the kinds the demo cluster decodes,
read from the k8s-pb crate's generated code (kube-rs's bindings of Kubernetes' .proto
files), with each field's JSON name taken from the served OpenAPI v3 schemas.

Usage: generate.py K8S_PB_SRC_DIR  (e.g. ~/.cargo/registry/src/*/k8s-pb-0.9.0/src)
"""
import glob, gzip, json, os, re, sys

src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
ROOTS = ["api.core.v1.ConfigMap", "api.core.v1.Secret", "api.core.v1.Namespace",
         "api.core.v1.Service", "api.core.v1.ServiceAccount", "api.core.v1.Pod",
         "api.apps.v1.Deployment", "api.apps.v1.ReplicaSet",
         "apimachinery.pkg.apis.meta.v1.Status", "apimachinery.pkg.apis.meta.v1.DeleteOptions"]

schemas = {}
for doc in glob.glob(os.path.join(here, "..", "openapi", "v3-*.json.gz")):
    schemas.update(json.loads(gzip.open(doc).read())["components"]["schemas"])

field_re = re.compile(r'#\[prost\((\w+)(?: = "([^"]+)")?, (?:(optional|repeated), )?tag = "(\d+)"\)\]\s*pub (r#)?(\w+):\s*([^;]+?),\n', re.S)
structs = {}
for path in glob.glob(os.path.join(src, "**", "mod.rs"), recursive=True):
    module = os.path.relpath(os.path.dirname(path), src).replace(os.sep, ".")
    text = open(path).read()
    for m in re.finditer(r'pub struct (\w+) \{(.*?)\n\}', text, re.S):
        fields = []
        for f in field_re.finditer(m.group(2) + "\n"):
            kind, map_types, label, tag, _, name, rust_type = f.groups()
            fields.append((kind, map_types, label, int(tag), name, " ".join(rust_type.split())))
        structs[module + "." + m.group(1)] = (module, fields)

def resolve(module, rust_type):
    """The struct a field's Rust type names, as a key of `structs`."""
    inner = re.sub(r'^(::core::option::Option|::prost::alloc::vec::Vec)<(.*)>$', r'\2', rust_type)
    inner = inner.split(",")[-1].strip().rstrip(">").strip()
    parts = inner.split("::")
    base = module.split(".")
    while parts and parts[0] == "super":
        base = base[:-1]
        parts = parts[1:]
    return ".".join(base + parts)

def schema_key(full):
    return "io.k8s." + full

out, todo = {}, ["" + r for r in ROOTS]
while todo:
    name = todo.pop()
    if name in out or name not in structs:
        continue
    module, fields = structs[name]
    props = schemas.get(schema_key(name), {}).get("properties", {})
    entries = []
    for kind, map_types, label, tag, rust_name, rust_type in fields:
        flat = rust_name.replace("_", "").lower()
        json_name = next((p for p in props if p.lower() == flat), None)
        if json_name is None:
            head, *rest = rust_name.split("_")
            json_name = head + "".join(w.capitalize() for w in rest)
        entry = {"tag": tag, "json": json_name, "type": kind}
        if label == "repeated":
            entry["repeated"] = True
        if kind == "message":
            entry["message"] = resolve(module, rust_type)
            todo.append(entry["message"])
        if kind == "btree_map":
            value = map_types.split(",")[1].strip()
            entry["type"] = "map"
            entry["value"] = value
            if value == "message":
                entry["message"] = resolve(module, rust_type)
                todo.append(entry["message"])
        entries.append(entry)
    out[name] = sorted(entries, key=lambda e: e["tag"])

with open(os.path.join(here, "messages.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
print(len(out), "messages")
