import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Repository rules checked by walking real imports (runtime imports only; `import type` is erased):
 * - server and dev-stack code (src/companion, src/sandbox, src/dev) never reaches an extension
 *   bundle, and neither does the development client's secret;
 * - UI pages never reach auth, background, the API client or zod: tokens stay in the background and
 *   the popup stays small; of the readings model only a few pure helpers, and only outside the popup;
 * - the popup's first frame (its entry without the import() it makes after painting) reaches none of
 *   the libraries it defers: messaging, polyfill, hooks;
 * - src/ has no import-time side effects that open ports or read the environment;
 * - test/ is a leaf: nothing in src/, scripts/ or entrypoints/ imports from it, and src/dev (the
 *   local stack `npm start`, `npm run bench` and the e2e tests share) is imported by nothing else in src/;
 * - one definition each: the date helpers, the Retry-After reader, the storage area type, the history
 *   ranges and the companion route paths live in src/shared and are written nowhere else.
 */
const root = resolve(import.meta.dirname, '../..');

interface Edge {
  specifier: string;
  typeOnly: boolean;
  /** An import() expression: loaded when the code runs it, not with the module. */
  dynamic?: boolean;
}

function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      edges.push({ specifier: node.arguments[0].text, typeOnly: false, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function resolveLocal(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Every module and package reachable at runtime from the entry files (`static`: without following import()). */
function runtimeClosure(entries: string[], { staticOnly = false } = {}): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const edge of importsOf(file)) {
      if (edge.typeOnly || (staticOnly && edge.dynamic)) continue;
      const local = resolveLocal(file, edge.specifier);
      if (local) queue.push(local);
      else if (!edge.specifier.startsWith('.')) packages.add(edge.specifier);
    }
  }
  return { files, packages };
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name));
}

const rel = (file: string) => relative(root, file);
/** Source text without comments, so a comment that mentions process.env is not a violation. */
const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
const entrypoints = sourceFiles(join(root, 'entrypoints'));
/** Pure readings-model helpers (and what they import) the side panel may use at runtime. */
const UI_READINGS_HELPERS = [
  'src/cardiomood/build-history-csv.ts',
  'src/cardiomood/weekly-averages.ts',
  'src/cardiomood/display-decimals.ts',
];
const uiEntrypoints = entrypoints.filter((file) => !rel(file).startsWith('entrypoints/background'));

