#!/usr/bin/env node
// The age-secret CLI as a kubectl plugin: `kubectl age-secret <command>` (kubectl finds kubectl-age_secret on PATH).
import { launch } from './launch.mjs';

await launch();
