/** Fonts, sizes and colours of report.pdf. Colours are sRGB (the PDF/A output intent). */
import { join } from 'node:path';
import { assetsDir } from '../../io/paths.js';
import type { Status } from '../../core/results.js';

/** Embedded font files (Noto Sans, SIL OFL 1.1, assets/fonts/); the PDF never uses the non-embedded standard 14 fonts. */
export const FONT_FILES = {
  body: join(assetsDir, 'fonts', 'NotoSans-Regular.ttf'),
  bold: join(assetsDir, 'fonts', 'NotoSans-Bold.ttf'),
  mono: join(assetsDir, 'fonts', 'NotoSansMono-Regular.ttf'),
} as const;
export type FontName = keyof typeof FONT_FILES;

export const SIZE = { body: 9.5, small: 8, table: 7.5, h1: 18, h2: 12, h3: 10.5, title: 26, mark: 8 } as const;

export const COLOUR = {
  text: '#1A1A1A',
  muted: '#5F6368',
  rule: '#C8CDD2',
  zebra: '#F3F5F7',
  headerFill: '#E4E9EF',
  noteFill: '#FFF8E1',
  noteRule: '#F9A825',
  codeFill: '#F5F5F5',
  white: '#FFFFFF',
} as const;

export const STATUS_COLOUR: Record<Status, string> = {
  PASS: '#2E7D32',
  FAIL: '#C62828',
  EXCEPTION: '#EF8F00',
  ERROR: '#6A1B9A',
  NOT_APPLICABLE: '#9E9E9E',
};

export const STATUS_LABEL: Record<Status, string> = {
  PASS: 'PASS',
  FAIL: 'FAIL',
  EXCEPTION: 'EXCEPTION',
  ERROR: 'ERROR',
  NOT_APPLICABLE: 'NOT APPLICABLE',
};

export const CONTROL_STATUS_COLOUR = { met: STATUS_COLOUR.PASS, 'not met': STATUS_COLOUR.FAIL, 'not assessed': STATUS_COLOUR.ERROR } as const;

export const PAGE = {
  size: 'A4' as const,
  margins: { top: 62, bottom: 58, left: 50, right: 50 },
};
