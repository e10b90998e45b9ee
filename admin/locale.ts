import type { Locale } from 'adminjs';
import type { EntityInfo } from '../core/registry.js';
import type { Runtime } from '../core/runtime.js';
import { adminActions } from './actions.js';

/** "Credential" → "Credentials", "Audit entry" → "Audit entries". */
export function plural(label: string): string {
  if (/[^aeiou]y$/i.test(label)) return `${label.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(label)) return `${label}es`;
  return `${label}s`;
}

/** Every label of the UI from the registry: resource names, field labels, action labels. */
export function locale(runtime: Runtime, infos: EntityInfo[]): Locale {
  const resources = Object.fromEntries(
    infos.map((info) => {
      const actions = runtime.registry.actionsOf(info.name).flatMap(({ definition }) => adminActions(definition).map(({ name }) => [name, definition.label]));
      return [
        info.name,
        {
          // Virtual properties (jobs, duration, result, password) are labelled here too; a field of the same name wins.
          properties: { jobs: 'Jobs', duration: 'Duration', result: 'Result', password: 'Password', ...Object.fromEntries(info.fields.map((f) => [f.name, f.label])) },
          actions: Object.fromEntries(actions),
        },
      ];
    }),
  );
  return {
    language: 'en',
    availableLanguages: ['en'],
    translations: {
      en: {
        labels: {
          ...Object.fromEntries(infos.map((info) => [info.group, info.group])),
          ...Object.fromEntries(infos.map((info) => [info.name, plural(info.label)])),
          navigation: 'Resources',
          dashboard: 'Dashboard',
        },
        resources,
        actions: breadcrumbLabels(runtime, infos),
        components: {
          Login: {
            welcomeHeader: 'mv-infra',
            welcomeMessage: 'Cloud infrastructure: providers, credentials, resources and the actions that manage them.',
          },
        },
      },
    },
  };
}

/**
 * Action labels outside any resource: AdminJS's breadcrumb translates the action's name without its
 * resource, and would otherwise show "Populate Provider Fields". Only names with one label everywhere.
 */
function breadcrumbLabels(runtime: Runtime, infos: EntityInfo[]): Record<string, string> {
  const labels = new Map<string, Set<string>>();
  for (const info of infos) {
    for (const { definition } of runtime.registry.actionsOf(info.name)) {
      for (const { name } of adminActions(definition)) labels.set(name, (labels.get(name) ?? new Set()).add(definition.label));
    }
  }
  return Object.fromEntries([...labels].filter(([, set]) => set.size === 1).map(([name, set]) => [name, [...set][0]]));
}
