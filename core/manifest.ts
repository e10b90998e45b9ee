import fs from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
  registerDecorator,
  validateSync,
  type ValidationError,
} from 'class-validator';
import semver from 'semver';
import { constraintMessages, MvError } from './errors.js';

/**
 * `module.json`, as in Meveo (MeveoModuleDto / ModuleDependencyDto), plus what a TypeScript module needs:
 * the entry point exporting its entities, actions and migrations, and its lifecycle hooks.
 */
const CODE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const RELATIVE_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/;

function IsSemver(kind: 'version' | 'range') {
  return (target: object, property: string) =>
    registerDecorator({
      name: kind === 'version' ? 'isSemver' : 'isSemverRange',
      target: target.constructor,
      propertyName: property,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && (kind === 'version' ? semver.valid(value) !== null : semver.validRange(value) !== null),
        defaultMessage: (args) =>
          kind === 'version'
            ? `must be a semantic version such as 1.2.0, got ${JSON.stringify(args?.value)}`
            : `must be a semantic version range such as ^1.2.0 or >=1.0.0 <2, got ${JSON.stringify(args?.value)}`,
      },
    });
}

export class ModuleDependency {
  @IsString({ message: 'must be a module code such as mv-credentials' })
  @Matches(CODE, { message: 'must be a module code in kebab-case, such as mv-credentials' })
  code: string;

  @IsSemver('range')
  currentVersion: string;

  @IsOptional() @IsString({ message: 'must be a git URL or a path' })
  gitUrl?: string;

  @IsOptional() @IsString({ message: 'must be a branch, tag or commit' })
  gitBranch?: string;

  /** The dependency lives in this sub-directory of its repository (or of the dependent's, without gitUrl). */
  @IsOptional() @Matches(RELATIVE_PATH, { message: 'must be a relative path inside the repository, without ".."' })
  path?: string;

  @IsOptional() @IsString()
  description?: string;
}

export class ModuleHooks {
  @IsOptional() @Matches(RELATIVE_PATH, { message: 'must be a relative path to a script in the module' })
  preInstall?: string;
  @IsOptional() @Matches(RELATIVE_PATH, { message: 'must be a relative path to a script in the module' })
  postInstall?: string;
  @IsOptional() @Matches(RELATIVE_PATH, { message: 'must be a relative path to a script in the module' })
  preUninstall?: string;
  @IsOptional() @Matches(RELATIVE_PATH, { message: 'must be a relative path to a script in the module' })
  postUninstall?: string;
}

export class ModuleManifest {
  @IsString({ message: 'must be a module code such as mv-credentials' })
  @Matches(CODE, { message: 'must be a module code in kebab-case, such as mv-credentials' })
  @MaxLength(64)
  code: string;

  @IsString({ message: 'must be a short text saying what the module does' })
  description: string;

  @IsString({ message: 'must be a licence name such as GPL-3.0-or-later' })
  license: string;

  @IsSemver('version')
  currentVersion: string;

  @IsArray({ message: 'must be a list of {code, currentVersion, gitUrl, gitBranch, path?}' })
  @ValidateNested({ each: true })
  @Type(() => ModuleDependency)
  moduleDependencies: ModuleDependency[];

  /** Source file exporting `defineModule(...)`; resolved to its compiled `.js` when loaded. */
  @IsString({ message: 'must be the path of the module entry file, such as module.ts' })
  @Matches(RELATIVE_PATH, { message: 'must be a relative path inside the module, without ".."' })
  entryPoint: string;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => ModuleHooks)
  hooks?: ModuleHooks;

  // Meveo's other descriptor fields are accepted for compatibility and not used.
  @IsOptional() @IsBoolean() isInDraft?: boolean;
  @IsOptional() @IsString() logoPicture?: string;
  @IsOptional() @IsString() meveoVersionBase?: string;
  @IsOptional() @IsString() meveoVersionCeiling?: string;
  @IsOptional() @IsArray() moduleFiles?: unknown[];
  @IsOptional() @IsArray() moduleItems?: unknown[];
  @IsOptional() @IsArray() patches?: unknown[];
  @IsOptional() @IsBoolean() autoCommit?: boolean;
  @IsOptional() @IsString() repository?: string;
  @IsOptional() @IsString() script?: string;
}

const KNOWN_FIELDS = new Set([
  'code', 'description', 'license', 'currentVersion', 'moduleDependencies', 'entryPoint', 'hooks', 'isInDraft', 'logoPicture',
  'meveoVersionBase', 'meveoVersionCeiling', 'moduleFiles', 'moduleItems', 'patches', 'autoCommit', 'repository', 'script',
]);

/** Meveo's descriptor fields every module has (moduleDependencies may be left out: none). */
const REQUIRED_FIELDS = ['code', 'description', 'license', 'currentVersion', 'entryPoint'];

/** Reads and validates a manifest; the error names the file, the field and what is expected. */
export function readManifest(file: string): ModuleManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new MvError('invalid_request', `${file}: no module.json there`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MvError('invalid_request', `${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseManifest(raw, file);
}

export function parseManifest(raw: unknown, file: string): ModuleManifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MvError('invalid_request', `${file}: must hold a JSON object with code, description, license, currentVersion, moduleDependencies and entryPoint`);
  }
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) problems.push(`${key}: unknown field`);
  }
  const manifest = plainToInstance(ModuleManifest, { moduleDependencies: [], ...raw });
  for (const error of validateSync(manifest, { forbidUnknownValues: false })) {
    // A missing field is said so, once, rather than with every rule its absent value breaks.
    const missing = REQUIRED_FIELDS.includes(error.property) && (raw as Record<string, unknown>)[error.property] === undefined;
    problems.push(...(missing ? [`${error.property}: is required`] : flatten(error)));
  }
  if (problems.length) {
    throw new MvError('validation_failed', `${file}: invalid module manifest — ${problems.join('; ')}`, { file, problems });
  }
  const seen = new Set<string>();
  for (const dependency of manifest.moduleDependencies) {
    if (dependency.code === manifest.code) throw new MvError('validation_failed', `${file}: moduleDependencies: ${manifest.code} cannot depend on itself`);
    if (seen.has(dependency.code)) throw new MvError('validation_failed', `${file}: moduleDependencies: ${dependency.code} is listed twice`);
    seen.add(dependency.code);
  }
  return manifest;
}

function flatten(error: ValidationError, prefix = ''): string[] {
  const isIndex = /^\d+$/.test(error.property);
  const path = isIndex ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
  const own = constraintMessages(error).map((message) => `${path}: ${message}`);
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, path))];
}
