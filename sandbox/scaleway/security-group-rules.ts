/**
 * Security group rules (`/security_groups/{id}/rules`). Editable rules are numbered 1..n by
 * position; a group with `enable_default_security` also has six non-editable rules blocking SMTP
 * (ports 25, 465, 587 outbound, IPv4 and IPv6), listed first, which no request can change.
 */
import { isIP } from 'node:net';
import { Router, type Request } from 'express';
import {
  RULE_ACTIONS,
  RULE_DIRECTIONS,
  RULE_PROTOCOLS,
  type SecurityGroupRule,
} from '../../providers/scaleway/wire.js';
import type { ScalewayContext } from './context.js';
import { invalidRequest, notFound } from './errors.js';
import { newId, stableId } from './ids.js';
import { instancePage, itemsOf } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { zoneOf } from './request.js';
import type { SecurityGroupRecord } from './state.js';
import { instanceDate } from './time.js';
import { BodyReader } from './validation.js';

const SMTP_PORTS = [25, 465, 587];

function smtpRule(id: string, range: string, port: number, position: number, zone: string): SecurityGroupRule {
  return {
    id,
    protocol: 'TCP',
    direction: 'outbound',
    ip_range: range,
    dest_ip_range: null,
    dest_port_from: port,
    dest_port_to: null,
    position,
    editable: false,
    action: 'drop',
    zone,
  };
}

/** The non-editable SMTP rules; `idOf(n)` names the n-th. */
export function smtpRules(zone: string, idOf: (n: number) => string = () => newId()): SecurityGroupRule[] {
  return ['0.0.0.0/0', '::/0'].flatMap((range, r) =>
    SMTP_PORTS.map((port, p) => {
      const position = r * SMTP_PORTS.length + p + 1;
      return smtpRule(idOf(position), range, port, position, zone);
    }),
  );
}

/** Non-editable rules first, then editable ones by position. */
export function orderedRules(group: SecurityGroupRecord): SecurityGroupRule[] {
  return [...group.rules.filter((rule) => !rule.editable), ...group.rules.filter((rule) => rule.editable)];
}

/** Production shows a single host without its prefix length: `1.1.1.1/32` is `1.1.1.1`. */
function normalizeRange(range: string): string | undefined {
  const [address, length, extra] = range.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return undefined;
  if (length === undefined) return address;
  const bits = Number(length);
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(length) || bits > max) return undefined;
  return bits === max ? address : `${address}/${bits}`;
}

type RuleFields = Omit<SecurityGroupRule, 'id' | 'editable' | 'zone' | 'position'> & { position: number };

/** Reads one rule over `current` (every field required without one); ports are dropped for ICMP and ANY, `dest_port_to` when equal to `from`. */
function readRule(body: BodyReader, current?: SecurityGroupRule): RuleFields {
  const pick = <T extends string>(field: string, values: readonly T[], fallback: T | undefined): T =>
    fallback === undefined ? body.requiredOneOf(field, values) : (body.oneOf(field, values) ?? fallback);
  const port = (field: 'dest_port_from' | 'dest_port_to') =>
    body.integer(field, { min: 0, max: 65535 }) ?? (body.has(field) ? null : (current?.[field] ?? null));
  const protocol = pick('protocol', RULE_PROTOCOLS, current?.protocol);
  const direction = pick('direction', RULE_DIRECTIONS, current?.direction);
  const action = pick('action', RULE_ACTIONS, current?.action);
  const rawRange = current ? body.string('ip_range') : body.requiredString('ip_range');
  const ipRange = rawRange === undefined ? current!.ip_range : (normalizeRange(rawRange) ?? '');
  if (rawRange && !ipRange) body.reject('ip_range', `"${rawRange}" is not a valid CIDR`);
  const from = port('dest_port_from');
  const to = port('dest_port_to');
  if (from && to && to < from) body.reject('dest_port_to', 'dest_port_to must not be lower than dest_port_from');
  const portless = protocol === 'ICMP' || protocol === 'ANY';
  return {
    protocol,
    direction,
    action,
    ip_range: ipRange,
    dest_ip_range: null,
    dest_port_from: portless || !from ? null : from,
    dest_port_to: portless || !to || to === from ? null : to,
    position: body.integer('position', { min: 0 }) ?? current?.position ?? 0,
  };
}

