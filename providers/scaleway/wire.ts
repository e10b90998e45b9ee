/**
 * Scaleway wire types: the JSON objects exactly as they travel over HTTP (snake_case), for the
 * Instance v1, Block Storage v1 and Marketplace v2 APIs.
 *
 * Shared by the sandbox emulator (`sandbox/scaleway/`) and the API client, so that both agree on
 * one contract. Field lists follow recorded production traffic (test/fixtures/scaleway/) and the
 * generated Scaleway SDKs (scaleway/scaleway-sdk-js `packages_generated/{instance,block}/`).
 *
 * Nullable fields are `T | null` where production sends `null`; optional fields (`?`) are the ones
 * production omits in some answers.
 */

// ---------------------------------------------------------------------------------------------
// Enumerations

/** Availability zones the Instance API serves. */
export type Zone = string;

export const ARCHES = ['x86_64', 'arm64', 'arm'] as const;
export type Arch = (typeof ARCHES)[number];

export const SERVER_STATES = ['running', 'stopped', 'stopped in place', 'starting', 'stopping', 'locked'] as const;
export type ServerState = (typeof SERVER_STATES)[number];
/** A server in one of these states is moving; poll it until it leaves them. */
export const SERVER_TRANSIENT_STATES = ['starting', 'stopping'] as const satisfies readonly ServerState[];

export const SERVER_ACTIONS = [
  'poweron',
  'backup',
  'stop_in_place',
  'poweroff',
  'terminate',
  'reboot',
  'enable_routed_ip',
] as const;
export type ServerAction = (typeof SERVER_ACTIONS)[number];

export const BOOT_TYPES = ['local', 'bootscript', 'rescue'] as const;
export type BootType = (typeof BOOT_TYPES)[number];

export const LIST_SERVERS_ORDERS = [
  'creation_date_desc',
  'creation_date_asc',
  'modification_date_desc',
  'modification_date_asc',
] as const;
export type ListServersOrder = (typeof LIST_SERVERS_ORDERS)[number];

export const VOLUME_TYPES = ['l_ssd', 'b_ssd', 'unified', 'scratch', 'sbs_volume', 'sbs_snapshot'] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number];

export const VOLUME_STATES = [
  'available',
  'snapshotting',
  'fetching',
  'saving',
  'attaching',
  'resizing',
  'hotsyncing',
  'error',
] as const;
/** `deleting` is not in the SDK enum but production shows it while a terminate removes a local volume. */
export type VolumeState = (typeof VOLUME_STATES)[number] | 'deleting';
export const VOLUME_TRANSIENT_STATES = [
  'snapshotting',
  'fetching',
  'saving',
  'attaching',
  'resizing',
  'hotsyncing',
] as const satisfies readonly VolumeState[];

export const SNAPSHOT_STATES = ['available', 'snapshotting', 'error', 'invalid_data', 'importing', 'exporting'] as const;
export type SnapshotState = (typeof SNAPSHOT_STATES)[number];
export const SNAPSHOT_TRANSIENT_STATES = ['snapshotting', 'importing', 'exporting'] as const satisfies readonly SnapshotState[];

export const IMAGE_STATES = ['available', 'creating', 'error'] as const;
export type ImageState = (typeof IMAGE_STATES)[number];
export const IMAGE_TRANSIENT_STATES = ['creating'] as const satisfies readonly ImageState[];

export const IP_TYPES = ['routed_ipv4', 'routed_ipv6'] as const;
export type IpType = (typeof IP_TYPES)[number];
export const IP_STATES = ['detached', 'attached', 'pending', 'error'] as const;
export type IpState = (typeof IP_STATES)[number];

