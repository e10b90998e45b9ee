import type { ProviderHttp } from 'mv-infra/core';
import { listAll } from './pagination.js';
import { id, instance } from './paths.js';
import type {
  CreateSecurityGroupRequest,
  SecurityGroup,
  SecurityGroupResponse,
  SecurityGroupRule,
  SecurityGroupRuleRequest,
  SecurityGroupRuleResponse,
  UpdateSecurityGroupRequest,
} from './wire.js';

/** Security groups and their rules. */
export class SecurityGroups {
  constructor(private readonly http: ProviderHttp) {}

  list(zone: string, filters: { name?: string; project?: string; tags?: string[] } = {}): Promise<SecurityGroup[]> {
    return listAll(this.http, { call: 'listSecurityGroups', path: instance(zone, '/security_groups'), query: { name: filters.name, project: filters.project, tags: filters.tags?.join(',') } }, (body) => body.security_groups);
  }

  async get(zone: string, groupId: string): Promise<SecurityGroup> {
    return (await this.http.request<SecurityGroupResponse>({ call: 'getSecurityGroup', method: 'GET', path: instance(zone, `/security_groups/${id(groupId)}`) })).data.security_group;
  }

  async create(zone: string, body: CreateSecurityGroupRequest): Promise<SecurityGroup> {
    return (await this.http.request<SecurityGroupResponse>({ call: 'createSecurityGroup', method: 'POST', path: instance(zone, '/security_groups'), body })).data.security_group;
  }

  async update(zone: string, groupId: string, body: UpdateSecurityGroupRequest): Promise<SecurityGroup> {
    return (await this.http.request<SecurityGroupResponse>({ call: 'updateSecurityGroup', method: 'PATCH', path: instance(zone, `/security_groups/${id(groupId)}`), body, idempotent: true })).data.security_group;
  }

  async delete(zone: string, groupId: string): Promise<void> {
    await this.http.request({ call: 'deleteSecurityGroup', method: 'DELETE', path: instance(zone, `/security_groups/${id(groupId)}`) });
  }

  listRules(zone: string, groupId: string): Promise<SecurityGroupRule[]> {
    return listAll(this.http, { call: 'listSecurityGroupRules', path: instance(zone, `/security_groups/${id(groupId)}/rules`) }, (body) => body.rules);
  }

  async createRule(zone: string, groupId: string, body: SecurityGroupRuleRequest): Promise<SecurityGroupRule> {
    return (await this.http.request<SecurityGroupRuleResponse>({ call: 'createSecurityGroupRule', method: 'POST', path: instance(zone, `/security_groups/${id(groupId)}/rules`), body })).data.rule;
  }

  async updateRule(zone: string, groupId: string, ruleId: string, body: Partial<SecurityGroupRuleRequest>): Promise<SecurityGroupRule> {
    return (await this.http.request<SecurityGroupRuleResponse>({ call: 'updateSecurityGroupRule', method: 'PATCH', path: instance(zone, `/security_groups/${id(groupId)}/rules/${id(ruleId)}`), body, idempotent: true })).data.rule;
  }

  async deleteRule(zone: string, groupId: string, ruleId: string): Promise<void> {
    await this.http.request({ call: 'deleteSecurityGroupRule', method: 'DELETE', path: instance(zone, `/security_groups/${id(groupId)}/rules/${id(ruleId)}`) });
  }
}
