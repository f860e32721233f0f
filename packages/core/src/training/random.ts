/** A uniform random number generator on [0, 1). */
export type Random = () => number;

/**
 * A small, fast, seedable PRNG (mulberry32). Training uses it so that a seed reproduces the same
 * augmentations, shuffles and initial weights on every machine.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform sample from [low, high). */
export const uniform = (random: Random, low: number, high: number) => low + (high - low) * random();

/** A standard normal sample (Box–Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