export const SECURITY_GROUP_STATES = ['available', 'syncing', 'syncing_error'] as const;
export type SecurityGroupState = (typeof SECURITY_GROUP_STATES)[number];
export const SECURITY_GROUP_POLICIES = ['accept', 'drop'] as const;
export type SecurityGroupPolicy = (typeof SECURITY_GROUP_POLICIES)[number];
export const RULE_PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ANY'] as const;
export type RuleProtocol = (typeof RULE_PROTOCOLS)[number];
export const RULE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type RuleDirection = (typeof RULE_DIRECTIONS)[number];
export const RULE_ACTIONS = ['accept', 'drop'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export const SERVER_TYPE_AVAILABILITIES = ['available', 'scarce', 'shortage'] as const;
export type ServerTypeAvailability = (typeof SERVER_TYPE_AVAILABILITIES)[number];

export const TASK_STATUSES = ['pending', 'started', 'success', 'failure', 'retry'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_TRANSIENT_STATUSES = ['pending', 'started', 'retry'] as const satisfies readonly TaskStatus[];

// ---------------------------------------------------------------------------------------------
// Instance v1 objects

export interface ServerSummary {
  id: string;
  name: string;
}

/** An Instance volume (`l_ssd`, `scratch`, legacy `b_ssd`). SBS volumes live in the Block API. */
export interface Volume {
  id: string;
  name: string;
  volume_type: VolumeType;
  /** Deprecated, always null. */
  export_uri: null;
  organization: string;
  project: string;
  server: ServerSummary | null;
  size: number;
  state: VolumeState;
  creation_date: string;
  modification_date: string;
  tags: string[];
  zone: Zone;
}

/** A volume as embedded in a server: a full local volume, or only a reference to an SBS volume. */
export type ServerVolume =
  | (Volume & { boot: boolean })
  | { boot: boolean; volume_type: 'sbs_volume'; id: string; state: VolumeState; zone: Zone };

export interface VolumeSummary {
  id: string;
  name: string;
  volume_type: VolumeType;
  size: number;
}

export interface Image {
  id: string;
  name: string;
  organization: string;
  project: string;
  root_volume: VolumeSummary | null;
  extra_volumes: Record<string, Volume>;
  public: boolean;
  arch: Arch;
  creation_date: string;
  modification_date: string;
  /** Deprecated, always null. */
  default_bootscript: null;
  /** Id of the server a backup was taken from, `""` otherwise. */
  from_server: string;
  state: ImageState;
  tags: string[];
  zone: Zone;
}

export interface Snapshot {
  id: string;
  name: string;
  organization: string;
  project: string;
  tags: string[];
  volume_type: VolumeType;
  size: number;
  state: SnapshotState;
  base_volume: { id: string; name: string } | null;
  creation_date: string;
  modification_date: string;
  error_reason: string | null;
  zone: Zone;
}

/** A public IP as embedded in a server. */
export interface ServerIp {
  id: string;
  address: string;
  dynamic: boolean;
  gateway: string;
  netmask: string;
  family: 'inet' | 'inet6';
  provisioning_mode: 'manual' | 'dhcp' | 'slaac';
  tags: string[];
  state: IpState;
  ipam_id: string;
}

export interface ServerLocation {
  zone_id: string;
  platform_id: string;
  cluster_id: string;
  hypervisor_id: string;
  node_id: string;
}

export interface Server {
  id: string;
  name: string;
  arch: Arch;
  commercial_type: string;
  boot_type: BootType;
  organization: string;
  project: string;
  hostname: string;
  image: Image | null;
  volumes: Record<string, ServerVolume>;
  tags: string[];
  state: ServerState;
  protected: boolean;
  state_detail: string;
  /** Deprecated: the first of `public_ips`. */
  public_ip: ServerIp | null;
  public_ips: ServerIp[];
  mac_address: string;
  routed_ip_enabled: boolean;
  ipv6: null;
  extra_networks: unknown[];
  dynamic_ip_required: boolean;
  enable_ipv6: boolean;
  private_ip: null;
  creation_date: string;
  modification_date: string;
  bootscript: null;
  security_group: ServerSummary | null;
  location: ServerLocation | null;
  maintenances: Array<{ reason: string; start_date: string | null }>;
  allowed_actions: ServerAction[];
  placement_group: null;
  private_nics: PrivateNic[];
  zone: Zone;
  filesystems: Array<{ filesystem_id: string; state: string }>;
  end_of_service: boolean;
  dns: string;
  admin_password_encryption_ssh_key_id: string | null;
}

export interface PrivateNic {
  id: string;
  server_id: string;
  private_network_id: string;
  mac_address: string;
  state: 'available' | 'syncing' | 'syncing_error';
  tags: string[];
  creation_date: string;
  zone: Zone;
}

export interface Ip {
  id: string;
  address: string;
  prefix: string | null;
  reverse: string | null;
  server: ServerSummary | null;
  organization: string;
  project: string;
  zone: Zone;
  type: IpType;
  state: IpState;
  tags: string[];
  ipam_id: string;
}

export interface SecurityGroup {
  id: string;
  creation_date: string;
  modification_date: string;
  name: string;
  description: string | null;
  organization: string;
  project: string;
  servers: ServerSummary[];
  stateful: boolean;
  inbound_default_policy: SecurityGroupPolicy;
  outbound_default_policy: SecurityGroupPolicy;
  /** Deprecated twin of `project_default`. */
  organization_default: boolean;
  project_default: boolean;
  /** True when SMTP is blocked (the non-editable rules). Read-only in practice. */
  enable_default_security: boolean;
  state: SecurityGroupState;
  tags: string[];
  zone: Zone;
}

export interface SecurityGroupRule {
  id: string;
  protocol: RuleProtocol;
  direction: RuleDirection;
  /** A CIDR; a single host is shown without its prefix length (`1.1.1.1`, not `1.1.1.1/32`). */
  ip_range: string;
  dest_ip_range: string | null;
  dest_port_from: number | null;
  dest_port_to: number | null;
  position: number;
  editable: boolean;
  action: RuleAction;
  zone: Zone;
}

/** Answer to every server action. Production returns a placeholder: tasks cannot be polled. */
export interface Task {
  id: string;
  description: string;
  status: TaskStatus;
  href_from: string;
  href_result: string;
  started_at: string | null;
  terminated_at: string | null;
  progress: number;
  zone: Zone;
}

// ---------------------------------------------------------------------------------------------
// Instance v1 products

export interface VolumeSizeConstraint {
  min_size: number;
  max_size: number;
}

/** One entry of `GET /products/servers`, keyed by commercial type. Sizes are bytes, prices euros. */
export interface ServerType {
  alt_names: string[];
  arch: Arch;
  ncpus: number;
  ram: number;
  gpu: number;
  gpu_info: { gpu_manufacturer: string; gpu_name: string; gpu_memory: number } | null;
  mig_profile: string | null;
  /** Bounds of the total size of local volumes; `max_size` 0 means no local storage. */
  volumes_constraint: VolumeSizeConstraint;
  per_volume_constraint: { l_ssd: VolumeSizeConstraint };
  scratch_storage_max_size: number;
  scratch_storage_max_volumes_count: number;
  monthly_price: number;
  hourly_price: number;
  capabilities: {
    boot_types: BootType[];
    placement_groups: boolean;
    block_storage: boolean;
    hot_snapshots_local_volume: boolean;
    private_network: number;
    max_file_systems: number;
  };
  network: {
    ipv6_support: boolean;
    sum_internal_bandwidth: number;
    sum_internet_bandwidth: number;
    interfaces: Array<{ internal_bandwidth: number; internet_bandwidth: number }>;
  };
  block_bandwidth: number;
  end_of_service: boolean;
}

export interface VolumeTypeDescription {
  display_name: string;
  capabilities: { snapshot: boolean };
  constraints: { min: number; max: number };
}

// ---------------------------------------------------------------------------------------------
// Instance v1 responses
//
// Instance list bodies carry no `total_count`: production sends it in the `X-Total-Count` header
// (with a `Link` header), and the SDK copies it into the body (`fixLegacyTotalCount`).

export interface ServerResponse { server: Server }
export interface ServersResponse { servers: Server[] }
export interface ServerActionsResponse { actions: ServerAction[] }
export interface TaskResponse { task: Task }
export interface UserDataKeysResponse { user_data: string[] }
export interface PrivateNicsResponse { private_nics: PrivateNic[] }
export interface VolumeResponse { volume: Volume }
export interface VolumesResponse { volumes: Volume[] }
export interface SnapshotResponse { snapshot: Snapshot }
export interface CreateSnapshotResponse { snapshot: Snapshot; task: Task }
export interface SnapshotsResponse { snapshots: Snapshot[] }
export interface ImageResponse { image: Image }
export interface ImagesResponse { images: Image[] }
export interface IpResponse { ip: Ip }
export interface IpsResponse { ips: Ip[] }
export interface SecurityGroupResponse { security_group: SecurityGroup }
export interface SecurityGroupsResponse { security_groups: SecurityGroup[] }
export interface SecurityGroupRuleResponse { rule: SecurityGroupRule }
export interface SecurityGroupRulesResponse { rules: SecurityGroupRule[] }
export interface ServerTypesResponse { servers: Record<string, ServerType> }
export interface ServerTypesAvailabilityResponse { servers: Record<string, { availability: ServerTypeAvailability }> }
export interface VolumeTypesResponse { volumes: Record<string, VolumeTypeDescription> }

// ---------------------------------------------------------------------------------------------
// Instance v1 request bodies

/** A volume in a create or update server request: an existing volume (`id`) or a new one. */
export interface VolumeServerTemplate {
  id?: string;
  boot?: boolean;
  name?: string;
  size?: number;
  volume_type?: VolumeType;
  base_snapshot?: string;
  project?: string;
  organization?: string;
}

export interface CreateServerRequest {
  name?: string;
  commercial_type: string;
  /** An image id or a Marketplace label such as `ubuntu_noble`. */
  image?: string;
  volumes?: Record<string, VolumeServerTemplate>;
  dynamic_ip_required?: boolean;
  routed_ip_enabled?: boolean;
  enable_ipv6?: boolean;
  public_ip?: string;
  public_ips?: string[];
  boot_type?: BootType;
  project?: string;
  organization?: string;
  tags?: string[];
  security_group?: string;
  placement_group?: string;
  admin_password_encryption_ssh_key_id?: string;
  protected?: boolean;
}

export interface UpdateServerRequest {
  name?: string;
  boot_type?: BootType;
  tags?: string[];
  volumes?: Record<string, VolumeServerTemplate>;
  dynamic_ip_required?: boolean;
  routed_ip_enabled?: boolean;
  public_ips?: string[];
  enable_ipv6?: boolean;
  protected?: boolean;
  security_group?: { id: string; name?: string };
  placement_group?: string | null;
  commercial_type?: string;
  admin_password_encryption_ssh_key_id?: string;
}

export interface ServerActionRequest {
  action: ServerAction;
  /** Backup only: the image name. */
  name?: string;
  /** Backup only: the volumes to include, keyed by volume id. */
  volumes?: Record<string, { volume_type?: VolumeType }>;
  disable_ipv6?: boolean;
}

export interface AttachServerVolumeRequest {
  volume_id: string;
  volume_type?: 'l_ssd' | 'b_ssd' | 'sbs_volume';
  boot?: boolean;
}

export interface DetachServerVolumeRequest {
  volume_id: string;
}

export interface CreateVolumeRequest {
  name?: string;
  project?: string;
  organization?: string;
  tags?: string[];
  volume_type?: VolumeType;
  /** Bytes, a multiple of 512. Exclusive with `base_snapshot`. */
  size?: number;
  base_snapshot?: string;
}

export interface UpdateVolumeRequest {
  name?: string;
  tags?: string[];
  size?: number;
}

export interface CreateSnapshotRequest {
  name?: string;
  volume_id?: string;
  tags?: string[];
  project?: string;
  organization?: string;
  volume_type?: VolumeType;
  bucket?: string;
  key?: string;
  size?: number;
}

export interface UpdateSnapshotRequest {
  name?: string;
  tags?: string[];
}

export interface ExportSnapshotRequest {
  bucket: string;
  key: string;
}

export interface CreateImageRequest {
  name?: string;
  /** Id of an Instance snapshot or of a Block snapshot. */
  root_volume: string;
  arch: Arch;
  extra_volumes?: Record<string, { id: string }>;
  project?: string;
  organization?: string;
  tags?: string[];
  public?: boolean;
}

export interface UpdateImageRequest {
  name?: string;
  arch?: Arch;
  extra_volumes?: Record<string, { id: string }>;
  tags?: string[];
  public?: boolean;
}

export interface CreateIpRequest {
  project?: string;
  organization?: string;
  tags?: string[];
  server?: string;
  type?: IpType;
}

export interface UpdateIpRequest {
  reverse?: string | null;
  type?: IpType;
  tags?: string[];
  /** A server id attaches the IP, `null` detaches it. */
  server?: string | null;
}

export interface CreateSecurityGroupRequest {
  name?: string;
  description?: string;
  project?: string;
  organization?: string;
  tags?: string[];
  project_default?: boolean;
  organization_default?: boolean;
  stateful?: boolean;
  inbound_default_policy?: SecurityGroupPolicy;
  outbound_default_policy?: SecurityGroupPolicy;
  enable_default_security?: boolean;
}

export type UpdateSecurityGroupRequest = Omit<CreateSecurityGroupRequest, 'project' | 'organization'>;

export interface SecurityGroupRuleRequest {
  protocol: RuleProtocol;
  direction: RuleDirection;
  action: RuleAction;
  ip_range: string;
  dest_port_from?: number | null;
  dest_port_to?: number | null;
  position?: number;
  editable?: boolean | null;
}

/** One rule of `PUT /security_groups/{id}/rules`; `id` null creates a rule. */
export interface SetSecurityGroupRule extends SecurityGroupRuleRequest {
  id?: string | null;
  zone?: Zone;
}

export interface SetSecurityGroupRulesRequest {
  rules?: SetSecurityGroupRule[];
}

// ---------------------------------------------------------------------------------------------
// Block Storage v1 (`/block/v1/zones/{zone}`): paginated with `page` / `page_size`, `total_count`
// in the body.

export const BLOCK_VOLUME_STATUSES = [
  'creating',
  'available',
  'in_use',
  'deleting',
  'deleted',
  'resizing',
  'error',
  'snapshotting',
  'locked',
  'updating',
] as const;
export type BlockVolumeStatus = (typeof BLOCK_VOLUME_STATUSES)[number];
export const BLOCK_VOLUME_TRANSIENT_STATUSES = [
  'creating',
  'deleting',
  'resizing',
  'snapshotting',
  'updating',
] as const satisfies readonly BlockVolumeStatus[];

export const BLOCK_SNAPSHOT_STATUSES = [
  'creating',
  'available',
  'error',
  'deleting',
  'deleted',
  'in_use',
  'locked',
  'exporting',
] as const;
export type BlockSnapshotStatus = (typeof BLOCK_SNAPSHOT_STATUSES)[number];
export const BLOCK_SNAPSHOT_TRANSIENT_STATUSES = ['creating', 'deleting', 'exporting'] as const satisfies readonly BlockSnapshotStatus[];

export const BLOCK_PERF_IOPS = [5000, 15000] as const;

export interface BlockReference {
  id: string;
  product_resource_type: 'instance_server' | 'instance_image' | string;
  product_resource_id: string;
  created_at: string;
  type: 'link' | 'exclusive' | 'read_only';
  status: 'attaching' | 'attached' | 'detaching' | 'detached' | 'creating' | 'error';
}

export interface BlockVolume {
  id: string;
  name: string;
  /** `sbs_5k` or `sbs_15k`, after the IOPS class. */
  type: string;
  size: number;
  project_id: string;
  created_at: string;
  updated_at: string;
  references: BlockReference[];
  parent_snapshot_id: string | null;
  status: BlockVolumeStatus;
  tags: string[];
  specs: { perf_iops: number; class: 'sbs' };
  last_detached_at: string | null;
  kms_key_id: string | null;
  zone: Zone;
}

export interface BlockSnapshot {
  id: string;
  name: string;
  parent_volume: { id: string; name: string; type: string; status: BlockVolumeStatus } | null;
  size: number;
  project_id: string;
  created_at: string;
  updated_at: string;
  references: BlockReference[];
  status: BlockSnapshotStatus;
  tags: string[];
  class: 'sbs';
  zone: Zone;
  public: boolean;
}

export interface BlockVolumeType {
  type: string;
  pricing: { currency_code: string; units: number; nanos: number };
  snapshot_pricing: { currency_code: string; units: number; nanos: number };
  specs: { perf_iops: number; class: 'sbs' };
}

export interface BlockVolumesResponse { volumes: BlockVolume[]; total_count: number }
export interface BlockSnapshotsResponse { snapshots: BlockSnapshot[]; total_count: number }
export interface BlockVolumeTypesResponse { volume_types: BlockVolumeType[]; total_count: number }

export interface CreateBlockVolumeRequest {
  name?: string;
  perf_iops?: number;
  project_id?: string;
  from_empty?: { size: number };
  from_snapshot?: { snapshot_id: string; size?: number };
  tags?: string[];
}

export interface UpdateBlockVolumeRequest {
  name?: string;
  size?: number;
  tags?: string[];
  perf_iops?: number;
}

export interface CreateBlockSnapshotRequest {
  volume_id: string;
  name?: string;
  project_id?: string;
  tags?: string[];
}

export interface UpdateBlockSnapshotRequest {
  name?: string;
  tags?: string[];
}

// ---------------------------------------------------------------------------------------------
// Marketplace v2 (`/marketplace/v2`): resolves image labels to zone-local image ids.

export const LOCAL_IMAGE_TYPES = ['instance_local', 'instance_sbs'] as const;
export type LocalImageType = (typeof LOCAL_IMAGE_TYPES)[number];

export interface LocalImage {
  id: string;
  arch: Arch;
  zone: Zone;
  compatible_commercial_types: string[];
  label: string;
  type: LocalImageType;
}

export interface MarketplaceImage {
  id: string;
  name: string;
  description: string;
  logo: string;
  categories: string[];
  created_at: string;
  updated_at: string;
  valid_until: string | null;
  label: string;
}

export interface LocalImagesResponse { local_images: LocalImage[]; total_count: number }
export interface MarketplaceImagesResponse { images: MarketplaceImage[]; total_count: number }

// ---------------------------------------------------------------------------------------------
// Errors. Every error body is JSON with `type` and `message` (scaleway-sdk-js
// `packages/client/src/scw/errors/`), except gateway 5xx answers (`{message}`) and the bare Envoy
// 429 (empty body, `x-envoy-ratelimited: true`).

export interface InvalidArgumentDetail {
  argument_name: string;
  reason: 'required' | 'format' | 'constraint' | string;
  help_message?: string;
}

export interface NotFoundErrorBody {
  type: 'not_found';
  message: string;
  resource: string;
  resource_id: string;
}

/** Legacy Instance shape of a 404. */
export interface UnknownResourceErrorBody {
  type: 'unknown_resource';
  message: string;
}

/** Legacy Instance validation error: `fields` lists messages per request field. */
export interface InvalidRequestErrorBody {
  type: 'invalid_request_error';
  message: string;
  fields?: Record<string, string[]>;
  resource?: string;
}

export interface InvalidArgumentsErrorBody {
  type: 'invalid_arguments';
  message: string;
  details: InvalidArgumentDetail[];
}

export interface QuotasExceededErrorBody {
  type: 'quotas_exceeded';
  message: string;
  details: Array<{ resource: string; quota: number; current: number; project_id?: string; organization_id?: string }>;
}

export interface PermissionsDeniedErrorBody {
  type: 'permissions_denied';
  message: string;
  details: Array<{ resource: string; action: string }>;
}

export interface DeniedAuthenticationErrorBody {
  type: 'denied_authentication';
  message: string;
  method: 'api_key' | 'jwt' | string;
  reason: 'invalid_argument' | 'not_found' | 'expired' | string;
}

export interface PreconditionFailedErrorBody {
  type: 'precondition_failed';
  message: string;
  precondition: 'resource_still_in_use' | 'attribute_must_be_set' | 'resource_not_usable' | string;
  help_message: string;
}

export interface TransientStateErrorBody {
  type: 'transient_state';
  message: string;
  resource: string;
  resource_id: string;
  current_state: string;
}

export interface OutOfStockErrorBody {
  type: 'out_of_stock';
  message: string;
  resource: string;
}

export interface LockedErrorBody {
  type: 'locked';
  message: string;
  resource: string;
  resource_id: string;
}

export interface TooManyRequestsErrorBody {
  type: 'too_many_requests';
  message: string;
  help_message: string;
  limit?: { quota: number; window_seconds?: number };
  reset_seconds?: number;
  reset_at?: string;
}

/** What the API gateway answers on a 5xx. */
export interface GatewayErrorBody {
  message: string;
}

export type ErrorBody =
  | NotFoundErrorBody
  | UnknownResourceErrorBody
  | InvalidRequestErrorBody
  | InvalidArgumentsErrorBody
  | QuotasExceededErrorBody
  | PermissionsDeniedErrorBody
  | DeniedAuthenticationErrorBody
  | PreconditionFailedErrorBody
  | TransientStateErrorBody
  | OutOfStockErrorBody
  | LockedErrorBody
  | TooManyRequestsErrorBody;
