/** Reading requests: the zone of the path, and list filters the way the Scaleway APIs interpret them. */
import type { Request } from 'express';

/** The `{zone}` of the path: routes are mounted under `/zones/:zone`. */
export const zoneOf = (req: Request): string => req.params.zone;

/** A single query parameter; absent or empty is `undefined`. */
export function queryParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** A list parameter, comma-separated (`tags=a,b`) or repeated (`tags=a&tags=b`). */
export function queryList(req: Request, name: string): string[] | undefined {
  const value = req.query[name];
  const parts = (Array.isArray(value) ? value : [value]).filter((part): part is string => typeof part === 'string');
  const items = parts.flatMap((part) => part.split(',')).filter((item) => item !== '');
  return items.length ? items : undefined;
}

export function queryBoolean(req: Request, name: string): boolean | undefined {
  const value = queryParam(req, name);
  return value === undefined ? undefined : value === 'true';
}

/** The Instance API's tag filter: the resource must carry every tag asked for. */
export const hasAllTags = (tags: readonly string[], wanted: readonly string[] | undefined) => !wanted || wanted.every((tag) => tags.includes(tag));

/** The Block API's tag filter: one matching tag is enough. */
export const hasAnyTag = (tags: readonly string[], wanted: readonly string[] | undefined) => !wanted || wanted.some((tag) => tags.includes(tag));

/** Name filters match substrings: `web` finds `web-1` and `my-web`. */
export const nameContains = (name: string, wanted: string | undefined) => !wanted || name.includes(wanted);

interface Owned {
  project: string;
  organization: string;
  tags: string[];
}

/**
 * The filters every Instance list takes: `project`, `organization`, `tags` (all of them) and
 * `name`, a substring of what `nameOf` gives (the name; an IP's address).
 */
export function instanceFilters<T extends Owned>(req: Request, nameOf: (record: T) => string): (record: T) => boolean {
  const project = queryParam(req, 'project');
  const organization = queryParam(req, 'organization');
  const name = queryParam(req, 'name');
  const tags = queryList(req, 'tags');
  return (record) =>
    (!project || record.project === project) &&
    (!organization || record.organization === organization) &&
    nameContains(nameOf(record), name) &&
    hasAllTags(record.tags, tags);
}
