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
          // Virtual properties (jobs, duration, password) are labelled here too; a field of the same name wins.
          properties: { jobs: 'Jobs', duration: 'Duration', password: 'Password', ...Object.fromEntries(info.fields.map((f) => [f.name, f.label])) },
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