/** Numbers editable rules 1..n, keeping their order. */
function renumber(group: SecurityGroupRecord): void {
  group.rules.filter((rule) => rule.editable).forEach((rule, index) => (rule.position = index + 1));
  group.modification_date = instanceDate();
}

/** Inserts an editable rule at its requested position (0 or beyond the end: last). */
function insertRule(group: SecurityGroupRecord, fields: RuleFields): SecurityGroupRule {
  const rule: SecurityGroupRule = { ...fields, id: newId(), editable: true, zone: group.zone };
  const editable = group.rules.filter((candidate) => candidate.editable);
  const before = fields.position >= 1 && fields.position <= editable.length ? editable[fields.position - 1] : undefined;
  group.rules.splice(before ? group.rules.indexOf(before) : group.rules.length, 0, rule);
  renumber(group);
  return rule;
}

export function securityGroupRulesRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const groupOf = (req: Request) => state.find(state.securityGroups, zoneOf(req), req.params.id, 'instance_security_group');
  const editableRule = (req: Request) => {
    const group = groupOf(req);
    const rule = group.rules.find((candidate) => candidate.id === req.params.ruleId);
    if (!rule) throw notFound('instance_security_group_rule', req.params.ruleId);
    if (!rule.editable) throw invalidRequest('this rule is not editable');
    return { group, rule };
  };

  // the rules a new default security group starts with
  router.get('/security_groups/default/rules', (req, res) => {
    replyJson(res, 200, { rules: smtpRules(zoneOf(req), (n) => stableId(`default-rule/${zoneOf(req)}/${n}`)) });
  });

  // production sends no X-Total-Count on this list
  router.get('/security_groups/:id/rules', (req, res) => {
    const page = instancePage(req);
    replyJson(res, 200, { rules: itemsOf(orderedRules(groupOf(req)), page) });
  });

  router.post('/security_groups/:id/rules', (req, res) => {
    const group = groupOf(req);
    const body = BodyReader.instance(req.body);
    const fields = readRule(body);
    body.finish();
    replyJson(res, 201, { rule: insertRule(group, fields) });
  });

  /** Replaces the editable rules: listed ids are updated, rules without id created, others removed. */
  router.put('/security_groups/:id/rules', (req, res) => {
    const group = groupOf(req);
    const body = BodyReader.instance(req.body);
    const requested = (body.objectList('rules') ?? [])
      .filter((rule) => rule.boolean('editable') !== false)
      .map((rule) => ({ id: rule.string('id'), fields: readRule(rule) }));
    body.finish();
    const existing = new Map(group.rules.map((rule) => [rule.id, rule]));
    const editable = requested
      .map(({ id, fields }, order) => ({ id: id && existing.get(id)?.editable ? id : newId(), fields, order }))
      .sort((a, b) => (a.fields.position || Infinity) - (b.fields.position || Infinity) || a.order - b.order)
      .map(({ id, fields }): SecurityGroupRule => ({ ...fields, id, editable: true, zone: group.zone }));
    group.rules = [...group.rules.filter((rule) => !rule.editable), ...editable];
    renumber(group);
    replyJson(res, 200, { rules: orderedRules(group) });
  });

  router.get('/security_groups/:id/rules/:ruleId', (req, res) => {
    const rule = groupOf(req).rules.find((candidate) => candidate.id === req.params.ruleId);
    if (!rule) throw notFound('instance_security_group_rule', req.params.ruleId);
    replyJson(res, 200, { rule });
  });

  router.patch('/security_groups/:id/rules/:ruleId', (req, res) => {
    const { group, rule } = editableRule(req);
    const body = BodyReader.instance(req.body);
    const fields = readRule(body, rule);
    body.finish();
    group.rules.splice(group.rules.indexOf(rule), 1);
    const updated = insertRule(group, fields);
    updated.id = rule.id;
    replyJson(res, 200, { rule: updated });
  });

  router.delete('/security_groups/:id/rules/:ruleId', (req, res) => {
    const { group, rule } = editableRule(req);
    group.rules.splice(group.rules.indexOf(rule), 1);
    renumber(group);
    replyNoContent(res);
  });

  return router;
}
