import { InvalidCorrectionError } from '@crazy-digits/core/store-kit';

const STORE_NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

/** Checks a store name given to a Postgres store. */
export function checkStoreName(name: string): string {
  if (!STORE_NAME.test(name))
    throw new InvalidCorrectionError(`store name must match ${STORE_NAME}, got "${name}"`);
  return name;
}
