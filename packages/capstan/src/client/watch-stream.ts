// A streaming watch: one HTTP response, parsed line by line into watch events.
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../structs/objects.js';
import { apiErrorFrom, type StatusLike } from '../structs/errors.js';

/** The type of a watch event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One watch event: its type and the object (or a Status for ERROR). */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  /** What happened to the object. */
  type: WatchEventType;
  /** The object after the event (its last state for DELETED); a BOOKMARK's carries little but metadata.resourceVersion. */
  object: T;
}

/** Parse a watch response body into events; ERROR events become thrown ApiErrors (410 -> GoneError). */
export async function* parseWatchStream<T extends KubeObject>(res: IncomingMessage, target: string): AsyncGenerator<WatchEvent<T>> {
  let buffer = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    buffer += chunk as string;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield toEvent<T>(line, target);
    }
  }
  const rest = buffer.trim();
  if (rest) yield toEvent<T>(rest, target);
}

function toEvent<T extends KubeObject>(line: string, target: string): WatchEvent<T> {
  let event: WatchEvent<T>;
  try {
    event = JSON.parse(line) as WatchEvent<T>;
  } catch (error) {
    // A truncated line means the stream broke mid-event: the caller re-watches from its last version.
    throw apiErrorFrom({ status: 0, reason: 'BadWatchLine', verb: 'watch', target, message: 'unparseable watch line', cause: error });
  }
  if (event.type === 'ERROR') {
    const st = event.object as unknown as StatusLike;
    throw apiErrorFrom({ status: st.code ?? 500, reason: st.reason, message: st.message, verb: 'watch', target });
  }
  return event;
}
