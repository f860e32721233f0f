import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRecognizer } from '../../src/index.js';

// Its own file: the wasm backend initialises once per process, and these tests need it to fail.
async function tfjsNodeLoads(): Promise<boolean> {
  const name = '@tensorflow/tfjs-node';
  try {
    await import(/* @vite-ignore */ name);
    return true;
  } catch {
    return false;
  }
}

describe("'auto' landing on cpu", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('says so once, with the reason, and the recogniser reports the cpu backend', async (context) => {
    if (await tfjsNodeLoads()) context.skip('tfjs-node loads here, so auto never reaches cpu');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // `wasmPaths` reaches tfjs: a folder without the .wasm files makes the wasm backend fail.
    const recognizer = await createRecognizer({ wasmPaths: 'file:///nowhere/' });
    expect(recognizer.backend).toBe('cpu');
    const ours = () => warn.mock.calls.filter(([text]) => String(text).startsWith('[crazy-digits]'));
    expect(ours()).toHaveLength(1);
    expect(String(ours()[0]?.[0])).toMatch(/cpu backend.*"wasm" backend is not available.*wasmPaths/s);

    const second = await createRecognizer({ wasmPaths: 'file:///nowhere/' });
    expect(second.backend).toBe('cpu');
    expect(ours()).toHaveLength(1);
    recognizer.dispose();
    second.dispose();
  });
});
