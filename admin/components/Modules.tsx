import React, { useEffect, useState } from 'react';
import {
  Badge,
  Box,
  Button,
  CheckBox,
  H2,
  H4,
  Input,
  Label,
  Loader,
  MessageBox,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
  TextArea,
} from '@adminjs/design-system';
import type { InstalledModuleView, OnConflict, ModuleOperationResult as Outcome } from '../../core/modules/service.js';
import { api, ApiProblem, Muted } from './shared.js';

/** What GET /admin/mv/modules answers (admin/module-routes.ts). */
interface ModulesData {
  installed: InstalledModuleView[];
  running: { code: string; version: string }[];
  restartRequired: boolean;
  canManage: boolean;
}

const describeChanges = (outcome: Outcome) =>
  outcome.changes
    .map((c) => `${c.action} ${c.code} ${c.previousVersion ? `${c.previousVersion} → ` : ''}${c.version}${c.dependencyOf ? ` (needed by ${c.dependencyOf})` : ''}`)
    .join('; ');

const ON_CONFLICT: { value: OnConflict; label: string }[] = [
  { value: 'fail', label: 'refuse (fail)' },
  { value: 'skip', label: 'keep the installed one (skip)' },
  { value: 'overwrite', label: 'replace it (overwrite)' },
];

/** One `code=url` per line, as `--dependency-url` takes them; the server checks the URLs. */
const dependencyUrlsOf = (text: string): Record<string, string> => {
  const urls: Record<string, string> = {};
  for (const line of text.split('\n').map((each) => each.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at < 1) throw new Error(`Dependency URLs take one code=url per line, got "${line}"`);
    urls[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return urls;
};

/** The installed modules, and (for admins) install from git, upgrade and uninstall. */
const Modules: React.FC = () => {
  const [data, setData] = useState<ModulesData>();
  const [busy, setBusy] = useState<string>();
  const [notice, setNotice] = useState<{ variant: 'success' | 'danger'; message: string }>();
  const [install, setInstall] = useState({ url: '', ref: '', path: '', onConflict: 'fail' as OnConflict, dependencyUrls: '' });
  const [refs, setRefs] = useState<Record<string, string>>({});
  const [purge, setPurge] = useState<Record<string, boolean>>({});

  const load = () => api<ModulesData>('/modules').then(setData, (error: ApiProblem) => setNotice({ variant: 'danger', message: error.message }));
  useEffect(() => void load(), []);

  /** `body` is made inside the try: a form it cannot read is shown as any other failure. */
  const run = async (what: string, path: string, body: () => unknown) => {
    setBusy(what);
    setNotice(undefined);
    try {
      const outcome = await api<Outcome>(path, body());
      setNotice({ variant: 'success', message: `${describeChanges(outcome) || 'Nothing to change'}.${outcome.restartRequired ? ' Restart the server to run the new set of modules.' : ''}` });
      await load();
    } catch (error) {
      setNotice({ variant: 'danger', message: (error as Error).message });
    } finally {
      setBusy(undefined);
    }
  };

  if (!data) return notice ? <MessageBox m="xl" variant="danger" message={notice.message} /> : <Loader />;
  const running = new Map(data.running.map((m) => [m.code, m.version]));
  return (
    <Box variant="container" m="xl" data-testid="mv-modules">
      <H2>Modules</H2>
      <Muted>Modules install from git with their dependencies. The server runs the new set after a restart.</Muted>
      {data.restartRequired ? <MessageBox mt="lg" variant="warning" message="The installed modules differ from the running ones: restart the server." data-testid="mv-restart" /> : null}
      {notice ? <MessageBox mt="lg" variant={notice.variant} message={notice.message} data-testid="mv-modules-notice" /> : null}
      <Table width={1} mt="lg">
        <TableHead>
          <TableRow>
            <TableCell>Module</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Source</TableCell>
            <TableCell>Dependencies</TableCell>
            <TableCell>Needed by</TableCell>
            {data.canManage ? <TableCell>Manage</TableCell> : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {data.installed.map((m) => (
            <TableRow key={m.code} data-testid={`mv-module-${m.code}`}>
              <TableCell>
                <Text fontWeight="bold">{m.code}</Text>
                <Muted>{m.problem ?? m.description ?? ''}</Muted>
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {m.version} {running.get(m.code) !== m.version ? <Badge variant="info">{running.has(m.code) ? `running ${running.get(m.code)}` : 'not running yet'}</Badge> : null}
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{m.source === 'git' && m.git ? `${m.git.url}${m.git.ref ? `#${m.git.ref}` : ''} (${m.git.commit.slice(0, 8)})` : 'bundled'}</TableCell>
              <TableCell>{m.dependencies.map((d) => `${d.code} ${d.version}`).join(', ')}</TableCell>
              <TableCell>{m.dependents.join(', ')}</TableCell>
              {data.canManage ? (
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  {m.source === 'git' ? (
                    <Box flex flexDirection="row" alignItems="center" mb="sm">
                      <Input placeholder="ref (tag, branch)" value={refs[m.code] ?? ''} onChange={(e: any) => setRefs({ ...refs, [m.code]: e.target.value })} mr="sm" />
                      <Button size="sm" disabled={!!busy} onClick={() => run(`upgrade ${m.code}`, `/modules/${m.code}/upgrade`, () => ({ ref: refs[m.code] || undefined }))}>
                        Upgrade
                      </Button>
                    </Box>
                  ) : null}
                  <Box flex flexDirection="row" alignItems="center">
                    <CheckBox id={`purge-${m.code}`} checked={!!purge[m.code]} onChange={() => setPurge({ ...purge, [m.code]: !purge[m.code] })} />
                    <Label inline htmlFor={`purge-${m.code}`} mr="sm" ml="xs">
                      also drop its data
                    </Label>
                    <Button
                      size="sm"
                      variant="danger"
                      disabled={!!busy || m.dependents.length > 0}
                      title={m.dependents.length ? `Needed by ${m.dependents.join(', ')}` : undefined}
                      onClick={() => {
                        const text = `Uninstall ${m.code}?${purge[m.code] ? ' Its tables and data are dropped for good.' : ' Its data is kept.'}`;
                        if (window.confirm(text)) void run(`uninstall ${m.code}`, `/modules/${m.code}/uninstall`, () => ({ purge: !!purge[m.code] }));
                      }}
                    >
                      Uninstall
                    </Button>
                  </Box>
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {data.canManage ? (
        <Box mt="xl" data-testid="mv-install">
          <H4>Install from git</H4>
          <Label htmlFor="mv-install-url" required>
            Repository
          </Label>
          <Input id="mv-install-url" width={1} placeholder="https://…, ssh://…, git@host:path or file://…" value={install.url} onChange={(e: any) => setInstall({ ...install, url: e.target.value })} />
          <Box flex flexDirection="row" mt="default">
            <Box mr="lg">
              <Label htmlFor="mv-install-ref">Ref (branch, tag or commit)</Label>
              <Input id="mv-install-ref" value={install.ref} onChange={(e: any) => setInstall({ ...install, ref: e.target.value })} />
            </Box>
            <Box mr="lg">
              <Label htmlFor="mv-install-path">Path in the repository</Label>
              <Input id="mv-install-path" value={install.path} onChange={(e: any) => setInstall({ ...install, path: e.target.value })} />
            </Box>
            <Box width={280}>
              <Label htmlFor="mv-install-on-conflict">When it is already installed</Label>
              <Select
                inputId="mv-install-on-conflict"
                isClearable={false}
                options={ON_CONFLICT}
                value={ON_CONFLICT.find((o) => o.value === install.onConflict)}
                onChange={(selected: any) => setInstall({ ...install, onConflict: selected?.value ?? 'fail' })}
              />
            </Box>
          </Box>
          <Label htmlFor="mv-install-dependency-urls" mt="default">
            Dependency URLs (one code=url per line; url#ref:path for a branch or directory)
          </Label>
          <TextArea
            id="mv-install-dependency-urls"
            width={1}
            rows={2}
            placeholder="mv-credentials=https://git.example.com/mv-infra.git#main:credentials"
            value={install.dependencyUrls}
            onChange={(e: any) => setInstall({ ...install, dependencyUrls: e.target.value })}
          />
          <Button
            mt="lg"
            variant="primary"
            disabled={!!busy || !install.url}
            onClick={() =>
              run('install', '/modules/install', () => ({
                url: install.url,
                ref: install.ref || undefined,
                path: install.path || undefined,
                onConflict: install.onConflict,
                dependencyUrls: dependencyUrlsOf(install.dependencyUrls),
              }))
            }
          >
            {busy === 'install' ? 'Installing…' : 'Install'}
          </Button>
        </Box>
      ) : null}
    </Box>
  );
};

export default Modules;
