/**
 * Report branding and wording from templates/report/ (branding.yaml, text.yaml, the logo), validated on
 * load so a compliance team's edit fails with the file and key named rather than a broken PDF.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { parseWith, readDataFile } from '../frameworks/read.js';
import { templatesDir as rootTemplatesDir } from '../io/paths.js';

export const defaultReportTemplatesDir = join(rootTemplatesDir, 'report');

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour like "#1F4E79"');
const line = z.string().trim().min(1, 'expected a non-empty string').max(200, 'expected at most 200 characters');

const BrandingSchema = z.strictObject({
  companyName: line,
  reportTitle: line,
  reportSubtitle: line,
  classification: z.string().trim().max(60, 'expected at most 60 characters'),
  classificationColor: colour,
  logo: z.string(),
  accentColor: colour,
  preparedBy: line,
  distribution: line,
  // none: the snapshot only (snapshot is its former name); month / quarter: also the runs of that period.
  reportingPeriod: z.enum(['none', 'month', 'quarter', 'snapshot']),
  maxDetailRows: z.number().int().min(10).max(50_000),
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a language tag like "en-GB"'),
});
export type Branding = z.infer<typeof BrandingSchema> & { logoImage: Buffer | null };

const Block = z.union([
  z.strictObject({ p: z.string().min(1) }),
  z.strictObject({ h: z.string().min(1) }),
  z.strictObject({ note: z.string().min(1) }),
  z.strictObject({ code: z.string().min(1) }),
  z.strictObject({ bullets: z.array(z.string().min(1)).min(1) }),
]);
export type Block = z.infer<typeof Block>;
const Blocks = z.array(Block);

const TextSchema = z.strictObject({
  cover: Blocks,
  pointInTime: Blocks,
  signOff: Blocks,
  summary: Blocks,
  frameworks: Blocks,
  findings: Blocks,
  exceptions: Blocks,
  coverage: Blocks,
  population: Blocks,
  methodology: Blocks,
  remediation: Blocks,
  integrity: Blocks,
});
export type ReportText = z.infer<typeof TextSchema>;

export const PLACEHOLDERS = ['companyName', 'ruleId', 'maxRotationDays', 'detailRows', 'toolName', 'toolVersion', 'scanId', 'roleName'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

export interface ReportTemplates {
  dir: string;
  branding: Branding;
  text: ReportText;
}

export async function loadReportTemplates(dir: string = defaultReportTemplatesDir): Promise<ReportTemplates> {
  const brandingFile = join(dir, 'branding.yaml');
  const textFile = join(dir, 'text.yaml');
  const branding = parseWith(BrandingSchema, await readDataFile(brandingFile), brandingFile);
  const text = parseWith(TextSchema, await readDataFile(textFile), textFile);
  checkPlaceholders(text, textFile);
  return { dir, branding: { ...branding, logoImage: await readLogo(dir, branding.logo, brandingFile) }, text };
}

async function readLogo(dir: string, logo: string, brandingFile: string): Promise<Buffer | null> {
  if (!logo.trim()) return null;
  const ext = extname(logo).toLowerCase();
  if (!['.png', '.jpg', '.jpeg'].includes(ext)) throw new UsageError(`${brandingFile}: logo: expected a .png or .jpg file (PDF cannot embed "${ext || logo}"), got "${logo}"`);
  try {
    const image = await readFile(join(dir, logo));
    const png = image.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    const jpeg = image[0] === 0xff && image[1] === 0xd8;
    if (!png && !jpeg) throw new UsageError(`${brandingFile}: logo: "${logo}" is not a PNG or JPEG image`);
    return image;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${brandingFile}: logo: cannot read "${join(dir, logo)}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function checkPlaceholders(text: ReportText, file: string): void {
  for (const [section, blocks] of Object.entries(text)) {
    blocks.forEach((block, i) => {
      for (const value of Object.values(block).flat()) {
        for (const m of value.matchAll(PLACEHOLDER)) {
          if (!(PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')) {
            throw new UsageError(`${file}: ${section}[${i}]: unknown placeholder {${m[1]}} (expected one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
          }
        }
      }
    });
  }
}

export function fillPlaceholders(value: string, values: Record<Placeholder, string>): string {
  return value.replace(PLACEHOLDER, (whole, name: string) => (name in values ? values[name as Placeholder] : whole));
}
