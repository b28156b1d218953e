#!/usr/bin/env node
// The AgeSecret operator process (`agesecret-operator --help`): what the image runs, runnable from the package too.
import { launch } from './launch.mjs';

await launch('main');
