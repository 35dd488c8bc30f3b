/**
 * The one atomic writer (src/io/files.ts): a reader finds the old file or the new one, never half of
 * one. commit() renames, abort() leaves nothing behind, an error removes the temporary file, and a
 * process killed mid-write leaves the old file in place and only a temporary name beside it (which
 * the run folder counts as the tool's own: src/io/run-folder.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { AtomicFile, copyFileAtomic, symlinkAtomic, TEMP_NAME, tempPath, writeFileAtomic } from '../../src/io/files.js';
import { packageRoot } from '../../src/io/paths.js';
import { isOwnFileName } from '../../src/io/run-folder.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kra-files-'));
}

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary name', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('sets the mode even under a narrowing umask, and fsyncs when asked', async () => {
    const dir = await tempDir();
    const path = join(dir, 'run.sh');
    const umask = process.umask(0o077);
    try {
      await writeFileAtomic(path, '#!/bin/sh\n', { mode: 0o755, fsync: true });
    } finally {
      process.umask(umask);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o755);
    expect(await readFile(path, 'utf8')).toBe('#!/bin/sh\n');
  });

  it('on a failed rename removes the temporary file and leaves the target alone', async () => {
    const dir = await tempDir();
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'kept');
    await expect(writeFileAtomic(path, 'new')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['taken']);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('kept');
  });
});

describe('copyFileAtomic and symlinkAtomic', () => {
  it('copies over the target', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'from'), 'copied');
    await writeFile(join(dir, 'to'), 'old');
    await copyFileAtomic(join(dir, 'from'), join(dir, 'to'));
    expect(await readFile(join(dir, 'to'), 'utf8')).toBe('copied');
    expect((await readdir(dir)).sort()).toEqual(['from', 'to']);
  });

  it('moves a symbolic link in one step, under a hidden temporary name', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'run-1'));
    await mkdir(join(dir, 'run-2'));
    await symlinkAtomic('run-1', join(dir, 'latest'));
    await symlinkAtomic('run-2', join(dir, 'latest'));
    expect(await readlink(join(dir, 'latest'))).toBe('run-2');
    expect((await readdir(dir)).sort()).toEqual(['latest', 'run-1', 'run-2']);
  });
});

describe('AtomicFile', () => {
  it('commit renames the finished file into place', async () => {
    const dir = await tempDir();
    const path = join(dir, 'out.csv');
    await writeFile(path, 'old');
    const file = AtomicFile.open(path, { encoding: 'utf8' });
    await file.write('a,b\r\n');
    file.stream.end('1,2\r\n');
    expect(await readFile(path, 'utf8')).toBe('old'); // untouched until commit
    await file.commit();
    expect(await readFile(path, 'utf8')).toBe('a,b\r\n1,2\r\n');
    expect(await readdir(dir)).toEqual(['out.csv']);
    await file.abort(); // nothing to do after commit
    expect(await readFile(path, 'utf8')).toBe('a,b\r\n1,2\r\n');
    await expect(file.commit()).rejects.toThrow(/commit after commit/);
  });

  it('commit waits for a pipeline into the stream and runs beforeRename on the finished temporary file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'part.json');
    const file = AtomicFile.open(path);
    await pipeline(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), file.stream);
    let seen = '';
    await file.commit(async (tmp) => {
      seen = await readFile(tmp, 'utf8');
    });
    expect(seen).toBe('{"a":1}');
    expect(await readFile(path, 'utf8')).toBe('{"a":1}');
  });

  it('abort leaves nothing: no target, no temporary file (also right after open)', async () => {
    const dir = await tempDir();
    const written = AtomicFile.open(join(dir, 'a.html'));
    await written.write('<!DOCTYPE html>');
    await written.abort();
    await written.abort(); // twice is harmless
    const unopened = AtomicFile.open(join(dir, 'b.html'));
    await unopened.abort();
    expect(await readdir(dir)).toEqual([]);
    await expect(written.commit()).rejects.toThrow(/commit after abort/);
  });

  it('abort keeps the old file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'report.pdf');
    await writeFile(path, 'old');
    const file = AtomicFile.open(path);
    await file.write(Buffer.alloc(1 << 20, 1));
    await file.abort();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['report.pdf']);
  });

  it('a failure before the rename removes the temporary file and keeps the old one', async () => {
    const dir = await tempDir();
    const path = join(dir, 'findings.xlsx');
    await writeFile(path, 'old');
    const file = AtomicFile.open(path);
    file.stream.end('zip');
    await expect(file.commit(async () => Promise.reject(new Error('zip times failed')))).rejects.toThrow('zip times failed');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['findings.xlsx']);
  });

  it('a process killed mid-write leaves the old file, and only a temporary name the run folder counts as its own', async () => {
    const dir = await tempDir();
    const path = join(dir, 'results.json');
    await writeFile(path, 'old');
    const script = `import { AtomicFile } from ${JSON.stringify(join(packageRoot, 'dist/src/io/files.js'))};
      const file = AtomicFile.open(process.argv[1]);
      // The write's callback: the bytes are in the temporary file when the process dies.
      await new Promise((resolve, reject) => file.stream.write('{"format":"kms-rotation-audit/results",', (err) => (err ? reject(err) : resolve())));
      process.kill(process.pid, 'SIGKILL');`;
    const pid = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, path], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(child.pid!) : reject(new Error(`child exited without the kill (${signal})`))));
    });
    expect(await readFile(path, 'utf8')).toBe('old');
    const left = (await readdir(dir)).filter((name) => name !== 'results.json');
    expect(left).toEqual([`results.json.tmp-${pid}`]);
    expect(await readFile(join(dir, left[0]!), 'utf8')).toBe('{"format":"kms-rotation-audit/results",');
    expect(TEMP_NAME.test(left[0]!) && isOwnFileName(left[0]!)).toBe(true);
  });

  it('names its temporary file <path>.tmp-<pid>', () => {
    expect(tempPath('/r/findings.csv')).toBe(`/r/findings.csv.tmp-${process.pid}`);
    expect(TEMP_NAME.test(`findings.csv.tmp-${process.pid}`)).toBe(true);
  });
});
