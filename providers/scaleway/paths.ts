/** Zone-scoped paths of the Instance and Block Storage APIs, with ids escaped. */
export const instance = (zone: string, path: string) => `/instance/v1/zones/${encodeURIComponent(zone)}${path}`;
export const block = (zone: string, path: string) => `/block/v1/zones/${encodeURIComponent(zone)}${path}`;
export const id = (value: string) => encodeURIComponent(value);
