// @capstan/demo: the whole system on a local cluster in one command (`npm run demo`).
export { demoCommand, USAGE, type DemoIo } from './cli.js';
export { runDemo, type DemoOptions, type DemoResult } from './run-demo.js';
export { CHECKS, formatSummary, type CheckResult } from './checks.js';
