// The kubelet simulator's image registry: image name -> the local command that plays that image.
export interface ImageSpec {
  /** The image's entrypoint on this machine; container `command` replaces it, `args` are appended. */
  command: string[];
  /** Default arguments (the image's CMD), replaced by the container's `args`. */
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /**
   * Images like busybox: the container's `command` is run as a host command (no entrypoint of their own).
   */
  hostCommands?: boolean;
}

export type ImageRegistry = Record<string, ImageSpec>;
