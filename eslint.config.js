// Lint: typescript-eslint's recommended rules over every TypeScript file, and the
// architecture's import direction (docs/architecture.md §Layout):
//   admin-tools/cli/commands (the command definitions) → agent/<process>/ → agent/lib/
//   admin-tools/<command>.ts → agent/lib/
// A process never imports another process; agent/lib imports nothing above it; no cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

const PROCESSES = ['manager', 'natm', 'rendezvous', 'enroll-server', 'deploy-executor'];

const zones = [
  {
    target: './agent/lib',
    from: ['./agent', './admin-tools'],
    except: ['./lib'],
    message: 'agent/lib is shared by every process: it may not import a process or the CLI.',
  },
  ...PROCESSES.map((p) => ({
    target: `./agent/${p}`,
    from: ['./agent', './admin-tools'],
    except: [`./${p}`, './lib'],
    message: `agent/${p} is one process: it imports agent/lib and itself only.`,
  })),
  {
    target: './admin-tools',
    from: PROCESSES.map((p) => `./agent/${p}`),
    except: [],
    message: 'admin commands use agent/lib; only admin-tools/cli/commands/ starts processes.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'build/**', '**/*.mjs', '.old-parser-*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['agent/**/*.ts', 'admin-tools/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts'] })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['admin-tools/cli/commands/*.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    files: ['agent/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
