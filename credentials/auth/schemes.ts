import type { AuthenticationType } from '../entities/credential.js';
import { apiKey } from './api-key.js';
import { exoscaleHmac } from './exoscale-hmac.js';
import { header } from './header.js';
import { httpBasic } from './http-basic.js';
import { oauth2 } from './oauth2.js';
import { openstackKeystone } from './openstack-keystone.js';
import { ovhSignature } from './ovh-signature.js';
import type { AuthScheme } from './scheme.js';
import { ssh } from './ssh.js';

/** Every authentication type, by name: `authenticationType` decides which one signs a request. */
export const AUTH_SCHEMES: Record<AuthenticationType, AuthScheme> = {
  API_KEY: apiKey,
  HEADER: header,
  HTTP_BASIC: httpBasic,
  OAUTH2: oauth2,
  SSH: ssh,
  OVH_SIGNATURE: ovhSignature,
  EXOSCALE_HMAC: exoscaleHmac,
  OPENSTACK_KEYSTONE: openstackKeystone,
};
