/**
 * Minimal stand-in for the `reflect-metadata` polyfill. @peculiar/x509 uses tsyringe, which refuses to
 * load unless `Reflect.getMetadata` exists; it only needs metadata storage, never emitted design types.
 * Installed only when no real polyfill is present, so a later `reflect-metadata` import still works.
 * Import this module before `@peculiar/x509` (see ./x509.ts).
 * @module
 */

type MetadataMap = Map<unknown, unknown>;

const reflect = Reflect as unknown as Record<string, unknown>;

if (typeof reflect['getMetadata'] !== 'function') {
  const store = new WeakMap<object, Map<PropertyKey | undefined, MetadataMap>>();

  const ownMap = (
    target: object,
    property: PropertyKey | undefined,
    create: boolean,
  ): MetadataMap | undefined => {
    let byProperty = store.get(target);
    if (!byProperty) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    let map = byProperty.get(property);
    if (!map && create) {
      map = new Map();
      byProperty.set(property, map);
    }
    return map;
  };

  const getOwnMetadata = (key: unknown, target: object, property?: PropertyKey): unknown =>
    ownMap(target, property, false)?.get(key);

  const getMetadata = (key: unknown, target: object, property?: PropertyKey): unknown => {
    for (let current: object | null = target; current; current = Object.getPrototypeOf(current)) {
      const map = ownMap(current, property, false);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };

  const defineMetadata = (key: unknown, value: unknown, target: object, property?: PropertyKey): void => {
    ownMap(target, property, true)?.set(key, value);
  };

  Object.assign(reflect, {
    getOwnMetadata,
    getMetadata,
    defineMetadata,
    hasOwnMetadata: (key: unknown, target: object, property?: PropertyKey) =>
      ownMap(target, property, false)?.has(key) ?? false,
    hasMetadata: (key: unknown, target: object, property?: PropertyKey) =>
      getMetadata(key, target, property) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: object, property?: PropertyKey) =>
      defineMetadata(key, value, target, property),
  });
}
