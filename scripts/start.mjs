#!/usr/bin/env node
// `npm start`: `hypermesh up` with the given arguments (none: the single-validator
// dev mesh in ./.hypermesh with the dashboard on http://127.0.0.1:8080).
process.argv.splice(2, 0, 'up')
await import('../node-host/bin/hypermesh.mjs')
