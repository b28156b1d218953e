// Process entry of `npm run demo`.
import { demoCommand } from './cli.js';

process.exitCode = await demoCommand(process.argv.slice(2));
