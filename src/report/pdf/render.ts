/**
 * report.pdf: PDF/A-3b identification, tagged, embedded Noto Sans fonts only (SIL OFL), findings.csv and
 * coverage.csv as associated files, a printed table of contents, "Page X of Y" footers, and on every page
 * a "not evidence" stamp when the data came from an endpoint that is not AWS. Deterministic: dates come from the results (header.finishedAt), the
 * document id derives from them, nothing reads the clock, so the same results give the same bytes.
 */
import PDFDocument from 'pdfkit';
import { AtomicFile } from '../../io/files.js';
import { metadataText } from '../../core/text.js';
import { Pdf } from './layout.js';
import { composeSimpleWords } from './shaping.js';
import type { PdfModel } from './model.js';
import { drawCover } from './sections/cover.js';
import { drawCoverage } from './sections/coverage.js';
import { drawChanges } from './sections/changes.js';
import { drawExceptionsRegister } from './sections/exceptions.js';
import { drawFindings } from './sections/findings.js';
import { drawFrameworks } from './sections/frameworks.js';
import { drawIntegrity } from './sections/integrity.js';
import { drawMethodology } from './sections/methodology.js';
import { drawRemediation } from './sections/remediation.js';
import { drawPopulation } from './sections/population.js';
import { drawSignOff } from './sections/sign-off.js';
import { notEvidenceStamp } from '../not-evidence.js';
import { drawSummary } from './sections/summary.js';
import { FONT_FILES, PAGE } from './theme.js';

export interface PdfResult {
  pages: number;
}

function documentDate(model: PdfModel): Date {
  for (const value of [model.header.finishedAt, model.header.startedAt]) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(Math.floor(t / 1000) * 1000); // PDF dates have second precision
  }
  return new Date(0);
}

/** Words shaped and kept per font: a page of the key tables holds a few thousand. */
const MAX_CACHED_WORDS = 20_000;

/**
 * pdfkit 0.19 keeps one word-layout cache per embedded font (`_fontFamilies[name].layoutCache`). It is
 * emptied when it passes MAX_CACHED_WORDS (looked at every CHECK_EVERY_PAGES pages: a page adds a few
 * thousand words at most), so the words every page repeats stay shaped while unique words (key ids,
 * ARNs) cannot grow it without bound.
 */
const CHECK_EVERY_PAGES = 4;
function boundLayoutCaches(doc: PDFKit.PDFDocument, page: number): void {
  if (page % CHECK_EVERY_PAGES !== 0) return;
  const families = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: Record<string, unknown> }> })._fontFamilies ?? {};
  for (const font of Object.values(families)) {
    if (!font.layoutCache) continue;
    let words = 0;
    for (const _word in font.layoutCache) if (++words > MAX_CACHED_WORDS) break;
    if (words > MAX_CACHED_WORDS) font.layoutCache = Object.create(null) as Record<string, unknown>;
  }
}

export async function renderPdf(model: PdfModel, path: string): Promise<PdfResult> {
  const brand = model.templates.branding;
  const date = documentDate(model);
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: true,
    size: PAGE.size,
    margins: PAGE.margins,
    // An embedded font from the start: otherwise pdfkit loads Helvetica, a non-embedded standard font.
    font: FONT_FILES.body,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    tagged: true,
    lang: brand.language,
    displayTitle: true,
    // Word layouts are cached (shaping every word again is 2 to 3 times slower), within a bound
    // (boundLayoutCaches) so unique words (key ids, ARNs) cannot grow it without limit.
    fontLayoutCache: true,
    info: {
      Title: metadataText(`${brand.reportTitle}: ${model.header.scanId}`),
      Author: metadataText(brand.companyName),
      Subject: metadataText(brand.reportSubtitle),
      Keywords: metadataText(['KMS', 'key rotation', model.header.scanId, ...model.selection.frameworks.map((f) => f.shortName)].join(', ')),
      Creator: metadataText(`${model.header.toolName} ${model.header.toolVersion}`),
      Producer: 'PDFKit',
      CreationDate: date,
      ModDate: date,
    },
  });
  const xmpDate = date.toISOString().split('.')[0] + 'Z';
  doc.appendXML(`
        <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
            <xmp:ModifyDate>${xmpDate}</xmp:ModifyDate>
            <xmp:MetadataDate>${xmpDate}</xmp:MetadataDate>
        </rdf:Description>
        `);

  const file = AtomicFile.open(path);
  doc.pipe(file.stream);
  try {
    // First, while no page is buffered yet: embedding a large CSV briefly holds several copies of it.
    await attachFiles(doc, model, date);
    const pages = draw(doc, model);
    doc.end();
    await file.commit();
    return { pages };
  } catch (err) {
    await file.abort();
    throw err;
  }
}

/** Draws every section; returns the page count. */
function draw(doc: PDFKit.PDFDocument, model: PdfModel): number {
  const brand = model.templates.branding;
  let pagesAdded = 0;
  doc.on('pageAdded', () => boundLayoutCaches(doc, ++pagesAdded));
  const pdf = new Pdf(doc, brand.accentColor, model.placeholders);
  composeSimpleWords(doc); // the fonts are registered now (Pdf's constructor): words without a shaping pair are composed
  drawCover(pdf, model);
  drawSignOff(pdf, model);
  drawSummary(pdf, model);
  drawChanges(pdf, model);
  drawFrameworks(pdf, model);
  drawFindings(pdf, model);
  drawExceptionsRegister(pdf, model);
  drawCoverage(pdf, model);
  drawMethodology(pdf, model);
  drawRemediation(pdf, model);
  drawPopulation(pdf, model);
  drawIntegrity(pdf, model);

  pdf.finish({
    marking: brand.classification,
    markingColour: brand.classificationColor,
    headerLeft: brand.companyName,
    headerRight: `${brand.reportTitle} · ${model.header.scanId}`,
    footerLeft: `${model.header.toolName} ${model.header.toolVersion} · ${model.header.scanId}`,
    stamp: notEvidenceStamp(model),
  });
  return doc.bufferedPageRange().count;
}

async function attachFiles(doc: PDFKit.PDFDocument, model: PdfModel, date: Date): Promise<void> {
  const specs: unknown[] = [];
  for (const file of model.attachments) {
    const data = await file.read();
    if (!data) continue;
    // PDF/A-3 associated file: in the EmbeddedFiles name tree (viewers, pdfdetach) and the catalog's /AF.
    // @types/pdfkit lags: `relationship` (AFRelationship) exists in pdfkit 0.19, and file() returns the filespec.
    const options = { name: file.name, type: 'text/csv', description: file.description, relationship: 'Data', creationDate: date, modifiedDate: date };
    specs.push(doc.file(data, options) as unknown);
  }
  if (specs.length) (doc as unknown as { _root: { data: Record<string, unknown> } })._root.data.AF = specs;
}
