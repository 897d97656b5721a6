/**
 * Azure's public regions, by the names ARM stores (`westeurope`); a display name (`West Europe`) is
 * accepted and normalized as ARM does. Locally a location is a label only: nothing runs "in" it.
 * @module
 */
import { CredlessError } from '@credless/core';

export const ARM_LOCATIONS: readonly string[] = Object.freeze([
  'australiacentral',
  'australiaeast',
  'australiasoutheast',
  'brazilsouth',
  'canadacentral',
  'canadaeast',
  'centralindia',
  'centralus',
  'eastasia',
  'eastus',
  'eastus2',
  'francecentral',
  'germanywestcentral',
  'italynorth',
  'japaneast',
  'japanwest',
  'koreacentral',
  'koreasouth',
  'northcentralus',
  'northeurope',
  'norwayeast',
  'polandcentral',
  'qatarcentral',
  'southafricanorth',
  'southcentralus',
  'southeastasia',
  'southindia',
  'swedencentral',
  'switzerlandnorth',
  'uaenorth',
  'uksouth',
  'ukwest',
  'westcentralus',
  'westeurope',
  'westindia',
  'westus',
  'westus2',
  'westus3',
]);

export function normalizeArmLocation(location: string): string {
  const name = location.replace(/\s+/g, '').toLowerCase();
  if (!ARM_LOCATIONS.includes(name)) {
    throw new CredlessError('arm_location_unavailable', {
      location: location.slice(0, 64),
      known: ARM_LOCATIONS.join(','),
    });
  }
  return name;
}
