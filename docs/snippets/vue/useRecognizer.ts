// A Vue 3 composable to copy into your app: a recogniser loaded with the component and disposed
// with it. Type-checked with the repository (`npm run typecheck`), against the `vue` it installs.
import { createRecognizer, type Recognizer, type RecognizerOptions } from '@crazy-digits/core';
import { onBeforeUnmount, onMounted, type Ref, ref, type ShallowRef, shallowRef } from 'vue';

export interface RecognizerRefs {
  /** The loaded recogniser; `undefined` while loading, after an error and once unmounted. */
  recognizer: ShallowRef<Recognizer | undefined>;
  status: Ref<'loading' | 'ready' | 'error'>;
  /** Why loading failed (crazy-digits errors have a `code`). */
  error: ShallowRef<unknown>;
}

/**
 * Loads a recogniser when the component mounts and disposes it when it unmounts. `source` (core's
 * options, or a function that creates the recogniser) is read once, at mount.
 */
export function useRecognizer(source: RecognizerOptions | (() => Promise<Recognizer>) = {}): RecognizerRefs {
  // shallowRef: Vue must not wrap the recogniser (and its tensors) in a deep reactive proxy.
  const recognizer = shallowRef<Recognizer>();
  const status = ref<'loading' | 'ready' | 'error'>('loading');
  const error = shallowRef<unknown>();
  let unmounted = false;

  onMounted(async () => {
    try {
      const loaded = await (typeof source === 'function' ? source() : createRecognizer(source));
      // Unmounted while loading: nobody will use it.
      if (unmounted) return loaded.dispose();
      recognizer.value = loaded;
      status.value = 'ready';
    } catch (cause) {
      if (unmounted) return;
      error.value = cause;
      status.value = 'error';
    }
  });

  onBeforeUnmount(() => {
    unmounted = true;
    recognizer.value?.dispose();
    recognizer.value = undefined;
  });

  return { recognizer, status, error };
}
