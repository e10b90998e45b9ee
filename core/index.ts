/**
 * The host runtime as modules see it: `import { defineAction, StringField, ... } from 'mv-infra/core'`.
 * Modules get this one copy (never their own), so that decorators and errors are shared with the host.
 */
export { defineAction, confirmationText } from './action.js';
export type { ActionContext, ActionDefinition, ActionKind, ActionResult, EntityClass, ProviderHttpRequest } from './action.js';
export { defineModule } from './module.js';
export type { ModuleDefinition, ModuleHost, MigrationClass } from './module.js';
export type { ModuleHook, ModuleHookContext } from './modules/hooks.js';
export type { CredentialService } from './credential-service.js';
export { param } from './params.js';
export type { ParamSpec, ParamSpecs, ParamValues } from './params.js';
export {
  BaseRecord,
  BigIntField,
  BoolField,
  DateField,
  EnumField,
  IntField,
  JsonField,
  NumberField,
  RefField,
  SecretField,
  StringField,
  TextField,
  fieldsOf,
} from './fields.js';
export type { FieldMeta, FieldKind } from './fields.js';
export { Resource } from './resource.js';
export type { ResourceOptions } from './resource.js';
export { ActionError, MvError, isMvError, validationError } from './errors.js';
export type { ErrorCode, FieldErrors } from './errors.js';
export { ProviderError } from './http/provider-error.js';
export type { ProviderFault } from './http/provider-error.js';
export { ProviderHttp } from './http/provider-http.js';
export { isAllowedHost } from './http/allowed-hosts.js';
export type { OutgoingRequest, ProviderRequest, ProviderResponse, RequestSigner } from './http/provider-http.js';
export type { BudgetSettings } from './http/budget.js';
export { waitFor, defaultPollIntervalMs } from './wait.js';
export type { WaitOptions } from './wait.js';
export { SecretBox } from './secrets.js';
export type { Role, Actor } from './roles.js';
export type { Logger } from './logger.js';
