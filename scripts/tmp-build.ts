import { bundleEntry } from "./bundle";
const out = process.argv[2]!;
console.log(await bundleEntry("/work/main/scripts/bench/runtime/switchyard.ts", out));
