/**
 * Writes assets/fonts/shaping-pairs.json: for each embedded font, the pairs of printable ASCII
 * characters that shaping changes (src/report/pdf/shaping.ts). Run it after changing a font file:
 *   npm run build && node dist/scripts/shaping-pairs.js
 * test/report/pdf-shaping.test.ts fails while the file and the fonts disagree.
 */
import { writeFileSync } from 'node:fs';
import { computeShapingPairs, SHAPING_PAIRS_FILE } from '../src/report/pdf/shaping.js';

const pairs = computeShapingPairs();
writeFileSync(SHAPING_PAIRS_FILE, JSON.stringify(pairs) + '\n');
process.stdout.write(`${SHAPING_PAIRS_FILE}: ${Object.entries(pairs.fonts).map(([name, f]) => `${name} ${f.unsafe.length} unsafe pairs`).join(', ')}\n`);
