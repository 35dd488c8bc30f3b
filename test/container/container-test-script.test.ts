/**
 * scripts/container-test.sh (npm run test:container) needs root, podman and minutes, so npm test
 * does not run it; these checks keep its contract from drifting: it parses, it is wired into
 * package.json and CI after the test suites, it runs the image the hardened way the README and
 * the templates promise, and it never writes the Dockerfile it builds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDockerfile, repoRoot } from './image.js';

const script = readFileSync(join(repoRoot, 'scripts/container-test.sh'), 'utf8');
const hasShellcheck = (() => {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('scripts/container-test.sh', () => {
  it('is valid bash', () => {
    execFileSync('bash', ['-n', join(repoRoot, 'scripts/container-test.sh')]);
  });

  it.runIf(hasShellcheck)('passes shellcheck', () => {
    execFileSync('shellcheck', [join(repoRoot, 'scripts/container-test.sh')], { stdio: 'pipe' });
  });

  it('is npm run test:container, which CI runs after the test suites', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:container']).toBe('bash scripts/container-test.sh');
    expect(pkg.scripts.test).not.toContain('container-test');
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8').split('\n').filter((l) => !l.startsWith('#'));
    const last = (command: string): number => ci.map((l) => l.trim()).lastIndexOf(command);
    expect(last('npm run test:container')).toBeGreaterThan(last('npm test'));
  });

  it("runs the image read-only, as the image's uid, without capabilities or privilege escalation", () => {
    const uid = readDockerfile().user.split(':')[0];
    expect(script).toContain(`AUDIT_UID=${uid}`);
    expect(script).toMatch(/HARDENED=\(--rm --read-only --tmpfs \/tmp --user "\$AUDIT_UID:\$AUDIT_UID" --cap-drop ALL --security-opt no-new-privileges:true\)/);
    // The compose demo runs with the variables it must not need unset.
    expect(script).toContain('env -u AUDIT_UID -u AUDIT_GID');
  });

  it('builds the Dockerfile as it is: never writes it, and checks it did not change', () => {
    expect(script).not.toMatch(/(>|tee|sed -i|cp [^\n]*)\s*"?\$REPO\/Dockerfile/);
    expect(script).toContain('[ "$(sha256sum "$REPO/Dockerfile")" = "$DOCKERFILE_SUM" ]');
  });

  it('holds the size budget the README states', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const image = /IMAGE_BUDGET_MB:-(\d+)/.exec(script)?.[1];
    const nodeModules = /NODE_MODULES_BUDGET_MB:-(\d+)/.exec(script)?.[1];
    expect(readme).toContain(`**Size budget: ${image} MB** for the image`);
    expect(readme).toContain(`**${nodeModules} MB** for its\n\`node_modules\` layer`);
  });
});
