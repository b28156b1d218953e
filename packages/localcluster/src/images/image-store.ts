// The local image store: an OCI layout the images are built into, and their root filesystems unpacked once per digest.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, type PathEnv } from '../paths.js';
import { findLayoutImage, layoutRefs, type LayoutImage } from './oci-layout.js';

const run = promisify(execFile);

/** Where `capstan-localcluster images build` puts its images, and where the image runtime looks for them. */
export interface ImageStoreDirs {
  /** The OCI layout holding every built image, tagged `name:tag`. */
  layoutDir: string;
  /** Unpacked root filesystems, one folder per manifest digest. */
  unpackDir: string;
}

/** The per-user store: `<cache>/images/oci` and `<cache>/images/rootfs`. */
export function defaultImageStoreDirs(env: PathEnv = process.env): ImageStoreDirs {
  const root = join(cacheRoot(env), 'images');
  return { layoutDir: join(root, 'oci'), unpackDir: join(root, 'rootfs') };
}

/** An image's root filesystem could not be made: umoci failed or is missing. */
export class ImageUnpackError extends Error {
  override name = 'ImageUnpackError';
}

/** Finds images in the layout and unpacks each digest once (concurrent pods of one image share the work). */
export class ImageStore {
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(readonly dirs: ImageStoreDirs) {}

  /** The image a container names, if the store holds it. */
  find(image: string): LayoutImage | undefined {
    return findLayoutImage(this.dirs.layoutDir, image);
  }

  /** Every `name:tag` in the store. */
  refs(): string[] {
    return layoutRefs(this.dirs.layoutDir);
  }

  /** The unpacked root filesystem of an image: shared, never written by containers (their root is read-only or a copy). */
  rootfs(image: LayoutImage): Promise<string> {
    const known = this.unpacking.get(image.digest);
    if (known) return known;
    const promise = this.unpack(image);
    this.unpacking.set(image.digest, promise);
    promise.catch(() => this.unpacking.delete(image.digest));
    return promise;
  }

  private async unpack(image: LayoutImage): Promise<string> {
    const dir = join(this.dirs.unpackDir, image.digest.replace(':', '-'));
    if (existsSync(join(dir, 'rootfs'))) return join(dir, 'rootfs');
    mkdirSync(this.dirs.unpackDir, { recursive: true });
    // Unpacked beside its final place, then renamed: another process unpacking the same digest loses the race harmlessly.
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await run('umoci', ['raw', 'unpack', '--image', `${this.dirs.layoutDir}:${image.ref}`, join(tmp, 'rootfs')], {
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new ImageUnpackError(`unpacking image ${image.ref} (${image.digest}) with umoci failed: ${detail}`, { cause: error });
    }
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // someone else finished first
    }
    return join(dir, 'rootfs');
  }
}
