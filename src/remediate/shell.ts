/** POSIX shell quoting: always single quotes, a ' inside becomes '\'' (same effect as bash printf %q). */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
