/**
 * A non-digit: `strokes` random smooth curves (random walks with momentum) drawn with a round
 * pen on a white `side` x `side` RGBA canvas. Used to check how the recogniser flags scribbles.
 */
export function drawScribble(
  random: () => number,
  options: { side?: number; strokes?: number; penRadius?: number } = {},
): { data: Uint8ClampedArray; width: number; height: number } {
  const side = options.side ?? 280;
  const strokes = options.strokes ?? 2 + Math.floor(random() * 3);
  const radius = options.penRadius ?? 6 + random() * 6;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  const dab = (cx: number, cy: number) => {
    for (let y = Math.max(0, Math.floor(cy - radius)); y <= Math.min(side - 1, Math.ceil(cy + radius)); y++) {
      for (
        let x = Math.max(0, Math.floor(cx - radius));
        x <= Math.min(side - 1, Math.ceil(cx + radius));
        x++
      ) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius)
          data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
      }
    }
  };
  for (let s = 0; s < strokes; s++) {
    let x = side * (0.2 + 0.6 * random());
    let y = side * (0.2 + 0.6 * random());
    let angle = random() * 2 * Math.PI;
    const steps = 40 + Math.floor(random() * 80);
    for (let i = 0; i < steps; i++) {
      angle += (random() - 0.5) * 0.8;
      x = Math.min(side - radius, Math.max(radius, x + Math.cos(angle) * 3));
      y = Math.min(side - radius, Math.max(radius, y + Math.sin(angle) * 3));
      dab(x, y);
    }
  }
  return { data, width: side, height: side };
}
