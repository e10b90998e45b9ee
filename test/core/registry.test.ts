import { describe, expect, it } from 'vitest';
import { defineAction } from '../../core/action.js';
import { Registry, type LoadedModule } from '../../core/registry.js';
import { bundledModules } from '../support/runtime.js';
import { modulesWithWidgets } from '../support/widgets.js';

function withManifest(module: LoadedModule, changes: Partial<LoadedModule['manifest']>): LoadedModule {
  return { ...module, manifest: Object.assign(Object.create(Object.getPrototypeOf(module.manifest)), module.manifest, changes) };
}

describe('registry', () => {
  it('knows the bundled modules, in dependency order, with their entities and actions', async () => {
    const registry = Registry.build(await bundledModules());
    expect(registry.modules.map((m) => m.manifest.code)).toEqual(['mv-credentials', 'mv-infrastructure']);
    expect(registry.entity('Credential').module).toBe('mv-credentials');
    expect(registry.entity('ServiceProvider').module).toBe('mv-infrastructure');
    expect(registry.action('Credential', 'verifyCredential').module).toBe('mv-credentials');
    const described = registry.describe();
    const credential = described[0].entities[0];
    expect(credential.fields.find((f) => f.name === 'token')).toMatchObject({ type: 'secret', writeOnly: true });
    expect(credential.fields.find((f) => f.name === 'authenticationType')).toMatchObject({ type: 'enum', enum: expect.arrayContaining(['API_KEY', 'OVH_SIGNATURE']) });
    const provider = described[1].entities.find((e) => e.name === 'ServiceProvider')!;
    expect(provider.fields.find((f) => f.name === 'credentialId')).toMatchObject({ type: 'reference', references: 'Credential' });
  });

  it('orders dependencies first whatever the input order', async () => {
    const [credentials, infrastructure] = await bundledModules();
    expect(Registry.build([infrastructure, credentials]).modules.map((m) => m.manifest.code)).toEqual(['mv-credentials', 'mv-infrastructure']);
  });

  it('refuses a module whose dependency is missing or at the wrong version', async () => {
    const [credentials, infrastructure] = await bundledModules();
    expect(() => Registry.build([infrastructure])).toThrow('mv-infrastructure needs mv-credentials ^1.0.0, which is not installed');
    expect(() => Registry.build([withManifest(credentials, { currentVersion: '2.0.0' }), infrastructure])).toThrow(
      'mv-infrastructure needs mv-credentials ^1.0.0, but mv-credentials 2.0.0 is installed',
    );
  });

  it('refuses a dependency cycle and names it', async () => {
    const [credentials, infrastructure] = await bundledModules();
    const cyclic = withManifest(credentials, { moduleDependencies: [{ code: 'mv-infrastructure', currentVersion: '*' }] as never });
    expect(() => Registry.build([cyclic, infrastructure])).toThrow(/cycle: mv-credentials → mv-infrastructure → mv-credentials/);
  });

  it('refuses an action on an entity nobody declares, and two entities of one name', async () => {
    const modules = await modulesWithWidgets();
    const stray = defineAction({ code: 'x', label: 'X', entity: 'Nope', kind: 'list', handler: async () => ({ message: '' }) });
    const widgets = modules[2];
    const broken = { ...widgets, definition: { ...widgets.definition, actions: [...widgets.definition.actions, stray] } };
    expect(() => Registry.build([modules[0], modules[1], broken])).toThrow('Module test-widgets: action x applies to Nope, which no installed module declares');
    const twice = { ...widgets, definition: { ...widgets.definition, entities: [...widgets.definition.entities, modules[0].definition.entities[0]] } };
    expect(() => Registry.build([modules[0], modules[1], twice])).toThrow('Module test-widgets declares entity Credential, already declared by mv-credentials');
  });

  it('answers clearly for unknown entities and actions', async () => {
    const registry = Registry.build(await bundledModules());
    expect(() => registry.entity('Server')).toThrow(/^No entity named Server \(known: Credential, ServiceProvider, ScalewayServer, /);
    expect(() => registry.action('Credential', 'explode')).toThrow('Credential has no action explode (known: verifyCredential)');
  });
});
