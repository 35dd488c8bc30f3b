export async function runScanCommand(_config: unknown, _ctx: { env: NodeJS.ProcessEnv }): Promise<number> {
  throw new Error('not wired yet');
}
