// Validates Kubernetes manifests against the Kubernetes API's JSON schemas, as compiled into the
// kubernetes-models package (ajv validators generated from the API's OpenAPI definitions).
// Usage: node validate.mjs FILE.yaml...   Every document must name an apiVersion and kind that
// the API has. Prints "valid FILE KIND NAME" or "invalid FILE KIND NAME: errors" per document;
// exits 1 when any document is invalid or unknown, 0 when all are valid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

let failures = 0;
for (const file of process.argv.slice(2)) {
  for (const parsed of parseAllDocuments(readFileSync(file, "utf8"))) {
    const doc = parsed.toJS();
    if (doc == null) continue;
    const label = `${file} ${doc.kind} ${doc.metadata?.name ?? "(no name)"}`;
    try {
      // apps/v1 -> kubernetes-models/apps/v1/DaemonSet; v1 (the core group) -> kubernetes-models/v1/Pod
      const model = (await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`))[doc.kind];
      if (typeof model !== "function") throw new Error(`the API has no ${doc.apiVersion} ${doc.kind}`);
      new model(doc).validate();
      console.log(`valid ${label}`);
    } catch (e) {
      failures++;
      const why = e.code === "ERR_MODULE_NOT_FOUND" ? `the API has no ${doc.apiVersion} ${doc.kind}` : e.message;
      console.log(`invalid ${label}: ${why.replace(/\s+/g, " ")}`);
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
