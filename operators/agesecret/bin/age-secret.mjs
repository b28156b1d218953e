#!/usr/bin/env node
// The age-secret CLI: age-encrypted AgeSecret manifests (see `age-secret --help`).
import { launch } from './launch.mjs';

await launch();
