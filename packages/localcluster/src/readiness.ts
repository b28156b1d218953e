// Waiting for a control-plane process to become ready, failing fast (with its log) when it exits instead.
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { StartupError } from './errors.js';
import type { ManagedProcess } from './processes.js';

export interface WaitReadyOptions {
  process: ManagedProcess;
  logFile: string;
  timeoutMs: number;
  /** Resolves true when ready; errors count as "not yet". */
  probe: () => Promise<boolean>;
  intervalMs?: number;
}

export async function waitReady(options: WaitReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.process.hasExited()) {
      const exit = await options.process.exited;
      throw new StartupError(
        `${options.process.name} exited during start-up (code ${exit.code ?? '-'}, signal ${exit.signal ?? '-'}); log ${options.logFile}:\n${logTail(options.logFile)}`,
      );
    }
    try {
      if (await options.probe()) return;
    } catch (err) {
      lastError = err;
    }
    await delay(options.intervalMs ?? 50);
  }
  throw new StartupError(
    `${options.process.name} not ready after ${options.timeoutMs} ms; log ${options.logFile}:\n${logTail(options.logFile)}`,
    {
      cause: lastError,
    },
  );
}

export function logTail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