describe('extension bundles', () => {
  it('should find the entry points', () => {
    expect(entrypoints.map(rel)).toContain('entrypoints/background.ts');
    expect(uiEntrypoints.length).toBeGreaterThan(0);
  });

  it('should never import server or dev-stack code (companion, sandbox, dev) or Node built-ins', () => {
    const { files, packages } = runtimeClosure(entrypoints);
    const server = [...files].map(rel).filter((file) => /^src\/(companion|sandbox|dev)\//.test(file));
    expect(server).toEqual([]);
    expect([...packages].filter((name) => name.startsWith('node:') || name.startsWith('hono') || name.startsWith('@hono'))).toEqual([]);
  });

  it('should never reach the development client secret, nor does the build configuration', async () => {
    const { DEV_CLIENT_SECRET } = await import('../../src/sandbox/dev-client-secret');
    // wxt.config.ts runs at build time and defines what is baked into the bundle.
    const { files } = runtimeClosure([...entrypoints, join(root, 'wxt.config.ts')]);
    expect(files.size).toBeGreaterThan(entrypoints.length);
    expect([...files].filter((file) => readFileSync(file, 'utf8').includes(DEV_CLIENT_SECRET)).map(rel)).toEqual([]);
  });

  it.each(uiEntrypoints.map((file) => [rel(file), file]))(
    'should keep %s free of auth, background, API client and zod at runtime',
    (name, entry) => {
      const { files, packages } = runtimeClosure([entry]);
      // The side panel's CSV and weekly averages are pure functions of the history it already holds.
      const allowed = name.startsWith('entrypoints/popup/') ? [] : UI_READINGS_HELPERS;
      const forbidden = [...files]
        .map(rel)
        .filter((file) => /^src\/(auth|background|cardiomood)\//.test(file) && !allowed.includes(file));
      expect(forbidden).toEqual([]);
      expect([...packages].filter((name) => name === 'zod' || name.startsWith('zod/') || name === 'oauth4webapi')).toEqual([]);
    },
  );

  it('should paint the popup\'s first frame without Preact, messaging, polyfill or hooks (they load after it)', () => {
    const { files, packages } = runtimeClosure([join(root, 'entrypoints/popup/main.ts')], { staticOnly: true });
    expect([...files].map(rel).filter((file) => /^src\/(messaging|shared\/(status|glance|popup-view|settings|readings))\.ts$|^src\/messaging\/|\.tsx$/.test(file))).toEqual([]);
    expect([...packages].filter((name) => /^(@webext-core\/messaging|webextension-polyfill|wxt\/browser|@wxt-dev\/webextension-polyfill|preact|zod)/.test(name))).toEqual([]);
    // …and they are there once it has painted: the rest comes through import().
    const all = runtimeClosure([join(root, 'entrypoints/popup/main.ts')]);
    expect([...all.packages]).toEqual(expect.arrayContaining(['@webext-core/messaging', 'preact', 'preact/hooks']));
  });

  it('should keep the readings helpers a UI page may use free of zod and of other readings modules', () => {
    const { files, packages } = runtimeClosure(UI_READINGS_HELPERS.filter((file) => !file.endsWith('display-decimals.ts')).map((file) => join(root, file)));
    expect([...files].map(rel).filter((file) => file.startsWith('src/cardiomood/')).sort()).toEqual([...UI_READINGS_HELPERS].sort());
    expect([...packages]).toEqual([]);
  });
});

/** `process.env` read outside any function: at import time. */
function readsEnvironmentAtImport(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let found = false;
  const visit = (node: ts.Node) => {
    if (found || ts.isFunctionLike(node)) return;
    if (ts.isPropertyAccessExpression(node) && node.getText(source) === 'process.env') found = true;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('src/', () => {
  const serverEntries = /^src\/(companion|sandbox)\/(node|main|worker)\.ts$/;
  const devStack = /^src\/dev\//;

  it('should read the environment only in server entry files and, when called, in the dev stack', () => {
    const offenders = sourceFiles(join(root, 'src'))
      .filter((file) => !serverEntries.test(rel(file)))
      .filter((file) => (devStack.test(rel(file)) ? readsEnvironmentAtImport(file) : /\bprocess\.env\b/.test(code(file))))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('should open ports only in server entry files', () => {
    const offenders = sourceFiles(join(root, 'src'))
      .filter((file) => !serverEntries.test(rel(file)) && !/start-[a-z-]+\.ts$/.test(rel(file)))
      .filter((file) => /\bserve\(|\.listen\(/.test(code(file)))
      .map(rel);
    expect(offenders).toEqual([]);
  });
});

/** Every import specifier of a file, type-only ones included, resolved to an absolute path when relative. */
function relativeImportTargets(file: string): string[] {
  return importsOf(file)
    .filter((edge) => edge.specifier.startsWith('.'))
    .map((edge) => resolve(dirname(file), edge.specifier));
}

describe('layers', () => {
  const inside = (dir: string) => (file: string) => rel(file) === dir || rel(file).startsWith(`${dir}/`);
  const scriptFiles = readdirSync(join(root, 'scripts'), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|tsx|mts|mjs|js)$/.test(name))
    .map((name) => join(root, 'scripts', name));

  it('should find the files the rules are about', () => {
    expect(scriptFiles.map(rel)).toContain('scripts/start.ts');
    expect(sourceFiles(join(root, 'src', 'dev')).map(rel)).toContain('src/dev/start-dev-stack.ts');
  });

  it('should import nothing from test/ in src/, scripts/, entrypoints/ or the config files', () => {
    const importers = [
      ...sourceFiles(join(root, 'src')),
      ...scriptFiles,
      ...entrypoints,
      join(root, 'wxt.config.ts'),
      join(root, 'vitest.config.ts'),
    ];
    const offenders = importers.flatMap((file) =>
      relativeImportTargets(file)
        .filter(inside('test'))
        .map((target) => `${rel(file)} → ${rel(target)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('should import src/dev from nowhere else in src/ (sandbox and companion included)', () => {
    const offenders = sourceFiles(join(root, 'src'))
      .filter((file) => !inside('src/dev')(file))
      .flatMap((file) =>
        relativeImportTargets(file)
          .filter(inside('src/dev'))
          .map((target) => `${rel(file)} → ${rel(target)}`),
      );
    expect(offenders).toEqual([]);
  });
});

describe('one definition each', () => {
  /** Code without comments and import declarations (which name a module or binding, not define one). */
  const body = (file: string) => code(file).replace(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"][^'"]+['"];?$/gm, '');
  const everyFile = [
    ...sourceFiles(join(root, 'src')),
    ...sourceFiles(join(root, 'scripts')),
    ...sourceFiles(join(root, 'test')),
    ...entrypoints,
  ];
  const SINGLE_DEFINITIONS: Record<string, string[]> = {
    'src/shared/local-date.ts': ['localIsoDate', 'addDays', 'daysBetween', 'dateRange', 'isCalendarDate'],
    'src/shared/retry-after.ts': ['parseRetryAfter', 'retryAfterOf'],
    'src/shared/storage-area.ts': ['StorageArea', 'StorageAreaApi', 'StorageAreaName'],
    'src/shared/history-ranges.ts': ['HISTORY_RANGES', 'HistoryRange'],
    'src/shared/companion-api.ts': ['COMPANION_ROUTES'],
  };

  it.each(Object.entries(SINGLE_DEFINITIONS))('should declare the names of %s nowhere else', (home, names) => {
    const declaration = new RegExp(`\\b(?:function|const|let|var|interface|type|class)\\s+(${names.join('|')})\\b`);
    expect(existsSync(join(root, home))).toBe(true);
    const offenders = everyFile
      .filter((file) => rel(file) !== home)
      .filter((file) => declaration.test(body(file)))
      .map((file) => `${rel(file)}: ${declaration.exec(body(file))?.[1]}`);
    expect(offenders).toEqual([]);
  });

  it('should read Retry-After in the extension only through src/shared/retry-after.ts', () => {
    // The companion forwards CardioMood's header after its own check, and the sandbox sends one:
    // server code with other jobs.
    const extensionCode = [...sourceFiles(join(root, 'src')), ...entrypoints].filter(
      (file) => !/^src\/(companion|sandbox|dev)\//.test(rel(file)) && rel(file) !== 'src/shared/retry-after.ts',
    );
    expect(extensionCode.length).toBeGreaterThan(0);
    expect(extensionCode.filter((file) => /retry-after/i.test(body(file))).map(rel)).toEqual([]);
  });

  it('should spell the companion route paths only in src/shared/companion-api.ts', async () => {
    const { COMPANION_ROUTES } = await import('../../src/shared/companion-api');
    const paths = Object.values(COMPANION_ROUTES);
    // A quoted path, or one that opens a template literal.
    const literal = new RegExp(`['"\`](${paths.map((path) => path.replace(/[/.]/g, '\\$&')).join('|')})['"\`]|\`(${paths.map((path) => path.replace(/[/.]/g, '\\$&')).join('|')})\\$`);
    const offenders = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'scripts')), ...entrypoints]
      .filter((file) => rel(file) !== 'src/shared/companion-api.ts')
      .filter((file) => literal.test(body(file)))
      .map(rel);
    expect(offenders).toEqual([]);
    // Nor in pieces: the companion mounts its routes from COMPANION_ROUTES, not by path segment.
    const segments = [...new Set(paths.flatMap((path) => path.split('/').filter(Boolean).map((segment) => `/${segment}`)))];
    const segment = new RegExp(`['"\`](${segments.map((path) => path.replace(/[/.]/g, '\\$&')).join('|')})['"\`]`);
    expect(sourceFiles(join(root, 'src/companion')).filter((file) => segment.test(body(file))).map(rel)).toEqual([]);
  });
});
