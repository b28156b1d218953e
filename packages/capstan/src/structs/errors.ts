// The typed error hierarchy of capstan: API errors (by HTTP status) and handler outcomes.

/** Base of every error capstan raises itself. */
export class CapstanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What the API server said, without any object body (bodies may hold Secrets). */
export interface ApiErrorDetails {
  status: number;
  reason?: string;
  verb?: string;
  /** `group/version/plural[/namespace/name]`: never the object's content. */
  target?: string;
  cause?: unknown;
}

/** An error response from the Kubernetes API (a `Status` object) or a transport failure. */
export class ApiError extends CapstanError {
  readonly status: number;
  readonly reason: string | undefined;
  readonly verb: string | undefined;
  readonly target: string | undefined;
  constructor(message: string, details: ApiErrorDetails) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.reason = details.reason;
    this.verb = details.verb;
    this.target = details.target;
  }
}

export class BadRequestError extends ApiError {}
export class UnauthorizedError extends ApiError {}
export class ForbiddenError extends ApiError {}
export class NotFoundError extends ApiError {}
/** 409: a stale resourceVersion, or (reason `AlreadyExists`) a create of an existing name. */
export class ConflictError extends ApiError {}
/** 410: the requested resourceVersion was compacted away; re-list. */
export class GoneError extends ApiError {}
/** 422: validation failed, including a failed JSON Patch `test` operation. */
export class InvalidError extends ApiError {}
export class TooManyRequestsError extends ApiError {}
/** 504 or a client-side timeout. */
export class TimeoutError extends ApiError {}
export class ServerError extends ApiError {}
/** The connection itself failed (refused, reset, TLS): status 0. */
export class ConnectionError extends ApiError {}

const byStatus: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  410: GoneError,
  422: InvalidError,
  429: TooManyRequestsError,
  504: TimeoutError,
};

/** A Kubernetes `Status` as returned in error bodies (only the fields we trust to carry no object data). */
export interface StatusLike {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** Build the right ApiError subclass for an HTTP status and an optional `Status` body. */
export function apiErrorFrom(details: ApiErrorDetails & { message?: string }): ApiError {
  const Cls = byStatus[details.status] ?? (details.status === 0 ? ConnectionError : details.status >= 500 ? ServerError : ApiError);
  const what = [details.verb, details.target].filter(Boolean).join(' ');
  // The server's message names the object and the failing field but not its value, except for
  // validation errors which may echo values: keep those short and never include a request body.
  const text = details.message ? `: ${truncate(details.message, 300)}` : '';
  return new Cls(
    `${what || 'request'} failed with ${details.status || 'no response'}${details.reason ? ` ${details.reason}` : ''}${text}`,
    details,
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

/** Retry this handler later (after `delayMs` if given). */
export class TemporaryError extends CapstanError {
  readonly delayMs: number | undefined;
  constructor(message: string, options?: { delayMs?: number; cause?: unknown }) {
    super(message, options);
    this.delayMs = options?.delayMs;
  }
}

/** Stop retrying this change: the handler failed for good (until the object changes again). */
export class PermanentError extends CapstanError {}

/** A handler ran longer than its `timeoutMs`. Treated as temporary. */
export class HandlerTimeoutError extends TemporaryError {}

/** Bad settings or registrations given to capstan. */
export class ConfigurationError extends CapstanError {}

/**
 * An admission handler's refusal: the API server rejects the request with this message (shown to the person
 * running kubectl), the HTTP `code` (default 400, or 403 for policy refusals) and an optional `reason`.
 * Never put a Secret's value in the message.
 */
export class AdmissionError extends CapstanError {
  readonly code: number;
  readonly reason: string | undefined;
  constructor(message: string, options: { code?: number; reason?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? 400;
    this.reason = options.reason;
  }
}
