#!/usr/bin/env node
// CommonJS, so a tool call loads one bundled file (dist/main.cjs) without the
// ESM loader; everything else is imported from dist/ on demand.
require("../dist/main.cjs").main(process.argv.slice(2));
