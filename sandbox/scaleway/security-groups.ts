/**
 * Security groups (`/security_groups`). Each project gets a default group ("Default security
 * group") the first time a server is created in it without one, as production does.
 */
import { Router, type Request } from 'express';
import { SECURITY_GROUP_POLICIES, type SecurityGroup } from '../../providers/scaleway/wire.js';
import { checkQuota, ownerOf, type Owner, type ScalewayContext } from './context.js';
import { invalidRequest } from './errors.js';
import { newId } from './ids.js';
import { replyInstanceList } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { instanceFilters, queryBoolean, zoneOf } from './request.js';
import { smtpRules } from './security-group-rules.js';
import type { ScalewayState, SecurityGroupRecord } from './state.js';
import { instanceDate } from './time.js';
import { BodyReader } from './validation.js';

type Settings = Pick<
  SecurityGroupRecord,
  'name' | 'description' | 'tags' | 'stateful' | 'inbound_default_policy' | 'outbound_default_policy' | 'project_default' | 'enable_default_security'
>;

function createSecurityGroup(state: ScalewayState, zone: string, owner: Owner, settings: Settings): SecurityGroupRecord {
  const date = instanceDate();
  const group: SecurityGroupRecord = {
    id: newId(),
    creation_date: date,
    modification_date: date,
    ...owner,
    ...settings,
    organization_default: settings.project_default,
    state: 'available',
    zone,
    rules: [],
  };
  if (settings.enable_default_security) group.rules = smtpRules(zone);
  if (settings.project_default) clearOtherDefaults(state, group);
  state.securityGroups.set(group.id, group);
  return group;
}

/** A project has one default group per zone. */
function clearOtherDefaults(state: ScalewayState, group: SecurityGroupRecord): void {
  for (const other of state.securityGroups.values()) {
    if (other !== group && other.zone === group.zone && other.project === group.project) {
      other.project_default = false;
      other.organization_default = false;
    }
  }
}

/** The project's default group in the zone, created on first use. */
export function defaultSecurityGroup(state: ScalewayState, zone: string, owner: Owner): SecurityGroupRecord {
  for (const group of state.securityGroups.values()) {
    if (group.zone === zone && group.project === owner.project && group.project_default) return group;
  }
  return createSecurityGroup(state, zone, owner, {
    name: 'Default security group',
    description: 'Auto generated security group.',
    tags: [],
    stateful: true,
    inbound_default_policy: 'accept',
    outbound_default_policy: 'accept',
    project_default: true,
    enable_default_security: true,
  });
}

export function securityGroupView(state: ScalewayState, group: SecurityGroupRecord): SecurityGroup {
  const { rules: _rules, ...rest } = group;
  const servers = [...state.servers.values()].filter((server) => server.security_group_id === group.id).map((server) => ({ id: server.id, name: server.name }));
  return { ...rest, tags: [...group.tags], servers };
}

/** Reads the settings a create, update or set request carries, over `current`. */
function readSettings(body: BodyReader, current: Settings): Settings {
  const projectDefault = body.boolean('project_default') ?? body.boolean('organization_default');
  return {
    name: body.string('name') ?? current.name,
    description: body.has('description') ? (body.nullableString('description') ?? null) : current.description,
    tags: body.strings('tags') ?? current.tags,
    stateful: body.boolean('stateful') ?? current.stateful,
    inbound_default_policy: body.oneOf('inbound_default_policy', SECURITY_GROUP_POLICIES) ?? current.inbound_default_policy,
    outbound_default_policy: body.oneOf('outbound_default_policy', SECURITY_GROUP_POLICIES) ?? current.outbound_default_policy,
    project_default: projectDefault ?? current.project_default,
    enable_default_security: body.boolean('enable_default_security') ?? current.enable_default_security,
  };
}

function applySettings(state: ScalewayState, group: SecurityGroupRecord, settings: Settings): void {
  if (settings.enable_default_security !== group.enable_default_security) {
    const editable = group.rules.filter((rule) => rule.editable);
    group.rules = settings.enable_default_security ? [...smtpRules(group.zone), ...editable] : editable;
  }
  Object.assign(group, settings, { organization_default: settings.project_default, modification_date: instanceDate() });
  if (settings.project_default) clearOtherDefaults(state, group);
}

const NEW_GROUP: Settings = {
  name: '',
  description: null,
  tags: [],
  stateful: true,
  inbound_default_policy: 'accept',
  outbound_default_policy: 'accept',
  project_default: false,
  enable_default_security: true,
};

export function securityGroupsRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findGroup = (req: Request) => state.find(state.securityGroups, zoneOf(req), req.params.id, 'instance_security_group');
  const update = (req: Request) => {
    const group = findGroup(req);
    const body = BodyReader.instance(req.body);
    const settings = readSettings(body, group);
    body.finish();
    applySettings(state, group, settings);
    return { security_group: securityGroupView(state, group) };
  };

  router.get('/security_groups', (req, res) => {
    const owned = instanceFilters<SecurityGroupRecord>(req, (group) => group.name);
    const projectDefault = queryBoolean(req, 'project_default');
    const groups = state.inZone(state.securityGroups, zoneOf(req)).filter(
      (group) => owned(group) && (projectDefault === undefined || group.project_default === projectDefault),
    );
    replyInstanceList(req, res, 'security_groups', groups, (group) => securityGroupView(state, group));
  });

  router.post('/security_groups', (req, res) => {
    const body = BodyReader.instance(req.body);
    const owner = ownerOf(ctx, { project: body.string('project'), organization: body.string('organization') });
    const settings = readSettings(body, { ...NEW_GROUP, name: `sg-${newId().slice(0, 8)}` });
    body.finish();
    checkQuota(ctx, 'security_groups', owner.project);
    const group = createSecurityGroup(state, zoneOf(req), owner, settings);
    replyJson(res, 201, { security_group: securityGroupView(state, group) });
  });

  router.get('/security_groups/:id', (req, res) => {
    replyJson(res, 200, { security_group: securityGroupView(state, findGroup(req)) });
  });

  // PATCH changes the fields it names; PUT (set) sends them all, with the same effect
  router.patch('/security_groups/:id', (req, res) => replyJson(res, 200, update(req)));
  router.put('/security_groups/:id', (req, res) => replyJson(res, 200, update(req)));

  router.delete('/security_groups/:id', (req, res) => {
    const group = findGroup(req);
    if (securityGroupView(state, group).servers.length) throw invalidRequest('group is in use, you cannot delete it');
    state.securityGroups.delete(group.id);
    replyNoContent(res);
  });

  return router;
}
