/**
 * Output folders checked before any AWS call: `--out`, `--reports-root` (and the report command's
 * --out) must be folders this process can write, or be creatable. A failure is one line naming the
 * path, the uid and what to do, with exit status 73 (sysexits.h EX_CANTCREAT, "cannot create output
 * file"): in a container the likeliest first failure is a /reports bind mount owned by another uid.
 */
import { constants, type Stats } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { OutputError, UsageError } from '../core/errors.js';

/**
 * The one-line refusal. With `owner` (the folder that refused, owned by another uid) it says both
 * ways out: make the folder writable by this uid, or run as its owner (`--user` for docker and
 * podman, AUDIT_UID with the compose file, fsGroup in Kubernetes).
 */
export function cannotWrite(what: string, path: string, problem: string, owner?: Stats): OutputError {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  const who = uid === null ? 'this user' : `uid ${uid}`;
  const fix =
    owner && owner.uid !== uid
      ? `chown it to ${who}, or run as its owner (container: --user ${owner.uid}:${owner.gid}; compose: AUDIT_UID=${owner.uid} AUDIT_GID=${owner.gid})`
      : `give a folder ${who} can write (in a container: mount a volume there that ${who} can write, or run with --user as the owner of the mounted folder)`;
  return new OutputError(`${what} ${path}: cannot write output (${problem}) as ${who}; ${fix}`);
}

/**
 * Resolves `path` and checks it is a folder this process can write, or that its nearest existing
 * ancestor is one (the folder is created later, by the writer). Nothing is created here.
 */
export async function checkWritableFolder(path: string, what: string): Promise<string> {
  const full = resolve(path);
  let probe = full;
  for (;;) {
    const info = await stat(probe).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      if (err.code === 'ENOTDIR') return 'notdir' as const;
      throw cannotWrite(what, full, err.code ?? err.message);
    });
    if (info === 'notdir') throw cannotWrite(what, full, `a part of the path is a file, not a folder`);
    if (info) {
      if (!info.isDirectory()) {
        const kind = info.isFile() ? 'a file' : info.isCharacterDevice() ? 'a device' : 'not a folder';
        throw cannotWrite(what, full, probe === full ? `it is ${kind}, not a folder` : `${probe} is ${kind}, not a folder`);
      }
      try {
        await access(probe, constants.W_OK | constants.X_OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const where = probe === full ? '' : `${probe}: `;
        if (code === 'EACCES') throw cannotWrite(what, full, `${where}owned by uid ${info.uid}, mode ${(info.mode & 0o7777).toString(8).padStart(4, '0')}: permission denied`, info);
        throw cannotWrite(what, full, `${where}${code === 'EROFS' ? 'read-only file system' : (code ?? (err as Error).message)}`);
      }
      return full;
    }
    const parent = dirname(probe);
    if (parent === probe) return full;
    probe = parent;
  }
}

/** `<root>/latest` must be the symlink this tool makes (or absent): anything else there would break every run's end. */
export async function checkLatestPointer(root: string, what = '--reports-root'): Promise<void> {
  const path = join(resolve(root), 'latest');
  const info = await lstat(path).catch(() => null);
  if (info && !info.isSymbolicLink()) {
    throw new UsageError(`${what}: ${path} is a ${info.isDirectory() ? 'folder' : 'file'}, not the "latest" symlink this tool keeps there; move it out of the reports root`);
  }
}
