// A Vue 3 composable to copy into your app: the browser adapter's drawing pad on a template ref.
// Type-checked with the repository (`npm run typecheck`), against the `vue` it installs.
import { createDrawingPad, type DrawingPad, type DrawingPadOptions } from '@crazy-digits/browser-adapter';
import { onBeforeUnmount, onMounted, type Ref, type ShallowRef, shallowRef } from 'vue';

/**
 * Starts a drawing pad on `canvas` (a template ref) when the component mounts and removes its
 * listeners when it unmounts. `onChange` is called after each stroke, undo and clear.
 */
export function useDrawingPad(
  canvas: Readonly<Ref<HTMLCanvasElement | null | undefined>>,
  options: DrawingPadOptions = {},
): ShallowRef<DrawingPad | undefined> {
  const pad = shallowRef<DrawingPad>();
  onMounted(() => {
    if (canvas.value) pad.value = createDrawingPad(canvas.value, options);
  });
  onBeforeUnmount(() => {
    pad.value?.destroy();
    pad.value = undefined;
  });
  return pad;
}
