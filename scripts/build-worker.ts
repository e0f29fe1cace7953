import { bundleEntry } from "./bundle";

// `npm run build:worker`: the worker as one ES module for plain node (scripts/bundle.ts says why).
// `npm run worker` builds it first; run it with `node --enable-source-maps` for TypeScript stack
// traces.
console.log(`built ${await bundleEntry("scripts/worker.ts", "dist")}`);
