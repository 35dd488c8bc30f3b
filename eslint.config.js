import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The simulator must stay out of the scanner core: only the sim/demo/bench entry points may import it.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/aws/**', 'src/collect/**', 'src/rules/**', 'src/scan/**', 'src/results/**', 'src/report/**', 'src/config/**', 'src/frameworks/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/sim/**', '**/sim/*', '../sim', './sim'], message: 'The scanner core must never import the simulator.' }] }],
    },
  },
);
