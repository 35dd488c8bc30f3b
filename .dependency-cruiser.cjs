/**
 * The layers of src/, bottom to top: a module may import its own layer and the layers below it, never
 * one above (DESIGN: "imports run downhill only"). `npm run lint` runs this (depcruise src).
 *
 *   core        no I/O: the results document's types and checks, ID patterns, run file names, errors
 *   io          files, logs, CSV, YAML with file:line errors, the results document on disk, S3, run folders
 *   config      the one options schema, flags > environment > file > defaults
 *   aws         sessions, throttling (one retry decision), clients, inventory, regions
 *   collect     facts about KMS keys, per account x region
 *   rules       KMS-002: applicability, judgement, remediation
 *   frameworks  control mappings; exceptions: the approved-exceptions register
 *   engine      the scan: plan, workers, finish
 *   evidence    canonical manifest, signing, re-judging
 *   report      reporters: CSV, xlsx, PDF, HTML, OCSF, ASFF, manifest (read the results document only)
 *   remediate, publish   what follows a scan: remediation plans and apply, Security Hub
 *   app         the run lifecycle shared by scan and merge, verify
 *   cli         flags and commands; the only place that maps errors to exit codes
 * src/sim/ is the simulated organization: it may use core only, and only the CLI (and tests) use it.
 */
const LAYERS = ['core', 'io', 'config', 'aws', 'collect', 'rules', 'frameworks|exceptions', 'engine', 'evidence', 'report', 'remediate|publish', 'app', 'cli'];

const uphill = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `downhill-only-${layer.replace('|', '-')}`,
  comment: `src/${layer} may not import a layer above it (${LAYERS.slice(i + 1).join(', ')})`,
  severity: 'error',
  from: { path: `^src/(${layer})/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')}|cli\\.ts)` },
}));

module.exports = {
  forbidden: [
    ...uphill,
    {
      name: 'no-circular',
      comment: 'No import cycles.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'sim-stays-apart',
      comment: 'Only the CLI (demo, sim) uses the simulator; the scanner never does.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(sim|cli)/' },
      to: { path: '^src/sim/' },
    },
    {
      name: 'sim-uses-core-only',
      comment: 'The simulator is held to AWS, not to the scanner: it may use src/core only.',
      severity: 'error',
      from: { path: '^src/sim/' },
      to: { path: '^src/', pathNot: '^src/(sim|core)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
