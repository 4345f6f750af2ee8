#!/bin/sh
# Removes Bookinfo and the guide's routing objects, as Istio's samples/bookinfo/platform/kube/
# cleanup.sh does. Written for the demo: it asks no question, and without NAMESPACE it works
# in the kubeconfig context's namespace (a workshop learner's own), which kubectl picks when
# no -n is given.
SCRIPTDIR=$(dirname "$0")
if [ -n "${NAMESPACE}" ]; then
  set -- -n "${NAMESPACE}"
  echo "using NAMESPACE=${NAMESPACE}"
fi
for kind in destinationrules virtualservices gateways; do
  for resource in $(kubectl get "$@" "$kind" -o name); do
    kubectl delete "$@" "$resource"
  done
done
echo "Application cleanup may take up to one minute"
OUTPUT=$(kubectl delete "$@" -f "$SCRIPTDIR/bookinfo.yaml" 2>&1)
ret=$?
echo "$OUTPUT"
# A second run finds nothing to delete; that is not a failure.
if [ "$ret" -ne 0 ] && echo "$OUTPUT" | grep -v NotFound | grep -q .; then
  exit "$ret"
fi
echo "Application cleanup successful"
