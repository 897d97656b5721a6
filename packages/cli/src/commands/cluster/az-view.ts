/**
 * An ARM resource as az prints it: its `properties` flattened into the object (az's SDK models have
 * no `properties` level), `resourceGroup` taken from the id, and the wire's acronyms in az's camelCase
 * (`issuerURL` → `issuerUrl`, `enableAzureRBAC` → `enableAzureRbac`, `tenantID` → `tenantId`).
 * @module
 */

/** The wire names az's models spell differently (the rest keep their name). */
const AZ_NAMES: Record<string, string> = {
  issuerURL: 'issuerUrl',
  enableAzureRBAC: 'enableAzureRbac',
  enableRBAC: 'enableRbac',
  tenantID: 'tenantId',
};

function renamed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renamed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      AZ_NAMES[key] ?? key,
      renamed(item),
    ]),
  );
}

export function azView(resource: Record<string, unknown>): Record<string, unknown> {
  const { properties, ...rest } = resource;
  const resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(String(rest['id'] ?? ''))?.[1];
  const flat: Record<string, unknown> = {
    ...rest,
    ...(resourceGroup !== undefined ? { resourceGroup } : {}),
    ...(properties !== null && typeof properties === 'object' ? (properties as Record<string, unknown>) : {}),
  };
  // az's key order: alphabetical, as its JSON output of SDK models.
  const sorted = Object.fromEntries(
    Object.entries(renamed(flat) as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
  );
  return sorted;
}
