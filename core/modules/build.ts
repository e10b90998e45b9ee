import fs from 'node:fs';
import path from 'node:path';
import type { CompilerHost, CompilerOptions, SourceFile } from 'typescript';
import { MvError } from '../errors.js';
import type { ModuleManifest } from '../manifest.js';
import { HOST_ROOT } from '../paths.js';
import { BUILD_DIR } from './store.js';

/** What is never copied from a checkout into an install folder. */
const NOT_COPIED = new Set(['.git', 'node_modules', BUILD_DIR]);

/**
 * Makes an install folder from a module's files in a checkout: copies them, gives the folder its own
 * package.json and a node_modules of links to the host's packages, then compiles the TypeScript files.
 */
export async function buildModule(sourceDir: string, targetDir: string, manifest: ModuleManifest): Promise<void> {
  fs.cpSync(sourceDir, targetDir, { recursive: true, verbatimSymlinks: true, filter: (file) => !NOT_COPIED.has(path.basename(file)) });
  // The module's own package.json (this repository's says "mv-infra") must not make `mv-infra/core`
  // resolve to the checkout's copy of the host; ours has no name, and makes .js files ES modules.
  fs.writeFileSync(
    path.join(targetDir, 'package.json'),
    JSON.stringify({ private: true, type: 'module', description: `${manifest.code} ${manifest.currentVersion}, installed by mv-infra` }, null, 2) + '\n',
  );
  linkHostPackages(targetDir);
  await compile(targetDir, moduleFiles(manifest).filter((file) => file.endsWith('.ts')));
}

/** The entry point and the hooks: what the host runs of a module. */
export function moduleFiles(manifest: ModuleManifest): string[] {
  return [manifest.entryPoint, ...Object.values(manifest.hooks ?? {}).filter((file): file is string => typeof file === 'string')];
}

/**
 * `node_modules/<package>` → the host's copy of every package it has, and `node_modules/mv-infra` → the
 * host itself. Node and TypeScript follow links to real paths, so a module gets the very instances (and
 * types) the host has: one typeorm, one class-validator, one `mv-infra/core`.
 */
function linkHostPackages(targetDir: string): void {
  const modules = path.join(targetDir, 'node_modules');
  fs.mkdirSync(modules);
  fs.symlinkSync(HOST_ROOT, path.join(modules, 'mv-infra'), 'dir');
  for (const dir of hostPackageDirs()) {
    for (const name of fs.readdirSync(dir)) {
      const link = path.join(modules, name);
      if (!name.startsWith('.') && !fs.existsSync(link)) fs.symlinkSync(path.join(dir, name), link, 'dir');
    }
  }
}

/** The host's node_modules, and the one it is installed in when it is itself a package (npm install -g). */
function hostPackageDirs(): string[] {
  const parent = path.dirname(HOST_ROOT);
  return [path.join(HOST_ROOT, 'node_modules'), ...(path.basename(parent) === 'node_modules' ? [parent] : [])].filter((dir) => fs.existsSync(dir));
}

/**
 * The host's own compiler settings, read from its tsconfig.json (ES modules, legacy decorators with their
 * metadata, strict...), for the module's folder: its own rootDir and outDir, no declarations or path
 * aliases (`mv-infra/core` resolves through the folder's link), and Node's types but not the DOM's
 * (modules run on the server, and lib.dom is a third of a build's time).
 */
function compilerOptions(ts: typeof import('typescript'), dir: string): CompilerOptions {
  const file = path.join(HOST_ROOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new MvError('internal', `${file}: ${ts.flattenDiagnosticMessageText(error.messageText, ' ')}`);
  const { paths: _paths, declaration: _declaration, ...host } = (config.compilerOptions ?? {}) as { lib?: string[] } & Record<string, unknown>;
  const typeRoot = path.join(dir, 'node_modules', '@types');
  const hasNodeTypes = fs.existsSync(path.join(typeRoot, 'node'));
  const own = {
    lib: (host.lib ?? [String(host.target)]).filter((lib) => !/^dom/i.test(lib)),
    // Types from the folder's own links, wherever mvctl was started (TypeScript looks from the current directory otherwise).
    types: hasNodeTypes ? ['node'] : [],
    typeRoots: [typeRoot],
    rootDir: dir,
    outDir: path.join(dir, BUILD_DIR),
    noEmitOnError: true,
  };
  const { options, errors } = ts.convertCompilerOptionsFromJson({ ...host, ...own }, dir);
  if (errors.length) throw new MvError('internal', ts.flattenDiagnosticMessageText(errors[0].messageText, ' '));
  return options;
}

/**
 * Compiles the given files and what they import, with the host's compiler: type errors fail the build,
 * and so does any import that leaves the module's folder other than through a package name.
 */
async function compile(dir: string, files: string[]): Promise<void> {
  if (!files.length) return;
  const ts = (await import('typescript')).default;
  const options = compilerOptions(ts, dir);
  const program = ts.createProgram({ rootNames: files.map((file) => path.join(dir, file)), options, host: cachingHost(ts, options, dir) });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const emitted = diagnostics.length ? undefined : program.emit();
  const problems = [...diagnostics, ...(emitted?.diagnostics ?? [])];
  if (problems.length || emitted?.emitSkipped) {
    const text = ts.formatDiagnostics(problems.slice(0, 10), {
      getCanonicalFileName: (file) => file,
      getCurrentDirectory: () => dir,
      getNewLine: () => '\n',
    });
    const more = problems.length > 10 ? `\n(and ${problems.length - 10} more)` : '';
    throw new MvError('invalid_request', `TypeScript errors:\n${text.trim()}${more}`, { diagnostics: problems.length });
  }
}

/** Declaration files parsed once per process (the host's, typeorm's, the libs'): most of a build's time. */
const declarations = new Map<string, SourceFile>();

function cachingHost(ts: typeof import('typescript'), options: CompilerOptions, dir: string): CompilerHost {
  const host = ts.createCompilerHost(options);
  host.getCurrentDirectory = () => dir;
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.endsWith('.d.ts')) return parse(fileName, languageVersion, onError, shouldCreate);
    const key = `${fileName}:${fs.statSync(fileName, { throwIfNoEntry: false })?.mtimeMs}`;
    let file = declarations.get(key);
    if (!file) {
      file = parse(fileName, languageVersion, onError, shouldCreate);
      if (file) declarations.set(key, file);
    }
    return file;
  };
  return host;
}
