/**
 * Sets every entry's modification time in a finished ZIP file (an .xlsx is one) to one date, so the
 * same results give the same bytes: exceljs hands its parts to archiver without a date, and archiver
 * stamps each with the clock. Without this, findings.xlsx's SHA-256 (listed in report.pdf and
 * manifest.json) would change on every render.
 *
 * Only the DOS date and time fields are rewritten, in place, in the central directory and in each
 * local file header it points to (PKWARE APPNOTE.TXT 4.3.7, 4.3.12 and 4.3.16,
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT); memory is the central directory only.
 */
import { open } from 'node:fs/promises';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** End of central directory record: 22 bytes plus a comment of at most 65,535. */
const EOCD_SEARCH = 22 + 0xffff;

/** DOS date and time (2-second resolution, 1980..2107) of `date`'s UTC fields. */
export function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** Rewrites the entry times of the ZIP file at `path`; returns how many entries it set. Throws on a file that is not a plain ZIP. */
export async function setZipEntryTimes(path: string, when: Date): Promise<number> {
  const { time, date } = dosDateTime(when);
  const file = await open(path, 'r+');
  try {
    const size = (await file.stat()).size;
    const tailLength = Math.min(size, EOCD_SEARCH);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${path}: not a ZIP file (no end of central directory record)`);
    const entries = tail.readUInt16LE(eocd + 10);
    const centralSize = tail.readUInt32LE(eocd + 12);
    const centralOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || centralSize === 0xffffffff || centralOffset === 0xffffffff) throw new Error(`${path}: a ZIP64 file (not written here)`);
    const central = Buffer.alloc(centralSize);
    await file.read(central, 0, centralSize, centralOffset);
    const stamp = Buffer.alloc(4);
    stamp.writeUInt16LE(time, 0);
    stamp.writeUInt16LE(date, 2);
    const signature = Buffer.alloc(4);
    let at = 0;
    for (let n = 0; n < entries; n++) {
      if (central.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`${path}: damaged central directory at entry ${n}`);
      stamp.copy(central, at + 12);
      const localOffset = central.readUInt32LE(at + 42);
      await file.read(signature, 0, 4, localOffset);
      if (signature.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new Error(`${path}: entry ${n} points at no local file header`);
      await file.write(stamp, 0, 4, localOffset + 10);
      at += 46 + central.readUInt16LE(at + 28) + central.readUInt16LE(at + 30) + central.readUInt16LE(at + 32);
    }
    await file.write(central, 0, centralSize, centralOffset);
    return entries;
  } finally {
    await file.close();
  }
}
