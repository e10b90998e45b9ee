/** Whether a credential may go to `host`: one of `allowed` exactly, or under a `*.example.com` pattern. */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern === name || (pattern.startsWith('*.') && name.endsWith(pattern.slice(1)));
  });
}
