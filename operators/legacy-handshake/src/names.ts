// The label, annotations and pod condition the operator reads and writes: one place, so docs and code agree.

/** Pods (and Deployments, for the opt-in) carrying this label, with any value, are handshaken. */
export const HANDSHAKE_LABEL = 'secret-handshake';
/** Set to "true" after a successful handshake (the seed's name, kept for compatibility). */
export const DONE_ANNOTATION = 'secret-handshake-done';
/** The summed container restart count the last handshake was made at; a higher count means re-handshake. */
export const RESTART_COUNT_ANNOTATION = 'secret-handshake.pyvo.io/restart-count';
/** Overrides the port the handshake talks to. */
export const PORT_ANNOTATION = 'secret-handshake/port';
/** Readiness gate / pod condition type: True only once the running process has been handshaken. */
export const READINESS_CONDITION = 'secret-handshake.pyvo.io/done';
/** The container port name used when no annotation is given. */
export const HTTP_PORT_NAME = 'http';
/** The port used when neither the annotation nor a port named `http` says otherwise. */
export const DEFAULT_PORT = 3000;
